"""The generation queue behind the HTTP server: jobs submitted from any thread, answered on one thread, one batched
`generate` (app/core/chat/generate.py) at a time.

Concurrent requests are batched, never interleaved: the first waiting job and the jobs that arrive within
BATCH_WAIT seconds after it (up to MAX_BATCH rows) are answered in one generate call when they can share it: greedy
jobs whatever their model (each row computes its own adapter, peft's mixed batch), sampled jobs with the same
temperature and top_p and no seed. A seeded sampled job is answered alone, after `torch.manual_seed(seed)`, so the
same seed gives the same answer. Jobs arriving while a batch generates wait for the next batch. Each row streams
into its own job, so no answer ever holds another's tokens.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..chat.generate import Answer

log = logging.getLogger(__name__)

BATCH_WAIT = 0.05  # seconds to wait for other requests to answer with the first one (as a shared chat process)
MAX_BATCH = 8  # rows in one generate call


@dataclass
class Job:
    """One request: its `answer` (prompt ids, limits, sampling, adapter) and where its output goes. `deliver` is
    called on the engine's thread with ("text", piece), then ("done", {"finish_reason", "completion_tokens"}) or
    ("error", message). Text is cut before the first of `stop_strings`, which are never sent; setting
    `answer.stop` (a client that went away) ends the job's row."""

    answer: Answer
    deliver: Callable[[tuple[str, Any]], None]
    stop_strings: list[str] = field(default_factory=list)
    seed: int | None = None
    text: str = ""
    sent: int = 0  # characters of `text` delivered
    cut_tokens: int | None = None  # tokens generated when a stop string ended the text

    def batch_key(self) -> tuple | None:
        """Jobs with equal keys can share a generate call; None: this job goes alone (sampled with a seed)."""
        if self.answer.temperature <= 0:
            return ("greedy",)
        return None if self.seed is not None else ("sampled", self.answer.temperature, self.answer.top_p)

    def take(self, piece: str) -> str:
        """The part of the text so far that can be sent: up to a stop string (which ends the row), else all but
        the tail that could still begin one."""
        if self.cut_tokens is not None:
            return ""
        self.text += piece
        end = len(self.text)
        if self.stop_strings:
            hits = [i for s in self.stop_strings if (i := self.text.find(s, self.sent)) >= 0]
            if hits:
                end = min(hits)
                self.text, self.cut_tokens = self.text[:end], self.answer.tokens
                self.answer.stop.set()
            else:
                end -= max(len(s) for s in self.stop_strings) - 1
        if end <= self.sent:
            return ""
        out, self.sent = self.text[self.sent:end], end
        return out

    def finish(self) -> None:
        if rest := self.text[self.sent:]:
            self.sent = len(self.text)
            self.deliver(("text", rest))
        reason = "stop" if self.cut_tokens is not None or self.answer.finish != "length" else "length"
        tokens = self.cut_tokens if self.cut_tokens is not None else self.answer.tokens
        self.deliver(("done", {"finish_reason": reason, "completion_tokens": tokens}))


class Engine:
    """Answers submitted jobs on a thread of its own with `model` and `tokenizer`; `close()` ends it (jobs still
    waiting get an error, the batch under way is stopped)."""

    def __init__(self, model: Any, tokenizer: Any):
        self.model, self.tokenizer = model, tokenizer
        self.jobs: queue.Queue = queue.Queue()
        self.batches = 0  # generate calls made
        self.answered = 0  # jobs answered
        self._current: list[Job] = []
        self._thread = threading.Thread(target=self._run, name="serving-engine", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> None:
        self.jobs.put(job)

    def close(self, timeout: float = 10.0) -> None:
        for job in list(self._current):
            job.answer.stop.set()
        self.jobs.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        backlog: list[Job | None] = []
        while (job := backlog.pop(0) if backlog else self.jobs.get()) is not None:
            if job.answer.stop.is_set():  # its client went away while it waited
                continue
            self._answer(self._take_batch(job, backlog))
        while True:
            try:
                waiting = backlog.pop(0) if backlog else self.jobs.get_nowait()
            except queue.Empty:
                return
            if waiting is not None:
                waiting.deliver(("error", "The server is shutting down."))

    def _take_batch(self, first: Job, backlog: list[Job | None]) -> list[Job]:
        deadline = time.monotonic() + BATCH_WAIT
        while (left := deadline - time.monotonic()) > 0:
            try:
                backlog.append(self.jobs.get(timeout=left))
            except queue.Empty:
                break
        batch, key = [first], first.batch_key()
        if key is None:
            return batch
        for job in list(backlog):
            if job is None or len(batch) == MAX_BATCH:
                break
            if job.batch_key() == key and not job.answer.stop.is_set():
                batch.append(job)
                backlog.remove(job)
        return batch

    def _answer(self, batch: list[Job]) -> None:
        from ..chat.generate import stream_answers

        if batch[0].seed is not None and batch[0].answer.temperature > 0:
            import torch

            torch.manual_seed(batch[0].seed)
        self._current, ended = batch, set()
        self.batches += 1
        try:
            for row, piece in stream_answers(self.model, self.tokenizer, [job.answer for job in batch]):
                job = batch[row]
                if piece is None:
                    ended.add(row)
                    job.finish()
                elif text := job.take(piece):
                    job.deliver(("text", text))
        except Exception as exc:  # noqa: BLE001 - the request gets an error response; the server goes on
            log.exception("generation failed")
            for row in set(range(len(batch))) - ended:
                batch[row].deliver(("error", f"Generation failed: {exc}"))
        finally:
            self._current = []
        self.answered += len(batch)
