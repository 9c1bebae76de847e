"""Streamed generation of several chat answers in one batched `generate`, each row with its own adapter.

A row is one conversation to answer (`Answer`). With `adapter` set on each row, peft's mixed-batch LoRA forward
(`generate(..., adapter_names=[...])`, "__base__" for the base model) computes every row's own adapter in the
same forward passes, so a tuned run and its base model (or two runs of one base) answer the same prompt at once,
both streaming, for the memory of one model. Each row stops on its own: at end of sequence, at its own
`max_new_tokens`, or when its `stop` event is set; the other rows go on.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

BASE_ADAPTER = "__base__"  # peft's name for "no adapter" in a mixed batch


@dataclass
class Answer:
    """One conversation to answer; `tokens` and `trimmed` are filled in while it is answered (tokens generated,
    oldest turns left out to fit the model's context)."""

    messages: list[dict]
    max_new_tokens: int = 256
    temperature: float = 0.0
    top_p: float = 1.0
    stop: threading.Event = field(default_factory=threading.Event)
    adapter: str | None = None  # a peft adapter name or BASE_ADAPTER; None: the model as loaded
    prompt_ids: list[int] | None = None  # the prompt's tokens as given (no template, no trimming); None: from messages
    tokens: int = 0
    trimmed: int = 0
    finish: str = ""  # why it ended: "stop" (an end-of-turn token), "length" (max_new_tokens) or "cancelled" (stop)


class _RowStreamer:
    """generate()'s streamer for a batch: decodes each row on its own and queues (row, text) pieces and
    (row, None) once a row has finished. It decides when a row is finished (its end-of-sequence token, its token
    limit or its stop event), so tokens generate() fills in for finished rows are never shown."""

    def __init__(self, tokenizer: Any, answers: list[Answer], stop_ids: set[int], out: queue.Queue):
        self.tokenizer, self.answers, self.stop_ids, self.out = tokenizer, answers, stop_ids, out
        self.ids: list[list[int]] = [[] for _ in answers]
        self.shown = [""] * len(answers)
        self.finished = [False] * len(answers)
        self.prompt_seen = False

    def put(self, value: Any) -> None:
        if not self.prompt_seen:  # the first call hands over the prompts
            self.prompt_seen = True
            return
        for row, token in enumerate(value.reshape(-1).tolist()):
            if self.finished[row]:
                continue
            answer = self.answers[row]
            answer.tokens += 1
            if token not in self.stop_ids:
                self.ids[row].append(token)
                self._show(row, final=False)
            if token in self.stop_ids or answer.tokens >= answer.max_new_tokens or answer.stop.is_set():
                answer.finish = ("stop" if token in self.stop_ids else "length"
                                 if answer.tokens >= answer.max_new_tokens else "cancelled")
                self._finish(row)

    def end(self) -> None:
        for row, done in enumerate(self.finished):
            if not done:
                self.answers[row].finish = "cancelled" if self.answers[row].stop.is_set() else "length"
                self._finish(row)

    def _show(self, row: int, final: bool) -> None:
        text = self.tokenizer.decode(self.ids[row], skip_special_tokens=True)
        if not final and text.endswith("\ufffd"):  # half a character: wait for the rest of its bytes
            return
        if len(text) > len(self.shown[row]):
            self.out.put((row, text[len(self.shown[row]):]))
            self.shown[row] = text

    def _finish(self, row: int) -> None:
        self._show(row, final=True)
        self.finished[row] = True
        self.out.put((row, None))


def _stop_ids(model: Any, tokenizer: Any) -> set[int]:
    from .checks import stop_ids

    return stop_ids(tokenizer, getattr(model, "generation_config", None))


def stream_answers(model: Any, tokenizer: Any, answers: list[Answer]) -> Iterator[tuple[int, str | None]]:
    """Answer every row in one batched generate: yields (row, text piece) as tokens come and (row, None) when a
    row has finished. The rows must share one temperature and top_p (the sampling settings of one generate call);
    their token limits and stop events are their own."""
    import torch
    from transformers import StoppingCriteria, StoppingCriteriaList


    if len({(a.temperature, a.top_p) for a in answers}) > 1:
        raise ValueError("The rows of one batch must share their temperature and top_p.")
    longest = max(a.max_new_tokens for a in answers)
    prompts = []
    for answer in answers:
        if answer.prompt_ids is None:
            answer.prompt_ids, answer.trimmed = chat_prompt(tokenizer, answer.messages,
                                                            context_length(model) - answer.max_new_tokens)
        prompts.append(answer.prompt_ids)
    width = max(len(p) for p in prompts)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    # left padding: every row's answer starts at the same position, and the mask hides the padding
    input_ids = torch.tensor([[pad] * (width - len(p)) + p for p in prompts], device=model.device)
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts], device=model.device)

    class _RowLimits(StoppingCriteria):  # ends rows at their own limit or stop, sparing their compute
        def __call__(self, ids, scores, **kwargs):
            made = ids.shape[-1] - width
            return torch.tensor([a.stop.is_set() or made >= a.max_new_tokens for a in answers], device=ids.device)

    out: queue.Queue = queue.Queue()
    streamer = _RowStreamer(tokenizer, answers, _stop_ids(model, tokenizer), out)
    kwargs: dict[str, Any] = {"input_ids": input_ids, "attention_mask": mask, "max_new_tokens": longest,
                              "streamer": streamer, "use_cache": True, "pad_token_id": pad,
                              "stopping_criteria": StoppingCriteriaList([_RowLimits()])}
    if any(a.adapter is not None for a in answers):
        kwargs["adapter_names"] = [a.adapter or BASE_ADAPTER for a in answers]
    first = answers[0]
    if first.temperature > 0:
        kwargs.update(do_sample=True, temperature=first.temperature, top_p=first.top_p)
    else:
        kwargs.update(do_sample=False)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            with torch.inference_mode():
                model.generate(**kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the reading thread, which raises it
            failure.append(exc)
        finally:
            out.put(None)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    while (item := out.get()) is not None:
        yield item
    thread.join()
    if failure:
        raise failure[0]


def chat_prompt(tokenizer: Any, messages: list[dict], limit: int) -> tuple[list[int], int]:
    """The prompt's token ids for `messages` (the chat template, the assistant's turn opened) with the oldest turns
    left out to fit `limit` tokens (`fit_context`), and how many were left out."""
    messages, trimmed = fit_context(tokenizer, messages, limit)
    return tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=True,
                                         return_dict=True)["input_ids"], trimmed


def fit_context(tokenizer: Any, messages: list[dict], limit: int) -> tuple[list[dict], int]:
    """Drop the oldest turns (never the system message or the last message) until the rendered prompt fits in
    `limit` tokens; returns (messages, how many were dropped). A lone last message that is still too long is kept:
    generation then cuts nothing, and the model sees a prompt past its context."""
    system = [m for m in messages[:1] if m["role"] == "system"]
    rest = messages[len(system):]
    dropped = 0
    while len(rest) > 1:
        ids = tokenizer.apply_chat_template([*system, *rest], add_generation_prompt=True, tokenize=True,
                                            return_dict=True)["input_ids"]
        if len(ids) <= limit:
            break
        cut = 2 if len(rest) > 2 and rest[0]["role"] == "user" and rest[1]["role"] == "assistant" else 1
        rest, dropped = rest[cut:], dropped + cut
    return [*system, *rest], dropped


def context_length(model: Any) -> int:
    return int(getattr(model.config, "max_position_embeddings", None) or 2048)


def stream_reply(model: Any, tokenizer: Any, messages: list[dict], *, max_new_tokens: int = 256,
                 temperature: float = 0.0, top_p: float = 1.0, stop: threading.Event | None = None,
                 stats: dict | None = None) -> Iterator[str]:
    """Yield the reply's text piece by piece as it is generated.

    Setting `stop` ends generation after the current token; `stats["tokens"]` counts the tokens generated and
    `stats["trimmed"]` the oldest turns left out so the conversation and the answer fit the model's context.
    """
    answer = Answer(messages, max_new_tokens, temperature, top_p, stop or threading.Event())
    try:
        for _row, piece in stream_answers(model, tokenizer, [answer]):
            if piece:
                yield piece
    finally:
        if stats is not None:
            stats.update(tokens=answer.tokens, trimmed=answer.trimmed)


def sampled_replier(model: Any, tokenizer: Any, *, temperature: float = 0.8, top_p: float = 0.95,
                    stop: threading.Event | None = None) -> Callable[[str, int, int], str]:
    """`ask(prompt, max_new_tokens, seed)`: the model's whole reply to one user turn, sampled after seeding torch
    with `seed` (the same seed, the same reply). Data augmentation generates with it (data.augment.Ask)."""
    import torch

    def ask(prompt: str, max_new_tokens: int, seed: int) -> str:
        torch.manual_seed(seed)
        return "".join(stream_reply(model, tokenizer, [{"role": "user", "content": prompt}],
                                    max_new_tokens=max_new_tokens, temperature=temperature, top_p=top_p,
                                    stop=stop)).strip()

    return ask
