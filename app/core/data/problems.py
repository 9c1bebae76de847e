"""Problems found in data files, and the one error that lists them."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import DataError

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
    lines = [f"  {p}" for p in problems[:SHOWN]]
    if total > len(lines):
        lines.append(f"  ... and {total - len(lines)} more")
    rows = "row has a problem" if total == 1 else f"{total} rows have problems"
    return DataError(
        f"The data cannot be used as it is: {rows}:\n" + "\n".join(lines),
        "Fix or remove these rows (the file:line tells where), or check the format and column mapping; "
        "`python -m app data inspect FILE` lists every problem.")
