"""`finetune-studio --install-desktop-entry` / `--uninstall-desktop-entry` (app/core/desktop_entry.py): the desktop
entry and icon under a temporary $XDG_DATA_HOME, Exec running this install, and uninstall removing exactly those."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.core import desktop_entry

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="desktop entries are Linux's")


def read_entry(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if line)


def assert_valid(desktop: Path) -> None:
    """desktop-file-validate finds no error (desktop-file-utils, from apt, is optional here: skipped without it)."""
    validate = shutil.which("desktop-file-validate")
    if validate:
        out = subprocess.run([validate, str(desktop)], capture_output=True, text=True)
        assert out.returncode == 0 and "error" not in out.stdout.lower(), out.stdout + out.stderr


@pytest.fixture
def xdg(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def test_install_writes_the_entry_and_icon_running_this_install(xdg, capsys):
    assert main(["--install-desktop-entry"]) == 0
    desktop = xdg / "applications" / "finetune-studio.desktop"
    icon = xdg / "icons" / "hicolor" / "scalable" / "apps" / "finetune-studio.svg"
    assert sorted(p for p in xdg.rglob("*") if p.is_file()) == sorted([desktop, icon])
    assert icon.read_bytes() == desktop_entry.ICON.read_bytes()
    entry = read_entry(desktop)
    launcher = Path(sys.executable).parent / "finetune-studio"  # the venv's script, as pip installed it
    assert launcher.is_file()
    assert entry["Exec"] == str(launcher) and entry["TryExec"] == str(launcher)
    template = read_entry(desktop_entry.TEMPLATE)
    assert {k: v for k, v in entry.items() if k not in ("Exec", "TryExec")} == {
        **{k: v for k, v in template.items() if k not in ("Exec", "TryExec")},
        "X-Finetune-Studio-Installed-By": "finetune-studio --install-desktop-entry"}
    assert entry["Icon"] == icon.stem and (desktop.stat().st_mode & 0o777) == 0o644
    assert str(launcher) in capsys.readouterr().out
    assert_valid(desktop)


def test_uninstall_removes_exactly_those_files(xdg, capsys):
    others = [xdg / "applications" / "other.desktop", xdg / "icons" / "hicolor" / "scalable" / "apps" / "other.svg",
              xdg / "icons" / "hicolor" / "48x48" / "apps" / "finetune-studio.png"]
    for path in others:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("not ours")
    assert main(["--install-desktop-entry"]) == 0
    assert main(["--uninstall-desktop-entry"]) == 0
    assert sorted(p for p in xdg.rglob("*") if p.is_file()) == sorted(others)
    assert all(p.read_text() == "not ours" for p in others)
    assert capsys.readouterr().out.count("Removed ") == 2
    assert main(["--uninstall-desktop-entry"]) == 0  # nothing left: says so
    assert "No desktop entry to remove" in capsys.readouterr().out


def test_an_entry_we_did_not_write_is_left_alone(xdg, capsys):
    desktop = xdg / "applications" / "finetune-studio.desktop"
    desktop.parent.mkdir(parents=True)
    desktop.write_text("[Desktop Entry]\nType=Application\nName=Mine\nExec=my-own-build\n")
    for flag in ("--install-desktop-entry", "--uninstall-desktop-entry"):
        assert main([flag]) == 2
        assert "was not written by finetune-studio --install-desktop-entry" in capsys.readouterr().err
    assert desktop.read_text().endswith("Exec=my-own-build\n")
    assert not (xdg / "icons").exists()


def test_a_relative_xdg_data_home_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", "relative/data")
    assert desktop_entry.data_dir() == tmp_path / ".local" / "share"


def test_exec_quotes_what_the_spec_reserves():
    assert desktop_entry.exec_value(["/opt/fs/bin/finetune-studio"]) == "/opt/fs/bin/finetune-studio"
    assert desktop_entry.exec_value(["/home/a b/venv/bin/python", "-m", "app"]) == '"/home/a b/venv/bin/python" -m app'
    # '$' is escaped inside quotes (\$), whose backslash the string escape doubles; '%' doubles
    assert desktop_entry.exec_value(["/x/100%/a$b"]) == '"/x/100%%/a\\\\$b"'
    assert desktop_entry.exec_value(["/x/50%"]) == "/x/50%%"


def test_without_the_script_the_entry_runs_python_m_app(xdg, tmp_path, monkeypatch):
    python = tmp_path / "my env" / "bin" / "python"
    monkeypatch.setattr(sys, "executable", str(python))
    assert desktop_entry.launcher() == [str(python), "-m", "app"]
    desktop, _ = desktop_entry.install()
    entry = read_entry(desktop)
    assert entry["Exec"] == f'"{python}" -m app' and entry["TryExec"] == str(python)
    assert_valid(desktop)


def test_from_a_bundle_the_entry_runs_its_window_launcher(tmp_path, monkeypatch):
    bundle = tmp_path / "finetune-studio"
    bundle.mkdir()
    cli = bundle / "finetune-studio-cli"
    cli.write_text("")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(cli))
    assert desktop_entry.launcher() == [str(cli)]  # a bundle without the window launcher: itself
    (bundle / "finetune-studio").write_text("")
    assert desktop_entry.launcher() == [str(bundle / "finetune-studio")]  # run from the -cli twin: the window's
