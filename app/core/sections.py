"""What every RunConfig section shares: strict fields (unknown keys are errors, assignments re-validated) and the
`advanced` marker that puts a field into the GUI's Advanced part."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

ADVANCED = {"advanced": True}


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)
