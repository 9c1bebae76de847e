"""Counts in words, one rule for every message that prints one: "1 row", "2 rows", "1,234 rows"."""

from __future__ import annotations


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`count` and the noun that agrees with it; `plural_form` where adding "s" is wrong ("1 entry", "2 entries")."""
    return f"{count:,} {singular if count == 1 else plural_form or singular + 's'}"
