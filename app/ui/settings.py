"""Persistent GUI settings (geometry, last folders, choices): an INI file in the data home, and beside it the last
setup (the RunConfig the window edited) as `setup.yaml`, which the next start opens.

Keeping them beside the runs means `FINETUNE_STUDIO_HOME` isolates tests and portable installs from the user's own.
"""

from __future__ import annotations

import logging
from pathlib import Path

import yaml
from PySide6.QtCore import QSettings

from app.core.config import RunConfig, salvage_config
from app.core.messages import Text
from app.core.paths import data_home

log = logging.getLogger(__name__)


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


def setup_path(settings: QSettings) -> Path:
    return Path(settings.fileName()).with_name("setup.yaml")


def save_setup(settings: QSettings, config: RunConfig) -> None:
    """Keep the setup for the next start (written aside and renamed: a crash never leaves half a file)."""
    try:
        config.resolved().save(setup_path(settings))
    except OSError as exc:  # a full or read-only disk: the next start opens the demo preset, nothing worse
        log.warning("could not save the setup: %s", exc)


def load_setup(settings: QSettings, fallback: RunConfig) -> tuple[RunConfig, list[tuple[str, str]]]:
    """The last setup, or `fallback` (the demo preset) when there is none. What no longer validates (a value out of
    bounds, a data file that is gone) takes the fallback's value and is named, (field, why), in the list returned;
    nothing is raised."""
    path = setup_path(settings)
    if not path.is_file():
        return fallback, []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return fallback, [(str(path), Text("cannot be read ({error}): the demo preset is open",
                                           error=exc.__class__.__name__))]
    return salvage_config(data, fallback)
