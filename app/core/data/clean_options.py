"""What each cleaning action does, in one line: read by CleanActions' fields and by the CLI's help.

Kept apart from cleaning.py (which builds a pydantic model) so that `finetune-studio --help` imports nothing."""

TITLES = {
    "drop_invalid": "Drop invalid rows",
    "fill": "Fill placeholders",
    "trim": "Trim whitespace",
    "dedupe": "Remove duplicates",
    "min_tokens": "Minimum tokens",
    "max_tokens": "Maximum tokens",
}

DESCRIPTIONS = {
    "drop_invalid": "Leave out rows that cannot be parsed or used (without it, such rows stop the cleaning).",
    "fill": "Values for {{name}} placeholders, e.g. {name: Quill, author: Us}; others are left as they are.",
    "trim": "Strip spaces and blank lines around every turn; rows left with an empty turn are dropped.",
    "dedupe": "exact: identical examples; near: also those differing only in case, spacing and punctuation. "
              "The first occurrence is kept.",
    "min_tokens": "Drop examples shorter than this many tokens (chat template included; needs a tokenizer).",
    "max_tokens": "Drop examples longer than this many tokens (chat template included; needs a tokenizer).",
}
