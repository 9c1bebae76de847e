"""Datasets: read files, detect and normalise their format, inspect them, tokenise them for training.

Pure Python at import time: transformers, datasets and pyarrow are imported inside the functions that need them.
"""

from .formats import FORMATS, Detection, RowProblem, detect_format, to_messages
from .inspection import InspectReport, inspect_file
from .prepare import Prepared, prepare_sft
from .problems import Problem
from .readers import SUPPORTED_EXTENSIONS, Row, read_rows
from .templating import IGNORE_INDEX, Encoded, encode_conversation, encode_text, ensure_chat_template

__all__ = [
    "FORMATS", "IGNORE_INDEX", "SUPPORTED_EXTENSIONS", "Detection", "Encoded", "InspectReport", "Prepared",
    "Problem", "Row", "RowProblem", "detect_format", "encode_conversation", "encode_text", "ensure_chat_template",
    "inspect_file", "prepare_sft", "read_rows", "to_messages",
]
