"""The desktop around the app: `system-libs` (what the window needs from a Linux system: check, or install with the
system's package manager) and `--install-desktop-entry` / `--uninstall-desktop-entry` (the app in the launcher)."""

from __future__ import annotations

import shutil
import subprocess
import sys

from app.cli.events import print_json


def _run(command: list[str]) -> int:
    print("$ " + " ".join(command), flush=True)
    try:
        return subprocess.call(command)
    except OSError as exc:
        print(f"Could not run {command[0]}: {exc}", file=sys.stderr)
        return 1


def _install(missing: list[str], manager: str, assume_yes: bool) -> bool:
    """Install the packages of `missing` with `manager`; True when the command succeeded."""
    from app.core import system_libs as libs

    packages, _ = libs.packages_for(missing, manager)
    if not packages:
        return False
    if libs.needs_sudo() and not shutil.which("sudo"):
        print("Installing system packages needs root, and sudo is not installed. As root, run:\n  "
              + " ".join(libs.install_command(manager, packages, sudo=False)), file=sys.stderr)
        return False
    command = libs.install_command(manager, packages, assume_yes=assume_yes)
    if _run(command) == 0:
        return True
    refresh = libs.refresh_command(manager)
    return refresh is not None and _run(refresh) == 0 and _run(command) == 0


def cmd_system_libs(args) -> int:
    from app.core import system_libs as libs

    linux = libs.x11_or_wayland()
    missing = libs.missing_libraries("xcb") if linux else []
    manager = libs.detect_manager() if linux else None
    installed = False
    if missing and args.install and manager:
        installed = _install(missing, manager, args.yes or not sys.stdin.isatty())
        missing = libs.missing_libraries("xcb")
    display = libs.has_display() or not linux
    if args.json:
        print_json({"checked": linux, "platform": "xcb", "missing": missing, "manager": manager,
                    "commands": libs.install_commands(missing), "installed": installed, "display": display})
        return 1 if missing else 0
    if not linux:
        print("Nothing to check here: on Windows and macOS, PySide6 brings everything the window needs.")
        return 0
    if missing:
        error = libs.missing_libraries_error(missing)
        print(f"{error.message}\n{error.hint}")
        if args.install and not manager:
            print("No known package manager (apt-get, dnf, pacman, zypper) is on PATH: install the packages "
                  "above with your system's own.", file=sys.stderr)
        return 1
    print(f"✓ Qt's xcb platform plugin finds every system library it needs{' (installed now)' if installed else ''}.")
    if not display:
        error = libs.no_display_error()
        print(f"! {error.message}\n  {error.hint}")
    return 0


def cmd_desktop_entry(args) -> int:
    from app.core import desktop_entry

    if args.uninstall_desktop_entry:
        removed = desktop_entry.uninstall()
        for path in removed:
            print(f"Removed {path}")
        if not removed:
            print(f"No desktop entry to remove under {desktop_entry.data_dir()}.")
        return 0
    desktop, icon = desktop_entry.install()
    print(f"Wrote {desktop}\n  Exec={desktop_entry.exec_value(desktop_entry.launcher())}\nWrote {icon}\n"
          "Finetune Studio is in the desktop's application launcher now (some desktops list it after the next "
          "login). `finetune-studio --uninstall-desktop-entry` removes both files.")
    return 0


def add_arguments(parser) -> None:
    """The top-level options (`finetune-studio --install-desktop-entry`)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--install-desktop-entry", action="store_true",
                       help="Linux: add Finetune Studio to the desktop's launcher (a .desktop file and its icon under "
                            "$XDG_DATA_HOME, default ~/.local/share, running this install)")
    group.add_argument("--uninstall-desktop-entry", action="store_true",
                       help="remove the two files --install-desktop-entry wrote")


def add_parsers(sub) -> None:
    p = sub.add_parser("system-libs", help="Linux: check the system libraries the window needs, or install them "
                       "(--install, with the system's package manager through sudo)")
    p.add_argument("--install", action="store_true",
                   help="install what is missing with apt, dnf, pacman or zypper (through sudo unless root)")
    p.add_argument("-y", "--yes", action="store_true",
                   help="let the package manager install without asking (implied when stdin is not a terminal)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_system_libs)
