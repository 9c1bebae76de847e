"""What the window needs from a Linux system (app/core/system_libs.py, `finetune-studio system-libs`): ldd's output
parsed, libraries mapped to packages for apt/dnf/pacman/zypper, the install run with consent, and the GUI entry point
saying what to do (exit 2) where Qt would abort. The plugin check is faked: `ldd` answers what a machine lacking
the libraries answers."""

import json
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

from app.cli import main
from app.core import system_libs
from app.core.paths import PROJECT_ROOT

# `ldd libqxcb.so` on a stock Debian 12 (abridged): two libraries missing, each reported twice.
DEBIAN_LDD = """\
\tlinux-vdso.so.1 (0x00007ffd6a1f0000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x00007f29c2e00000)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f29c2dd0000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibEGL.so.1 => /lib/x86_64-linux-gnu/libEGL.so.1 (0x00007f29c2da0000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007f29c3400000)
"""
MISSING = ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("ldd"),
                                reason="the xcb plugin and ldd are Linux's")


def fake_ldd(answers: dict[str, str]):
    """An ldd that answers by the plugin's platform (libq<platform>.so); "" for any other file."""
    return lambda path: answers.get(Path(path).name.removeprefix("libq").removesuffix(".so"), "")


def test_ldd_output_gives_the_missing_libraries_once_in_order():
    assert system_libs.parse_ldd(DEBIAN_LDD) == MISSING
    assert system_libs.parse_ldd("\tnot a dynamic executable\n") == []
    assert system_libs.parse_ldd("") == []


def test_missing_libraries_map_to_each_managers_packages():
    assert system_libs.packages_for(MISSING, "apt") == (["libxcb-icccm4", "libxcb-keysyms1"], [])
    assert system_libs.packages_for(MISSING, "dnf") == (["xcb-util-wm", "xcb-util-keysyms"], [])
    assert system_libs.packages_for(MISSING, "pacman") == (["xcb-util-wm", "xcb-util-keysyms"], [])
    assert system_libs.packages_for(MISSING, "zypper") == (["libxcb-icccm4", "libxcb-keysyms1"], [])
    # several sonames of one package name it once; a library no package is known for is returned apart
    libs = ["libxcb-randr.so.0", "libxcb-shape.so.0", "libfoo.so.7", "libEGL.so.1"]
    assert system_libs.packages_for(libs, "dnf") == (["libxcb", "libglvnd-egl"], ["libfoo.so.7"])
    assert system_libs.packages_for(libs, "apt") == (["libxcb-randr0", "libxcb-shape0", "libegl1"], ["libfoo.so.7"])


@linux_only
def test_every_system_library_of_the_installed_plugins_has_a_package():
    """A new PySide6 that links one more system library fails here until the table names its packages."""
    base = {"linux-vdso.so.1", "libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1",
            "libstdc++.so.6", "libgcc_s.so.1", "libz.so.1", "libsystemd.so.0", "libcap.so.2", "libgcrypt.so.20",
            "libgpg-error.so.0", "liblz4.so.1", "liblzma.so.5", "libzstd.so.1", "libpcre2-8.so.0", "libbsd.so.0",
            "libmd.so.0", "libffi.so.8"}
    for platform in system_libs.CHECKED_PLATFORMS:
        plugin = system_libs.plugin_path(platform)
        assert plugin is not None, f"PySide6 ships libq{platform}.so"
        qt_lib = (plugin.parents[2] / "lib").resolve()
        unmapped = []
        for line in system_libs.run_ldd(plugin).splitlines():
            parts = line.split()
            if not parts or parts[0].startswith("/") or parts[0] in base:
                continue
            if len(parts) > 2 and parts[2].startswith("/") and Path(parts[2]).resolve().parent == qt_lib:
                continue  # PySide6's own Qt and ICU libraries
            if parts[0] not in system_libs.PACKAGES:
                unmapped.append(parts[0])
        assert not unmapped, f"libq{platform}.so links system libraries with no package in PACKAGES: {unmapped}"


def test_the_detected_manager_comes_first_then_the_others():
    assert system_libs.detect_manager(lambda p: "/usr/bin/dnf" if p == "dnf" else None) == "dnf"
    assert system_libs.detect_manager(lambda p: None) is None
    text = system_libs.fix_text(MISSING, "dnf")
    lines = [line.strip() for line in text.splitlines()]
    assert lines[0] == "Fedora, RHEL, Rocky, Alma (this system):"
    assert lines[1].endswith("dnf install xcb-util-wm xcb-util-keysyms")
    for command in ("apt-get install libxcb-icccm4 libxcb-keysyms1", "pacman -S --needed xcb-util-wm "
                    "xcb-util-keysyms", "zypper install libxcb-icccm4 libxcb-keysyms1"):
        assert any(line.endswith(command) for line in lines[2:]), command
    assert "apt-file search libfoo.so.1" in system_libs.fix_text(["libfoo.so.1"], "apt")
    assert system_libs.install_command("apt", ["a", "b"], sudo=True, assume_yes=True) == [
        "sudo", "apt-get", "install", "-y", "a", "b"]
    assert system_libs.install_command("pacman", ["a"], sudo=False) == ["pacman", "-S", "--needed", "a"]


def listening(platform, env):
    return True


def test_gui_problem_no_display_missing_libraries_or_fine():
    ldd = fake_ldd({"xcb": DEBIAN_LDD})
    no_display = system_libs.gui_problem({}, "linux", ldd)
    assert no_display is not None and no_display.message.startswith("No display")
    assert "finetune-studio train resources/examples/quickstart.yaml" in no_display.hint
    assert "QT_QPA_PLATFORM=offscreen" in no_display.hint

    lacking = system_libs.gui_problem({"DISPLAY": ":0"}, "linux", ldd)
    assert lacking is not None and "libxcb-icccm.so.4, libxcb-keysyms.so.1" in lacking.message
    assert "install libxcb-icccm4 libxcb-keysyms1" in lacking.hint and "xcb-util-wm" in lacking.hint

    assert system_libs.gui_problem({"DISPLAY": ":0"}, "linux", fake_ldd({}), listening) is None  # nothing missing
    # an explicit platform other than xcb/wayland is the user's choice; Windows and macOS need no check
    assert system_libs.gui_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux", ldd) is None
    assert system_libs.gui_problem({}, "darwin", ldd) is None and system_libs.gui_problem({}, "win32", ldd) is None
    assert system_libs.gui_problem({"QT_QPA_PLATFORM": "xcb"}, "linux", ldd).message.startswith("No display")


@linux_only
def test_gui_problem_on_wayland_needs_one_usable_plugin():
    wayland_lacks = "\tlibwayland-cursor.so.0 => not found\n"
    both = {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}
    assert system_libs.gui_problem(both, "linux", fake_ldd({"xcb": DEBIAN_LDD}), listening) is None  # Wayland starts
    assert system_libs.gui_problem(both, "linux", fake_ldd({"wayland": wayland_lacks}),
                                   listening) is None  # falls back to xcb
    neither = system_libs.gui_problem(both, "linux", fake_ldd({"xcb": DEBIAN_LDD, "wayland": wayland_lacks}))
    assert "xcb platform plugin" in neither.message and "libxcb-keysyms.so.1" in neither.message  # XWayland's fix
    only_wayland = system_libs.gui_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux",
                                           fake_ldd({"wayland": wayland_lacks}))
    assert "wayland platform plugin" in only_wayland.message and "libwayland-cursor0" in only_wayland.hint


@linux_only
def test_a_named_display_nobody_listens_on_is_reported_and_one_that_answers_is_not(tmp_path):
    """Real sockets: an X server's abstract socket, TCP port 6000+N as `ssh -X` forwards it, a Wayland socket."""
    import socket

    number = 900 + os.getpid() % 1000  # a display number no X server here uses
    with socket.socket(socket.AF_UNIX) as x_server:
        x_server.bind(f"\0/tmp/.X11-unix/X{number}")
        x_server.listen()
        assert system_libs.display_answers("xcb", {"DISPLAY": f":{number}.0"})
    assert not system_libs.display_answers("xcb", {"DISPLAY": f":{number}"})  # closed: nobody listens
    with socket.socket() as forwarded:
        forwarded.bind(("127.0.0.1", 0))
        forwarded.listen()
        port = forwarded.getsockname()[1]
        assert system_libs.display_answers("xcb", {"DISPLAY": f"127.0.0.1:{port - 6000}"})
    assert not system_libs.display_answers("xcb", {"DISPLAY": f"127.0.0.1:{port - 6000}"})
    wayland = {"WAYLAND_DISPLAY": "wayland-test", "XDG_RUNTIME_DIR": str(tmp_path)}
    with socket.socket(socket.AF_UNIX) as compositor:
        compositor.bind(str(tmp_path / "wayland-test"))
        compositor.listen()
        assert system_libs.display_answers("wayland", wayland)
    assert system_libs.display_answers("xcb", {"DISPLAY": "/private/tmp/launchd-1/org.xquartz:0"})  # left to Qt

    silent = system_libs.gui_problem({"DISPLAY": f":{number}"}, "linux", fake_ldd({}))
    assert silent is not None and f"no display server answers at $DISPLAY=:{number}" in silent.message
    assert "xvfb-run finetune-studio" in silent.hint
    # missing libraries are the first thing to fix, whether or not the display answers
    lacking = system_libs.gui_problem({"DISPLAY": f":{number}"}, "linux", fake_ldd({"xcb": DEBIAN_LDD}))
    assert "libxcb-keysyms.so.1" in lacking.message


@linux_only
def test_system_libs_command_reports_and_installs_with_consent(monkeypatch, capsys):
    state = {"missing": list(MISSING)}
    calls = []

    def call(command):
        calls.append(command)
        if command[-1] == "update":
            return 0
        if len(calls) == 1:
            return 100  # the first install fails (stale package lists): apt-get update, then again
        state["missing"] = []
        return 0

    monkeypatch.setattr(system_libs, "run_ldd", lambda path: "".join(f"\t{s} => not found\n" for s in state["missing"]))
    monkeypatch.setattr(system_libs, "detect_manager", lambda which=None: "apt")
    monkeypatch.setattr(system_libs, "needs_sudo", lambda: True)
    monkeypatch.setattr("app.cli.desktop.shutil.which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr("app.cli.desktop.subprocess.call", call)
    monkeypatch.setenv("DISPLAY", ":0")

    assert main(["system-libs"]) == 1  # without --install: the report and the commands, nothing run
    out = capsys.readouterr().out
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in out and "sudo apt-get install libxcb-icccm4 libxcb-keysyms1" in out
    assert "sudo dnf install xcb-util-wm xcb-util-keysyms" in out and not calls

    assert main(["system-libs", "--install", "--yes"]) == 0
    install = ["sudo", "apt-get", "install", "-y", "libxcb-icccm4", "libxcb-keysyms1"]
    assert calls == [install, ["sudo", "apt-get", "update"], install]
    assert "(installed now)" in capsys.readouterr().out

    assert main(["system-libs", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "checked": True, "platform": "xcb", "missing": [], "manager": "apt", "commands": {}, "installed": False,
        "display": True}


@linux_only
def test_system_libs_install_without_root_or_sudo_prints_the_root_command(monkeypatch, capsys):
    monkeypatch.setattr(system_libs, "run_ldd", lambda path: DEBIAN_LDD)
    monkeypatch.setattr(system_libs, "detect_manager", lambda which=None: "zypper")
    monkeypatch.setattr(system_libs, "needs_sudo", lambda: True)
    monkeypatch.setattr("app.cli.desktop.shutil.which", lambda name: None)
    monkeypatch.setattr("app.cli.desktop.subprocess.call", lambda command: pytest.fail(f"ran {command}"))
    assert main(["system-libs", "--install"]) == 1
    assert "zypper install libxcb-icccm4 libxcb-keysyms1" in capsys.readouterr().err


@linux_only
def test_gui_entry_point_says_what_is_missing_and_exits_2_before_qt(monkeypatch, capsys):
    monkeypatch.setattr(system_libs, "run_ldd", lambda path: DEBIAN_LDD)
    monkeypatch.delenv("QT_QPA_PLATFORM")
    monkeypatch.setenv("DISPLAY", ":0")
    # what `gui` would import next, faked so this process never loads Qt
    monkeypatch.setitem(sys.modules, "app.ui.app",
                        types.SimpleNamespace(run_gui=lambda *a, **k: pytest.fail("the window was started")))
    assert main(["gui"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: The window cannot open: Qt's xcb platform plugin needs 2 system libraries")
    assert "install libxcb-icccm4 libxcb-keysyms1" in err


def _gui_process(env: dict, fake_ldd_output: str | None = None) -> subprocess.CompletedProcess:
    """`python -m app` (the window) with `env`, run_ldd answering `fake_ldd_output` when given."""
    patch = "" if fake_ldd_output is None else (
        f"import app.core.system_libs as s; s.run_ldd = lambda path: {fake_ldd_output!r}; ")
    code = patch + "from app.cli import main; raise SystemExit(main([]))"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")} | env
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=120)


@linux_only
def test_the_window_without_a_display_or_libraries_exits_2_with_one_message_not_qts_abort():
    """In a process of its own, as a user starts it: without the check Qt aborts (exit 134) with its own text."""
    for env, fake, first_line in (({}, None, "Error: No display"),
                                  ({"DISPLAY": ":97"}, DEBIAN_LDD, "Error: The window cannot open"),
                                  ({"DISPLAY": ":97"}, "", "Error: The window cannot open: no display server")):
        out = _gui_process(env, fake)
        assert out.returncode == 2, out.stderr
        assert out.stderr.splitlines()[0].startswith(first_line)
        assert "qt.qpa" not in out.stderr and "platform plugin could be initialized" not in out.stderr
