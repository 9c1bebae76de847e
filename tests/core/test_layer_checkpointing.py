"""Gradient checkpointing on some of the layers (training.checkpoint_layers, training/callbacks.LayerCheckpointing):
the layers chosen recompute their forward in the backward, the others run it once; "auto" decides how many from the
run's memory budget (training.memory_limit_gb) and the run records the choice."""

import json

import pytest
import yaml

from app.core import hardware
from app.core.config import parse_config
from app.core.events import ListSink
from app.core.models import describe_model
from app.core.store import Store
from app.core.training import engine

LAYERS = 4


@pytest.fixture(scope="module")
def four_layer_model(tiny_model_dir, tmp_path_factory):
    """The tiny Llama with four layers, so that some of them can be checkpointed and some not."""
    import torch
    from transformers import AutoConfig, AutoTokenizer, LlamaForCausalLM

    out = tmp_path_factory.mktemp("tiny-llama-4")
    config = AutoConfig.from_pretrained(tiny_model_dir)
    config.num_hidden_layers = LAYERS
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(out)
    AutoTokenizer.from_pretrained(tiny_model_dir).save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def chat(tmp_path_factory):
    path = tmp_path_factory.mktemp("layer-ckpt") / "chat.jsonl"
    """Answers longer than max_length: every micro-batch holds exactly batch × max_length tokens, as planned."""
    path = tmp_path_factory.mktemp("layer-ckpt") / "chat.jsonl"
    path.write_text("\n".join(json.dumps({"messages": [{"role": "user", "content": f"Say {w} often"},
                                                         {"role": "assistant", "content": f"{w} " * 80}]})
                              for w in ["apple", "pear", "plum", "fig"] * 4) + "\n")
    return path


@pytest.fixture(scope="module")
def budget(four_layer_model):
    """GiB between the run's estimate with 2 and with 1 layer checkpointed, heap slack included (lean memory off):
    "auto" checkpoints 2 layers."""
    info = describe_model(str(four_layer_model))
    base = parse_config({"model": {"source": str(four_layer_model)}, "data": {"train": "x.jsonl"},
                         "training": {"batch_size": 2, "max_length": 64, "precision": "fp32"}})

    def estimate(k):
        t = hardware.with_checkpointed_layers(base.training, k, LAYERS)
        return hardware.estimate_memory(info, base.method, t, "cpu", 2 * 64)["total"]

    assert estimate(0) > estimate(1) > estimate(2)
    return (estimate(1) + estimate(2)) / 2 * hardware.heap_slack("fp32") / hardware.GiB


class ForwardCounter:
    """A TrainerCallback counting, in the first training step, the forwards each decoder layer's MLP begins: a module
    inside the layer, so a checkpointed layer's recomputation counts too (the layer's own hooks stay outside the
    checkpoint in transformers 5; a pre-hook, as torch stops a recomputation once it has the tensors it needs, before
    the MLP's forward returns). Also keeps each layer's checkpointing flag as training began, and which layers'
    trained weights the step changed (a recomputed layer's gradients reach its weights)."""

    def __init__(self):
        from transformers import TrainerCallback

        self.calls: list[int] = []
        self.flags: list[bool] = []
        self.hooks: list = []
        self.before: list[list] = []
        self.changed: list[bool] = []
        counter = self

        class Callback(TrainerCallback):
            def on_step_begin(self, args, state, control, model=None, **kwargs):
                if state.global_step == 0:
                    counter.start(model)

            def on_step_end(self, args, state, control, **kwargs):
                if counter.hooks:
                    counter.stop()

        self.callback = Callback()

    def start(self, model):
        from transformers.modeling_layers import GradientCheckpointingLayer

        layers = [m for m in model.modules() if isinstance(m, GradientCheckpointingLayer)]
        self.layers = layers
        self.calls, self.flags = [0] * len(layers), [layer.gradient_checkpointing for layer in layers]
        self.before = [[p.detach().clone() for p in layer.parameters() if p.requires_grad] for layer in layers]
        for n, layer in enumerate(layers):
            self.hooks.append(layer.mlp.register_forward_pre_hook(lambda *_, n=n: self._count(n)))

    def _count(self, n):
        self.calls[n] += 1

    def stop(self):
        for hook in self.hooks:
            hook.remove()
        self.hooks = []
        self.changed = [any(not a.equal(b) for a, b in zip(before, (p for p in layer.parameters() if p.requires_grad),
                                                            strict=True))
                        for before, layer in zip(self.before, self.layers, strict=True)]


def run(model_dir, data, method="lora", **training):
    config = parse_config({"model": {"source": str(model_dir)}, "data": {"train": str(data)},
                           "method": {"name": method, "auto": []},
                           "training": {"max_steps": 1, "batch_size": 2, "max_length": 64, "auto": [], "warmup_ratio": 0.0,
                                        "precision": "fp32", "lean_memory": False, **training},
                           "evaluation": {"sample_prompts": []}, "export": {"merged": False, "adapter": False}})
    counter, sink = ForwardCounter(), ListSink()
    result = engine.run(config, sink, callbacks=[counter.callback])
    assert result.status == "completed", result.error
    return counter, sink, Store().get_run(result.run_id)


@pytest.mark.parametrize("method", ["lora", "full", "qlora"])
def test_the_first_layers_chosen_recompute_their_forward_and_the_others_do_not(four_layer_model, chat, method):
    counter, _sink, _row = run(four_layer_model, chat, method, gradient_checkpointing=True, checkpoint_layers=1)
    assert counter.flags == [True, False, False, False]
    assert counter.calls == [2, 1, 1, 1]
    assert counter.changed == [True] * LAYERS


@pytest.mark.parametrize(("setting", "calls"), [(True, [2] * LAYERS), (False, [1] * LAYERS)])
def test_checkpointing_set_to_true_or_false_is_left_as_it_is(four_layer_model, chat, budget, setting, calls):
    """Even with a memory budget "auto" would checkpoint 2 layers for: true recomputes every layer, false none."""
    counter, sink, row = run(four_layer_model, chat, gradient_checkpointing=setting, memory_limit_gb=budget)
    assert counter.calls == calls
    stored = yaml.safe_load(row["config"])["training"]
    assert (stored["gradient_checkpointing"], stored["checkpoint_layers"]) == (setting, None)
    assert not [c for c in sink.of("started")[0]["settings"] if c["setting"] == "checkpoint_layers"]


def test_auto_checkpoints_the_fewest_layers_for_the_budget_and_the_run_records_them(four_layer_model, chat, budget):
    """The budget fits the run with 2 layers checkpointed, not 1: 2 layers recompute, the stored config says so, and
    the run's automatic choices and the `started` event give the number with its reason."""
    counter, sink, row = run(four_layer_model, chat, gradient_checkpointing="auto", memory_limit_gb=budget)
    assert counter.calls == [2, 2, 1, 1]
    stored = yaml.safe_load(row["config"])["training"]
    assert (stored["gradient_checkpointing"], stored["checkpoint_layers"]) == (True, 2)
    choice = next(c for c in json.loads(row["auto_settings"]) if c["setting"] == "checkpoint_layers")
    assert choice["value"] == 2 and choice["reason"].startswith(f"checkpointing 2 of 4 layers to fit {budget:.1f} GiB")
    assert choice in sink.of("started")[0]["settings"]
