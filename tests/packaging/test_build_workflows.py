"""The Windows and macOS build workflows and the Windows installer script, checked on Linux.

They run only on GitHub's windows-latest / macos-latest runners (packaging/README.md), so what can be checked here
is: the workflows parse, every file they name exists, and the names they rely on (the app folder, the .app, the
launchers, the icons) are the ones the spec and packaging/make_icons.py produce.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
ISS = ROOT / "packaging" / "windows" / "finetune-studio.iss"
SPEC_TEXT = (ROOT / "packaging" / "finetune-studio.spec").read_text(encoding="utf-8")
REPO_PATH = re.compile(r"(?:packaging|installers)[/\\][\w./\\-]*\w")


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize(("name", "runner"), [("build-windows.yml", "windows-latest"),
                                              ("build-macos.yml", "macos-latest")])
def test_workflow_parses_and_names_only_files_that_exist(name, runner):
    flow = workflow(name)
    triggers = flow[True]  # YAML 1.1 reads the key `on` as true
    assert "workflow_dispatch" in triggers and triggers["push"]["tags"] == ["v*"]
    (job,) = flow["jobs"].values()
    assert job["runs-on"] == runner
    steps = job["steps"]
    assert all(("uses" in step) != ("run" in step) for step in steps)
    script = "\n".join(step["run"] for step in steps if "run" in step)
    named = set(REPO_PATH.findall(script))
    assert {"packaging/finetune-studio.spec", "packaging/make_icons.py", "packaging/smoke_bundle.py"} <= \
        {path.replace("\\", "/") for path in named}
    for path in named:
        assert (ROOT / path.replace("\\", "/")).is_file(), f"{name} names {path}, which does not exist"
    upload = [step for step in steps if step.get("uses", "").startswith("actions/upload-artifact")]
    assert len(upload) == 1 and upload[0]["with"]["if-no-files-found"] == "error"


def test_windows_workflow_builds_what_the_installer_script_packs():
    script = "\n".join(step.get("run", "") for step in workflow("build-windows.yml")["jobs"]["windows"]["steps"])
    assert "installers\\install.ps1" in script and "packaging\\windows\\finetune-studio.iss" in script
    iss = ISS.read_text(encoding="utf-8")
    # The installer packs the spec's COLLECT folder and starts its windowed launcher.
    assert 'Source: "..\\..\\dist\\finetune-studio\\*"' in iss
    assert re.search(r'#define AppExe "finetune-studio\.exe"', iss)
    assert "COLLECT(gui, cli, a.binaries, a.datas, strip=False, upx=False, name=APP_NAME)" in SPEC_TEXT
    assert 'APP_NAME = "finetune-studio"' in SPEC_TEXT
    assert "SetupIconFile=..\\..\\build\\icons\\finetune-studio.ico" in iss
    # Relative paths in an .iss are relative to the script: they must land in the repository's dist/ and build/.
    for rel in re.findall(r'(?:Source: "|OutputDir=|SetupIconFile=)(\.\.\\\.\.\\[^"*\n]*)', iss):
        assert (ISS.parent / rel.replace("\\", "/")).resolve().is_relative_to(ROOT), rel


def test_macos_workflow_packs_the_app_the_spec_bundles():
    script = "\n".join(step.get("run", "") for step in workflow("build-macos.yml")["jobs"]["macos"]["steps"])
    assert 'BUNDLE(coll, name="Finetune Studio.app"' in SPEC_TEXT
    assert '"dist/Finetune Studio.app"' in script and "hdiutil create" in script


def test_make_icons_writes_the_icons_the_spec_and_installer_use(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, str(ROOT / "packaging" / "make_icons.py"), "--out", str(tmp_path)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    ico, icns, png = (tmp_path / name for name in ("finetune-studio.ico", "finetune-studio.icns",
                                                    "finetune-studio-256.png"))
    assert ico.read_bytes()[:4] == b"\x00\x00\x01\x00"  # ICONDIR: reserved 0, type 1 (icon)
    assert icns.read_bytes()[:4] == b"icns"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert '"build" / "icons"' in SPEC_TEXT and "finetune-studio.icns" in SPEC_TEXT
