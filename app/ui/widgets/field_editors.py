"""One editor widget per pydantic field type, with the field's bounds, title and description applied.

`editor_for(field_info)` picks: bool → check box, int → spin box, float → spin box in %g notation, Literal → combo,
list of Literal → a check box per choice, list[str] → one item per line, dict[str, str] → `key=value, ...`, anything
else → line edit. Optional fields accept empty (spin boxes show "—" at their lowest value). A field's
`json_schema_extra={"special": "all"}` names an int field's lowest value (None for an optional one), or an optional
choice's None, in words;
`{"labels": {choice: words}}` names a list field's choices.
"""

from __future__ import annotations

import functools
import math
import operator
import types
import typing
from typing import Any, Literal

import annotated_types as at
from pydantic.fields import FieldInfo
from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from app.ui.i18n import schema_text

INT_MAX = 2**31 - 1
NONE_TEXT = "—"


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return functools.reduce(operator.or_, rest), True
    return annotation, False


def bounds(field: FieldInfo) -> tuple[float | None, float | None, bool, bool]:
    """(low, high, low_exclusive, high_exclusive) from the field's ge/gt/le/lt constraints."""
    low = high = None
    low_ex = high_ex = False
    for meta in field.metadata:
        if isinstance(meta, at.Ge):
            low = meta.ge
        elif isinstance(meta, at.Gt):
            low, low_ex = meta.gt, True
        elif isinstance(meta, at.Le):
            high = meta.le
        elif isinstance(meta, at.Lt):
            high, high_ex = meta.lt, True
    return low, high, low_ex, high_ex


class FieldEditor(QWidget):
    """A field's editor: `value()`, `set_value(v)` and `edited` when the user changes it."""

    edited = Signal()

    def __init__(self, inner: QWidget, parent: QWidget | None = None):
        super().__init__(parent)
        self.inner = inner
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(inner)

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def set_invalid(self, invalid: bool) -> None:
        self.inner.setProperty("invalid", invalid)
        self.inner.style().unpolish(self.inner)
        self.inner.style().polish(self.inner)


class BoolEditor(FieldEditor):
    def __init__(self, field: FieldInfo):
        super().__init__(QCheckBox())
        self.inner.toggled.connect(self.edited)

    def value(self) -> bool:
        return self.inner.isChecked()

    def set_value(self, value: Any) -> None:
        self.inner.setChecked(bool(value))


class IntEditor(FieldEditor):
    def __init__(self, field: FieldInfo, optional: bool):
        box = QSpinBox()
        low, high, low_ex, high_ex = bounds(field)
        low = -INT_MAX if low is None else int(low) + (1 if low_ex else 0)
        high = INT_MAX if high is None else int(high) - (1 if high_ex else 0)
        self.optional = optional
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        if optional:
            low -= 1
        if optional or "special" in extra:
            box.setSpecialValueText(schema_text(str(extra.get("special", NONE_TEXT))))
        box.setRange(low, high)
        box.setAccelerated(True)
        super().__init__(box)
        box.valueChanged.connect(self.edited)

    def value(self) -> int | None:
        if self.optional and self.inner.value() == self.inner.minimum():
            return None
        return self.inner.value()

    def set_value(self, value: Any) -> None:
        self.inner.setValue(self.inner.minimum() if value is None else int(value))


class FloatSpinBox(QDoubleSpinBox):
    """A double spin box that shows and accepts %g notation (2e-05), so learning rates stay readable."""

    def __init__(self):
        super().__init__()
        self.setDecimals(12)
        self.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        try:
            value = float(text)
        except ValueError:
            partial = text.strip().lower()
            ok = partial in ("", "-", ".", "-.") or partial.endswith(("e", "e-", "e+"))
            return QValidator.State.Intermediate if ok else QValidator.State.Invalid, text, pos
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos


class FloatEditor(FieldEditor):
    """An optional one shows "—" (None) at its lowest value: an exclusive lower bound (gt=0), else one below it."""

    def __init__(self, field: FieldInfo, optional: bool = False):
        box = FloatSpinBox()
        low, high, low_ex, high_ex = bounds(field)
        self.optional = optional
        if optional:
            low = -1e12 if low is None else float(low) - (0 if low_ex else 1)
            box.setSpecialValueText(schema_text(NONE_TEXT))
        else:
            low = -1e12 if low is None else float(low)
            if low_ex:
                low = math.nextafter(low, math.inf) if low != 0 else 1e-12
        high = 1e12 if high is None else float(high)
        if high_ex:
            high = math.nextafter(high, -math.inf)
        box.setRange(low, high)
        super().__init__(box)
        box.valueChanged.connect(self.edited)

    def value(self) -> float | None:
        if self.optional and self.inner.value() == self.inner.minimum():
            return None
        return self.inner.value()

    def set_value(self, value: Any) -> None:
        self.inner.setValue(self.inner.minimum() if value is None else float(value))


def choice_text(choice: Any) -> str:
    """A choice as its combo box reads it: a bool among words ("auto", True, False) "on" / "off", a word translated."""
    if isinstance(choice, bool):
        return QCoreApplication.translate("ChoiceEditor", "on") if choice else \
            QCoreApplication.translate("ChoiceEditor", "off")
    return schema_text(str(choice))


class ChoiceEditor(FieldEditor):
    """A `Literal`; an optional one starts with its None, named by the field's `special` word (else "default")."""

    def __init__(self, choices: tuple, none_text: str | None = None):
        combo = QComboBox()
        self.choices = ([None] if none_text is not None else []) + list(choices)
        for choice in self.choices:
            combo.addItem(schema_text(none_text) if choice is None else choice_text(choice))
        super().__init__(combo)
        combo.currentIndexChanged.connect(self.edited)

    def value(self) -> Any:
        return self.choices[self.inner.currentIndex()]

    def set_value(self, value: Any) -> None:
        if value in self.choices:
            self.inner.setCurrentIndex(self.choices.index(value))


class TextEditor(FieldEditor):
    """str, str | None and `str | list[str]` (comma-separated: a list, one word: a string)."""

    def __init__(self, field: FieldInfo, optional: bool, accepts_list: bool):
        edit = QLineEdit()
        self.optional = optional
        self.accepts_list = accepts_list
        if optional:
            edit.setPlaceholderText(self.tr("(empty)"))
        super().__init__(edit)
        edit.textEdited.connect(self.edited)

    def value(self) -> Any:
        text = self.inner.text().strip()
        if self.optional and not text:
            return None
        if self.accepts_list and "," in text:
            return [part.strip() for part in text.split(",") if part.strip()]
        return text

    def set_value(self, value: Any) -> None:
        text = ", ".join(value) if isinstance(value, list) else ("" if value is None else str(value))
        self.inner.setText(text)


class ChecksEditor(FieldEditor):
    """A list of `Literal` choices: a check box per choice, the ticked ones in the choices' order."""

    def __init__(self, choices: tuple, labels: dict[str, str]):
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        self.boxes = {choice: QCheckBox(schema_text(labels.get(choice, str(choice)))) for choice in choices}
        for box in self.boxes.values():
            layout.addWidget(box)
        layout.addStretch(1)
        super().__init__(row)
        for box in self.boxes.values():
            box.toggled.connect(self.edited)

    def value(self) -> list:
        return [choice for choice, box in self.boxes.items() if box.isChecked()]

    def set_value(self, value: Any) -> None:
        for choice, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(choice in (value or []))
            box.blockSignals(False)


class ListEditor(FieldEditor):
    """list[str]: one item per line."""

    def __init__(self):
        edit = QPlainTextEdit()
        edit.setPlaceholderText(self.tr("one per line"))
        edit.setFixedHeight(64)
        edit.setTabChangesFocus(True)  # Tab goes on to the next field (an item holds no tab)
        super().__init__(edit)
        edit.textChanged.connect(self.edited)

    def value(self) -> list[str]:
        return [line.strip() for line in self.inner.toPlainText().splitlines() if line.strip()]

    def set_value(self, value: Any) -> None:
        text = "\n".join(value or [])
        if text != self.inner.toPlainText():
            self.inner.setPlainText(text)


class MappingEditor(FieldEditor):
    """dict[str, str] as `key=value, key=value`; an optional one is None when empty."""

    def __init__(self, optional: bool):
        edit = QLineEdit()
        edit.setPlaceholderText(self.tr("question=instruction, answer=output"))
        self.optional = optional
        super().__init__(edit)
        edit.textEdited.connect(self.edited)

    def value(self) -> dict[str, str] | None:
        if self.optional and not self.inner.text().strip():
            return None
        out = {}
        for part in self.inner.text().split(","):
            key, sep, val = part.partition("=")
            if key.strip():
                out[key.strip()] = val.strip() if sep else ""
        return out

    def set_value(self, value: Any) -> None:
        self.inner.setText(", ".join(f"{k}={v}" for k, v in (value or {}).items()))


def editor_for(field: FieldInfo) -> FieldEditor:
    annotation, optional = _unwrap_optional(field.annotation)
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    if annotation is bool:
        editor = BoolEditor(field)
    elif annotation is int:
        editor = IntEditor(field, optional)
    elif annotation is float:
        editor = FloatEditor(field, optional)
    elif origin is Literal:
        editor = ChoiceEditor(args, str(extra.get("special", "default")) if optional else None)
    elif origin is list and args and typing.get_origin(args[0]) is Literal:
        editor = ChecksEditor(typing.get_args(args[0]), extra.get("labels", {}))
    elif origin is list:
        editor = ListEditor()
    elif origin is dict:
        editor = MappingEditor(optional)
    else:
        accepts_list = origin in (typing.Union, types.UnionType) and any(typing.get_origin(a) is list for a in args)
        editor = TextEditor(field, optional, accepts_list)
    if field.description:
        editor.setToolTip(schema_text(field.description))
    return editor
