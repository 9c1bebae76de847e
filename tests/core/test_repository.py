"""A fresh clone anywhere runs the suite: no tracked file names a folder outside the repository, and the sample
datasets the tests read are tracked and described (where from, which rows) beside their licence."""

from __future__ import annotations

import json
import re
import subprocess

from sample_data import LLAMAFACTORY

from app.core.paths import PROJECT_ROOT

# A path into the workspace that holds the checkout and the team's shared samples (not inside a URL): what a test
# or benchmark that reads a file from outside the repository named. Home folders are not matched: tests pass made-up
# ones as strings (a desktop entry's quoted Exec line). Written so as not to match itself.
OUTSIDE = re.compile(rb"(?<![\w.~%-])/wor[k]/[\w.-]")


def tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z"], capture_output=True, cwd=PROJECT_ROOT, check=True)
    return out.stdout.decode().split("\0")[:-1]


def test_no_tracked_file_names_a_folder_outside_the_repository():
    found = []
    for name in tracked_files():
        path = PROJECT_ROOT / name
        if not path.is_file():  # deleted in the working tree, not yet committed
            continue
        for number, line in enumerate(path.read_bytes().splitlines(), 1):
            if OUTSIDE.search(line):
                found.append(f"{name}:{number}: {line.strip()[:120].decode(errors='replace')}")
    assert not found, ("these lines name a folder outside the repository; a clone elsewhere has none: put the file "
                       "in the repository (tests/data, tests/sample_data.py) or use tmp_path\n" + "\n".join(found))


def test_the_pattern_finds_outside_paths_and_spares_urls():
    """The check above must be able to fail."""
    assert OUTSIDE.search(b'SAMPLES = Path("' + b"/wo" + b'rk/shared/data/llamafactory")')
    assert OUTSIDE.search(b"DATA=" + b"/wo" + b"rk/main/.gpu/alpaca_en_demo.json")
    assert not OUTSIDE.search(b"https://example.org" + b"/wo" + b"rk/shared and tests/data/llamafactory/c4_demo.jsonl")


def record_count(path) -> int:
    if path.suffix == ".json":
        return len(json.loads(path.read_text(encoding="utf-8")))
    return sum(1 for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def test_sample_data_is_tracked_licensed_and_described_row_for_row():
    tracked = set(tracked_files())
    files = sorted(p for p in LLAMAFACTORY.iterdir() if p.suffix in (".json", ".jsonl"))
    assert files, LLAMAFACTORY
    for path in [*files, LLAMAFACTORY / "LICENSE", LLAMAFACTORY / "README.md"]:
        assert path.relative_to(PROJECT_ROOT).as_posix() in tracked, f"{path.name} is not tracked by git"
    assert "Apache License" in (LLAMAFACTORY / "LICENSE").read_text(encoding="utf-8")
    readme = (LLAMAFACTORY / "README.md").read_text(encoding="utf-8")
    described = dict(re.findall(r"^\| `([\w.]+)` \| (?:all )?(\d+)", readme, flags=re.M))
    assert described == {p.name: str(record_count(p)) for p in files}
