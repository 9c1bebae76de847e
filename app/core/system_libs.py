"""What the window needs from a Linux system beyond the venv: a display, and the shared libraries Qt's platform
plugin links against (PySide6's wheels bundle Qt, not X11/xcb, OpenGL, fontconfig or D-Bus).

Qt aborts the process (qFatal) when no platform plugin loads, so the GUI entry point asks `gui_problem()` before it
creates a QApplication, and `finetune-studio system-libs` (which installers/install.sh runs) reports or installs what
is missing. The plugin is found without importing PySide6, and its missing libraries are what `ldd` reports "not
found"; each is mapped to the package that ships it for apt, dnf, pacman and zypper.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import StudioError


@dataclass(frozen=True)
class Manager:
    """A package manager: how it installs (and the flag that answers "yes"), how to find the package of a file, and
    the systems it stands for."""

    name: str
    install: tuple[str, ...]
    assume_yes: str
    find: str
    systems: str


MANAGERS = (
    Manager("apt", ("apt-get", "install"), "-y", "apt-file search {soname}", "Debian, Ubuntu, Mint"),
    Manager("dnf", ("dnf", "install"), "-y", "dnf provides '*/{soname}'", "Fedora, RHEL, Rocky, Alma"),
    Manager("pacman", ("pacman", "-S", "--needed"), "--noconfirm", "pacman -F {soname}", "Arch, Manjaro"),
    Manager("zypper", ("zypper", "install"), "-y", "zypper search --provides '{soname}'", "openSUSE"),
)
MANAGER_NAMES = tuple(m.name for m in MANAGERS)

# soname -> its package for (apt, dnf, pacman, zypper): every library outside glibc that the closure of PySide6's
# xcb and wayland platform plugins loads from the system (`ldd libqxcb.so`, `ldd libqwayland.so`), plus the
# xcb-xinerama and OpenGL libraries older Qt builds link.
PACKAGES: dict[str, tuple[str, str, str, str]] = {
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm", "xcb-util-wm", "libxcb-icccm4"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms", "xcb-util-keysyms", "libxcb-keysyms1"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image", "xcb-util-image", "libxcb-image0"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil", "xcb-util-renderutil",
                                "libxcb-render-util0"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util", "xcb-util", "libxcb-util1"),
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor", "xcb-util-cursor", "libxcb-cursor0"),
    "libxcb.so.1": ("libxcb1", "libxcb", "libxcb", "libxcb1"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb", "libxcb", "libxcb-randr0"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb", "libxcb", "libxcb-render0"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb", "libxcb", "libxcb-shape0"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb", "libxcb", "libxcb-shm0"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb", "libxcb", "libxcb-sync1"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb", "libxcb", "libxcb-xfixes0"),
    "libxcb-xinerama.so.0": ("libxcb-xinerama0", "libxcb", "libxcb", "libxcb-xinerama0"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb", "libxcb", "libxcb-xkb1"),
    "libX11.so.6": ("libx11-6", "libX11", "libx11", "libX11-6"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb", "libx11", "libX11-xcb1"),
    "libXau.so.6": ("libxau6", "libXau", "libxau", "libXau6"),
    "libXdmcp.so.6": ("libxdmcp6", "libXdmcp", "libxdmcp", "libXdmcp6"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon", "libxkbcommon", "libxkbcommon0"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11", "libxkbcommon-x11", "libxkbcommon-x11-0"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl", "libglvnd", "libEGL1"),
    "libGL.so.1": ("libgl1", "libglvnd-glx", "libglvnd", "libGL1"),
    "libGLX.so.0": ("libglx0", "libglvnd-glx", "libglvnd", "libGLX0"),
    "libGLdispatch.so.0": ("libglvnd0", "libglvnd", "libglvnd", "libglvnd"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl", "libglvnd", "libOpenGL0"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig", "fontconfig", "libfontconfig1"),
    "libfreetype.so.6": ("libfreetype6", "freetype", "freetype2", "libfreetype6"),
    "libpng16.so.16": ("libpng16-16", "libpng", "libpng", "libpng16-16"),
    "libexpat.so.1": ("libexpat1", "expat", "expat", "libexpat1"),
    "libbrotlidec.so.1": ("libbrotli1", "libbrotli", "brotli", "libbrotlidec1"),
    "libbrotlicommon.so.1": ("libbrotli1", "libbrotli", "brotli", "libbrotlicommon1"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs", "dbus", "libdbus-1-3"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2", "glib2", "libglib-2_0-0"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2", "glib2", "libgthread-2_0-0"),
    "libwayland-client.so.0": ("libwayland-client0", "libwayland-client", "wayland", "libwayland-client0"),
    "libwayland-cursor.so.0": ("libwayland-cursor0", "libwayland-cursor", "wayland", "libwayland-cursor0"),
    "libwayland-egl.so.1": ("libwayland-egl1", "libwayland-egl", "wayland", "libwayland-egl1"),
}

# The plugins whose libraries are checked; any other platform (offscreen, minimal, vnc, eglfs, ...) is the user's
# explicit choice and is left to Qt.
CHECKED_PLATFORMS = ("xcb", "wayland")
HEADLESS_HINT = ("Without a window, the command line does everything: finetune-studio train "
                 "resources/examples/quickstart.yaml (finetune-studio --help lists every command).")

LddRunner = Callable[[Path], str]


def plugin_path(platform: str) -> Path | None:
    """PySide6's platform plugin `libq<platform>.so`, found without importing PySide6; None if it is not there."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "Qt" / "plugins" / "platforms" / f"libq{platform}.so"
        if path.is_file():
            return path
    return None


def run_ldd(path: Path) -> str:
    """`ldd path`'s output ("" where ldd is missing or fails: then nothing can be said to be missing)."""
    try:
        return subprocess.run(["ldd", str(path)], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$")


def parse_ldd(output: str) -> list[str]:
    """The sonames `ldd` reports "not found", once each, in order."""
    missing: list[str] = []
    for line in output.splitlines():
        match = _NOT_FOUND.match(line)
        if match and match.group(1) not in missing:
            missing.append(match.group(1))
    return missing


def missing_libraries(platform: str = "xcb", ldd: LddRunner | None = None) -> list[str]:
    """The libraries Qt's `platform` plugin cannot find on this system ([] when none, or when it cannot be told);
    `ldd` runs ldd on a path (default run_ldd)."""
    path = plugin_path(platform)
    return parse_ldd((ldd or run_ldd)(path)) if path is not None else []


def packages_for(sonames: list[str], manager: str) -> tuple[list[str], list[str]]:
    """(the packages `manager` installs `sonames` from, each once; the sonames no known package ships)."""
    column = MANAGER_NAMES.index(manager)
    packages: list[str] = []
    unknown: list[str] = []
    for soname in sonames:
        if soname not in PACKAGES:
            unknown.append(soname)
        elif PACKAGES[soname][column] not in packages:
            packages.append(PACKAGES[soname][column])
    return packages, unknown


def detect_manager(which: Callable[[str], str | None] | None = None) -> str | None:
    """The first of apt, dnf, pacman, zypper whose program is on PATH (`which`, shutil.which by default); None on
    other systems."""
    which = which or shutil.which
    for manager in MANAGERS:
        if which(manager.install[0]):
            return manager.name
    return None


def _manager(name: str) -> Manager:
    return MANAGERS[MANAGER_NAMES.index(name)]


def needs_sudo() -> bool:
    """Whether installing needs `sudo` in front: not for root."""
    return not hasattr(os, "geteuid") or os.geteuid() != 0


def install_command(manager: str, packages: list[str], sudo: bool | None = None,
                    assume_yes: bool = False) -> list[str]:
    """The command that installs `packages` with `manager`, through sudo unless `sudo` is False (default: unless
    this is root)."""
    m = _manager(manager)
    sudo = needs_sudo() if sudo is None else sudo
    return [*(["sudo"] if sudo else []), *m.install, *([m.assume_yes] if assume_yes else []), *packages]


def refresh_command(manager: str) -> list[str] | None:
    """What to run before a second try when an install fails: apt's package lists may be stale or, in a fresh
    container, empty (the other managers refresh their own)."""
    return [*(["sudo"] if needs_sudo() else []), "apt-get", "update"] if manager == "apt" else None


def install_commands(sonames: list[str]) -> dict[str, str]:
    """For each manager, the command line that installs `sonames` (managers that know none of them left out)."""
    out = {}
    for name in MANAGER_NAMES:
        packages, _ = packages_for(sonames, name)
        if packages:
            out[name] = " ".join(install_command(name, packages))
    return out


def fix_text(sonames: list[str], detected: str | None) -> str:
    """How to install `sonames`: the detected manager's command first, then the others, then how to look up any
    library no known package ships."""
    commands = install_commands(sonames)
    order = [detected] if detected in commands else []
    order += [name for name in MANAGER_NAMES if name in commands and name != detected]
    lines = []
    for name in order:
        label = f"{_manager(name).systems}{' (this system)' if name == detected else ''}"
        lines.append(f"  {label}:\n    {commands[name]}")
    unknown = packages_for(sonames, MANAGER_NAMES[0])[1]
    if unknown:
        m = _manager(detected) if detected else MANAGERS[0]
        finds = "; ".join(m.find.format(soname=s) for s in unknown)
        lines.append(f"  Find the package of {', '.join(unknown)} with: {finds}")
    return "\n".join(lines)


def _platforms(env: Mapping[str, str]) -> list[str]:
    """The platform plugins Qt tries, in order: QT_QPA_PLATFORM's list if set, else Wayland (on a Wayland session)
    then xcb, Qt 6's own fallback."""
    chosen = env.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return [p.split(":")[0].strip() for p in chosen.split(";") if p.strip()]
    return ["wayland", "xcb"] if env.get("WAYLAND_DISPLAY") else ["xcb"]


def _display_of(platform: str, env: Mapping[str, str]) -> bool:
    return bool(env.get("WAYLAND_DISPLAY" if platform == "wayland" else "DISPLAY"))


def _connects(family: int, address: str | tuple[str, int]) -> bool:
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        try:
            sock.connect(address)
        except OSError:
            return False
    return True


def display_answers(platform: str, env: Mapping[str, str]) -> bool:
    """Whether a server listens on the display `platform` names in `env`: X11's $DISPLAY (a local display's socket,
    abstract or in /tmp/.X11-unix, or TCP port 6000+N on a host, as `ssh -X` forwards it) or Wayland's socket in
    $XDG_RUNTIME_DIR. A $DISPLAY this cannot read (a launchd path on macOS) counts as answering: Qt is left to try."""
    if platform == "wayland":
        name = env.get("WAYLAND_DISPLAY", "")
        path = name if name.startswith("/") else os.path.join(env.get("XDG_RUNTIME_DIR", ""), name)
        return _connects(socket.AF_UNIX, path)
    match = re.fullmatch(r"([^:/]*):(\d+)(?:\.\d+)?", env.get("DISPLAY", "").strip())
    if match is None:
        return True
    host, number = match.group(1), int(match.group(2))
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{number}"
        return _connects(socket.AF_UNIX, "\0" + path) or _connects(socket.AF_UNIX, path)
    return _connects(socket.AF_INET, (host, 6000 + number))


def silent_display_error(platform: str, env: Mapping[str, str]) -> StudioError:
    variable = "WAYLAND_DISPLAY" if platform == "wayland" else "DISPLAY"
    return StudioError(
        f"The window cannot open: no display server answers at ${variable}={env.get(variable, '')} (an SSH "
        "session's forwarding that ended, an Xvfb that is not running, or a variable left over from another session).",
        f"{HEADLESS_HINT} To open the window, start it from a desktop session, reconnect with `ssh -X`, or run it "
        "under Xvfb (xvfb-run finetune-studio); QT_QPA_PLATFORM=offscreen starts it with nothing shown.")


def x11_or_wayland(system: str | None = None) -> bool:
    """Whether this system (sys.platform) draws windows through X11 or Wayland: not Windows, not macOS."""
    return not (sys.platform if system is None else system).startswith(("win", "darwin", "cygwin"))


def has_display(env: Mapping[str, str] | None = None) -> bool:
    """Whether an X11 or Wayland display is named ($DISPLAY or $WAYLAND_DISPLAY)."""
    env = os.environ if env is None else env
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def no_display_error() -> StudioError:
    return StudioError(
        "No display: the window needs a graphical session, and $DISPLAY and $WAYLAND_DISPLAY are not set "
        "(a server, a container, or SSH without -X).",
        f"{HEADLESS_HINT} To open the window here, log in to a desktop, connect with `ssh -X`, or run under "
        "Xvfb (xvfb-run finetune-studio); QT_QPA_PLATFORM=offscreen starts it with nothing shown.")


def gui_problem(env: Mapping[str, str] | None = None, system: str | None = None,
                ldd: LddRunner | None = None,
                answers: Callable[[str, Mapping[str, str]], bool] = display_answers) -> StudioError | None:
    """Why Qt could not start a platform plugin here (one error with the fix), or None when one will start.

    Only Linux and other X11/Wayland systems are checked, only for the xcb and wayland plugins; Qt tries each
    platform in turn, so one usable plugin is enough: one whose libraries are there and whose display server
    `answers`. xcb's missing libraries are the ones reported (XWayland serves it on Wayland sessions too); a display
    that is named but silent is reported when no plugin lacks libraries."""
    env = os.environ if env is None else env
    if not x11_or_wayland(system):
        return None
    platforms = _platforms(env)
    if any(p not in CHECKED_PLATFORMS for p in platforms):
        return None
    with_display = [p for p in platforms if _display_of(p, env)]
    if not with_display:
        return no_display_error()
    missing: dict[str, list[str]] = {}
    silent: list[str] = []
    for platform in with_display:
        path = plugin_path(platform)
        if path is None:
            if platform == "xcb":  # nothing to check it against: left to Qt
                return None
            continue  # no wayland plugin: Qt goes on to the next platform
        missing[platform] = missing_libraries(platform, ldd)
        if not missing[platform]:
            if answers(platform, env):
                return None
            silent.append(platform)
    missing = {platform: sonames for platform, sonames in missing.items() if sonames}
    if not missing:
        return silent_display_error(silent[0], env) if silent else None
    platform = "xcb" if "xcb" in missing else next(iter(missing))
    return missing_libraries_error(missing[platform], platform)


def missing_libraries_error(sonames: list[str], platform: str = "xcb") -> StudioError:
    """The error for a platform plugin missing `sonames`, with the install commands."""
    n = len(sonames)
    return StudioError(
        f"The window cannot open: Qt's {platform} platform plugin needs {n} system librar{'ies' if n != 1 else 'y'} "
        f"this machine lacks: {', '.join(sonames)}.",
        "Install them with `finetune-studio system-libs --install`, or yourself:\n"
        f"{fix_text(sonames, detect_manager())}\n{HEADLESS_HINT}")
