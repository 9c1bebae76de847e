"""The engine on a tiny random Llama: real training, stop, resume, failure reporting (seconds each)."""

import json
from pathlib import Path

import pytest

from app.core.config import parse_config
from app.core.events import ListSink, StopFlag
from app.core.store import Store, run_seconds
from app.core.training import engine

# numbers hold in bf16 and in fp32: installers/test.sh runs this module in both (the precision lane)
pytestmark = pytest.mark.precision_lane

QA = [("What is the capital of France?", "Paris is the capital of France."),
      ("Name a primary colour.", "Red is a primary colour."),
      ("What is 2 plus 2?", "2 plus 2 is 4.")]


@pytest.fixture
def chat_file(tmp_path):
    path = tmp_path / "chat.jsonl"
    with path.open("w") as fh:
        for i in range(24):
            q, a = QA[i % len(QA)]
            fh.write(json.dumps({"messages": [{"role": "user", "content": q},
                                              {"role": "assistant", "content": a}]}) + "\n")
    return path


def make_config(model_dir, data, **training):
    return parse_config({
        "name": "tiny",
        "model": {"source": str(model_dir)},
        "data": {"train": str(data), "validation_split": 0.0},
        "method": {"name": training.pop("method", "lora"), "rank": 8, "alpha": 32, "dropout": 0.05},  # fixed, not auto
        "training": {"max_steps": 12, "batch_size": 4, "max_length": 64, "learning_rate": 5e-3,
                     "save_steps": 100, "warmup_ratio": 0.0, "lr_scheduler": "constant", **training},
        "evaluation": {"sample_prompts": []},
        "export": {"merged": False, "adapter": True},
    })


def losses(sink):
    return [e["metrics"]["loss"] for e in sink.of("metrics") if "loss" in e["metrics"]]


@pytest.mark.parametrize("method", ["lora", "full"])
def test_training_lowers_the_loss_and_records_the_run(tiny_model_dir, chat_file, method):
    sink = ListSink()
    result = engine.run(make_config(tiny_model_dir, chat_file, method=method), sink, StopFlag())
    assert result.status == "completed", result.error
    values = losses(sink)
    assert len(values) == 12
    assert values[-1] < values[0] - 0.5, values
    started = sink.of("started")[0]
    assert started["total_steps"] == 12 and 0 < started["trainable_params"] <= started["total_params"]
    assert all(e["metrics"]["tokens_per_second"] > 0 for e in sink.of("metrics") if "loss" in e["metrics"]
               and e["step"] > 1)
    story = Store().story(result.run_id)
    assert story["status"] == "completed" and len(story["metrics"]["loss"]) == 12
    assert story["dataset_fingerprint"] and story["versions"]["torch"]
    kinds = {a["kind"] for a in story["artifacts"]}
    assert "checkpoint" in kinds and ("adapter" in kinds if method == "lora" else "merged" in kinds)
    assert sink.events[-1]["event"] == "finished"


def test_max_steps_overrides_epochs(tiny_model_dir, chat_file):
    sink = ListSink()
    engine.run(make_config(tiny_model_dir, chat_file, max_steps=3, epochs=50), sink)
    assert sink.of("started")[0]["total_steps"] == 3


def test_stop_saves_a_checkpoint_then_resume_continues_at_the_same_step(tiny_model_dir, chat_file):
    """Stopped at step 4, resumed: the resumed trainer starts from exactly the adapter, optimizer, LR schedule, RNG
    and step saved at the checkpoint, and its losses from step 5 on equal, to the bit, those of the same run trained
    without a stop. fp32 on the CPU, so every step is deterministic; in bf16 the equality would hold as well, but
    only the fp32 lane states it."""
    from resume_state import RestoredState, assert_same, saved_state

    stop = StopFlag()

    class StopAtStep4(ListSink):
        def emit(self, event, **fields):
            super().emit(event, **fields)
            if event == "progress" and fields["step"] == 4:
                stop.set()

    config = make_config(tiny_model_dir, chat_file, lr_scheduler="linear", precision="fp32")
    sink = StopAtStep4()
    first = engine.run(config, sink, stop)
    assert first.status == "cancelled"
    assert [e["step"] for e in sink.of("checkpoint")] == [4]
    saved = saved_state(Path(sink.of("checkpoint")[0]["path"]))
    assert saved["global_step"] == 4

    stopped = Store().get_run(first.run_id)
    first_seconds = stopped["finished"] - stopped["started"]
    resumed, restored = ListSink(), RestoredState()
    second = engine.run(None, resumed, StopFlag(), resume=first.run_id, callbacks=[restored])
    assert second.status == "completed" and second.run_id == first.run_id
    assert resumed.of("started")[0]["start_step"] == 4
    # its duration goes on from the first session's (the pause between them is not counted)
    assert resumed.of("started")[0]["earlier_seconds"] == round(first_seconds, 2)
    assert all(e["elapsed"] >= round(first_seconds, 2) for e in resumed.of("progress"))
    row = Store().get_run(first.run_id)
    assert row["earlier_seconds"] == first_seconds
    assert run_seconds(row) == first_seconds + row["finished"] - row["started"]
    assert_same(restored.state, saved)
    assert [e["step"] for e in resumed.of("progress")] == list(range(5, 13))
    assert Store().get_run(first.run_id)["status"] == "completed"

    whole = ListSink()
    assert engine.run(config, whole).status == "completed"
    assert losses(resumed) == losses(whole)[4:]  # steps 5-12, the same seed and batches


def test_malformed_data_is_rejected_before_training_with_the_line_number(tiny_model_dir, tmp_path):
    bad = tmp_path / "bad.jsonl"
    good = json.dumps({"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]})
    bad.write_text("\n".join([good, good, '{"messages": [', good]) + "\n")
    sink = ListSink()
    result = engine.run(make_config(tiny_model_dir, bad), sink)
    assert result.status == "rejected"
    assert "bad.jsonl:3" in result.error
    assert not sink.of("started") and sink.of("finished")[0]["status"] == "rejected"
    assert Store().get_run(result.run_id)["status"] == "rejected"


def test_padding_free_matches_padded_loss_at_step_one(tiny_model_dir, chat_file):
    first = {}
    for padding_free in (True, False):
        sink = ListSink()
        engine.run(make_config(tiny_model_dir, chat_file, max_steps=1, padding_free=padding_free,
                               group_by_length=False), sink)  # the same first batch both ways
        first[padding_free] = losses(sink)[0]
    assert first[True] == pytest.approx(first[False], rel=1e-3)


def test_padding_free_steps_attend_per_sequence_without_a_mask(tiny_model_dir, chat_file, monkeypatch):
    """A padding-free batch is one row of 4 sequences: attention must run per sequence (causal, no mask), not over
    the whole row through a block-diagonal mask (which costs the square of the row's length)."""
    import torch

    calls, original = [], torch.nn.functional.scaled_dot_product_attention

    def spy(query, key, value, attn_mask=None, **kwargs):
        calls.append((query.shape[2], attn_mask is None, kwargs.get("is_causal")))
        return original(query, key, value, attn_mask=attn_mask, **kwargs)

    monkeypatch.setattr(torch.nn.functional, "scaled_dot_product_attention", spy)
    result = engine.run(make_config(tiny_model_dir, chat_file, max_steps=1, padding_free=True), ListSink())
    assert result.status == "completed", result.error
    step = [length for length, _, _ in calls[:8]]  # the step: 2 layers (tests/conftest.py) x 4 sequences
    assert step[:4] == step[4:] and sum(step[:4]) > max(step[:4])  # each layer sees the 4 sequences, one by one
    assert all(no_mask and causal for _, no_mask, causal in calls)


def test_qlora_adapters_train_in_fp32_through_the_fused_lora(tiny_model_dir, chat_file, monkeypatch):
    """TRL casts a quantised model's adapters to bf16; we keep them fp32, so the fused LoRA half runs (it needs the
    input's dtype) and the optimizer updates fp32 weights. Holds in fp32: under bf16 autocast PEFT's forward runs."""
    import torch

    from app.core.training.kernels import _lora_delta

    function, dtypes = _lora_delta(), []
    original = function.apply

    def spy(x, base_out, a, *rest):
        dtypes.append(a.dtype)
        return original(x, base_out, a, *rest)

    monkeypatch.setattr(function, "apply", spy)
    result = engine.run(make_config(tiny_model_dir, chat_file, max_steps=1, method="qlora", precision="fp32"),
                        ListSink())
    assert result.status == "completed", result.error
    assert dtypes and set(dtypes) == {torch.float32}


def test_sft_steps_take_our_label_only_loss(tiny_model_dir, chat_file, monkeypatch):
    """TRL 1.12 defaults to its own chunked loss, patched into the model's forward; our step must still be ours."""
    from app.core.training.kernels import _linear_cross_entropy

    loss_fn, calls = _linear_cross_entropy(), []
    original = loss_fn.forward
    monkeypatch.setattr(loss_fn, "forward", staticmethod(
        lambda ctx, hidden, *rest: (calls.append(hidden.shape[0]), original(ctx, hidden, *rest))[1]))
    result = engine.run(make_config(tiny_model_dir, chat_file, max_steps=2), ListSink())
    assert result.status == "completed", result.error
    assert len(calls) == 2 and all(rows > 0 for rows in calls)


def test_length_grouped_padded_batches_hold_less_padding(tiny_model_dir, tmp_path):
    """200 answers of 1 to 100 words in random order: padded batches of 4 hold far less padding when grouped by
    length (transformers sorts megabatches of 12 batches here)."""
    import random

    import torch
    from transformers import AutoModelForCausalLM

    from app.core.events import ListSink
    from app.core.models import load_tokenizer
    from app.core.stages import sft
    from app.core.stages.common import base_args

    path = tmp_path / "skewed.jsonl"
    words = [1 + i % 100 for i in range(200)]
    random.Random(0).shuffle(words)
    path.write_text("".join(json.dumps({"messages": [{"role": "user", "content": "Count."}, {
        "role": "assistant", "content": " ".join(["one"] * n)}]}) + "\n" for n in words))
    tokenizer = load_tokenizer(str(tiny_model_dir))
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32)
    padding = {}
    for grouped in (False, True):
        config = make_config(tiny_model_dir, path, padding_free=False, group_by_length=grouped, max_length=256)
        prepared = sft.prepare(config, tokenizer, ListSink(), StopFlag())
        trainer = sft.make_trainer(config, model, tokenizer, prepared, base_args(config, tmp_path / "out", "fp32", False))
        real = slots = 0
        for batch in trainer.get_train_dataloader():
            real, slots = real + int(batch["attention_mask"].sum()), slots + batch["attention_mask"].numel()
        assert real == sum(len(ids) for ids in prepared.train["input_ids"])  # every example once
        padding[grouped] = 1 - real / slots
    assert padding[True] < padding[False] / 3, padding


def test_missing_model_folder_is_a_clear_refusal(chat_file, tmp_path):
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    sink = ListSink()
    result = engine.run(make_config(empty, chat_file), sink)
    assert result.status == "rejected" and "no config.json" in result.error
    assert result.hint


def test_resume_refuses_a_completed_run(tiny_model_dir, chat_file):
    from app.core.errors import StudioError

    done = engine.run(make_config(tiny_model_dir, chat_file, max_steps=1), ListSink())
    with pytest.raises(StudioError, match="already completed") as info:
        engine.run(None, ListSink(), resume=done.run_id)
    assert "Clone" in info.value.hint


@pytest.mark.parametrize("fault", ["parity", "disk"])
def test_a_run_whose_result_cannot_be_saved_says_what_to_do_with_the_run(tiny_model_dir, chat_file, monkeypatch,
                                                                         fault):
    """Saving the trained result is an export; its failure is told as the run's, whose hint is to resume (the
    training is checkpointed), not an export's "export again"."""
    import errno

    from app.core.errors import ExportError
    from app.core.export.staging import DiskFull

    def failing_export(config, model, tokenizer, out, ctx=None, source=None):
        if fault == "parity":
            raise ExportError("The saved adapter does not reproduce the trained model: max logit difference 2.69.",
                              "Export again; if it persists, report it with the run's log.")
        raise DiskFull(out.parent) from OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("app.core.export.weights.export_adapter", failing_export)
    result = engine.run(make_config(tiny_model_dir, chat_file, max_steps=2, save_steps=2), ListSink())
    assert result.status == "failed" and "export again" not in result.hint.lower()
    assert f"finetune-studio train --resume {result.run_id}" in result.hint
    if fault == "parity":
        assert result.error.startswith("The training finished, but saving its result failed: The saved adapter")
    else:
        assert result.error.startswith("The disk ran out of space") and result.hint.startswith("Free about ")


def test_the_exports_run_without_the_optimizer_states(tiny_model_dir, chat_file, monkeypatch):
    """AdamW's states (8 bytes a trained weight: the size of the model twice over in a full fine-tune) are let go
    before the exports reload a model beside the trained one; the final checkpoint keeps them for a resume."""
    import gc

    import torch

    seen = {}
    save = engine._save_outputs

    def spy(config, ctx, trained, tokenizer):
        gc.collect()
        states = [o for o in gc.get_objects() if isinstance(o, torch.optim.Optimizer)]
        seen.update(optimizers=len(states), states=sum(len(o.state) for o in states),
                    grads=[p for p in trained.model.parameters() if p.grad is not None])
        save(config, ctx, trained, tokenizer)

    monkeypatch.setattr(engine, "_save_outputs", spy)
    result = engine.run(make_config(tiny_model_dir, chat_file, method="full", max_steps=2), ListSink(), StopFlag())
    assert result.status == "completed", result.error
    assert seen == {"optimizers": 0, "states": 0, "grads": []}
    checkpoint = Path(Store().artifacts(result.run_id, "checkpoint")[-1]["path"])
    assert (checkpoint / "optimizer.pt").stat().st_size > 0


@pytest.mark.parametrize("method", ["lora", "full"])
def test_the_trained_model_is_gone_before_an_export_check_loads_a_model(tiny_model_dir, chat_file, monkeypatch,
                                                                        method):
    """Each export check loads a model from disk (the base for the adapter's, the merged files for the merged
    model's): the trained model, which the trainer, its callbacks and the sample generator held, is let go first, once
    its adapter or weights are saved and its reference logits taken, so the two are never in memory together."""
    import weakref

    from transformers import AutoModelForCausalLM, TrainerCallback

    trained, alive = [], []

    class Watch(TrainerCallback):
        def on_train_end(self, args, state, control, model=None, **kwargs):
            trained.append(weakref.ref(model))

    load = AutoModelForCausalLM.from_pretrained

    def spy(*args, **kwargs):
        if trained:  # a load after training: an export's
            alive.append(trained[0]() is not None)
        return load(*args, **kwargs)

    monkeypatch.setattr(AutoModelForCausalLM, "from_pretrained", spy)
    config = make_config(tiny_model_dir, chat_file, method=method, max_steps=2)
    config.export.merged = True
    config.evaluation.sample_prompts = ["What is 2 plus 2?"]  # the sampler holds the model too
    sink = ListSink()
    result = engine.run(config, sink, StopFlag(), callbacks=[Watch()])
    assert result.status == "completed", result.error
    assert sink.of("sample") and {a["kind"] for a in sink.of("artifact")} >= ({"adapter", "merged"} if method == "lora"
                                                                             else {"merged"})
    assert alive and not any(alive), alive
