"""A form generated from the fields of a typed request (app/core/requests.py), as ConfigForm is from RunConfig.

Titles become labels, descriptions tooltips, bounds and `Literal` choices the editors' ranges and items (the same
`editor_for` as the RunConfig form). Each edit is validated at once against the request with the form's other values
(a check across fields is shown on the field it names) and problems are shown under the form; `request(**fixed)`
validates the whole request with the values the page fills in itself (the run, the file).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.core.config import field_problems
from app.core.requests import R, parse_request
from app.ui.i18n import core_text, schema_text
from app.ui.widgets.config_form import Collapsible
from app.ui.widgets.field_editors import FieldEditor, editor_for


class RequestForm(QWidget):
    """Editors for `fields` of the request model `kind`, starting from `values` (else the fields' defaults).

    `inline`: label and editor pairs in one row (a toolbar of options) instead of a form of rows; `advanced`: more
    fields, in a collapsed "Advanced" part.
    `changed` after every edit; `problems()` names the fields whose value the request refuses.
    """

    changed = Signal()

    def __init__(self, kind: type[R], fields: list[str], values: dict[str, Any] | None = None, *,
                 inline: bool = False, advanced: list[str] | tuple[str, ...] = (), parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = kind
        self.editors: dict[str, FieldEditor] = {}
        self.labels: dict[str, QLabel] = {}
        self._problems: dict[str, str] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        outer.addWidget(self._part(fields, values or {}, inline))
        self.advanced = None
        if advanced:
            self.advanced = Collapsible(self.tr("Advanced"), self._part(list(advanced), values or {}, inline))
            outer.addWidget(self.advanced)
        self.error = QLabel(wordWrap=True, visible=False)
        self.error.setObjectName("fieldError")
        outer.addWidget(self.error)

    def _part(self, fields: list[str], values: dict[str, Any], inline: bool) -> QWidget:
        part = QWidget()
        rows = QHBoxLayout(part) if inline else QFormLayout(part)
        rows.setContentsMargins(0, 0, 0, 0)
        for name in fields:
            info = self.kind.model_fields[name]
            editor = editor_for(info)
            editor.setObjectName(f"{self.kind.command}.{name}")
            label = QLabel(schema_text(info.title) or name, toolTip=schema_text(info.description))
            label.setBuddy(editor.inner)
            editor.set_value(values.get(name, info.get_default(call_default_factory=True)))
            editor.edited.connect(self._edited)
            if inline:  # text takes the room there is; the other editors keep their size
                rows.addWidget(label)
                rows.addWidget(editor, 1 if isinstance(editor.inner, QLineEdit) else 0)
            else:
                rows.addRow(label, editor)
            self.editors[name], self.labels[name] = editor, label
        if inline and not any(isinstance(self.editors[n].inner, QLineEdit) for n in fields):
            rows.addStretch(1)
        return part

    def editor(self, name: str) -> FieldEditor:
        return self.editors[name]

    def values(self) -> dict[str, Any]:
        """The fields' values as edited (disabled editors included: the page decides what they mean)."""
        return {name: editor.value() for name, editor in self.editors.items()}

    def set_values(self, **values: Any) -> None:
        for name, value in values.items():
            editor = self.editors[name]
            editor.inner.blockSignals(True)
            editor.set_value(value)
            editor.inner.blockSignals(False)
        self._validate()

    def problems(self) -> dict[str, str]:
        return dict(self._problems)

    def request(self, **fixed: Any) -> R:
        """The request of the form's values and `fixed` ones (ConfigError naming every refused value)."""
        return parse_request(self.kind, {**self.values(), **fixed})

    def set_editable(self, editable: bool) -> None:
        for editor in self.editors.values():
            editor.inner.setEnabled(editable)

    def _edited(self) -> None:
        self._validate()
        self.changed.emit()

    def _validate(self) -> None:
        """Every field again: an edit can make another field's value wrong, or right (few-shot needs the base)."""
        values = self.values()
        current = self.kind.model_construct(**values)
        for name in values:
            problems = field_problems(self.kind, name, values[name], current, own_only=True)
            self.editors[name].set_invalid(bool(problems))
            if problems:
                self._problems[name] = "; ".join(core_text(problem) for problem in problems)
            else:
                self._problems.pop(name, None)
        self.error.setText("  ".join(f"{self.labels[n].text()}: {p}" for n, p in self._problems.items()))
        self.error.setVisible(bool(self._problems))
