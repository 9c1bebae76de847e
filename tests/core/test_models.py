import pytest

from app.core.errors import ModelError
from app.core.models import describe_model, model_dir, resolve_source


def test_resolve_sources(tiny_model_dir, tmp_path):
    assert resolve_source("demo") == ("demo", "demo")
    assert resolve_source(str(tiny_model_dir))[0] == "local"
    assert resolve_source("HuggingFaceTB/SmolLM2-360M-Instruct") == ("hub", "HuggingFaceTB/SmolLM2-360M-Instruct")
    with pytest.raises(ModelError, match="GGUF file not found"):
        resolve_source(str(tmp_path / "missing.gguf"))
    with pytest.raises(ModelError, match="neither"):
        resolve_source("not a model at all")


def test_a_folder_that_is_not_a_model_says_what_to_choose(tmp_path):
    (tmp_path / "weights.gguf").write_bytes(b"GGUF")
    with pytest.raises(ModelError) as info:
        model_dir(str(tmp_path))
    assert "no config.json" in info.value.message and "weights.gguf" in info.value.hint


def test_offline_hub_download_explains_how_to_use_a_local_folder(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelError) as info:
        model_dir("HuggingFaceTB/SmolLM2-360M-Instruct")
    assert "local" in info.value.hint and "folder" in info.value.hint


def test_demo_model_is_converted_once_with_a_chat_template(demo_model_dir):
    info = describe_model("demo")
    assert info.architecture == "LlamaForCausalLM" and info.num_layers == 30
    assert info.num_parameters == 134_515_008 and info.has_chat_template and info.context_length == 8192
    assert (demo_model_dir / "model.safetensors").exists()
    assert "quantization_config" not in (demo_model_dir / "config.json").read_text()


def test_demo_tokenizer_splits_numbers_into_digits_as_smollm_was_trained(demo_tokenizer):
    tokens = demo_tokenizer.tokenize("In 2024 there were 12345 cats.")
    assert ["1", "2", "3", "4", "5"] == tokens[tokens.index("Ġwere") + 2:tokens.index("Ġcats")]


def test_two_conversions_of_one_gguf_run_one_after_the_other_and_convert_once(tmp_path, monkeypatch):
    import json
    import threading
    import time

    from app.core import models

    spans = []

    def slow_convert(gguf_file, out_dir, progress):
        start = time.monotonic()
        time.sleep(0.3)
        out_dir.mkdir(parents=True)
        (out_dir / models._COMPLETE).write_text(json.dumps({"version": models.CONVERSION_VERSION}))
        spans.append((start, time.monotonic()))
        return out_dir

    monkeypatch.setattr(models, "_convert_gguf", slow_convert)
    out = tmp_path / "cache" / "demo"
    results = []
    threads = [threading.Thread(target=lambda: results.append(models.convert_gguf(tmp_path / "m.gguf", out)))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [out, out]
    assert len(spans) == 1  # the second waited for the first and found the folder converted
