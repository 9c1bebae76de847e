"""`finetune-studio serve`: the OpenAI-compatible server (app/core/serving/), asked with the official `openai` client."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest

from app.core.events import StopFlag, decode, encode
from app.core.paths import PROJECT_ROOT
from app.core.serving.engine import Job
from tests.core.test_chat import _adapter_run

QUESTION = "Say apple"


def _job(stops: list[str]) -> tuple[Job, list]:
    from app.core.chat.generate import Answer

    out: list = []
    return Job(Answer([]), out.append, stops), out


def test_stop_strings_cut_the_text_across_pieces_and_end_the_row():
    job, out = _job(["END", "xyz"])
    sent = [job.take(piece) for piece in ("Hello E", "N", "o EN")]
    assert sent == ["Hello", " ", "ENo "] and not job.answer.stop.is_set()  # 2 held back: they may begin "END"
    job.answer.tokens = 4
    assert job.take("D more") == "" and job.answer.stop.is_set() and job.take("later") == ""
    job.answer.tokens = 5  # the token after the stop, which ended the row
    job.finish()
    assert out == [("done", {"finish_reason": "stop", "completion_tokens": 4})]
    assert job.text == "Hello ENo "


def test_without_stop_strings_every_piece_goes_out_and_length_is_reported():
    job, out = _job([])
    assert [job.take(p) for p in ("a", "b")] == ["a", "b"]
    job.answer.tokens, job.answer.finish = 5, "length"
    job.finish()
    assert out == [("done", {"finish_reason": "length", "completion_tokens": 5})]


def test_a_non_loopback_host_is_refused_without_a_key(capsys):
    from app.cli import main

    assert main(["serve", "demo", "--host", "0.0.0.0", "--port", "0"]) == 2  # refused before anything loads
    err = capsys.readouterr().err
    assert "needs an API key" in err and "--generate-api-key" in err


class _Server:
    """serve() in a thread on a free port of 127.0.0.1, as the CLI runs it."""

    def __init__(self, keys: list[str], **options):
        from app.core.serving.server import serve

        self.events: list[dict] = []
        self.listening = threading.Event()
        self.stop = StopFlag()
        self.thread = threading.Thread(target=serve, args=(keys, self, self.stop), kwargs={"port": 0, **options},
                                       daemon=True)
        self.thread.start()
        assert self.listening.wait(300), self.events
        self.info = next(e for e in self.events if e["event"] == "listening")

    def emit(self, event: str, **fields) -> None:
        self.events.append(json.loads(encode(event, **fields)))
        if event == "listening":
            self.listening.set()

    def client(self, api_key: str = "none"):
        from openai import OpenAI

        return OpenAI(base_url=self.info["url"], api_key=api_key, max_retries=0, timeout=300)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(60)
        assert not self.thread.is_alive()


@pytest.fixture(scope="module")
def server(tiny_model_dir):
    from app.core.store import Store

    store = Store()
    for i in range(2):
        _adapter_run(store, f"serve-{i}", tiny_model_dir, seed=20 + i)
    running = _Server(["serve-0", "serve-1"], compare_base=True)
    yield running
    running.close()


def _chat(client, model: str, content: str = QUESTION, **options):
    return client.chat.completions.create(model=model, messages=[{"role": "user", "content": content}],
                                          **{"temperature": 0, "max_tokens": 12, **options})


def test_lists_each_run_and_the_base_under_its_own_name(server, tiny_model_dir):
    assert server.info["models"] == ["serve-0", "serve-1", tiny_model_dir.name]
    assert server.info["url"].startswith("http://127.0.0.1:") and server.info["memory_bytes"] > 10_000_000
    assert [m.id for m in server.client().models.list()] == server.info["models"]


def test_chat_answers_as_chat_does_whole_and_streamed(server, capsys):
    from app.cli import main

    capsys.readouterr()
    assert main(["chat", "serve-0", "--prompt", QUESTION, "--max-tokens", "12"]) == 0
    expected = capsys.readouterr().out.removesuffix("\n")
    client = server.client()
    whole = _chat(client, "serve-0")
    assert whole.choices[0].message.content == expected
    assert whole.choices[0].finish_reason == "length" and whole.usage.completion_tokens == 12
    assert whole.usage.prompt_tokens > 5 and whole.usage.total_tokens == whole.usage.prompt_tokens + 12
    chunks = list(_chat(client, "serve-0", stream=True, stream_options={"include_usage": True}))
    pieces = [c.choices[0].delta.content or "" for c in chunks if c.choices]
    assert len([p for p in pieces if p]) > 1, "streamed piece by piece"
    assert "".join(pieces) == expected
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "length"
    assert chunks[-1].usage.completion_tokens == 12


def test_each_adapter_and_the_base_answer_differently(server, tiny_model_dir):
    client = server.client()
    answers = {name: _chat(client, name).choices[0].message.content for name in server.info["models"]}
    assert len(set(answers.values())) == 3, answers


def test_concurrent_requests_each_get_their_own_answer(server):
    client = server.client()
    asks = [(name, f"{QUESTION} {i}") for i, name in enumerate([*server.info["models"], "serve-0"])]
    alone = [_chat(client, name, prompt).choices[0].message.content for name, prompt in asks]
    together: list = [None] * len(asks)
    barrier = threading.Barrier(len(asks))

    def ask(i: int) -> None:
        barrier.wait()
        together[i] = "".join(c.choices[0].delta.content or "" for c in _chat(client, *asks[i], stream=True)
                              if c.choices)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(asks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert together == alone


def test_completions_stop_strings_and_seeds(server):
    client = server.client()
    whole = client.completions.create(model="serve-1", prompt="Once upon a time", max_tokens=10, temperature=0)
    text = whole.choices[0].text
    streamed = "".join(c.choices[0].text for c in client.completions.create(
        model="serve-1", prompt="Once upon a time", max_tokens=10, temperature=0, stream=True))
    assert streamed == text and whole.usage.completion_tokens == 10
    stop = text[len(text) // 2:len(text) // 2 + 2]
    cut = client.completions.create(model="serve-1", prompt="Once upon a time", max_tokens=10, temperature=0,
                                    stop=[stop])
    assert cut.choices[0].text == text[:text.index(stop)] and cut.choices[0].finish_reason == "stop"
    sampled = [_chat(client, "serve-1", temperature=1.0, seed=seed).choices[0].message.content
               for seed in (7, 7, 8)]
    assert sampled[0] == sampled[1] != sampled[2]


def test_errors_have_openai_status_codes_and_shape(server):
    import openai

    client = server.client()
    with pytest.raises(openai.NotFoundError) as unknown:
        _chat(client, "no-such-run")
    assert unknown.value.body["code"] == "model_not_found" and "serve-0" in unknown.value.body["message"]
    with pytest.raises(openai.BadRequestError) as bad:
        _chat(client, "serve-0", temperature=5)
    assert bad.value.body["param"] == "temperature"
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="serve-0", messages=[])
    with pytest.raises(openai.APIStatusError) as long:
        _chat(client, "serve-0", "word " * 1200)
    assert long.value.status_code == 413 and long.value.body["code"] == "context_length_exceeded"
    with pytest.raises(openai.APIStatusError) as long_prompt:
        client.completions.create(model="serve-0", prompt="word " * 1200, max_tokens=4)
    assert long_prompt.value.status_code == 413
    with pytest.raises(openai.APIStatusError) as no_room:
        _chat(client, "serve-0", max_tokens=5000)
    assert no_room.value.status_code == 413 and no_room.value.body["param"] == "max_tokens"

    history = [{"role": "user", "content": "word " * 400}, {"role": "assistant", "content": "ok"},
               {"role": "user", "content": QUESTION}]  # the old turns are left out, as chat does
    raw = client.chat.completions.with_raw_response.create(model="serve-0", messages=history, max_tokens=700,
                                                           temperature=0)
    assert raw.headers["x-context-trimmed"] == "2"
    assert raw.parse().choices[0].message.content


def test_the_cli_serves_with_a_generated_key_until_stopped(tiny_model_dir):
    import signal

    import openai

    proc = subprocess.Popen([sys.executable, "-m", "app", "serve", str(tiny_model_dir), "--port", "0",
                             "--generate-api-key", "--events", "jsonl"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=PROJECT_ROOT)
    try:
        events = []
        for line in proc.stdout:
            if (event := decode(line)) is not None:
                events.append(event)
                if event["event"] in ("listening", "finished"):
                    break
        listening = events[-1]
        assert listening["event"] == "listening", events
        assert listening["models"] == [tiny_model_dir.name] and len(listening["api_key"]) > 20
        with pytest.raises(openai.AuthenticationError):
            openai.OpenAI(base_url=listening["url"], api_key="wrong", max_retries=0).models.list()
        client = openai.OpenAI(base_url=listening["url"], api_key=listening["api_key"], max_retries=0)
        assert _chat(client, tiny_model_dir.name, max_tokens=3).usage.completion_tokens == 3
        proc.send_signal(signal.SIGTERM)
        rest = [e for line in proc.stdout if (e := decode(line)) is not None]
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert rest[-2]["event"] == "result" and rest[-2]["data"]["requests"] == 1
    assert rest[-1]["event"] == "finished" and rest[-1]["status"] == "completed"
    assert listening["api_key"] not in proc.stderr.read()
