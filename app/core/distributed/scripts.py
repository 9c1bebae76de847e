"""`launch-script`: a run taken to several machines. Writes the run's config (with its machines and processes) and a
script that starts it on every machine at once: a SLURM batch script (torchrun on each node, a c10d rendezvous on the
first node) or a plain script run by hand on each machine (accelerate's launcher, machine rank given per machine).

Every machine must see the same data home (FINETUNE_STUDIO_HOME on a shared filesystem), the same data files and
the same install: rank 0 writes the run's folder and its store there, the others read the config and the cached
model and data from it.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ..paths import PROJECT_ROOT, data_home

if TYPE_CHECKING:
    from ..config import RunConfig

Scheduler = Literal["slurm", "plain"]
DEFAULT_PORT = 29500


def write_launch_script(config: RunConfig, out: Path, *, scheduler: Scheduler, run_id: str,
                        port: int = DEFAULT_PORT) -> Path:
    """Write `run.yaml` and the script (launch.slurm or launch.sh) into `out`; returns the script's path. `config`
    already holds the machines and processes the script starts; `run_id` names the run of the plain script (a SLURM
    job names its run after the job)."""
    out.mkdir(parents=True, exist_ok=True)
    config.save(out / "run.yaml")
    if scheduler == "slurm":
        path, text = out / "launch.slurm", slurm_script(config, out / "run.yaml", port)
    else:
        path, text = out / "launch.sh", plain_script(config, out / "run.yaml", run_id, port)
    path.write_text(text, encoding="utf-8")
    path.chmod(0o700)
    return path


def _frozen() -> bool:
    """A frozen bundle (PyInstaller) writes the script: it has no interpreter, so its executable runs torchrun
    (app/__main__.py serves `<exe> -m torch.distributed.run`) and each rank (`--no-python <exe> train ...`)."""
    return bool(getattr(sys, "frozen", False))


def _environment() -> list[str]:
    q = shlex.quote
    home = f'export FINETUNE_STUDIO_HOME="${{FINETUNE_STUDIO_HOME:-{data_home()}}}"  # shared by every machine'
    if _frozen():  # the bundle carries its code; its unpacked folder is nothing to put on a path
        return [home]
    return [home, f"export PYTHONPATH={q(str(PROJECT_ROOT))}${{PYTHONPATH:+:$PYTHONPATH}}"]


def _torchrun() -> str:
    return f"{shlex.quote(sys.executable)} -m torch.distributed.run"


def _rank(config_path: Path) -> str:
    """What each rank runs: `python -m app train CONFIG`, or the bundle's executable with torchrun's --no-python."""
    program = f"--no-python {shlex.quote(sys.executable)}" if _frozen() else "-m app"
    return f'{program} train {shlex.quote(str(config_path))} --run-id "$RUN_ID"'


def slurm_script(config: RunConfig, config_path: Path, port: int = DEFAULT_PORT) -> str:
    """sbatch script: one task per node, each running torchrun with `processes` ranks; the c10d rendezvous on the
    job's first node assigns the node ranks, the job id names the rendezvous and (unless RUN_ID is set) the run."""
    d = config.distributed
    name = "".join(c if c.isalnum() or c in "-_." else "-" for c in (config.name or "run"))[:40]
    return "\n".join([
        "#!/bin/bash",
        f"# Written by `finetune-studio launch-script`: trains {config_path.name} on {d.machines} machines x "
        f"{d.processes} processes (world size {d.world_size}), strategy {d.strategy}.",
        "# Submit with: sbatch launch.slurm   (follow it: finetune-studio runs show \"$RUN_ID\", or the app's Runs page)",
        f"#SBATCH --job-name=finetune-studio-{name}",
        f"#SBATCH --nodes={d.machines}",
        "#SBATCH --ntasks-per-node=1",
        f"#SBATCH --gpus-per-node={d.processes}",
        "#SBATCH --output=finetune-studio-%j.log",
        "set -euo pipefail",
        *_environment(),
        'MASTER_ADDR=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)',
        f"MASTER_PORT={port}",
        'RUN_ID="${RUN_ID:-slurm-$SLURM_JOB_ID}"',
        f"srun --kill-on-bad-exit=1 {_torchrun()} \\",
        f"    --nnodes {d.machines} --nproc-per-node {d.processes} --max-restarts 0 \\",
        '    --rdzv-backend c10d --rdzv-id "$SLURM_JOB_ID" --rdzv-endpoint "$MASTER_ADDR:$MASTER_PORT" \\',
        f"    {_rank(config_path)}",
        "",
    ])


def plain_script(config: RunConfig, config_path: Path, run_id: str, port: int = DEFAULT_PORT) -> str:
    """A script started by hand on each machine with its MACHINE_RANK (0 on the machine MASTER_ADDR names): accelerate's
    launcher with a static rendezvous on MASTER_ADDR:MASTER_PORT (torchrun's, from a frozen bundle); RUN_ID must be
    the same on every machine."""
    d = config.distributed
    return "\n".join([
        "#!/bin/bash",
        f"# Written by `finetune-studio launch-script`: trains {config_path.name} on {d.machines} machines x "
        f"{d.processes} processes (world size {d.world_size}), strategy {d.strategy}.",
        "# On every machine, at about the same time (machine 0 first is fine; the others wait for it):",
        f"#   MASTER_ADDR=<machine 0's address> MACHINE_RANK=<0..{d.machines - 1}> ./launch.sh",
        f"# Port {port} on machine 0 must be reachable from the others (MASTER_PORT changes it).",
        "set -euo pipefail",
        ': "${MASTER_ADDR:?set MASTER_ADDR to the address of machine 0 (the rendezvous host)}"',
        f': "${{MACHINE_RANK:?set MACHINE_RANK to the number of this machine, 0 to {d.machines - 1}}}"',
        f'MASTER_PORT="${{MASTER_PORT:-{port}}}"',
        f'RUN_ID="${{RUN_ID:-{run_id}}}"  # the same on every machine',
        *_environment(),
        *_plain_launch(config, config_path),
        "",
    ])


def _plain_launch(config: RunConfig, config_path: Path) -> list[str]:
    """accelerate's launcher with a static rendezvous; from a frozen bundle, which cannot run accelerate's launcher
    module, torchrun with the same static rendezvous (what accelerate's launcher starts for a multi-GPU run)."""
    d, q = config.distributed, shlex.quote
    if _frozen():
        return [f"exec {_torchrun()} --nnodes {d.machines} --nproc-per-node {d.processes} --max-restarts 0 \\",
                '    --node-rank "$MACHINE_RANK" --master-addr "$MASTER_ADDR" --master-port "$MASTER_PORT" \\',
                f"    {_rank(config_path)}"]
    return [f"exec {q(sys.executable)} -m accelerate.commands.launch --multi_gpu --mixed_precision no \\",
            "    --dynamo_backend no --max_restarts 0 \\",
            f"    --num_machines {d.machines} --num_processes {d.world_size} --machine_rank \"$MACHINE_RANK\" \\",
            '    --main_process_ip "$MASTER_ADDR" --main_process_port "$MASTER_PORT" --rdzv_backend static \\',
            f"    {_rank(config_path)}"]
