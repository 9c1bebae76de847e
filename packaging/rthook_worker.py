"""PyInstaller runtime hook: let the frozen app be started the way the GUI starts its training worker.

The GUI (app/ui/runner.py) launches the worker as `sys.executable -m app train CONFIG --events jsonl`. In a
frozen build `sys.executable` is the app itself, which does not understand `-m app`: drop those two arguments so
the same command line reaches app.cli as `train CONFIG --events jsonl`. Also serve multiprocessing's child
processes (datasets/torch may spawn some) before the app starts.
"""

import multiprocessing
import sys

if getattr(sys, "frozen", False):
    multiprocessing.freeze_support()
    if sys.argv[1:3] == ["-m", "app"]:
        del sys.argv[1:3]
