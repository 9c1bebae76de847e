"""Every long command speaks the worker protocol with `--events jsonl`: the real `export` and `eval` emit the event
shapes the GUI's fakes emit (tests/ui/fake_cli.py), so the fakes and the CLI cannot drift apart; their failures
end with a `finished` event that carries the message and the hint, and stdout carries nothing else."""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from tiny_runs import train_tiny_cli_run

from app.core.paths import PROJECT_ROOT
from app.core.requests import EvalRequest, ExportRequest, save_request

FAKE = runpy.run_path(str(Path(__file__).parents[1] / "ui" / "fake_cli.py"))


@pytest.fixture(scope="module")
def run(tiny_model_dir, tmp_path_factory):
    return train_tiny_cli_run(
        tmp_path_factory.mktemp("events"), tiny_model_dir, "events-run", 4,
        data={"validation_split": 0.25}, training={"max_steps": 1, "batch_size": 4, "max_length": 64},
        evaluation={"sample_prompts": []}, export={"merged": False})


def events_of(*args: str) -> tuple[list[dict], int]:
    proc = subprocess.run([sys.executable, "-m", "app", *args, "--events", "jsonl"], capture_output=True, text=True,
                          timeout=300, cwd=PROJECT_ROOT)
    return [json.loads(line) for line in proc.stdout.splitlines()], proc.returncode  # every line is an event


def test_export_and_eval_speak_the_shapes_the_fakes_speak(run, tmp_path):
    export = save_request(ExportRequest(run="events-run", merged=tmp_path / "m", dtype="fp32"), tmp_path / "r")
    events, code = events_of("export", "--request", str(export))
    names, keys = FAKE["EXPORT_EVENTS"]
    assert code == 0 and FAKE["shape"](events) == names and keys <= set(events[-2]["data"])
    assert events[-1] == {**events[-1], "status": "completed", "error": None}
    assert [a["kind"] for a in events[-2]["data"]["artifacts"]] == ["merged"]

    evaluate = save_request(EvalRequest(run="events-run", limit=2, max_new_tokens=2), tmp_path / "r")
    events, code = events_of("eval", "--request", str(evaluate))
    names, keys = FAKE["EVAL_EVENTS"]
    assert code == 0 and FAKE["shape"](events) == names and keys <= set(events[-2]["data"])
    assert events[-2]["data"]["examples"] == 2


def test_a_refused_command_ends_with_its_message_and_hint(run, tmp_path):
    events, code = events_of("export", "events-run", "--gguf", str(tmp_path / "g"), "--push-to-hub", "me/x")
    assert code == 2 and [e["event"] for e in events] == ["finished"]
    assert events[0]["status"] == "failed" and "--push-to-hub" in events[0]["error"] and "--merged" in events[0]["hint"]
    events, code = events_of("eval", "no-such-run")
    assert code == 2 and events[-1]["status"] == "failed" and events[-1]["hint"]


def test_an_empty_queue_run_answers_with_a_result():
    events, code = events_of("queue", "run")
    names, _keys = FAKE["QUEUE_EVENTS"]
    assert code == 0 and FAKE["shape"](events) == names and events[0]["data"] == []
