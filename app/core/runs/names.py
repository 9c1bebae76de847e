"""Run names: a default derived from the data and the method, made unique among the runs in the store.

A config without a name is named for what it trains ("assistant · lora", "pairs · lora · dpo"); a name that a run
already has gets a suffix (" 2", " 3", ...), so two runs never share one and `get_run(name)` stays unambiguous.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..config import RunConfig

if TYPE_CHECKING:
    from ..store import Store

MAX_LENGTH = 120  # RunConfig.name's bound


def default_name(config: RunConfig) -> str:
    """The data's file (or folder, or hub dataset) name, the method and, beyond SFT, the stage."""
    parts = [Path(config.data.train.rstrip("/\\")).stem or "data", config.method.name]
    if config.training.stage != "sft":
        parts.append(config.training.stage)
    return " · ".join(parts)[:MAX_LENGTH]


def unique_name(name: str, taken: set[str]) -> str:
    """`name`, or `name N` with the smallest N ≥ 2 that no run has (cut to fit MAX_LENGTH)."""
    if name not in taken:
        return name
    number = 2
    while True:
        suffix = f" {number}"
        candidate = name[:MAX_LENGTH - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
        number += 1


def taken_names(store: Store) -> set[str]:
    return {row["name"] for row in store.db.query("SELECT name FROM runs") if row["name"]}


def run_name(config: RunConfig, taken: set[str]) -> str:
    """What a run of `config` is called: its own name or the default, unique among `taken`."""
    return unique_name(config.name or default_name(config), taken)
