"""`finetune-studio --install-desktop-entry`: the app in a Linux desktop's launcher from a venv (or unpacked bundle)
install. Per the freedesktop.org specs, a desktop entry in `$XDG_DATA_HOME/applications` (default
~/.local/share/applications) whose Exec is this install's launcher, and the icon in the hicolor theme under
`$XDG_DATA_HOME/icons`. The entry is packaging/finetune-studio.desktop (what the .deb installs) with Exec and
TryExec pointing here and a key marking it as ours: uninstalling removes these two files and nothing else.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .errors import StudioError
from .messages import Text
from .paths import APP_NAME, PROJECT_ROOT, RESOURCES

TEMPLATE = PROJECT_ROOT / "packaging" / f"{APP_NAME}.desktop"
ICON = RESOURCES / "icons" / "app.svg"
MARKER = "X-Finetune-Studio-Installed-By=finetune-studio --install-desktop-entry"
# Characters that make an Exec argument need quotes, and those to escape with a backslash inside the quotes
# (Desktop Entry Specification 1.5, "The Exec key").
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
_ESCAPED = set("\"`$\\")


def data_dir() -> Path:
    """$XDG_DATA_HOME, or ~/.local/share where it is unset or not absolute."""
    from platformdirs.unix import Unix

    return Unix().user_data_path


def entry_paths(base: Path | None = None) -> tuple[Path, Path]:
    """(the desktop entry, the icon) under `base` (default: data_dir())."""
    base = data_dir() if base is None else base
    return (base / "applications" / f"{APP_NAME}.desktop",
            base / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_NAME}{ICON.suffix}")


def launcher() -> list[str]:
    """The command that opens the app from this install: the `finetune-studio` executable beside this one (a bundle's
    window launcher, also when run from its -cli twin; the venv's script beside its python, not resolved, so the venv
    stays the one used), else a bundle's own executable, else `python -m app`."""
    beside = Path(sys.executable).parent / APP_NAME
    if beside.is_file():
        return [str(beside)]
    return [sys.executable] if getattr(sys, "frozen", False) else [sys.executable, "-m", "app"]


def _string(value: str) -> str:
    """A desktop-entry string value: backslash, newline, tab and carriage return escaped."""
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")


def exec_value(argv: list[str]) -> str:
    """`argv` as an Exec value: each argument with a reserved character quoted (", `, $ and \\ escaped inside the
    quotes), '%' doubled (it starts field codes), then escaped as a string."""
    def arg(a: str) -> str:
        if any(c in _RESERVED for c in a):
            a = '"' + "".join("\\" + c if c in _ESCAPED else c for c in a) + '"'
        return a.replace("%", "%%")

    return _string(" ".join(arg(a) for a in argv))


def entry_text(argv: list[str]) -> str:
    """The template with Exec running `argv` and TryExec naming its program, marked as ours."""
    if not TEMPLATE.is_file():
        raise StudioError(Text("The desktop entry template {template_name} is missing from this install.",
                               template_name=TEMPLATE),
                          Text("Reinstall Finetune Studio (bash installers/install.sh)."))
    lines = []
    for line in TEMPLATE.read_text(encoding="utf-8").splitlines():
        key = line.split("=", 1)[0].strip()
        if key == "Exec":
            line = f"Exec={exec_value(argv)}"
        elif key == "TryExec":
            line = f"TryExec={_string(argv[0])}"
        lines.append(line)
    return "\n".join([*lines, MARKER]) + "\n"


def _ours(desktop: Path) -> bool:
    return MARKER in desktop.read_text(encoding="utf-8", errors="replace").splitlines()


def _check_system() -> None:
    from .system_libs import x11_or_wayland

    if not x11_or_wayland():
        raise StudioError(Text("Desktop entries are for Linux desktops."),
                          Text("On Windows the installer adds a Start menu shortcut; on macOS drag the .app "
                               "into Applications (see packaging/README.md)."))


def _refuse_foreign(desktop: Path) -> None:
    if desktop.exists() and not _ours(desktop):
        raise StudioError(Text("{desktop} exists and was not written by finetune-studio "
                               "--install-desktop-entry; it is left as it is.", desktop=desktop),
                          Text("Remove or rename it yourself if it is an old copy, then try again."))


def _write(path: Path, data: bytes) -> None:
    """Write `path` through a temporary file renamed into place, readable by all as desktop files are."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o644)
    os.replace(tmp, path)


def install(base: Path | None = None, argv: list[str] | None = None) -> list[Path]:
    """Write the icon and the desktop entry (running `argv`, default launcher()); the paths written."""
    _check_system()
    desktop, icon = entry_paths(base)
    _refuse_foreign(desktop)
    text = entry_text(argv or launcher())
    _write(icon, ICON.read_bytes())
    theme = icon.parents[2]  # icons/hicolor: its new time tells icon caches to look again
    os.utime(theme)
    _write(desktop, text.encode("utf-8"))
    return [desktop, icon]


def uninstall(base: Path | None = None) -> list[Path]:
    """Remove the desktop entry and the icon install() wrote; the paths removed (none: nothing was installed)."""
    _check_system()
    desktop, icon = entry_paths(base)
    _refuse_foreign(desktop)
    removed = []
    for path in (desktop, icon):
        if path.exists():
            path.unlink()
            removed.append(path)
    return removed
