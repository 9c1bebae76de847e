"""Logging for the entry points (CLI, worker, GUI): handlers, the run log file, and the libraries' own output.

Only entry points call these (CONVENTIONS 9); modules just use `logging.getLogger(__name__)`.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import logging
import sys
import warnings
from pathlib import Path

# Library messages about cases the app handles, dropped from every log: (logger, what the message says).
HANDLED = (
    # our per-sequence attention (kernels.py) attends over padding-free rows from the sequence bounds
    ("trl.trainer.sft_trainer", "Padding-free training is enabled, but the attention implementation"),
    # bitsandbytes' own CPU path runs when the hub kernel is not loaded (_NoHubKernelForBitsandbytes)
    ("bitsandbytes.backends.cpu.ops", "Failed to load CPU gemm_4bit_forward"),
)


class RunLogHandler(logging.FileHandler):
    """The run log. When it cannot be written (a full disk) it says so once on stderr and stops, instead of a
    traceback on stderr for every record after."""

    broken = False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.broken:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            super().handleError(record)
            return
        self.broken = True
        sys.stderr.write(f"The log {self.baseFilename} cannot be written ({error}); it stops here.\n")


def setup_logging(verbose: bool = False, log_file: Path | None = None) -> None:
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(RunLogHandler(log_file, encoding="utf-8"))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, handlers=handlers, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.captureWarnings(True)


class _DropHandled(logging.Filter):
    def __init__(self, start: str):
        super().__init__()
        self.start = start

    def filter(self, record: logging.LogRecord) -> bool:
        return self.start not in record.getMessage()


class _NoHubKernelForBitsandbytes(importlib.abc.MetaPathFinder):
    """bitsandbytes (0.50), imported on a CPU with AVX512-BF16, asks the Hugging Face Hub for a kernels-community
    4-bit kernel, which the `kernels` package refuses (its publisher is not on the trust list) after a network
    look-up, or cannot find offline; bitsandbytes then uses its own CPU path. Its import runs with `kernels` hidden,
    so nothing is looked up and the outcome is the same."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> object:
        if name != "bitsandbytes":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module

        def exec_module(module: object) -> None:
            hidden = "kernels" in sys.modules
            saved = sys.modules.get("kernels")
            sys.modules["kernels"] = None  # `from kernels import ...` raises ImportError at once
            try:
                run(module)
            finally:
                if hidden:
                    sys.modules["kernels"] = saved
                else:
                    del sys.modules["kernels"]

        spec.loader.exec_module = exec_module
        return spec


def quiet_libraries() -> None:
    """No hub look-up from bitsandbytes' import, and no warnings about cases the app handles (HANDLED)."""
    for name, start in HANDLED:
        logging.getLogger(name).addFilter(_DropHandled(start))
    if "bitsandbytes" not in sys.modules and not any(isinstance(f, _NoHubKernelForBitsandbytes)
                                                     for f in sys.meta_path):
        sys.meta_path.insert(0, _NoHubKernelForBitsandbytes())


def route_library_logs() -> None:
    """transformers logs through its own stderr handler; route it through ours so it reaches the run log."""
    quiet_libraries()
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
