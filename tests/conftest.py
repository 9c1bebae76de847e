"""Shared test setup: an isolated data home per test session, offline hubs, headless Qt, and test models."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# The demo model's conversion (~30 s) is shared by all test sessions of this checkout; runs are not.
os.environ.setdefault("FINETUNE_STUDIO_MODELS", str(Path(__file__).resolve().parents[1] / ".test-cache" / "models"))
# Parallel test processes (pytest-xdist, installers/test.sh) share the cores instead of each using all of them; set
# before torch is imported, and inherited by the workers and CLIs that tests start.
if "PYTEST_XDIST_WORKER_COUNT" in os.environ:
    os.environ.setdefault("OMP_NUM_THREADS",
                          str(max(1, (os.cpu_count() or 1) // int(os.environ["PYTEST_XDIST_WORKER_COUNT"]))))

import pytest  # noqa: E402

# A test that loads or trains a model reaches one through these fixtures, directly or through a fixture built on
# them (evaluated_run, a module's trained run), and is marked `model` here; the few that build a tiny model of their
# own carry the marker by hand. `-m "not model and not e2e"` is the fast lane.
MODEL_FIXTURES = frozenset({"demo_model_dir", "demo_tokenizer", "tiny_model_dir"})


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items):
    for item in items:
        if MODEL_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)


@pytest.fixture(autouse=True, scope="session")
def _studio_home(tmp_path_factory):
    """Runs and the store of tests never touch the user's data home."""
    home = tmp_path_factory.mktemp("studio-home")
    os.environ["FINETUNE_STUDIO_HOME"] = str(home)
    yield home


@pytest.fixture(autouse=True, scope="module")
def _own_home_for_e2e_and_ui(request, tmp_path_factory):
    """End-to-end, GUI and fault-drill modules get a data home of their own, so runs (or a damaged store) left by
    earlier modules cannot change what they see; the core tests share the session's home and its session-wide runs."""
    if request.node.path.parent.name not in ("e2e", "ui", "drills"):
        yield
        return
    old = os.environ["FINETUNE_STUDIO_HOME"]
    os.environ["FINETUNE_STUDIO_HOME"] = str(tmp_path_factory.mktemp(f"home-{request.node.path.stem}"))
    yield
    os.environ["FINETUNE_STUDIO_HOME"] = old


@pytest.fixture(autouse=True)
def _restore_logging():
    """The CLI's main() points the root logger at (captured) stderr; put it back so later tests log normally."""
    import logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(scope="session")
def demo_model_dir() -> Path:
    """The real demo model (SmolLM2-135M-Instruct) as an HF folder."""
    from app.core.models import demo_model_dir as convert

    return convert()


@pytest.fixture(scope="session")
def demo_tokenizer(demo_model_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(demo_model_dir)


@pytest.fixture(scope="session")
def tiny_model_dir(demo_model_dir, tmp_path_factory) -> Path:
    """A tiny random Llama (2 layers, hidden 64) with the demo model's tokenizer and chat template: fast tests."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    out = tmp_path_factory.mktemp("tiny-llama")
    tokenizer = AutoTokenizer.from_pretrained(demo_model_dir)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024, tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    LlamaForCausalLM(config).save_pretrained(out)
    tokenizer.save_pretrained(out)
    return out


@pytest.fixture
def memory_keyring(monkeypatch):
    """An in-memory OS keyring (its `items`), restored afterwards; HF_TOKEN unset."""
    import keyring
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        priority = 1
        items: dict = {}

        def get_password(self, service, username):
            return self.items.get((service, username))

        def set_password(self, service, username, password):
            self.items[(service, username)] = password

        def delete_password(self, service, username):
            del self.items[(service, username)]

    monkeypatch.delenv("HF_TOKEN", raising=False)
    before, memory = keyring.get_keyring(), MemoryKeyring()
    memory.items = {}
    keyring.set_keyring(memory)
    yield memory
    keyring.set_keyring(before)
