"""Where Finetune Studio keeps its files: the data home, run folders, the model cache and bundled resources."""

from __future__ import annotations

import os
import re
from pathlib import Path

from .errors import ConfigError
from .messages import Text

APP_NAME = "finetune-studio"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
RESOURCES = PROJECT_ROOT / "resources"
RUN_ID_MAX = 64
_RUN_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*")


def data_home() -> Path:
    """The data home: `FINETUNE_STUDIO_HOME` if set, else the platform's user data folder."""
    env = os.environ.get("FINETUNE_STUDIO_HOME")
    if env:
        home = Path(env).expanduser()
    else:
        from platformdirs import user_data_path

        home = user_data_path(APP_NAME, appauthor=False)
    if not home.is_dir():  # private: runs hold the user's data (a home that exists keeps the modes it was given)
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
    return home


def runs_dir() -> Path:
    path = data_home() / "runs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def check_run_id(run_id: str) -> str:
    """`run_id` if it is a safe folder name (letters, digits, '.', '_', '-'; at most RUN_ID_MAX; no leading dot, no
    '..'), else ConfigError: a run id names a folder under runs/, so it must never reach outside it."""
    if len(run_id) <= RUN_ID_MAX and _RUN_ID.fullmatch(run_id) and ".." not in run_id:
        return run_id
    shown = run_id if len(run_id) <= 80 else f"{run_id[:77]}..."
    raise ConfigError([("run id", Text("{shown!r} is not a valid run id", shown=shown))],
                      Text("A run id is 1 to {run_id_max} letters, digits, '.', '_' or '-', not starting "
                           "with '.' and without '..' (example: 20260101-120000-ab12); leave it out to get a "
                           "new one.", run_id_max=RUN_ID_MAX))


def run_dir(run_id: str) -> Path:
    """The run's folder, runs/<id> under the data home (ConfigError for an id that is not a safe folder name)."""
    return runs_dir() / check_run_id(run_id)


def models_cache() -> Path:
    """Converted and downloaded models; `FINETUNE_STUDIO_MODELS` moves it (tests share one across sessions)."""
    env = os.environ.get("FINETUNE_STUDIO_MODELS")
    path = Path(env).expanduser() if env else data_home() / "models"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_path() -> Path:
    return data_home() / "studio.db"


def resolve_user_path(value: str | os.PathLike, base: Path | None = None) -> Path:
    """Resolve a path a user wrote: as given, else beside `base` (a config's folder), else in the project root.

    The last fallback lets bundled examples say `resources/samples/...` from any working directory.
    """
    path = Path(value).expanduser()
    if path.is_absolute():
        return path
    for root in (Path.cwd(), base, PROJECT_ROOT):
        if root is not None and (root / path).exists():
            return (root / path).resolve()
    return (Path.cwd() / path).resolve()
