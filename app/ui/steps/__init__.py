"""The five steps of the guided flow; each edits its part of the window's RunConfig."""
