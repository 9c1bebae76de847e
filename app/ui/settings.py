"""Persistent GUI settings (geometry, last folders, choices): an INI file in the data home.

Keeping it beside the runs means `FINETUNE_STUDIO_HOME` isolates tests and portable installs from the user's own.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from app.core.paths import data_home


def open_settings(path: str | Path | None = None) -> QSettings:
    return QSettings(str(path or data_home() / "gui.ini"), QSettings.Format.IniFormat)


def last_dir(settings: QSettings, kind: str, default: str | Path | None = None) -> str:
    """The folder last remembered for `kind` (data, model, config, export), else `default` (else the home folder)."""
    return str(settings.value(f"paths/{kind}", str(default or Path.home())))


def remember_dir(settings: QSettings, kind: str, path: str | Path) -> None:
    """Remember the folder of a chosen file, or a chosen folder that exists."""
    path = Path(path)
    remember_folder(settings, kind, path if path.is_dir() else path.parent)


def remember_folder(settings: QSettings, kind: str, folder: str | Path) -> None:
    """Remember `folder` as it is, whether or not it exists yet (an export's parent folder before the export)."""
    settings.setValue(f"paths/{kind}", str(folder))
