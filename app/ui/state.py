"""The one RunConfig the window edits, plus what the steps learn about it (the described model)."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError
from PySide6.QtCore import QObject, Signal

from app.core.config import RunConfig, validation_problems

log = logging.getLogger(__name__)


class StudioState(QObject):
    """Holds the RunConfig every step edits. Steps write through `update`; everyone listens to `config_changed`."""

    config_changed = Signal(object)  # RunConfig
    config_replaced = Signal(object)  # RunConfig: a whole new config (new run, open, preset, clone)
    model_info_changed = Signal(object)  # ModelInfo | None
    chosen_changed = Signal(object)  # {(section, setting): value}: what the automatic settings will be

    def __init__(self, config: RunConfig, parent: QObject | None = None):
        super().__init__(parent)
        self._config = config
        self._model_info = None
        self._device = None
        self._chosen: dict[tuple[str, str], Any] = {}

    @property
    def config(self) -> RunConfig:
        return self._config

    @property
    def model_info(self):
        return self._model_info

    def device(self):
        """The machine's training device (hardware.detect_device: cheap, no torch), detected once."""
        if self._device is None:
            from app.core.hardware import detect_device

            self._device = detect_device()
        return self._device

    def set_config(self, config: RunConfig) -> None:
        self._config = config
        if self._model_info is not None and self._model_info.source != config.model.source:
            self.set_model_info(None)
        self.config_replaced.emit(config)
        self.config_changed.emit(config)

    def set_model_info(self, info) -> None:
        self._model_info = info
        self.model_info_changed.emit(info)

    def set_chosen(self, chosen: dict[tuple[str, str], Any]) -> None:
        """The values the rule chooses for the automatic settings, once the rows have been measured ({} until then
        and whenever the data or the model changes): the memory planner plans with them (`planned_config`)."""
        if chosen != self._chosen:
            self._chosen = dict(chosen)
            self.chosen_changed.emit(self._chosen)

    def planned_config(self) -> RunConfig:
        """The config as the run will train it, for estimates made before it starts: each setting still automatic
        takes the value chosen from the rows when they have been measured (the field's value until then)."""
        config = self._config
        sections = {}
        for name in ("training", "method"):
            section = getattr(config, name)
            values = {k: v for (s, k), v in self._chosen.items() if s == name and k in section.auto}
            if values:
                sections[name] = section.model_copy(update=values)
        return config.model_copy(update=sections) if sections else config

    def update(self, section: str | None, **fields: Any) -> None:
        """Set fields of one section (None: the top level, e.g. `name`). Raises ValidationError if invalid."""
        if section is None:
            merged = {**self._config.model_dump(), **fields}
            new = RunConfig.model_validate(merged)
        else:
            current = getattr(self._config, section)
            data = {**current.model_dump(), **fields}
            if "auto" in data and "auto" not in fields:  # a setting set here is the user's, no longer chosen
                data["auto"] = [name for name in data["auto"] if name not in fields]
            new_section = type(current).model_validate(data)
            new = self._config.model_copy(update={section: new_section})
        if new == self._config:
            return
        self._config = new
        log.debug("config %s updated: %s", section or "run", fields)
        self.config_changed.emit(new)

    def try_update(self, section: str | None, **fields: Any) -> list[str]:
        """Like `update`, but returns the problems (Texts where the core wrote them) instead of raising."""
        try:
            self.update(section, **fields)
        except ValidationError as exc:
            return [msg for _path, msg in validation_problems(exc)]
        return []
