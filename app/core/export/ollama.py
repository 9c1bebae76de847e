"""Ollama export: a folder with the GGUF and a `Modelfile` whose TEMPLATE renders the conversation exactly as the
model's own chat template does.

Only ChatML-style templates (`<|im_start|>role\\n...<|im_end|>\\n`) are translated. A template is recognised by what
it renders on probe conversations, not by its source text, so a template that only looks like ChatML is refused.
The Modelfile TEMPLATE uses Ollama's Go-template syntax (`.Messages`, `.Role`, `.Content`); `render_go_template`
is a small interpreter for the subset we generate, used to prove that both templates give the same tokens.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path
from typing import Any

from ..chat.checks import CONVERSATION as CHECK_CONVERSATION
from ..errors import ExportError
from ..messages import Text
from .staging import staged

log = logging.getLogger(__name__)

START, END = "<|im_start|>", "<|im_end|>"
CHATML_TEMPLATE = (
    "{{- range $i, $_ := .Messages }}\n"
    "{{- $last := eq (len (slice $.Messages $i)) 1 -}}\n"
    "<|im_start|>{{ .Role }}\n"
    "{{ .Content }}\n"
    "{{- if or (ne .Role \"assistant\") (not $last) }}<|im_end|>\n"
    "{{ end }}\n"
    "{{- if and $last (ne .Role \"assistant\") }}<|im_start|>assistant\n"
    "{{ end }}\n"
    "{{- end }}"
)
PROBE = [{"role": "system", "content": "S1"}, {"role": "user", "content": "U1"},
         {"role": "assistant", "content": "A1"}, {"role": "user", "content": "U2"}]


def _chatml(messages: list[dict], generation_prompt: bool = True) -> str:
    text = "".join(f"{START}{m['role']}\n{m['content']}{END}\n" for m in messages)
    return text + (f"{START}assistant\n" if generation_prompt else "")


def chatml_default_system(tokenizer: Any) -> str | None:
    """The system prompt the template adds by itself (None if it adds none); ExportError if it is not ChatML."""
    template = getattr(tokenizer, "chat_template", None)
    if not template:
        raise ExportError(Text("The model has no chat template, so an Ollama TEMPLATE cannot be written."),
                          Text("Export the GGUF alone (--gguf) and write the Modelfile's TEMPLATE by hand."))
    try:
        full = tokenizer.apply_chat_template(PROBE, tokenize=False, add_generation_prompt=True)
        bare = tokenizer.apply_chat_template(PROBE[1:2], tokenize=False, add_generation_prompt=True)
    except Exception as exc:  # a template that cannot render the probe is not one we can translate
        raise ExportError(Text("The model's chat template failed on a test conversation: {error}",
                               error=str(exc)),
                          Text("Export the GGUF alone (--gguf) and write the Modelfile's TEMPLATE by hand.")) from exc
    tail = _chatml(PROBE[1:2])
    match = re.fullmatch(re.escape(START) + r"system\n(.*)" + re.escape(END) + r"\n", bare[:-len(tail)], re.S) \
        if bare.endswith(tail) and bare != tail else None
    if full != _chatml(PROBE) or not (bare == tail or match):
        raise ExportError(Text("The model's chat template is not ChatML-style (<|im_start|>role ... "
                               "<|im_end|>), so it cannot be translated to an Ollama TEMPLATE yet."),
                          Text("Export the GGUF alone (--gguf); llama.cpp reads the chat template from the "
                               "file."))
    return match.group(1) if match else None


def stop_tokens(tokenizer: Any) -> list[str]:
    stops = [END, START]
    if tokenizer.eos_token and tokenizer.eos_token not in stops:
        stops.append(tokenizer.eos_token)
    return stops


def _quote(text: str) -> str:
    if '"""' in text:
        raise ExportError(Text("The system prompt contains \"\"\", which a Modelfile cannot quote."),
                          Text("Remove the triple quotes from the system prompt."))
    return f'"""{text}"""'


def modelfile_text(gguf_name: str, tokenizer: Any, system: str | None) -> str:
    default = chatml_default_system(tokenizer)
    system = system if system is not None else default
    lines = [f"FROM ./{gguf_name}", f"TEMPLATE {_quote(CHATML_TEMPLATE)}"]
    lines += [f'PARAMETER stop "{s}"' for s in stop_tokens(tokenizer)]
    if system:
        lines.append(f"SYSTEM {_quote(system)}")
    return "\n".join(lines) + "\n"


def parse_modelfile(text: str) -> dict[str, Any]:
    """FROM, TEMPLATE, SYSTEM and the stop parameters of a Modelfile we wrote."""
    out: dict[str, Any] = {"stop": re.findall(r'^PARAMETER stop "(.*)"$', text, re.M)}
    for key in ("FROM", "TEMPLATE", "SYSTEM"):
        m = re.search(rf'^{key} (?:"""(.*?)"""|([^\n]*))$', text, re.M | re.S)
        out[key.lower()] = (m.group(1) if m.group(1) is not None else m.group(2)) if m else None
    return out


def ollama_messages(messages: list[dict], system: str | None) -> list[dict]:
    """What Ollama hands the template: the Modelfile's SYSTEM first when the conversation has no system message."""
    if system and (not messages or messages[0]["role"] != "system"):
        messages = [{"role": "system", "content": system}, *messages]
    return [{"Role": m["role"], "Content": m["content"]} for m in messages]


def verify_template(tokenizer: Any, modelfile: str, system: str | None = None) -> dict[str, Any]:
    """The Modelfile's TEMPLATE against the model's chat template, token for token, with and without a system
    message; and the stop tokens: present, single tokens, and the end-of-turn token closes every turn."""
    spec = parse_modelfile(modelfile)
    props: dict[str, Any] = {}
    for label, conv in (("with_system", CHECK_CONVERSATION), ("without_system", CHECK_CONVERSATION[1:])):
        hf_conv = conv if (conv[0]["role"] == "system" or system is None) else \
            [{"role": "system", "content": system}, *conv]
        want = tokenizer.apply_chat_template(hf_conv, tokenize=False, add_generation_prompt=True)
        got = render_go_template(spec["template"], {"Messages": ollama_messages(conv, spec["system"]),
                                                    "System": spec["system"] or ""})
        a = tokenizer(want, add_special_tokens=False)["input_ids"]
        b = tokenizer(got, add_special_tokens=False)["input_ids"]
        props[f"template_tokens_{label}"] = len(a)
        props[f"template_match_{label}"] = a == b
    vocab = tokenizer.get_vocab()
    props["stop"] = spec["stop"]
    props["stop_ok"] = bool(spec["stop"]) and all(s in vocab for s in spec["stop"]) and END in spec["stop"]
    props["template_ok"] = props["template_match_with_system"] and props["template_match_without_system"]
    return props


def write_ollama(gguf_file: Path, tokenizer: Any, out: Path, system: str | None = None,
                 run_id: str | None = None) -> Path:
    """An Ollama folder: the GGUF (hard-linked or copied) and a Modelfile; written aside and renamed into place."""
    text = modelfile_text(Path(gguf_file).name, tokenizer, system)
    with staged(Path(out), "ollama", run_id) as tmp:
        target = tmp / Path(gguf_file).name
        try:
            os.link(gguf_file, target)
        except OSError:
            shutil.copy2(gguf_file, target)
        (tmp / "Modelfile").write_text(text, encoding="utf-8")
    return Path(out)


# ---- a small Go text/template interpreter: the subset CHATML_TEMPLATE (and Ollama's simple forms) use ----

_ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.S)
_TOKEN = re.compile(r'\s*("(?:[^"\\]|\\.)*"|\(|\)|:=|,|[^\s(),]+)')


def _lex(template: str) -> list[tuple[str, str]]:
    parts, pos = [], 0
    for m in _ACTION.finditer(template):
        text = template[pos:m.start()]
        if m.group(1):
            text = text.rstrip()
        if parts and parts[-1][0] == "trim":
            parts.pop()
            text = text.lstrip()
        parts.append(("text", text))
        parts.append(("action", m.group(2).strip()))
        if m.group(3):
            parts.append(("trim", ""))
        pos = m.end()
    text = template[pos:]
    if parts and parts[-1][0] == "trim":
        parts.pop()
        text = text.lstrip()
    parts.append(("text", text))
    return parts


def _parse(parts: list, i: int = 0, until: tuple = ()) -> tuple[list, int, str]:
    nodes: list = []
    while i < len(parts):
        kind, value = parts[i]
        i += 1
        if kind == "text":
            nodes.append(("text", value))
            continue
        word = value.split(" ", 1)[0]
        if word in until:
            return nodes, i, value
        if word in ("if", "range"):
            branches, else_body = [], []
            cond = value[len(word):].strip()
            while True:
                body, i, closer = _parse(parts, i, ("else", "end"))
                branches.append((cond, body))
                if closer == "end":
                    break
                if closer.startswith("else if"):
                    cond = closer[len("else if"):].strip()
                    continue
                else_body, i, _ = _parse(parts, i, ("end",))
                break
            nodes.append((word, branches, else_body))
        elif value.startswith("/*"):
            continue
        else:
            nodes.append(("expr", value))
    if until:
        raise ValueError(f"template: missing {{{{ end }}}} (expected one of {until})")
    return nodes, i, ""


def _truthy(v: Any) -> bool:
    return bool(v) if v is not None else False


_FUNCS = {
    "eq": lambda a, *b: any(a == x for x in b), "ne": lambda a, b: a != b, "not": lambda a: not _truthy(a),
    "and": lambda *a: next((x for x in a if not _truthy(x)), a[-1]),
    "or": lambda *a: next((x for x in a if _truthy(x)), a[-1]),
    "len": len, "slice": lambda x, i=0, j=None: x[i:j], "index": lambda x, *k: _index(x, k),
}


def _index(x: Any, keys: tuple) -> Any:
    for k in keys:
        x = x[k]
    return x


class _Scope:
    def __init__(self, root: Any):
        self.root, self.vars, self.dot = root, [{"$": root}], root

    def lookup(self, name: str) -> Any:
        for frame in reversed(self.vars):
            if name in frame:
                return frame[name]
        raise ValueError(f"template: undefined variable {name}")


def _field(obj: Any, path: str) -> Any:
    for key in filter(None, path.split(".")):
        obj = obj.get(key) if isinstance(obj, dict) else getattr(obj, key)
    return obj


def _operand(tok: str, scope: _Scope) -> Any:
    if tok.startswith('"'):
        return bytes(tok[1:-1], "utf-8").decode("unicode_escape")
    if re.fullmatch(r"-?\d+", tok):
        return int(tok)
    if tok in ("true", "false"):
        return tok == "true"
    if tok.startswith("."):
        return _field(scope.dot, tok)
    if tok.startswith("$"):
        name, _, rest = tok.partition(".")
        return _field(scope.lookup(name), rest)
    raise ValueError(f"template: cannot evaluate {tok!r}")


def _eval(tokens: list[str], scope: _Scope) -> Any:
    args, stack = [], []
    for tok in tokens:
        if tok == "(":
            stack.append(args)
            args = []
        elif tok == ")":
            inner, args = args, stack.pop()
            args.append(("value", _call(inner, scope)))
        else:
            args.append(("tok", tok))
    return _call(args, scope)


def _call(args: list, scope: _Scope) -> Any:
    values = [v if k == "value" else None for k, v in args]
    head = args[0]
    if head[0] == "tok" and head[1] in _FUNCS:
        rest = [v if k == "value" else _operand(v, scope) for k, v in args[1:]]
        return _FUNCS[head[1]](*rest)
    if len(args) != 1:
        raise ValueError(f"template: cannot call {head[1]!r}")
    return values[0] if head[0] == "value" else _operand(head[1], scope)


def _tokens(expr: str) -> list[str]:
    return _TOKEN.findall(expr)


def _run(nodes: list, scope: _Scope, out: list[str]) -> None:
    for node in nodes:
        if node[0] == "text":
            out.append(node[1])
        elif node[0] == "expr":
            toks = _tokens(node[1])
            if len(toks) > 2 and toks[1] == ":=":
                scope.vars[-1][toks[0]] = _eval(toks[2:], scope)
            else:
                value = _eval(toks, scope)
                out.append("" if value is None else str(value))
        elif node[0] == "if":
            for cond, body in node[1]:
                if _truthy(_eval(_tokens(cond), scope)):
                    _run(body, scope, out)
                    break
            else:
                _run(node[2], scope, out)
        else:  # range
            toks = _tokens(node[1][0][0])
            names = []
            if ":=" in toks:
                names = [t for t in toks[:toks.index(":=")] if t != ","]
                toks = toks[toks.index(":=") + 1:]
            items = _eval(toks, scope) or []
            if not items:
                _run(node[2], scope, out)
            saved = scope.dot
            for idx, item in enumerate(items):
                frame = dict(zip(names, (idx, item) if len(names) == 2 else (item,), strict=False))
                scope.vars.append(frame)
                scope.dot = item
                _run(node[1][0][1], scope, out)
                scope.vars.pop()
            scope.dot = saved


def render_go_template(template: str, data: dict) -> str:
    """Render `template` (Go text/template subset: if/else if/else/range/end, variables, eq ne and or not len
    slice index, `{{-`/`-}}` trimming) with `data`, the way Ollama would."""
    nodes, _, _ = _parse(_lex(template))
    out: list[str] = []
    _run(nodes, _Scope(data), out)
    return "".join(out)
