"""torch's launcher (torchrun) as `train`'s launcher starts it: `python -m app.core.distributed.torchrun ARGS` is
`torchrun ARGS` that dies with the process that started it (Linux: the parent-death signal, as each rank dies with
torchrun). torchrun runs in a session of its own (launch.supervise: a Ctrl+C is the launcher's to pass on), so a
launcher killed, alone (the queue's process when its Stop's grace runs out, a kill -9) or with its process group
(Force stop), takes torchrun and every rank with it instead of leaving them training."""

from __future__ import annotations

import runpy

from .ranks import end_with_launcher

if __name__ == "__main__":
    end_with_launcher()
    runpy.run_module("torch.distributed.run", run_name="__main__", alter_sys=True)
