"""The run queue: run configs waiting their turn in the store, run one after another; reorder; cancel.

Each item holds a whole RunConfig (YAML) and, once started, the id of its run. `run_queue` trains the queued items
in order until none is left or `stop` is set (the run in progress then ends `cancelled` at its next step, as a
stopped run does, and the items after it stay queued). An item of one process trains in the queue's process
(engine.run); an item of several is launched as `train --processes N` launches it, the queue's process the ranks'
parent (distributed/launch.py `train`): its ranks end before the next item starts, and a failed rank fails that item
alone.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from ..config import RunConfig, parse_config
from ..errors import StudioError
from ..messages import Text
from ..store import Store
from .names import default_name, run_name, taken_names

log = logging.getLogger(__name__)

STATUSES = ("queued", "running", "completed", "failed", "cancelled", "rejected")


def _table(store: Store):
    if "queue" not in store.db.table_names():
        store.db["queue"].create({"id": int, "position": int, "name": str, "config": str, "status": str,
                                  "sweep": str, "run_id": str, "created": float, "finished": float}, pk="id")
    return store.db["queue"]


def add(store: Store, config: RunConfig, sweep: str | None = None) -> int:
    """Queue `config` last; returns the item id."""
    table = _table(store)
    last = next(store.db.query("SELECT MAX(position) AS p FROM queue"))["p"]
    table.insert({"position": (last or 0) + 1, "name": config.name or default_name(config), "config": config.to_yaml(),
                  "status": "queued", "sweep": sweep, "created": time.time()})
    return table.last_pk


def items(store: Store, sweep: str | None = None) -> list[dict]:
    """All items in queue order (finished ones too, with their run id)."""
    _table(store)
    where, params = ("sweep = ?", [sweep]) if sweep else (None, [])
    return list(store.db["queue"].rows_where(where, params, order_by="position, id"))


def _item(store: Store, item_id: int) -> dict:
    rows = list(_table(store).rows_where("id = ?", [item_id]))
    if not rows:
        raise StudioError(Text("No queue item {item_id}.", item_id=item_id),
                          Text("List the queue with `finetune-studio queue list`."))
    return rows[0]


def move(store: Store, item_id: int, delta: int) -> None:
    """Move a queued item `delta` places among the queued items (negative: earlier)."""
    item = _item(store, item_id)
    if item["status"] != "queued":
        raise StudioError(Text("Queue item {item_id} is {status}.", item_id=item_id, status=item['status']),
                          Text("Only waiting items can be moved."))
    queued = [row for row in items(store) if row["status"] == "queued"]
    index = next(i for i, row in enumerate(queued) if row["id"] == item_id)
    target = max(0, min(len(queued) - 1, index + delta))
    queued.insert(target, queued.pop(index))
    positions = sorted(row["position"] for row in queued)
    for row, position in zip(queued, positions, strict=True):
        store.db["queue"].update(row["id"], {"position": position})


def cancel(store: Store, item_id: int) -> None:
    """Take a waiting item out of the queue (it stays listed as cancelled)."""
    item = _item(store, item_id)
    if item["status"] == "running":
        raise StudioError(Text("Queue item {item_id} is training now (run {run_id}).",
                               item_id=item_id, run_id=item['run_id']),
                          Text("Stop the run (Ctrl+C in `queue run`, or Stop in the GUI); the queue stops "
                               "with it."))
    if item["status"] != "queued":
        raise StudioError(Text("Queue item {item_id} has already {status}.",
                               item_id=item_id, status=item['status']),
                          Text("Only waiting items can be cancelled."))
    store.db["queue"].update(item_id, {"status": "cancelled", "finished": time.time()})


def run_queue(store: Store, sink: Any, stop: Any, train=None) -> list[dict]:
    """Train every queued item in order; returns the items that ran. `train` is distributed/launch.py's `train`
    (engine.run, or the launcher for an item of several processes; tests may wrap it)."""
    from ..distributed import launch
    from ..store import new_run_id

    train = train or launch.train
    settle(store)
    done = []
    while not stop.is_set():
        queued = [row for row in items(store) if row["status"] == "queued"]
        if not queued:
            break
        item = queued[0]
        run_id = new_run_id()
        store.db["queue"].update(item["id"], {"status": "running", "run_id": run_id})
        sink.emit("phase", name="queue", message=Text("Training {name} ({n} of {total})", name=item['name'],
                                                      n=len(done) + 1, total=len(done) + len(queued)),
                  current=len(done), total=len(done) + len(queued))
        try:
            config = parse_config(_yaml(item["config"]))
            config = config.model_copy(update={"name": run_name(config, taken_names(store))})  # no two runs share one
            result = train(config, sink, stop, run_id=run_id, store=store)
            status = result.status
        except StudioError as exc:  # e.g. an invalid config: the queue goes on with the next item
            log.warning("queue item %s failed: %s", item["id"], exc.message)
            status = "failed"
        store.db["queue"].update(item["id"], {"status": status, "finished": time.time()})
        done.append({**item, "status": status, "run_id": run_id})
    return done


def settle(store: Store) -> None:
    """Items left 'running' by a queue process that died take their run's final status (the store has already
    marked a run whose worker is gone as failed)."""
    from ..store import ACTIVE_STATUSES

    store.reap_dead_runs()
    for row in _table(store).rows_where("status = 'running'"):
        run = list(store.db["runs"].rows_where("id = ?", [row["run_id"]])) if row["run_id"] else []
        status = run[0]["status"] if run else "failed"
        if status not in ACTIVE_STATUSES:
            store.db["queue"].update(row["id"], {"status": status, "finished": time.time()})


def _yaml(text: str) -> dict:
    import yaml

    return yaml.safe_load(text)
