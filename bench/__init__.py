"""Benchmarks: scripts that print numbers (`python -m bench.<name>`), not timed tests."""

from pathlib import Path

# The sample datasets the tests read too, in the repository (tests/data/llamafactory/README.md: the rows kept)
SAMPLES = Path(__file__).resolve().parents[1] / "tests" / "data" / "llamafactory"
