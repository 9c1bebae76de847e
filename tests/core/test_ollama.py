"""Ollama Modelfile: the TEMPLATE renders the same tokens as the model's chat template; non-ChatML is refused."""

import pytest

from app.core.errors import ExportError
from app.core.export.ollama import (
    CHATML_TEMPLATE,
    CHECK_CONVERSATION,
    modelfile_text,
    ollama_messages,
    parse_modelfile,
    render_go_template,
    verify_template,
    write_ollama,
)
from app.core.export.staging import read_marker


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model_dir)


def test_template_renders_the_chat_template_token_for_token(tokenizer):
    text = modelfile_text("m.gguf", tokenizer, None)
    spec = parse_modelfile(text)
    assert spec["from"] == "./m.gguf" and spec["template"] == CHATML_TEMPLATE
    assert spec["stop"][0] == "<|im_end|>" and tokenizer.eos_token in spec["stop"]
    assert spec["system"].startswith("You are a helpful AI assistant named SmolLM")  # the template's own default
    got = render_go_template(spec["template"], {"Messages": ollama_messages(CHECK_CONVERSATION, spec["system"])})
    want = tokenizer.apply_chat_template(CHECK_CONVERSATION, tokenize=False, add_generation_prompt=True)
    assert got == want
    assert tokenizer(got)["input_ids"] == tokenizer(want)["input_ids"]
    checks = verify_template(tokenizer, text)
    assert checks["template_ok"] and checks["stop_ok"] and checks["template_tokens_with_system"] > 40


def test_run_system_prompt_becomes_system(tokenizer, tmp_path):
    text = modelfile_text("m.gguf", tokenizer, "You are Quill.")
    assert parse_modelfile(text)["system"] == "You are Quill."
    assert verify_template(tokenizer, text, "You are Quill.")["template_ok"]
    (tmp_path / "m.gguf").write_bytes(b"GGUF")
    out = write_ollama(tmp_path / "m.gguf", tokenizer, tmp_path / "ollama", "You are Quill.")
    assert sorted(p.name for p in out.iterdir()) == [".finetune-studio-export", "Modelfile", "m.gguf"]
    assert read_marker(out)["files"] == ["Modelfile", "m.gguf"] and read_marker(out)["kind"] == "ollama"


def test_non_chatml_template_is_refused(tokenizer):
    import copy

    llama2 = copy.deepcopy(tokenizer)
    llama2.chat_template = ("{% for m in messages %}{% if m['role'] == 'user' %}[INST] {{ m['content'] }} [/INST]"
                            "{% else %}{{ m['content'] }}{% endif %}{% endfor %}")
    with pytest.raises(ExportError, match="not ChatML-style"):
        modelfile_text("m.gguf", llama2, None)
    llama2.chat_template = None
    with pytest.raises(ExportError, match="no chat template"):
        modelfile_text("m.gguf", llama2, None)


def test_broken_template_is_caught_by_the_check(tokenizer):
    text = modelfile_text("m.gguf", tokenizer, None).replace("<|im_end|>\n{{ end }}", "<|im_end|>{{ end }}")
    assert not verify_template(tokenizer, text)["template_ok"]


def test_go_renderer_subset():
    data = {"System": "S", "Prompt": "P", "Messages": [{"Role": "user", "Content": "a"}]}
    assert render_go_template("{{ if .System }}<{{ .System }}>{{ end }}{{ .Prompt }}", data) == "<S>P"
    assert render_go_template("x  {{- if not .System }}no{{ else if .Prompt }}yes{{ else }}z{{ end -}}  y",
                              data) == "xyesy"
    assert render_go_template("{{ range $i, $m := .Messages }}{{ $i }}:{{ $m.Role }}={{ .Content }}{{ end }}",
                              data) == "0:user=a"
    assert render_go_template('{{ if eq (len .Messages) 1 }}one{{ end }}{{ index .Messages 0 "Role" }}', data) \
        == "oneuser"


def test_stop_tokens_that_miss_the_end_of_turn_or_are_not_tokens_fail_the_check(tokenizer):
    text = modelfile_text("m.gguf", tokenizer, None)
    assert verify_template(tokenizer, text)["stop_ok"]
    without_end = text.replace('PARAMETER stop "<|im_end|>"\n', "")
    assert parse_modelfile(without_end)["stop"] and not verify_template(tokenizer, without_end)["stop_ok"]
    not_a_token = text.replace('PARAMETER stop "<|im_start|>"', 'PARAMETER stop "<|im_stop|>"')
    assert not verify_template(tokenizer, not_a_token)["stop_ok"]
    no_stops = "\n".join(line for line in text.splitlines() if not line.startswith("PARAMETER stop"))
    checks = verify_template(tokenizer, no_stops)
    assert checks["stop"] == [] and not checks["stop_ok"] and checks["template_ok"]
