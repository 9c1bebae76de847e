"""Where Finetune Studio keeps its files: the data home, run folders, the model cache and bundled resources."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "finetune-studio"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
RESOURCES = PROJECT_ROOT / "resources"


def data_home() -> Path:
    """The data home: `FINETUNE_STUDIO_HOME` if set, else the platform's user data folder."""
    env = os.environ.get("FINETUNE_STUDIO_HOME")
    if env:
        home = Path(env).expanduser()
    else:
        from platformdirs import user_data_path

        home = user_data_path(APP_NAME, appauthor=False)
    home.mkdir(parents=True, exist_ok=True)
    return home


def runs_dir() -> Path:
    path = data_home() / "runs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_dir(run_id: str) -> Path:
    return runs_dir() / run_id


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
