"""`python -m app` runs the same command line as `finetune-studio`.

A frozen bundle (PyInstaller) has no interpreter: its executable runs this script, with the `-m app` of the GUI's
worker command dropped (packaging/rthook_worker.py). It also serves `<exe> -m app.core.distributed.torchrun ARGS`,
the launcher of a run of several processes (app/core/distributed/launch.py), which starts each rank as `<exe>` again,
and `<exe> -m torch.distributed.run ARGS`, torchrun as a `launch-script` script starts it on each machine (a
scheduler or a login shell starts it there, so it is not bound to die with its parent).
"""

import sys

if __name__ == "__main__":
    if getattr(sys, "frozen", False) and sys.argv[1:3] == ["-m", "app.core.distributed.torchrun"]:
        from app.core.distributed.torchrun import main as torchrun

        raise SystemExit(torchrun(sys.argv[3:]))
    if getattr(sys, "frozen", False) and sys.argv[1:3] == ["-m", "torch.distributed.run"]:
        from torch.distributed.run import main as torchrun

        raise SystemExit(torchrun(sys.argv[3:]))
    from app.cli import main

    raise SystemExit(main())
