"""Persistent GUI settings (geometry, last folders, choices): an INI file in the data home.

Keeping it beside the runs means `FINETUNE_STUDIO_HOME` isolates tests and portable installs from the user's own.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from app.core.paths import data_home


def open_settings(path: str | Path | None = None) -> QSettings:
    return QSettings(str(path or data_home() / "gui.ini"), QSettings.Format.IniFormat)


def last_dir(settings: QSettings, kind: str) -> str:
    return str(settings.value(f"paths/{kind}", str(Path.home())))


def remember_dir(settings: QSettings, kind: str, path: str | Path) -> None:
    path = Path(path)
    settings.setValue(f"paths/{kind}", str(path if path.is_dir() else path.parent))
