"""A form generated from sections of the RunConfig schema and bound to the window's StudioState.

Titles become labels, descriptions tooltips, ge/gt/le/lt bounds the editors' ranges; fields marked
`json_schema_extra={"advanced": True}` go into a collapsible Advanced part. Every edit is validated alone
(`field_problems`) and shown inline; valid values are written to the state's RunConfig at once.
"""

from __future__ import annotations

import logging

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.config import RunConfig, field_problems
from app.ui.i18n import core_text, schema_text
from app.ui.state import StudioState
from app.ui.widgets.field_editors import FieldEditor, editor_for
from app.ui.widgets.input_rules import set_tab_order

log = logging.getLogger(__name__)

Key = tuple[str | None, str]  # (section name or None for top-level fields, field name)


def section_model(section: str | None) -> type[BaseModel]:
    if section is None:
        return RunConfig
    return RunConfig.model_fields[section].annotation


def section_fields(section: str | None) -> dict[str, FieldInfo]:
    """The editable fields of a section; for None, RunConfig's own non-section fields (the run name)."""
    model = section_model(section)
    fields = model.model_fields
    if section is None:
        return {n: f for n, f in fields.items()
                if not (isinstance(f.annotation, type) and issubclass(f.annotation, BaseModel))}
    return dict(fields)


def is_advanced(field: FieldInfo) -> bool:
    extra = field.json_schema_extra
    return isinstance(extra, dict) and bool(extra.get("advanced"))


def section_title(section: str | None) -> str:
    return QCoreApplication.translate("ConfigForm", "Run") if section is None else \
        schema_text(RunConfig.model_fields[section].title or section.title())


class Collapsible(QWidget):
    """A header button that shows or hides its body."""

    toggled = Signal(bool)

    def __init__(self, title: str, body: QWidget, expanded: bool = False, parent: QWidget | None = None):
        super().__init__(parent)
        self.body = body
        self.button = QToolButton(text=title, checkable=True, checked=expanded)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.button.setAutoRaise(True)
        self.button.setObjectName("collapsibleHeader")
        self.button.toggled.connect(self.set_expanded)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.button)
        layout.addWidget(body)
        self.set_expanded(expanded)

    def set_expanded(self, expanded: bool) -> None:
        self.button.setChecked(expanded)
        self.button.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)
        self.toggled.emit(expanded)

    def is_expanded(self) -> bool:
        return self.button.isChecked()


class _Row:
    def __init__(self, label: QLabel, editor: FieldEditor, error: QLabel, form: QFormLayout):
        self.label, self.editor, self.error, self.form = label, editor, error, form
        self.invalid = False

    def set_visible(self, visible: bool) -> None:
        self.form.setRowVisible(self.label, visible)


class ConfigForm(QWidget):
    """Editors for `sections` of the state's config. `include`/`exclude` pick fields per section.

    `problems_changed(bool)` after each edit: whether any field now shows an error.
    """

    problems_changed = Signal(bool)

    def __init__(self, state: StudioState, sections: list[str | None], *,
                 include: dict[str | None, list[str]] | None = None,
                 exclude: dict[str | None, list[str]] | None = None,
                 columns: int = 1, section_titles: bool = True, advanced_expanded: bool = False,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.state = state
        self.rows: dict[Key, _Row] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        basic, advanced = QWidget(), QWidget()
        # Groups go into `columns` vertical stacks, each group to the stack with the fewest fields so far.
        stacks: list[list[QVBoxLayout]] = []
        for part in (basic, advanced):
            row = QHBoxLayout(part)
            row.setContentsMargins(0, 0, 0, 0)
            row.setSpacing(16)
            stacks.append([QVBoxLayout() for _ in range(columns)])
            for stack in stacks[-1]:
                row.addLayout(stack, 1)
        filled = [[0] * columns, [0] * columns]
        placed: list[tuple[int, int, int, QWidget]] = []  # (part, column, order, group)
        counts = [0, 0]
        for section in sections:
            wanted = section_fields(section)
            if include and section in include:
                wanted = {n: wanted[n] for n in include[section] if n in wanted}
            for name in (exclude or {}).get(section, []):
                wanted.pop(name, None)
            for part in (0, 1):
                fields = {n: f for n, f in wanted.items() if is_advanced(f) == bool(part)}
                if not fields:
                    continue
                column = filled[part].index(min(filled[part]))
                group = self._group(section, fields, section_titles)
                stacks[part][column].addWidget(group)
                placed.append((part, column, len(placed), group))
                filled[part][column] += len(fields) + 2
                counts[part] += 1
        for stack in (*stacks[0], *stacks[1]):
            stack.addStretch(1)
        layout.addWidget(basic)
        basic.setVisible(counts[0] > 0)
        self.advanced = Collapsible(self.tr("Advanced"), advanced, advanced_expanded)
        self.advanced.setVisible(counts[1] > 0)
        layout.addWidget(self.advanced)
        # Tab goes as the eye reads: down a column, then the next; the basic fields, Advanced, then the advanced ones
        # (the groups were made section by section, which alternated the columns and both parts)
        ordered = [group for *_, group in sorted(placed, key=lambda entry: entry[:3])]
        split = sum(1 for entry in placed if entry[0] == 0)
        ordered[split:split] = [self.advanced.button]
        set_tab_order(ordered)
        self.refresh(state.config, force=True)
        state.config_changed.connect(self.refresh)
        state.config_replaced.connect(lambda cfg: self.refresh(cfg, force=True))

    def _group(self, section: str | None, fields: dict[str, FieldInfo], titled: bool) -> QWidget:
        box = QGroupBox(section_title(section)) if titled else QWidget()
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if not titled:
            form.setContentsMargins(0, 0, 0, 0)
        for name, field in fields.items():
            label = QLabel(schema_text(field.title) or name)
            label.setToolTip(schema_text(field.description))
            editor = editor_for(field)
            editor.setObjectName(f"{section or 'run'}.{name}")
            error = QLabel()
            error.setObjectName("fieldError")
            error.setWordWrap(True)
            error.hide()
            holder = QWidget()
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(editor)
            column.addWidget(error)
            form.addRow(label, holder)
            label.setBuddy(editor.inner)
            self.rows[(section, name)] = _Row(label, editor, error, form)
            editor.edited.connect(lambda s=section, n=name: self._edited(s, n))
        return box

    # ---- public ----
    def editor(self, section: str | None, name: str) -> FieldEditor:
        return self.rows[(section, name)].editor

    def error_text(self, section: str | None, name: str) -> str:
        row = self.rows[(section, name)]
        return row.error.text() if row.invalid else ""

    def has_errors(self) -> bool:
        return any(row.invalid for row in self.rows.values())

    def set_field_visible(self, section: str | None, name: str, visible: bool) -> None:
        if (section, name) in self.rows:
            self.rows[(section, name)].set_visible(visible)

    # ---- editing ----
    def _edited(self, section: str | None, name: str) -> None:
        row = self.rows[(section, name)]
        value = row.editor.value()
        config = self.state.config
        problems = field_problems(section_model(section), name, value,
                                  config if section is None else getattr(config, section))
        if not problems:
            problems = self.state.try_update(section, **{name: value})
        self._show(row, problems)
        self.problems_changed.emit(self.has_errors())

    def _show(self, row: _Row, problems: list[str]) -> None:
        row.invalid = bool(problems)
        row.error.setText("; ".join(core_text(problem) for problem in problems))
        row.error.setVisible(row.invalid)
        row.editor.set_invalid(row.invalid)

    def refresh(self, config: RunConfig, force: bool = False) -> None:
        """Show the config's values; editors holding an invalid edit keep it unless `force` (a new config)."""
        for (section, name), row in self.rows.items():
            if row.invalid and not force:
                continue
            value = getattr(config if section is None else getattr(config, section), name)
            if force or row.editor.value() != value:
                row.editor.inner.blockSignals(True)
                row.editor.set_value(value)
                row.editor.inner.blockSignals(False)
            if force:
                self._show(row, [])
