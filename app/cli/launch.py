"""`launch-script CONFIG`: the scripts that start a run on several machines (SLURM, or by hand on each)."""

from __future__ import annotations

from pathlib import Path


def cmd_launch_script(args) -> int:
    from app.core.config import load_config, parse_config
    from app.core.distributed.scripts import write_launch_script
    from app.core.store import new_run_id

    config = load_config(args.config)
    data = config.model_dump(mode="json")
    for key in ("machines", "processes"):
        if getattr(args, key) is not None:
            data["distributed"][key] = getattr(args, key)
    config = parse_config(data)
    run_id = args.run_id or new_run_id()
    out = Path(args.out) if args.out else Path(f"launch-{run_id}")
    script = write_launch_script(config, out.resolve(), scheduler=args.scheduler, run_id=run_id, port=args.port)
    d = config.distributed
    print(f"Wrote {script} and {script.parent / 'run.yaml'}: {d.machines} machines x {d.processes} processes "
          f"(world size {d.world_size}), strategy {d.strategy}.")
    if args.scheduler == "slurm":
        print(f"Submit it with: sbatch {script}")
    else:
        print(f"Start it on each machine: MASTER_ADDR=<machine 0's address> MACHINE_RANK=<0..{d.machines - 1}> "
              f"{script}")
    return 0


def add_parsers(sub) -> None:
    p = sub.add_parser("launch-script", help="write a script that trains a run on several machines (SLURM or plain)")
    p.add_argument("config", help="run config YAML")
    p.add_argument("--machines", type=int, metavar="N", help="machines (distributed.machines)")
    p.add_argument("--processes", type=int, metavar="N", help="processes on each machine, one per GPU "
                   "(distributed.processes)")
    p.add_argument("--scheduler", choices=["slurm", "plain"], default="slurm",
                   help="slurm: an sbatch script; plain: a script started by hand on each machine")
    p.add_argument("--out", metavar="DIR", help="folder for the script and its run.yaml (default: launch-<run id>)")
    p.add_argument("--port", type=int, default=29500, help="rendezvous port on the first machine (default 29500)")
    p.add_argument("--run-id", help="the run's id (plain script; a SLURM job names its run slurm-<job id>)")
    p.set_defaults(func=cmd_launch_script)
