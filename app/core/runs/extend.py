"""Extend a completed run by N epochs: a new run that continues from the completed run's final checkpoint.

The new run (named '<name> +N epochs', `resumed_from` the original, which stays as it was) gets a copy of the final
checkpoint — weights, optimizer, scheduler and trainer state — and the original's metric history, and trains on
with the epochs (or max_steps) raised, on the original's number of processes (a run of several is launched as
`train --resume` launches it: distributed/launch.py). The learning-rate schedule is the one the run would have had if it had been
planned that long from the start, continued at the step reached: the trainer rebuilds the schedule for the new total
and the checkpoint's scheduler state puts it at that step (for cosine and linear the rate rises from the end of the
old schedule to that value; constant stays constant).
"""

from __future__ import annotations

import json
import math
import shutil

import yaml

from ..config import parse_config
from ..errors import StudioError
from ..events import EventSink, StopFlag
from ..messages import Text
from ..paths import run_dir
from ..store import Store, new_run_id, run_seconds
from .checkpoints import last_checkpoint


def extend_run(key: str, epochs: float, sink: EventSink, stop: StopFlag | None = None,
               store: Store | None = None, verbose: bool = False):
    """Train `epochs` more epochs of the completed run `key` as a new run; returns engine.run's RunResult."""
    from ..distributed import launch

    store = store or Store()
    return launch.train(None, sink, stop, resume=prepare_extension(key, epochs, store), store=store, verbose=verbose)


def prepare_extension(key: str, epochs: float, store: Store) -> str:
    """Create the extension run of the completed run `key` (stopped at the copied checkpoint, ready for
    `train --resume`, which the GUI's Train page runs); returns its id."""
    from ..training import engine

    row = store.get_run(key)
    if row["status"] != "completed":
        raise StudioError(Text("Run {id} is {status}, not completed.", id=row['id'], status=row['status']),
                          Text("Resume a stopped run instead: finetune-studio train --resume RUN."))
    if epochs <= 0:
        raise StudioError(Text("Extend by a positive number of epochs."),
                          Text("Example: --epochs 1"))
    engine.refuse_unresumable(row.get("stage") or "sft")
    checkpoint = last_checkpoint(run_dir(row["id"]))
    if checkpoint is None or not (checkpoint / "trainer_state.json").is_file():
        raise StudioError(Text("Run {id} kept no final checkpoint to continue from.", id=row['id']),
                          Text("Clone its config and raise the epochs (it starts again from the base model)."))
    config = parse_config(yaml.safe_load(row["config"]))
    state = json.loads((checkpoint / "trainer_state.json").read_text(encoding="utf-8"))
    t = config.training
    if t.max_steps:  # steps per epoch as the run measured them
        per_epoch = state["global_step"] / max(state.get("epoch") or 1.0, 1e-9)
        training = t.model_copy(update={"max_steps": t.max_steps + math.ceil(round(epochs * per_epoch, 6))})
    else:
        training = t.model_copy(update={"epochs": t.epochs + epochs})
    name = f"{config.name or row['id']} +{epochs:g} epochs"
    config = config.model_copy(update={"name": name, "training": training})

    run_id = new_run_id()
    folder = run_dir(run_id)
    shutil.copytree(checkpoint, folder / "checkpoints" / checkpoint.name)
    (folder / "checkpoints" / "latest").write_text(checkpoint.name)
    config.save(folder / "run.yaml")
    store.create_run(run_id, name=name, config_yaml=config.to_yaml(), model=config.model.source,
                     method=config.method.name, stage=config.training.stage, resumed_from=row["id"],
                     versions=json.dumps(engine.library_versions()), status="cancelled",
                     world_size=row.get("world_size") or 1,  # its checkpoint holds that many ranks' states
                     earlier_seconds=run_seconds(row) or 0.0)  # it continues the run's curve, and its time
    store.db.execute("INSERT INTO metrics (run_id, step, epoch, name, value, time) SELECT ?, step, epoch, name, "
                     "value, time FROM metrics WHERE run_id = ?", [run_id, row["id"]])
    store.db.conn.commit()
    return run_id
