"""The run history: SQLite (WAL) through sqlite-utils. The worker writes run state and metrics; the GUI reads."""

from __future__ import annotations

import json
import logging
import os
import random
import secrets
import shutil
import socket
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import RunNotFound, StudioError
from .messages import Text
from .paths import run_dir, runs_dir, store_path

log = logging.getLogger(__name__)

ACTIVE_STATUSES = ("pending", "running")
TABLES = ("runs", "metrics", "artifacts", "samples", "evaluations", "eval_predictions")
# How long a process waits for another that holds the store's write lock (several processes start on a fresh home).
BUSY_SECONDS = 30.0


def _busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def unwritable(exc: sqlite3.OperationalError) -> bool:
    """The store cannot be written (a full disk, a failing one, a read-only file); it can still be read (Store)."""
    return any(s in str(exc) for s in ("disk is full", "disk I/O error", "readonly database"))


def like_pattern(text: str, prefix_only: bool = False) -> str:
    """A LIKE pattern that matches `text` literally (its % and _ escaped with \\), anywhere or at the start."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{escaped}%" if prefix_only else f"%{escaped}%"


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(2)


def pid_alive(pid: int | None) -> bool:
    """Whether a process with this id exists on this machine."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_seconds(run: dict, now: float | None = None) -> float | None:
    """How long a run (a `runs` row) has trained: the sessions before its last resume (`earlier_seconds`) and the
    last one, to its end or, while it is active, to `now`. None before it started."""
    started = run.get("started") or run.get("created")
    end = run.get("finished") or ((now or time.time()) if run.get("status") in ACTIVE_STATUSES else None)
    if not started or not end:
        return run.get("earlier_seconds") or None
    return (run.get("earlier_seconds") or 0.0) + max(0.0, end - started)


def log_tail(path: Path, lines: int = 20) -> str:
    if not path.exists():
        return ""
    with path.open("rb") as fh:
        fh.seek(0, os.SEEK_END)
        fh.seek(max(0, fh.tell() - 8192))
        text = fh.read().decode("utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])


class Store:
    """Open (and create) the run store. Cheap to construct; use one per thread or process."""

    def __init__(self, path: str | Path | None = None, reap: bool = True):
        self.path = Path(path) if path else store_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        import sqlite_utils  # pulls in pandas-sized imports: keep it off the GUI's start-up path

        self.db = sqlite_utils.Database(self.path)
        try:
            self.db.conn.execute("PRAGMA busy_timeout = 5000")
            self._retry_busy(self.db.enable_wal)
            self._ensure_schema()
        except sqlite3.OperationalError as exc:
            if not unwritable(exc) or not self.path.is_file():
                raise
            # A full disk: SQLite cannot even size the file its readers share (-shm). Read the store as the file
            # holds it (what the last writer committed and checkpointed); writes fail as "readonly database".
            log.warning("the run store cannot be written (%s): reading it as it is on disk", exc)
            self.db.close()
            self.db = sqlite_utils.Database(sqlite3.connect(f"{self.path.resolve().as_uri()}?immutable=1", uri=True))
            return
        if reap:
            self.reap_dead_runs()

    def _retry_busy(self, write: Callable[[], None]) -> None:
        """`write()`, tried again while another process holds the lock: SQLite answers "database is locked" at once,
        without waiting for the busy timeout, when a connection that read would have to wait to write."""
        deadline = time.monotonic() + BUSY_SECONDS
        while True:
            try:
                return write()
            except sqlite3.OperationalError as exc:
                if not _busy(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(random.uniform(0.01, 0.1))

    def _ensure_schema(self) -> None:
        """Create the tables that are missing, in one transaction that holds the write lock from its start (BEGIN
        IMMEDIATE): processes opening a fresh store together wait for the first, then find its tables."""
        if set(TABLES) <= set(self.db.table_names()):
            return

        def create() -> None:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self._create_tables()
            except BaseException:
                self.db.rollback()
                raise
            self.db.commit()

        self._retry_busy(create)

    def _create_tables(self) -> None:
        db = self.db
        if "runs" not in db.table_names():
            db["runs"].create({
                "id": str, "name": str, "status": str, "config": str, "dataset_fingerprint": str,
                "dataset_rows": int, "model": str, "method": str, "stage": str, "created": float,
                "started": float, "finished": float, "versions": str, "device": str, "error": str, "hint": str,
                "pid": int, "host": str, "run_dir": str, "total_steps": int, "last_step": int,
                "final_loss": float, "trainable_params": int, "total_params": int, "resumed_from": str,
                "earlier_seconds": float,  # trained before the last resume (run_seconds adds the last session)
            }, pk="id")
            db["runs"].create_index(["created"])
        if "metrics" not in db.table_names():
            db["metrics"].create({"run_id": str, "step": int, "epoch": float, "name": str, "value": float,
                                  "time": float}, foreign_keys=[("run_id", "runs", "id")])
            db["metrics"].create_index(["run_id", "name", "step"])
        if "artifacts" not in db.table_names():
            db["artifacts"].create({"id": int, "run_id": str, "kind": str, "path": str, "bytes": int,
                                    "properties": str, "created": float}, pk="id",
                                   foreign_keys=[("run_id", "runs", "id")])
        if "samples" not in db.table_names():
            db["samples"].create({"run_id": str, "step": int, "prompt": str, "output": str, "time": float},
                                 foreign_keys=[("run_id", "runs", "id")])
        if "evaluations" not in db.table_names():  # one row per model scored: tuned, base zero-/few-shot
            db["evaluations"].create({"id": int, "run_id": str, "model": str, "shots": int, "split": str,
                                      "examples": int, "metrics": str, "created": float}, pk="id",
                                     foreign_keys=[("run_id", "runs", "id")])
        if "eval_predictions" not in db.table_names():
            db["eval_predictions"].create({"evaluation_id": int, "idx": int, "prompt": str, "reference": str,
                                           "prediction": str, "score": float},
                                          foreign_keys=[("evaluation_id", "evaluations", "id")])
            db["eval_predictions"].create_index(["evaluation_id", "score"])

    # ---- writes (worker) ----
    def create_run(self, run_id: str, *, name: str, config_yaml: str, model: str, method: str, stage: str,
                   **fields: Any) -> dict:
        row = {
            "id": run_id, "name": name, "status": "pending", "config": config_yaml, "model": model,
            "method": method, "stage": stage, "created": time.time(), "pid": os.getpid(),
            "host": socket.gethostname(), "run_dir": str(run_dir(run_id)), **fields,
        }
        self.db["runs"].insert(row, alter=True)
        return row

    def update_run(self, run_id: str, **fields: Any) -> None:
        """Set fields of the run. An error or hint that is a Text also keeps its template and values
        (`error_text`, `hint_text`: JSON), so the window shows it in its language later too."""
        if "versions" in fields and not isinstance(fields["versions"], str):
            fields["versions"] = json.dumps(fields["versions"])
        for key in ("error", "hint"):
            if key in fields:
                value = fields[key]
                fields[f"{key}_text"] = json.dumps(value.to_json(), ensure_ascii=False) if isinstance(value, Text) \
                    else None
        self.db["runs"].update(run_id, fields, alter=True)

    def add_metrics(self, run_id: str, step: int, metrics: dict[str, float], epoch: float | None = None,
                    at: float | None = None) -> None:
        at = at or time.time()
        rows = [{"run_id": run_id, "step": step, "epoch": epoch, "name": k, "value": float(v), "time": at}
                for k, v in metrics.items() if isinstance(v, (int, float)) and v is not None]
        if rows:
            self.db["metrics"].insert_all(rows)

    def add_artifact(self, run_id: str, kind: str, path: str | Path, properties: dict | None = None) -> dict:
        path = Path(path)
        size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() else (
            path.stat().st_size if path.exists() else 0)
        row = {"run_id": run_id, "kind": kind, "path": str(path), "bytes": size,
               "properties": json.dumps(properties or {}), "created": time.time()}
        self.db["artifacts"].insert(row)
        return row

    def forget_missing_checkpoints(self, run_id: str) -> None:
        """Drop the run's checkpoint rows whose folder is gone (rotation deletes the oldest: save_total_limit)."""
        gone = [row["id"] for row in self.artifacts(run_id, "checkpoint") if not Path(row["path"]).is_dir()]
        if gone:
            self.db["artifacts"].delete_where(f"id IN ({', '.join('?' * len(gone))})", gone)

    def forget_after(self, run_id: str, step: int) -> None:
        """The run continues from its checkpoint at `step`: the metrics and samples its lost part recorded after it
        go, so the steps trained again are not recorded twice."""
        for table in ("metrics", "samples"):
            self.db[table].delete_where("run_id = ? AND step > ?", [run_id, step])

    def add_sample(self, run_id: str, step: int, prompt: str, output: str) -> None:
        self.db["samples"].insert({"run_id": run_id, "step": step, "prompt": prompt, "output": output,
                                   "time": time.time()})

    def add_evaluation(self, run_id: str, *, model: str, shots: int, split: str, metrics: dict,
                       predictions: list[dict]) -> int:
        """Store one model's scores on a held-out split with its predictions (idx, prompt, reference, prediction,
        score); returns the evaluation id."""
        table = self.db["evaluations"]
        table.insert({"run_id": run_id, "model": model, "shots": shots, "split": split,
                      "examples": len(predictions), "metrics": json.dumps(metrics), "created": time.time()})
        evaluation_id = table.last_pk
        self.db["eval_predictions"].insert_all({**p, "evaluation_id": evaluation_id} for p in predictions)
        return evaluation_id

    # ---- reads (GUI, CLI) ----
    def list_runs(self, search: str | None = None, status: str | None = None) -> list[dict]:
        where, params = [], []
        if search:
            where.append("(" + " OR ".join(f"{col} LIKE ? ESCAPE '\\'" for col in ("name", "id", "model", "method"))
                         + ")")
            params += [like_pattern(search)] * 4
        if status:
            where.append("status = ?")
            params.append(status)
        return list(self.db["runs"].rows_where(" AND ".join(where) or None, params, order_by="created desc"))

    def get_run(self, key: str) -> dict:
        """A run by id, id prefix or exact name (the newest of that name)."""
        rows = list(self.db["runs"].rows_where("id = ?", [key]))
        if not rows:
            rows = list(self.db["runs"].rows_where("name = ?", [key], order_by="created desc", limit=1))
        if not rows:
            rows = list(self.db["runs"].rows_where("id LIKE ? ESCAPE '\\'", [like_pattern(key, prefix_only=True)],
                                                   order_by="created desc"))
            if len(rows) > 1:
                raise RunNotFound(Text("'{key}' matches {n} runs", key=key, n=len(rows)),
                                  Text("Give more of the run id."))
        if not rows:
            raise RunNotFound(Text("No run with id or name '{key}'.", key=key),
                              Text("List runs with `finetune-studio runs list`."))
        return rows[0]

    def metric_series(self, run_id: str) -> dict[str, list[tuple[int, float]]]:
        series: dict[str, list[tuple[int, float]]] = {}
        for row in self.db.query("SELECT name, step, value FROM metrics WHERE run_id = ? ORDER BY step, rowid",
                                 [run_id]):
            series.setdefault(row["name"], []).append((row["step"], row["value"]))
        return series

    def artifacts(self, run_id: str, kind: str | None = None) -> list[dict]:
        where, params = "run_id = ?", [run_id]
        if kind:
            where += " AND kind = ?"
            params.append(kind)
        rows = list(self.db["artifacts"].rows_where(where, params, order_by="id"))
        for row in rows:
            row["properties"] = json.loads(row["properties"] or "{}")
        return rows

    def samples(self, run_id: str) -> list[dict]:
        return list(self.db["samples"].rows_where("run_id = ?", [run_id], order_by="step, rowid"))

    def evaluations(self, run_id: str) -> list[dict]:
        """The run's evaluations, newest first, metrics decoded."""
        rows = list(self.db["evaluations"].rows_where("run_id = ?", [run_id], order_by="id desc"))
        for row in rows:
            row["metrics"] = json.loads(row["metrics"] or "{}")
        return rows

    def eval_predictions(self, evaluation_id: int, worst: bool = False, limit: int | None = None) -> list[dict]:
        """An evaluation's predictions, best first (or worst first)."""
        order = "score" + ("" if worst else " desc") + ", idx"
        return list(self.db["eval_predictions"].rows_where("evaluation_id = ?", [evaluation_id], order_by=order,
                                                           limit=limit))

    def story(self, key: str) -> dict:
        """Everything about one run: state, config, metric series, artifacts, samples."""
        import yaml

        run = self.get_run(key)
        out = dict(run)
        out["config"] = yaml.safe_load(run["config"]) if run.get("config") else None
        out["versions"] = json.loads(run["versions"]) if run.get("versions") else None
        out["metrics"] = {name: [{"step": s, "value": v} for s, v in pts]
                          for name, pts in self.metric_series(run["id"]).items()}
        out["artifacts"] = self.artifacts(run["id"])
        out["samples"] = self.samples(run["id"])
        out["evaluations"] = self.evaluations(run["id"])
        return out

    # ---- edits (GUI, CLI) ----
    def rename_run(self, run_id: str, name: str) -> None:
        self.get_run(run_id)
        self.db["runs"].update(run_id, {"name": name})

    def delete_run(self, run_id: str, files: bool = True) -> None:
        """Forget the run; with `files`, remove its folder too, but only runs/<id> of the data home (where create_run
        puts it): a row that names any other folder leaves it where it is."""
        run = self.get_run(run_id)
        if run["status"] in ACTIVE_STATUSES and pid_alive(run.get("pid")):
            raise StudioError(Text("Run {run_id} is still running.", run_id=run_id),
                              Text("Stop it before deleting it."))
        self.db["eval_predictions"].delete_where(
            "evaluation_id IN (SELECT id FROM evaluations WHERE run_id = ?)", [run["id"]])
        for table in ("metrics", "artifacts", "samples", "evaluations"):
            self.db[table].delete_where("run_id = ?", [run["id"]])
        self.db["runs"].delete(run["id"])
        if files and run.get("run_dir"):
            _remove_run_folder(Path(run["run_dir"]), run["id"])

    def reap_dead_runs(self) -> list[str]:
        """Runs that say they are active but whose process on this host is gone become `failed`, with the
        tail of their log as the error."""
        host = socket.gethostname()
        reaped = []
        dead = [run for run in self.db["runs"].rows_where("status IN ('pending', 'running')")
                if run.get("host") == host and not pid_alive(run.get("pid"))]
        for run in dead:
            tail = log_tail(Path(run["run_dir"] or "") / "logs" / "worker.log")
            try:
                self.db["runs"].update(run["id"], {
                    "status": "failed", "finished": time.time(),
                    "error": "The training process ended without reporting a result."
                    + (f"\n{tail}" if tail else ""),
                    "hint": "It was probably killed (out of memory, or closed by the system). "
                            "Resume it from its last checkpoint, or lower the batch size.",
                })
            except sqlite3.OperationalError as exc:  # a full disk must not stop anyone reading the history
                if not (unwritable(exc) or _busy(exc)):
                    raise
                log.warning("could not mark %d dead run(s) failed: %s", len(dead) - len(reaped), exc)
                break
            reaped.append(run["id"])
        return reaped


def _remove_run_folder(folder: Path, run_id: str) -> None:
    """Remove `folder` if it is runs/<run_id> of the data home: a link there is unlinked (never followed), and any
    other path (a row written under another data home, or before run ids were checked) is left alone."""
    runs, target = runs_dir().resolve(), folder.resolve()
    if folder.is_symlink() and folder.parent.resolve() == runs and folder.name == run_id:
        folder.unlink()
    elif target.parent == runs and target.name == run_id:
        shutil.rmtree(target, ignore_errors=True)
    elif folder.exists():
        log.warning("run %s: its folder %s is not under %s; left in place", run_id, folder, runs)
