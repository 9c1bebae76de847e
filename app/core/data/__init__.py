"""Datasets: read files, detect and normalise their format, inspect them (the doctor), clean and split them,
tokenise them for training.

Names are imported on first use (PEP 562), so importing a small submodule (the CLI reads clean_options for its
help) does not import the rest. Pure Python at import time: transformers, datasets, pyarrow and numpy are imported
inside the functions that need them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

_EXPORTS = {
    "formats": ("FORMATS", "Detection", "RowProblem", "detect_format", "to_messages"),
    "inspection": ("InspectReport", "inspect_file"),
    "prepare": ("Prepared", "prepare_sft"),
    "problems": ("Problem",),
    "readers": ("SUPPORTED_EXTENSIONS", "Row"),
    "sources": ("read_rows",),
    "templating": ("IGNORE_INDEX", "Encoded", "encode_conversation", "encode_text", "ensure_chat_template"),
    "cleaning": ("CleanActions", "CleanResult", "clean_dataset"),
    "splits": ("SplitResult", "split_dataset"),
}
_WHERE = {name: module for module, names in _EXPORTS.items() for name in names}

__all__ = [
    "FORMATS", "IGNORE_INDEX", "SUPPORTED_EXTENSIONS", "CleanActions", "CleanResult", "Detection", "Encoded",
    "InspectReport", "Prepared", "Problem", "Row", "RowProblem", "SplitResult", "clean_dataset", "detect_format",
    "encode_conversation", "encode_text", "ensure_chat_template", "inspect_file", "prepare_sft", "read_rows",
    "split_dataset", "to_messages",
]


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:
    from .cleaning import CleanActions, CleanResult, clean_dataset
    from .formats import FORMATS, Detection, RowProblem, detect_format, to_messages
    from .inspection import InspectReport, inspect_file
    from .prepare import Prepared, prepare_sft
    from .problems import Problem
    from .readers import SUPPORTED_EXTENSIONS, Row
    from .sources import read_rows
    from .splits import SplitResult, split_dataset
    from .templating import IGNORE_INDEX, Encoded, encode_conversation, encode_text, ensure_chat_template
