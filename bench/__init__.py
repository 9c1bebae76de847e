"""Benchmarks: scripts that print numbers (`python -m bench.<name>`), not timed tests."""
