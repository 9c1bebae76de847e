"""torch's launcher (torchrun) as `train`'s launcher starts it: `python -m app.core.distributed.torchrun ARGS` is
`torchrun ARGS` that dies with the process that started it (Linux: the parent-death signal, as each rank dies with
torchrun). torchrun runs in a session of its own (launch.supervise: a Ctrl+C is the launcher's to pass on), so a
launcher killed, alone (the queue's process when its Stop's grace runs out, a kill -9) or with its process group
(Force stop), takes torchrun and every rank with it instead of leaving them training."""

from __future__ import annotations

import sys

from .ranks import end_with_launcher


def main(argv: list[str]) -> None:
    """`torchrun ARGV`, ended with the process that started this one; also a frozen bundle's
    `<exe> -m app.core.distributed.torchrun ARGV` (app/__main__.py)."""
    end_with_launcher()
    from torch.distributed.run import main as torchrun

    torchrun(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
