"""What every RunConfig section shares: strict fields (unknown keys are errors, assignments re-validated) and the
`advanced` marker that puts a field into the GUI's Advanced part; AutoSection: a section some of whose settings are
chosen from the data and the model when the run starts (auto_settings.py)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator

ADVANCED = {"advanced": True}


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class AutoSection(Section):
    """A section with an `auto` field that names its automatic settings (AUTO: those that can be). A setting the
    config gives, or that is assigned later, is the user's and leaves the list; a config that gives `auto` itself
    (a saved one) is taken as it says."""

    AUTO: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="before")
    @classmethod
    def _given_settings_are_yours(cls, data: Any) -> Any:
        if isinstance(data, dict) and "auto" not in data:
            given = {name for name in cls.AUTO if name in data}
            if given:
                data = {**data, "auto": [name for name in cls.AUTO if name not in given]}
        return data

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name in self.AUTO and name in self.auto:
            super().__setattr__("auto", [setting for setting in self.auto if setting != name])
