"""The architecture is checked, not hoped for: the layers of docs/ARCHITECTURE.md as import-linter contracts
(pyproject.toml: every import, inside functions too), and what importing the core loads at run time."""

import shutil
import subprocess
import sys
from pathlib import Path

from app.core.paths import PROJECT_ROOT


def test_import_contracts_are_kept():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "lint-imports is not installed beside this Python: `bash installers/install.sh --dev` installs it"
    out = subprocess.run([lint, "--no-cache", "--no-logo"], capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert out.returncode == 0, out.stdout + out.stderr


def test_core_imports_no_qt_and_nothing_heavy():
    """At run time: a module loaded by name (importlib) escapes the contracts, and torch & co imported at the top of
    a module the GUI imports would slow its start-up."""
    modules = sorted(p.relative_to(PROJECT_ROOT).with_suffix("").as_posix().replace("/", ".")
                     for p in (PROJECT_ROOT / "app" / "core").rglob("*.py") if p.name != "__init__.py")
    # these exist to subclass transformers/TRL classes; engine.py imports them inside functions
    modules = [m for m in modules if m not in ("app.core.training.callbacks", "app.core.training.trainer", "app.core.stages.ppo_trainer")]
    code = (
        "import sys\n"
        f"for m in {modules!r}: __import__(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6'))\n"
        "heavy = sorted(m for m in ('torch', 'transformers', 'peft', 'trl', 'datasets') if m in sys.modules)\n"
        "print(bad, heavy)\n"
        "assert not bad and not heavy, (bad, heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
