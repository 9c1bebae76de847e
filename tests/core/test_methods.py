"""Every method on a tiny random Llama: it applies, trains 3 steps with a finite loss, exports, and the analytic
trainable count shown before a run matches the real one. Plus what each special method promises."""

import json
import math

import pytest
from transformers import TrainerCallback

from app.core.config import MethodConfig, parse_config
from app.core.errors import StudioError
from app.core.events import ListSink, StopFlag
from app.core.methods import METHODS, apply_method, count_parameters, loraplus_optimizer, trainable_parameters
from app.core.models import describe_model
from app.core.training import engine

# numbers hold in bf16 and in fp32: installers/test.sh runs this module in both (the precision lane)
pytestmark = pytest.mark.precision_lane

ROWS = [("What is the capital of France?", "Paris."), ("Name a primary colour.", "Red."), ("What is 2 plus 2?", "4.")]
TRAINABLE = [name for name in METHODS if name != "bias"]  # the tiny Llama has no biases: see the test below
# alpha and dropout as they were before settings were chosen from the data (issue #23 picks alpha 2 x rank = 8 here,
# which moves a 3-step run too little to show the loss falling)
SMALL = {"rank": 4, "alpha": 32.0, "dropout": 0.05, "adalora_target_rank": 2, "num_virtual_tokens": 4,
         "freeze_trainable_layers": 1}


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny matrices: one thread is as fast alone and several times faster on a busy machine."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def chat_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("methods-data") / "chat.jsonl"
    with path.open("w") as fh:
        for i in range(12):
            q, a = ROWS[i % len(ROWS)]
            fh.write(json.dumps({"messages": [{"role": "user", "content": q},
                                              {"role": "assistant", "content": a}]}) + "\n")
    return path


@pytest.fixture(scope="module")
def tiny_info(tiny_model_dir):
    return describe_model(str(tiny_model_dir))


def load(folder):
    import torch
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)


def config_for(model_dir, data, name, exported=True, **method):
    return parse_config({
        "name": f"tiny-{name}",
        "model": {"source": str(model_dir)},
        "data": {"train": str(data), "validation_split": 0.0},
        "method": {"name": name, **SMALL, **method},
        "training": {"max_steps": 3, "batch_size": 4, "max_length": 64, "learning_rate": 5e-3,
                     "save_steps": 100, "warmup_ratio": 0.0, "lr_scheduler": "constant"},
        "evaluation": {"sample_prompts": []},
        "export": {"merged": exported, "adapter": True, "dtype": "fp32", "verify": exported},
    })


class TrainedBatch(TrainerCallback):
    """The trainable weights and the loss on the run's first training rows (the answer tokens, dropout off), as
    training begins and as it ends."""

    def __init__(self, rows):
        self.rows, self.weights, self.losses = rows, [], []

    def measure(self, model, tokenizer):
        import torch

        ids, labels = [], []
        for question, answer in self.rows:
            prompt = tokenizer.apply_chat_template([{"role": "user", "content": question}], add_generation_prompt=True,
                                                   return_dict=True)["input_ids"]
            full = tokenizer.apply_chat_template([{"role": "user", "content": question},
                                                  {"role": "assistant", "content": answer}], return_dict=True)["input_ids"]
            ids.append(full), labels.append([-100] * len(prompt) + full[len(prompt):])
        was_training, loss = model.training, 0.0
        model.eval()
        with torch.no_grad():
            for row, label in zip(ids, labels, strict=True):
                loss += model(input_ids=torch.tensor([row]), labels=torch.tensor([label])).loss.item() / len(ids)
        model.train(was_training)
        self.losses.append(loss)
        self.weights.append({n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad})

    def on_train_begin(self, args, state, control, model=None, processing_class=None, **kwargs):
        self.measure(model, processing_class)

    def on_train_end(self, args, state, control, model=None, processing_class=None, **kwargs):
        self.measure(model, processing_class)


@pytest.mark.parametrize("name", TRAINABLE)
def test_each_method_trains_three_steps_and_exports(tiny_model_dir, chat_file, tiny_info, name, monkeypatch):
    """Each method moves its trainable weights, lowers the loss on the rows it trained on, and exports verified
    (fp32: a merged export must score like the trained model to 1e-3)."""
    import torch

    allocations = []
    if name == "adalora":
        from peft.tuners.adalora.model import AdaLoraModel

        original = AdaLoraModel.update_and_allocate
        monkeypatch.setattr(AdaLoraModel, "update_and_allocate",
                            lambda self, step: (allocations.append(step), original(self, step))[1])
    config = config_for(tiny_model_dir, chat_file, name)
    sink, watch = ListSink(), TrainedBatch(ROWS)
    result = engine.run(config, sink, StopFlag(), callbacks=[watch])
    assert result.status == "completed", result.error
    losses = [e["metrics"]["loss"] for e in sink.of("metrics") if "loss" in e["metrics"]]
    assert len(losses) == 3 and all(math.isfinite(v) for v in losses), losses
    assert sink.of("started")[0]["trainable_params"] == trainable_parameters(tiny_info, config.method)
    before, after = watch.weights
    assert before and before.keys() == after.keys()
    unmoved = [n for n in before if torch.equal(before[n], after[n])
               and not (name == "adalora" and ".lora_E." in n)]  # AdaLoRA zeroes (its init) the ranks it prunes
    assert not unmoved, f"{name}: trainable weights that did not move: {unmoved}"
    assert watch.losses[1] < watch.losses[0], watch.losses
    kinds = {e["kind"] for e in sink.of("artifact")}
    spec = METHODS[name]
    if not spec.uses_adapter:
        assert kinds == {"merged"}
    elif spec.mergeable:
        assert kinds == {"adapter", "merged"}
    else:
        assert kinds == {"adapter"}
        assert any("cannot be merged" in e["message"] for e in sink.of("warning"))
    for artifact in sink.of("artifact"):  # verified (the check's report is there) and within its rule (parity.py)
        props = artifact["properties"]
        assert props["parity_ok"] and props["max_abs_diff"] <= props["tolerance"], artifact
    if name == "adalora":
        assert allocations == [0, 1, 2]  # after every optimizer step, with the trainer's step


@pytest.mark.parametrize("name", [*TRAINABLE])
def test_analytic_trainable_count_matches_the_real_one(tiny_model_dir, tiny_info, name):
    if name == "qlora":
        pytest.skip("4-bit loading is covered by the engine run above")
    for extra in ({}, {"freeze_trainable_layers": 0, "freeze_modules": ["mlp", "lm_head"]}):
        method = MethodConfig(name=name, **{**SMALL, **extra})
        model = apply_method(load(tiny_model_dir), method, total_steps=10)
        trainable, total = count_parameters(model)
        assert trainable == trainable_parameters(tiny_info, method) > 0
        if name == "full":
            assert trainable == total == tiny_info.num_parameters
        if name != "freeze":
            break


def test_freeze_trains_only_the_last_layers_and_named_modules(tiny_model_dir):
    model = apply_method(load(tiny_model_dir), MethodConfig(name="freeze", freeze_trainable_layers=1,
                                                            freeze_modules=["norm"]))
    trained = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trained == {n for n, _ in model.named_parameters()
                       if n.startswith("model.layers.1.") or n == "model.norm.weight"}
    with pytest.raises(StudioError, match="has 2 layers"):
        apply_method(load(tiny_model_dir), MethodConfig(name="freeze", freeze_trainable_layers=3))
    with pytest.raises(StudioError, match="attn_typo"):
        apply_method(load(tiny_model_dir), MethodConfig(name="freeze", freeze_modules=["attn_typo"]))


def test_loraplus_gives_b_a_higher_learning_rate(tiny_model_dir):
    from app.core.config import TrainingConfig

    method = MethodConfig(name="loraplus", rank=4, loraplus_lr_ratio=16)
    model = apply_method(load(tiny_model_dir), method)
    optimizer = loraplus_optimizer(model, method, TrainingConfig(learning_rate=1e-4))
    names = {id(p): n for n, p in model.named_parameters()}
    lr_of = {names[id(p)]: g["lr"] for g in optimizer.param_groups for p in g["params"]}
    b = {lr for n, lr in lr_of.items() if "lora_B" in n}
    a = {lr for n, lr in lr_of.items() if "lora_A" in n}
    assert a == {1e-4} and len(b) == 1 and b.pop() == pytest.approx(16e-4)
    assert loraplus_optimizer(model, MethodConfig(name="lora"), TrainingConfig()) is None


def test_bias_only_on_a_model_without_biases_says_what_to_choose(tiny_model_dir, chat_file):
    sink = ListSink()
    result = engine.run(config_for(tiny_model_dir, chat_file, "bias", exported=False), sink, StopFlag())
    assert result.status == "failed"
    assert result.error == "This model has no bias parameters; choose LN tuning or LoRA."


@pytest.mark.model  # builds its own tiny model
def test_bias_only_trains_the_biases_of_a_model_that_has_them(tmp_path):
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(vocab_size=128, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=True)
    torch.manual_seed(0)
    Qwen2ForCausalLM(config).save_pretrained(tmp_path)
    method = MethodConfig(name="bias")
    model = apply_method(load(tmp_path), method)
    trained = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trained and all(n.endswith(".bias") for n in trained)
    assert count_parameters(model)[0] == trainable_parameters(describe_model(str(tmp_path)), method)


def test_method_settings_are_config_fields_and_cards_are_complete():
    fields = MethodConfig.model_fields
    for spec in METHODS.values():
        assert spec.title and spec.what and spec.when and spec.cost and spec.family
        assert all(s in fields and fields[s].title and fields[s].description for s in spec.settings), spec.name
    assert set(METHODS) == set(fields["name"].annotation.__args__)


def test_a_run_continues_the_adapter_of_a_previous_run(tiny_model_dir, chat_file):
    first_sink, second_sink = ListSink(), ListSink()
    first = engine.run(config_for(tiny_model_dir, chat_file, "lora", exported=False), first_sink)
    assert first.status == "completed"
    second = engine.run(config_for(tiny_model_dir, chat_file, "lora", exported=False, rank=8,
                                   init_adapter=first.run_id), second_sink)  # rank: the adapter's own applies
    assert second.status == "completed", second.error

    def step_losses(sink):
        return [e["metrics"]["loss"] for e in sink.of("metrics") if "loss" in e["metrics"]]

    # Same seed, same batches: the continued adapter starts where the first run ended, below a fresh start.
    assert step_losses(second_sink)[0] < step_losses(first_sink)[0]
    assert step_losses(second_sink)[0] < step_losses(first_sink)[-1] + 0.05
    started = second_sink.of("started")[0]
    assert started["trainable_params"] == first_sink.of("started")[0]["trainable_params"]  # rank 4, not 8


def test_continuing_an_adapter_checks_its_type_and_source(tiny_model_dir, tmp_path):
    from peft import LoraConfig, get_peft_model

    from app.core.methods import resolve_adapter
    from app.core.store import Store

    folder = tmp_path / "adapter"
    get_peft_model(load(tiny_model_dir), LoraConfig(r=2, target_modules=["q_proj"])).save_pretrained(folder)
    assert resolve_adapter(str(folder), Store()) == folder
    model = apply_method(load(tiny_model_dir), MethodConfig(name="lora"), init_adapter=folder)
    assert count_parameters(model)[0] == 2 * 2 * (64 + 64)  # 2 layers × (A + B) of q_proj at r=2
    with pytest.raises(StudioError, match="LORA adapter"):
        apply_method(load(tiny_model_dir), MethodConfig(name="ia3"), init_adapter=folder)
    with pytest.raises(StudioError, match="neither an adapter folder nor a run"):
        resolve_adapter("no-such-run-or-folder", Store())
    store = Store()
    store.create_run("run-a", name="same-name", config_yaml="", model="m", method="lora", stage="sft", versions="{}")
    with pytest.raises(StudioError, match="this run itself"):
        resolve_adapter("same-name", store, current_run="run-a")
    with pytest.raises(StudioError, match="has no adapter"):
        resolve_adapter("run-a", store)
    with pytest.raises(ValueError, match="trains the model's own weights"):
        MethodConfig(name="full", init_adapter=str(folder))
