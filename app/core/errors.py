"""Errors a user can cause: each carries a message and a hint saying what to do next."""

from __future__ import annotations

from .messages import Text, joined


class StudioError(Exception):
    """An error the user can fix. The CLI prints it without a traceback; the GUI shows it in place."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\nHint: {self.hint}" if self.hint else self.message

    def to_dict(self) -> dict:
        """The fields of a `finished` event (events.encode adds the templates of a message or hint that is a Text)."""
        return {"error": self.message, "hint": self.hint}


class ConfigError(StudioError):
    """One or more invalid config fields; `problems` lists (field path, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]], hint: str = "", subject: str = ""):
        self.problems = problems
        lines = joined("\n", [Text("  {path}: {message}", path=path, message=msg) for path, msg in problems])
        subject = subject or Text("run config")
        super().__init__(
            Text("The {subject} has 1 problem:\n{lines}", subject=subject, lines=lines) if len(problems) == 1 else
            Text("The {subject} has {n} problems:\n{lines}", subject=subject, n=len(problems), lines=lines),
            hint or Text("Fix the fields listed above (see `finetune-studio train --help` or the form's tooltips)."),
        )


class DataError(StudioError):
    """The dataset cannot be used as it is."""


class Cancelled(StudioError):
    """The user asked to stop; the work ended early on purpose (not a failure)."""

    def __init__(self, message: str = Text("Cancelled."), hint: str = ""):
        super().__init__(message, hint)


class ModelError(StudioError):
    """The model cannot be found or loaded."""


class ExportError(StudioError):
    """An export failed or did not verify."""


class RunNotFound(StudioError):
    """No run with the given id or name."""
