"""Where exports write: a folder of ours may be replaced, anything else is left alone.

Every export carries a marker file (MARKER: its kind, the run, the time and the files it wrote). A target folder may
be written when it does not exist, is empty, or is an earlier export of ours that holds nothing but what that export
wrote; anything else is refused (`check_target`), before any work and again at the moment of replacing it.

A folder target is written into a staging folder beside it (`.NAME.tmp-PID`, marked from the moment it is made) and
renamed into place; the export it replaces is renamed aside (`.NAME.old-PID`) and removed only after. Scratch
folders (`.finetune-studio-LABEL-PID`) hold work that never becomes a target. Staging and scratch folders whose
process is gone (a killed export) are removed by the next export into the same folder, and an export renamed aside
by a process killed before it put the new one in place is put back. A full disk while writing (diskfull.py knows
its many faces) removes the staging folder and becomes a `DiskFull` error saying how much to free.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..diskfull import is_disk_full, mount_point
from ..errors import ExportError
from ..messages import Text
from .space import DISK_MARGIN, free_disk, human_size

MARKER = ".finetune-studio-export"
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<what>tmp|old)-(?P<pid>\d+)$|^\.finetune-studio-\w+-(?P<scratch>\d+)$")


class DiskFull(ExportError):
    """The disk filled while an export was written; nothing half-written was kept. `need`: bytes the export needs on
    that disk, when known, to say how much to free."""

    def __init__(self, folder: Path, need: int | None = None):
        self.folder = Path(folder)
        free = free_disk(self.folder) or 0
        action = (Text("free about {size} and export again", size=human_size(max(need + DISK_MARGIN - free,
                                                                                   DISK_MARGIN)))
                  if need else Text("free some space there and export again"))
        super().__init__(Text("Not enough free disk space on {disk} (the disk that holds {folder}): {action}.",
                              disk=mount_point(self.folder), folder=self.folder, action=action),
                         Text("Nothing half-written was kept. Or choose a folder on another disk."))


def read_marker(folder: Path) -> dict | None:
    """The marker of an export of ours in `folder` (None when there is none or it is not ours)."""
    try:
        data = json.loads((Path(folder) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("app") == "finetune-studio" else None


def _write_marker(folder: Path, kind: str, run_id: str | None, files: list[str]) -> None:
    tmp = folder / f"{MARKER}.tmp"
    tmp.write_text(json.dumps({"app": "finetune-studio", "kind": kind, "run_id": run_id,
                               "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "files": sorted(set(files))}, indent=1),
                   encoding="utf-8")
    os.replace(tmp, folder / MARKER)


def _files(folder: Path) -> list[str]:
    """What `folder` holds, relative with /: every file and link (links to folders not followed) and every empty
    folder (ending in /); the marker excepted."""
    out = []
    for root, dirs, files in os.walk(folder):
        rel = Path(root).relative_to(folder)
        out += [(rel / name).as_posix() for name in files]
        for name in dirs:
            path = os.path.join(root, name)
            if os.path.islink(path) or not os.listdir(path):
                out.append((rel / name).as_posix() + ("" if os.path.islink(path) else "/"))
    return [name for name in out if name != MARKER]


def _foreign(folder: Path) -> list[str]:
    """What in an existing folder an export of ours did not write (relative paths, folders ending in /)."""
    mark = read_marker(folder)
    if mark is None:
        return sorted(p.name + ("/" if p.is_dir() and not p.is_symlink() else "") for p in folder.iterdir())
    written = set(mark.get("files") or [])
    return sorted(name for name in _files(folder) if name not in written)


def target_state(folder: Path) -> str:
    """"new" (no such folder), "empty", "export" (an earlier export of ours, nothing else in it) or "foreign"."""
    folder = Path(folder)
    if not folder.exists() and not folder.is_symlink():
        return "new"
    if not folder.is_dir() or folder.is_symlink():
        return "foreign"
    if not any(folder.iterdir()):
        return "empty"
    return "foreign" if _foreign(folder) else "export"


def check_target(folder: Path) -> None:
    """ExportError when `folder` holds anything an export of ours did not write (a file, a link, another folder)."""
    folder = Path(folder)
    state = target_state(folder)
    if state != "foreign":
        return
    hint = Text("Choose an empty or new folder, or move or delete what is in it yourself: an export never "
                "removes anything it did not write.")
    if not folder.is_dir() or folder.is_symlink():
        raise ExportError(Text("{folder} exists and is not a folder.", folder=folder), hint)
    extra = _foreign(folder)
    listed = (Text("{files} and {n} more", files=", ".join(extra[:3]), n=len(extra) - 3) if len(extra) > 3
              else ", ".join(extra))
    said = (Text("{folder} already exists and is not an export of Finetune Studio ({listed}).", folder=folder,
                 listed=listed) if read_marker(folder) is None else
            Text("{folder} already exists and holds files that the earlier export there did not write ({listed}).",
                 folder=folder, listed=listed))
    raise ExportError(said, hint)


def clean_leftovers(parent: Path) -> None:
    """Remove the staging and scratch folders in `parent` whose export was killed (marked as ours, their process
    gone); an export renamed aside and never replaced is put back."""
    from ..store import pid_alive

    if not Path(parent).is_dir():
        return
    for entry in Path(parent).iterdir():
        match = _LEFTOVER.match(entry.name)
        if not match or entry.is_symlink() or not entry.is_dir() or read_marker(entry) is None:
            continue
        if pid_alive(int(match["pid"] or match["scratch"])):
            continue
        if match["what"] == "old" and not entry.with_name(match["name"]).exists():
            entry.rename(entry.with_name(match["name"]))
        else:
            shutil.rmtree(entry, ignore_errors=True)


def _fresh(path: Path, kind: str, run_id: str | None) -> Path:
    """`path` made empty and marked (an earlier one of this process, left by a failed try, removed first)."""
    if path.is_dir() and not path.is_symlink() and read_marker(path) is not None:
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        raise ExportError(Text("{path} is in the way of the export's working folder.", path=path),
                          Text("Move or delete it yourself."))
    try:
        path.mkdir()
        _write_marker(path, kind, run_id, [])
    except OSError as exc:
        shutil.rmtree(path, ignore_errors=True)
        if is_disk_full(exc, path.parent):
            raise DiskFull(path.parent) from exc
        raise
    return path


@contextmanager
def staged(out: Path, kind: str, run_id: str | None = None) -> Iterator[Path]:
    """A marked staging folder beside `out`: renamed to `out` when the block succeeds (replacing an earlier export
    of ours), removed when it fails or is interrupted; DiskFull when the disk fills."""
    out = Path(out)
    check_target(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(out.parent)
    tmp = _fresh(out.with_name(f".{out.name}.tmp-{os.getpid()}"), kind, run_id)
    try:
        yield tmp
        _write_marker(tmp, kind, run_id, _files(tmp))
        _commit(tmp, out)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if is_disk_full(exc, out.parent):
            raise DiskFull(out) from exc
        raise


def _commit(tmp: Path, out: Path) -> None:
    check_target(out)  # something may have been put there while the export ran
    if not out.exists():
        tmp.rename(out)
        return
    backup = out.with_name(f".{out.name}.old-{os.getpid()}")
    out.rename(backup)
    try:
        tmp.rename(out)
    except BaseException:
        backup.rename(out)
        raise
    shutil.rmtree(backup, ignore_errors=True)


@contextmanager
def scratch(parent: Path, label: str) -> Iterator[Path]:
    """A marked working folder `.finetune-studio-LABEL-PID` in `parent`, removed when the block ends; DiskFull
    when the disk fills."""
    parent = Path(parent)
    parent.mkdir(parents=True, exist_ok=True)
    clean_leftovers(parent)
    tmp = parent / f".finetune-studio-{label}-{os.getpid()}"
    _fresh(tmp, "scratch", None)
    try:
        yield tmp
    except BaseException as exc:  # a DiskFull of a staged folder inside too: name the folder the user chose
        if is_disk_full(exc, parent):
            raise DiskFull(parent) from exc
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def place_file(src: Path, folder: Path, kind: str, run_id: str | None = None) -> Path:
    """Move a finished file into `folder` (new, empty or an export of ours; an earlier file of ours of the same name
    is replaced); the folder's marker lists it before it arrives."""
    src, folder = Path(src), Path(folder)
    check_target(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        mark = read_marker(folder) or {}
        _write_marker(folder, mark.get("kind", kind), run_id, [*mark.get("files", []), src.name])
        os.replace(src, folder / src.name)
    except OSError as exc:
        if is_disk_full(exc, folder):
            raise DiskFull(folder) from exc
        raise
    return folder / src.name
