"""The GUI's start-up path imports no torch, transformers or datasets (they cost seconds)."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys

import app.ui

HEAVY = ("torch", "transformers", "datasets", "peft", "trl")


def ui_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.walk_packages(app.ui.__path__, "app.ui.") if not m.ispkg)


def run_python(code: str, tmp_path) -> str:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FINETUNE_STUDIO_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_importing_every_ui_module_loads_no_heavy_library(tmp_path):
    modules = ui_modules()
    assert "app.ui.main_window" in modules and "app.ui.steps.data" in modules
    code = ("import importlib, sys\n"
            f"for name in {modules!r}: importlib.import_module(name)\n"
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    assert run_python(code, tmp_path).strip() == ""


def test_opening_the_main_window_loads_no_heavy_library(tmp_path):
    code = ("import sys\n"
            "from PySide6.QtWidgets import QApplication\n"
            "app = QApplication([])\n"
            "from app.ui.main_window import MainWindow\n"
            "w = MainWindow()\n"
            "w.show(); app.processEvents()\n"
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
            "w.close()\n")
    assert run_python(code, tmp_path).strip() == ""
