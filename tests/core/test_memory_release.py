"""hardware.return_freed_memory: a freed large block leaves the process's resident memory at once (Linux/glibc)."""

import platform
import subprocess
import sys

import pytest

PROBE = """
import os, sys
from app.core.hardware import return_freed_memory
if sys.argv[1] == "set":
    assert return_freed_memory()
def rss():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
for _ in range(3):  # glibc raises its mmap threshold on each free of a mapped block: later ones stay in the heap
    block = b"x" * (24 * 2**20)
    del block
block = b"x" * (24 * 2**20)
before = rss()
del block
print((before - rss()) / 2**20)
"""


def _returned_mib(mode: str) -> float:
    out = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True)
    return float(out.stdout)


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_a_freed_24_mib_block_is_given_back_only_with_the_fixed_threshold():
    assert _returned_mib("default") < 1  # glibc's own behaviour: the freed block stays resident
    assert _returned_mib("set") > 23
