"""Pieces of the Data step: the raw-rows table, the column mapping editor, and the rendered-example preview."""

from __future__ import annotations

import html
import itertools
import json
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.config import DataConfig
from app.ui.i18n import schema_text

PREVIEW_ROWS = 50
# One numbering wherever rows are shown or named (this table, the doctor's problems, file:line messages, augment's
# "from line N"): the file's own line, as an editor shows it, so a CSV's first row is line 2 (its header is line 1);
# a JSON array's or Parquet file's record number.
LINE_RULE = QT_TRANSLATE_NOOP("DataPreview", "Numbered by the file's own lines, as an editor shows them (a CSV's header is line 1, so its first row is " \
            "line 2); records of a JSON array or Parquet file by their position.")
CELL_CHARS = 160

# The names each format reads (targets offered by the column mapping; the data module defines the formats).
FORMAT_COLUMNS = {
    "messages": ["messages"],
    "sharegpt": ["conversations"],
    "alpaca": ["instruction", "input", "output", "system"],
    "prompt_completion": ["prompt", "completion"],
    "text": ["text"],
}
KEEP = QT_TRANSLATE_NOOP("ColumnMapping", "(as is)")


def format_name(fmt: str) -> str:
    """A data format as the format boxes name it: what its rows hold, in the window's language, with the id that
    configs and the CLI use."""
    names = {
        "auto": QCoreApplication.translate("DataStep", "Detect it (auto)"),
        "messages": QCoreApplication.translate("DataStep", "Chat messages (messages)"),
        "sharegpt": QCoreApplication.translate("DataStep", "ShareGPT conversations (sharegpt)"),
        "alpaca": QCoreApplication.translate("DataStep", "Instruction and output (alpaca)"),
        "prompt_completion": QCoreApplication.translate("DataStep", "Prompt and completion (prompt_completion)"),
        "text": QCoreApplication.translate("DataStep", "Plain text (text)"),
        "preference": QCoreApplication.translate("DataStep", "Chosen and rejected answers (preference)"),
        "kto": QCoreApplication.translate("DataStep", "Answers labelled good or bad (kto)"),
        "classification": QCoreApplication.translate("DataStep", "Texts and their classes (classification)"),
        "prompt": QCoreApplication.translate("DataStep", "Prompts only (prompt)"),
    }
    return names.get(fmt, fmt)


def source_exists(path: str) -> bool:
    """A local file or folder, or a hub dataset id (downloaded when read)."""
    from pathlib import Path

    from app.core.data.sources import is_hub_id

    return Path(path).exists() or is_hub_id(path)


def first_rows(path: str, limit: int = PREVIEW_ROWS, start: int = 0) -> list:
    """`limit` rows of a file from the `start`-th (0-based; a page of the preview), as `Row(line, data, error)`."""
    from app.core.data import read_rows

    return list(itertools.islice(read_rows(path), start, start + limit))


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.replace("\n", " ⏎ ")
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"


def fill_rows_table(table: QTableWidget, rows: list) -> None:
    """Raw rows, one per line of the table, with the file's line numbers; unreadable lines show their error."""
    columns = list(dict.fromkeys(k for row in rows if row.data for k in row.data))
    table.clear()
    table.setColumnCount(max(1, len(columns)))
    table.setHorizontalHeaderLabels(columns or ["(no columns)"])
    table.setRowCount(len(rows))
    table.setVerticalHeaderLabels([str(row.line) for row in rows])
    for r, row in enumerate(rows):
        if row.data is None:
            table.setItem(r, 0, QTableWidgetItem(f"⚠ {row.error}"))
            continue
        for c, name in enumerate(columns):
            if name in row.data:
                item = QTableWidgetItem(_cell(row.data[name]))
                item.setToolTip(_cell(row.data[name]) if len(str(row.data[name])) < 2000 else "")
                table.setItem(r, c, item)
    table.horizontalHeader().setStretchLastSection(True)
    table.resizeColumnsToContents()
    for c in range(table.columnCount()):
        table.setColumnWidth(c, min(table.columnWidth(c), 360))


class RenderedExample(QWidget):
    """One example through the chat template, chosen by number, its trained tokens highlighted."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.spin = QSpinBox(minimum=1, maximum=1)
        self.spin.setPrefix(self.tr("Example "))
        legend = QLabel(self.tr("Highlighted tokens are the ones the model is trained on (loss); the rest "
                                "is context."))
        legend.setObjectName("detail")
        top.addWidget(self.spin)
        top.addWidget(legend, 1)
        layout.addLayout(top)
        self.note = QLabel()  # a system prompt the chat template adds by itself: said, with where it comes from
        self.note.setObjectName("notice")
        self.note.setWordWrap(True)
        self.note.hide()
        layout.addWidget(self.note)
        self.view = QTextBrowser()
        layout.addWidget(self.view, 1)

    def show_default_system(self, model: str, prompt: str | None) -> None:
        """Say that the example shows `prompt`, the system prompt `model`'s chat template adds (None: it adds none)."""
        self.note.setVisible(prompt is not None)
        if prompt is not None:
            field = schema_text(DataConfig.model_fields["system_prompt"].title)
            name = self.tr("the demo model") if model == "demo" else html.escape(model)
            self.note.setText(
                self.tr("This example has no system message, "
                        "so the chat template of {name} adds its own default: “{escape}”. Every example "
                        "without one is trained with it (as context, not learned). To use another, set "
                        "{field} under Advanced above, or give your rows a system message.").format(name=name, escape=html.escape(prompt), field=field))


class RowsPager(QWidget):
    """The raw rows, a page (PREVIEW_ROWS) at a time, with Previous/Next; `page_requested(n)` asks for page n."""

    page_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.page = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.prev_button = QPushButton(self.tr("◀ Previous"))
        self.next_button = QPushButton(self.tr("Next ▶"))
        self.prev_button.clicked.connect(lambda: self.page_requested.emit(self.page - 1))
        self.next_button.clicked.connect(lambda: self.page_requested.emit(self.page + 1))
        self.label = QLabel()
        self.label.setObjectName("detail")
        bar.addWidget(self.prev_button)
        bar.addWidget(self.next_button)
        bar.addWidget(self.label, 1)
        layout.addLayout(bar)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        layout.addWidget(self.table, 1)

    def show_rows(self, rows: list, page: int, total: int | None) -> None:
        self.page = page
        fill_rows_table(self.table, rows)
        first = page * PREVIEW_ROWS + 1
        last = first + len(rows) - 1
        shown = self.tr("Rows {first:,}–{last:,} of {total:,}").format(first=first, last=last, total=total) if total \
            else self.tr("Rows {first:,}–{last:,}").format(first=first, last=last)
        self.label.setText(self.tr("{shown} · numbered by file line").format(shown=shown) if rows else self.tr("No rows"))
        self.label.setToolTip(QCoreApplication.translate("DataPreview", LINE_RULE))
        self.table.verticalHeader().setToolTip(QCoreApplication.translate("DataPreview", LINE_RULE))
        self.prev_button.setEnabled(page > 0)
        self.next_button.setEnabled(len(rows) == PREVIEW_ROWS and (total is None or first + len(rows) <= total))


class ColumnMapping(QWidget):
    """One combo per file column: keep it, or rename it to a name the chosen format reads."""

    changed = Signal(dict)  # {their_column: format_name}

    def __init__(self, tab_after: QWidget | None = None, parent: QWidget | None = None):
        """`tab_after`: the field before this one on screen, which Tab goes from to the combos."""
        super().__init__(parent)
        self.tab_after = tab_after
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(10)
        self.combos: dict[str, QComboBox] = {}

    def set_columns(self, columns: list[str], fmt: str, mapping: dict[str, str]) -> None:
        while self.grid.count():
            self.grid.takeAt(0).widget().deleteLater()
        self.combos = {}
        targets = FORMAT_COLUMNS.get(fmt, sorted({n for names in FORMAT_COLUMNS.values() for n in names}))
        for i, column in enumerate(columns):
            combo = QComboBox()
            combo.addItem(self.tr(KEEP))
            combo.addItems([t for t in targets if t != column])
            current = mapping.get(column)
            if current and combo.findText(current) < 0:
                combo.addItem(current)
            combo.setCurrentText(current or self.tr(KEEP))
            combo.currentIndexChanged.connect(self._emit)
            label = QLabel(f"{column} →")
            self.grid.addWidget(label, i // 3, (i % 3) * 2)
            self.grid.addWidget(combo, i // 3, (i % 3) * 2 + 1)
            self.combos[column] = combo
        previous = self.tab_after  # new combos join the end of Tab's order; put them where they show
        for combo in self.combos.values():
            if previous is not None:
                QWidget.setTabOrder(previous, combo)
            previous = combo
        if not columns:
            self.grid.addWidget(QLabel(self.tr("Load a file to map its columns.")), 0, 0)
        for column in range(7):
            self.grid.setColumnStretch(column, 1 if column == 6 else 0)

    def mapping(self) -> dict[str, str]:
        return {col: combo.currentText() for col, combo in self.combos.items() if combo.currentText() != self.tr(KEEP)}

    def _emit(self) -> None:
        self.changed.emit(self.mapping())


class MappingDialog(QDialog):
    """Shown when detection is unsure: pick the format and say which of the file's columns holds what."""

    def __init__(self, columns: list[str], fmt: str, mapping: dict[str, str], reason: str,
                 sample: dict | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Map your columns"))
        layout = QVBoxLayout(self)
        if not mapping:
            from app.core.data.formats import suggest_columns

            mapping = suggest_columns(columns)
            fmt = "text" if "text" in mapping.values() else ("prompt_completion" if mapping else fmt)
        intro = QLabel(self.tr("The format is not clear: {rstrip}. "
                               "Choose the format, then the column that holds each of its fields.").format(rstrip=reason.rstrip('.')))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        if sample:
            example = QLabel(self.tr("First row: {cell}").format(cell=_cell(sample)))
            example.setObjectName("detail")
            example.setWordWrap(True)
            layout.addWidget(example)
        self.columns, self.initial = columns, mapping
        self.format_combo = QComboBox()
        for choice in FORMAT_COLUMNS:
            self.format_combo.addItem(format_name(choice), choice)
        self.format_combo.setCurrentIndex(self.format_combo.findData(fmt if fmt in FORMAT_COLUMNS else "prompt_completion"))
        self.format_combo.currentIndexChanged.connect(
            lambda _: self.mapping.set_columns(columns, self.format_combo.currentData(), self.initial))
        form = QFormLayout()
        form.addRow(self.tr("Format"), self.format_combo)
        layout.addLayout(form)
        self.mapping = ColumnMapping(tab_after=self.format_combo)
        self.mapping.set_columns(columns, self.format_combo.currentData(), mapping)
        layout.addWidget(self.mapping)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def result_mapping(self) -> tuple[str, dict[str, str]]:
        return self.format_combo.currentData(), self.mapping.mapping()


def render_example(tokenizer, data: dict, fmt: str, config) -> tuple[list[tuple[str, bool]], str | None]:
    """(token text, trained?) for one row, through the model's chat template, as training will see it; and the
    system prompt the template added to it by itself (None when the row, or the config, gave one, or it adds none)."""
    from app.core.data import IGNORE_INDEX, encode_conversation, ensure_chat_template, to_messages
    from app.core.data.templating import default_system_prompt

    ensure_chat_template(tokenizer)
    messages = to_messages(data, fmt, config.data.columns, config.data.system_prompt)
    encoded = encode_conversation(tokenizer, messages, config.training.max_length, config.data.train_on)
    pieces = [(tokenizer.decode([tok]), label != IGNORE_INDEX)
              for tok, label in zip(encoded.input_ids, encoded.labels, strict=True)]
    given = any(m.get("role") == "system" for m in messages)
    return pieces, None if given else default_system_prompt(tokenizer)


def tokens_html(pieces: list[tuple[str, bool]], palette: QPalette) -> str:
    """The example as HTML: runs of trained tokens on a highlight, the rest plain; newlines shown as ⏎."""
    dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
    mark = "#1f5f3a" if dark else "#c9efd6"
    out = []
    for trained, group in itertools.groupby(pieces, key=lambda p: p[1]):
        text = "".join(p[0] for p in group)
        body = html.escape(text).replace("\n", "⏎<br>")
        out.append(f'<span style="background-color:{mark};">{body}</span>' if trained else body)
    return f'<div style="font-family: monospace; white-space: pre-wrap;">{"".join(out)}</div>'
