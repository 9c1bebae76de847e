"""Quiet logs (issue #14): no hub look-up from bitsandbytes' import, no warning about a case the app handles.

bitsandbytes asks the hub for its CPU kernel only on CPUs with AVX512-BF16: on other CPUs the first test passes
without the hook too (it cannot tell there), on bf16 CPUs it fails without it.
"""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import logging, sys, types
asked = []
fake = types.ModuleType("kernels")
fake.get_kernel = lambda *a, **k: asked.append(a) or (_ for _ in ()).throw(RuntimeError("hub"))
sys.modules["kernels"] = fake
from app.logsetup import route_library_logs, setup_logging
setup_logging()
route_library_logs()
import bitsandbytes
assert sys.modules["kernels"] is fake, "kernels restored after the import"
print("asked", len(asked))
log = logging.getLogger("trl.trainer.sft_trainer")
log.warning("[RANK 0] Padding-free training is enabled, but the attention implementation is not set to ...")
log.warning("a warning a user should act on")
"""


def test_bitsandbytes_import_asks_no_hub_and_handled_warnings_are_dropped():
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "asked 0" in out.stdout
    assert "kernels-community" not in out.stderr and "gemm_4bit_forward" not in out.stderr
    assert "Padding-free training is enabled" not in out.stderr
    assert "a warning a user should act on" in out.stderr
