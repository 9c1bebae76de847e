"""Placeholders like `{{name}}` in examples (the identity dataset pattern): find them and fill them in."""

from __future__ import annotations

import re

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}")


def placeholders_in(example: list[dict] | str) -> set[str]:
    """The placeholder names an example uses."""
    texts = [example] if isinstance(example, str) else [m["content"] for m in example]
    return {name for text in texts if "{{" in text for name in PLACEHOLDER.findall(text)}


def fill_text(text: str, values: dict[str, str]) -> str:
    """`text` with each `{{name}}` that has a value replaced; unknown placeholders are left as they are."""
    if "{{" not in text:
        return text
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), text)


def fill(example: list[dict] | str, values: dict[str, str]) -> list[dict] | str:
    if isinstance(example, str):
        return fill_text(example, values)
    return [{**m, "content": fill_text(m["content"], values)} for m in example]
