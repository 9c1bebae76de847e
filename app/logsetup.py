"""Logging for the entry points (CLI, worker, GUI): handlers, the run log file, and the libraries' own output.

Only entry points call these (CONVENTIONS 9); modules just use `logging.getLogger(__name__)`.
"""

from __future__ import annotations

import logging
import sys
import warnings
from pathlib import Path


def setup_logging(verbose: bool = False, log_file: Path | None = None) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=handlers, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.captureWarnings(True)


def route_library_logs() -> None:
    """transformers logs through its own stderr handler; route it through ours so it reaches the run log."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:
        return
    hf_logging.disable_default_handler()
    hf_logging.enable_propagation()
    hf_logging.set_verbosity_warning()
    hf_logging.disable_progress_bar()  # our phase events and progress bars replace tqdm's
    try:
        import datasets

        datasets.disable_progress_bars()
    except ImportError:
        pass
    warnings.filterwarnings("ignore", category=FutureWarning)
