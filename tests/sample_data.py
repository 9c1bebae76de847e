"""Where the tests find the sample datasets: inside the repository, so a fresh clone anywhere has them.

`LLAMAFACTORY` holds LLaMA-Factory's demo datasets (Apache-2.0), some cut to their first rows: see its README.md
for which files, how many rows, and why.
"""

from pathlib import Path

LLAMAFACTORY = Path(__file__).resolve().parent / "data" / "llamafactory"
