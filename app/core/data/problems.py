"""Problems found in data files, and the one error that lists them."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import DataError
from ..messages import Text, joined

SHOWN = 20


@dataclass
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def problems_error(problems: list[Problem], total: int | None = None) -> DataError:
    """A DataError listing the first problems as `file:line: message`, then how many more there are."""
    total = len(problems) if total is None else total
    lines = [Text("  {file}:{line}: {message}", file=p.file, line=p.line, message=p.message)
             for p in problems[:SHOWN]]
    if total > len(lines):
        lines.append(Text("  ... and {n} more", n=total - len(lines)))
    rows = Text("row has a problem") if total == 1 else Text("{total} rows have problems", total=total)
    return DataError(
        Text("The data cannot be used as it is: {rows}:\n{lines}", rows=rows, lines=joined("\n", lines)),
        Text("Fix or remove these rows (the file:line tells where), or check the format and column mapping; "
             "`python -m app data inspect FILE` lists every problem."))
