"""torch's launcher (torchrun) as `train`'s launcher starts it: `python -m app.core.distributed.torchrun ARGS` is
`torchrun ARGS` that dies with the process that started it (Linux: the parent-death signal, as each rank dies with
torchrun). A launcher killed on its own, not with its process group (the queue's process when its Stop's grace runs
out, a kill -9), so takes torchrun and every rank with it instead of leaving them training."""

from __future__ import annotations

import runpy

from .ranks import end_with_launcher

if __name__ == "__main__":
    end_with_launcher()
    runpy.run_module("torch.distributed.run", run_name="__main__", alter_sys=True)
