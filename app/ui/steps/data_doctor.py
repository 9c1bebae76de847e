"""The Data step's doctor panel: the findings of `inspect_file`, each with a button that runs the cleaning action
that fixes it (a new dataset version; the original file is never written), the problem lines, and the actions
that made the version on show. Also the small form that fills `{{placeholders}}`."""

from __future__ import annotations

import html
import json
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.core.data.clean_options import DESCRIPTIONS, TITLES
from app.core.data.lengths import histogram_lines
from app.ui.i18n import core_text, count, schema_text
from app.ui.steps.data_preview import first_rows

# (finding key, fix button text, the actions it runs; None: the button opens a form first)
FIXES = {
    "problems": (QT_TRANSLATE_NOOP("DoctorPanel", "Drop invalid rows"), {"drop_invalid": True}),
    "duplicates": (QT_TRANSLATE_NOOP("DoctorPanel", "Remove duplicates"), {"dedupe": "exact"}),
    "near_duplicates": (QT_TRANSLATE_NOOP("DoctorPanel", "Remove near duplicates"), {"dedupe": "near"}),
    "whitespace": (QT_TRANSLATE_NOOP("DoctorPanel", "Trim whitespace"), {"trim": True}),
    "placeholders": (QT_TRANSLATE_NOOP("DoctorPanel", "Fill placeholders…"), None),
    "lengths": (QT_TRANSLATE_NOOP("DoctorPanel", "Measure token lengths"), None),
    "augment": (QT_TRANSLATE_NOOP("DoctorPanel", "Augment…"), None),
    "overlap": (QT_TRANSLATE_NOOP("DoctorPanel", "Hold out words"), None),
}


def inspect_work(path: str, config, tokenizer=None, measure: bool = False, context_length: int | None = None):
    """A TaskGroup job: the first page of rows and the doctor's report on `path` under `config` (a RunConfig), and
    (source, tokenizer) when `measure` loaded the model's tokenizer to measure token lengths. An automatic
    max_length is chosen from the rows as a run chooses it (sft and pt; other stages keep the field's value), within
    the model's `context_length` (the described model's; None: read from its config, no weights loaded, when the
    lengths are measured)."""
    from app.core.auto_settings import AUTO_STAGES, is_auto

    data, model, training = config.data, config.model, config.training
    max_length = "auto" if is_auto(config, "max_length") and training.stage in AUTO_STAGES else training.max_length

    def work(progress, stop):
        from app.core.data import ensure_chat_template, inspect_file
        from app.core.errors import Cancelled

        def report(done, total):
            if stop.is_set():
                raise Cancelled()
            progress(done, total, QCoreApplication.translate("DataDoctor", "Checking rows"))

        from app.core.data.sources import is_hub_id, resolve_source

        local = str(resolve_source(path, lambda message, done, total: progress(done, total or 0, message), stop)) \
            if is_hub_id(path) else path
        loaded = None
        if measure and tokenizer is None:
            from app.core import models

            progress(0, 0, QCoreApplication.translate("DataDoctor", "Loading the tokenizer"))
            loaded = models.load_tokenizer(model.source, model.revision, model.trust_remote_code)
            ensure_chat_template(loaded)
        context = context_length
        if max_length == "auto" and (tokenizer or loaded) is not None and context is None:
            from app.core import models

            context = models.describe_model(model.source, model.revision,
                                            trust_remote_code=model.trust_remote_code).context_length
        rows = first_rows(local)
        result = inspect_file(local, fmt=data.format, columns=dict(data.columns) or None,
                              system_prompt=data.system_prompt, tokenizer=tokenizer or loaded,
                              max_length=max_length, progress=report,
                              validation=data.validation if data.validation and Path(data.validation).is_file()
                              else None, validation_split=data.validation_split, seed=data.seed,
                              test_split=0.0 if data.test else data.test_split, context_length=context or 0,
                              train_on=data.train_on, max_samples=data.max_samples)
        return rows, result, (model.source, loaded) if loaded is not None else None

    return work


def holdout_work(path: str, config):
    """A TaskGroup job: split the dataset at `path` into training rows and validation rows that hold words no
    training row holds (data.splits, hold_out_words), at the config's validation share (at least 10%)."""
    data = config.data

    def work(progress, stop):
        from app.core.data.splits import split_dataset

        share = max(0.1, data.validation_split)
        return split_dataset(path, (1 - share, share), seed=data.seed, hold_out_words=True, stop=stop,
                             progress=lambda done, total: progress(done, total or 0, QCoreApplication.translate(
                                 "DataDoctor", "Splitting rows")))

    return work


def clean_work(path: str, actions: dict, config):
    """A TaskGroup job: clean the dataset at `path` with `actions` under `config` (a RunConfig) into a new version;
    the model's tokenizer is loaded only when lengths are filtered."""
    data, model = config.data, config.model

    def work(progress, stop):
        from app.core import models
        from app.core.data import ensure_chat_template
        from app.core.data.cleaning import clean_dataset

        tokenizer = None
        if actions.get("min_tokens") or actions.get("max_tokens"):
            tokenizer = models.load_tokenizer(model.source, model.revision, model.trust_remote_code)
            ensure_chat_template(tokenizer)
        return clean_dataset(path, actions, fmt=data.format, columns=dict(data.columns) or None,
                             tokenizer=tokenizer, stop=stop,
                             progress=lambda done, total: progress(done, total, QCoreApplication.translate("DataDoctor", "Cleaning rows")))

    return work


def sidecar_of(path: str | Path) -> Path:
    path = Path(path)
    return path.with_name(path.name + ".actions.json")


def read_sidecar(path: str | Path) -> dict | None:
    """The record of the actions that made the version at `path`; None for a file the user brought."""
    try:
        return json.loads(sidecar_of(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _rows(n: int) -> str:
    return count(n, QCoreApplication.translate("DataDoctor", "{n} row"), QCoreApplication.translate("DataDoctor", "{n} rows"))


def action_words(action: dict) -> str:
    """What one action of a version's sidecar did, in words (no parameters as JSON)."""
    name, params = action["action"], action.get("params") or {}
    removed, changed = action["rows_in"] - action["rows_out"], action.get("changed", 0)
    if name == "drop_invalid":
        return count(removed, QCoreApplication.translate("DataDoctor", "{n} unusable row dropped"), QCoreApplication.translate("DataDoctor", "{n} unusable rows dropped"))
    if name == "fill":
        values = ", ".join(f"{{{{{key}}}}} = “{value}”" for key, value in (params.get("values") or {}).items())
        return QCoreApplication.translate("DataDoctor", "placeholders filled ({values}) in {rows}").format(values=values, rows=_rows(changed))
    if name == "trim":
        text = QCoreApplication.translate("DataDoctor", "whitespace trimmed in {rows}").format(rows=_rows(changed))
        return text + (QCoreApplication.translate("DataDoctor", ", {rows} left empty dropped").format(rows=_rows(removed)) if removed else "")
    if name == "dedupe":
        removed_text = count(removed, QCoreApplication.translate("DataDoctor", "{n} near duplicate"), QCoreApplication.translate("DataDoctor", "{n} near duplicates")) \
            if params.get("mode") == "near" else count(removed, QCoreApplication.translate("DataDoctor", "{n} exact duplicate"), QCoreApplication.translate("DataDoctor", "{n} exact duplicates"))
        return QCoreApplication.translate("DataDoctor", "{removed} removed (the first of each kept)").format(removed=removed_text)
    if name == "filter_tokens":
        low, high = params.get("min_tokens"), params.get("max_tokens")
        bounds = QCoreApplication.translate("DataDoctor", "{low:,}–{high:,} tokens").format(low=low, high=high) if low and high else (
            QCoreApplication.translate("DataDoctor", "at least {low:,} tokens").format(low=low) if low else QCoreApplication.translate("DataDoctor", "at most {high:,} tokens").format(high=high))
        return QCoreApplication.translate("DataDoctor", "{examples} dropped for their length (kept: {bounds})").format(
            examples=count(removed, QCoreApplication.translate("DataDoctor", "{n} example"), QCoreApplication.translate("DataDoctor", "{n} examples")), bounds=bounds)
    if name == "augment":
        added = action["rows_out"] - action["rows_in"]
        return QCoreApplication.translate("DataDoctor", "{examples} added (written by {model})").format(
            examples=count(added, QCoreApplication.translate("DataDoctor", "{n} generated example"), QCoreApplication.translate("DataDoctor", "{n} generated examples")),
            model=params.get("model") or QCoreApplication.translate("DataDoctor", "a local model"))
    return schema_text(TITLES.get(name, name))


def actions_text(record: dict) -> str:
    """One line per cleaning action of a version's sidecar (or a CleanResult's dict): what it did, rows in → out."""
    lines = [QCoreApplication.translate("DataDoctor", "Made from {name}:").format(name=Path(record["source"]).name)]
    for action in record.get("actions", []):
        words = action_words(action)
        lines.append(f"  {words[:1].upper()}{words[1:]}: {action['rows_in']:,} → {_rows(action['rows_out'])}")
    return "\n".join(lines)


def switch_text(before, record: dict, path: str) -> str:
    """The Data step's note after a fix switched it to a new version `path` (made as `record`, its sidecar, says)
    from the data config `before`: the new file, what changed in it, and what became of the format and mapping."""
    name, source = html.escape(Path(path).name), html.escape(Path(record["source"]).name)
    done = "; ".join(action_words(action) for action in record.get("actions", []))
    counts = record.get("counts") or {}
    rows = f", {counts['rows_in']:,} → {_rows(counts['rows_out'])}" if "rows_out" in counts else ""
    lines = [QCoreApplication.translate("DataDoctor", "Now training on a new version, <b>{name}</b> (in {folder}): {done}{rows}. {source} itself is "
                 "unchanged.").format(name=name, folder=html.escape(str(Path(path).parent)), done=html.escape(done),
                                      rows=rows, source=source)]
    written = QCoreApplication.translate("DataDoctor", "text rows") if record.get("format") == "text" else QCoreApplication.translate("DataDoctor", "chat messages")
    changes = []
    if before.format not in ("auto", "messages", "text"):
        changes.append(QCoreApplication.translate("DataDoctor", "the format {format} is now detected again").format(format=html.escape(before.format)))
    if before.columns:
        mapping = ", ".join(f"{html.escape(k)} → {html.escape(v)}" for k, v in before.columns.items())
        changes.append(QCoreApplication.translate("DataDoctor", "the column mapping ({mapping}) is no longer needed").format(mapping=mapping))
    if changes:
        lines.append(QCoreApplication.translate("DataDoctor", "The new version is written as {written}, so {changes}.").format(
            written=written, changes=QCoreApplication.translate("DataDoctor", " and ").join(changes)))
    lines.append('<a href="original">{}</a>'.format(QCoreApplication.translate("DataDoctor", "Go back to the original file")))
    return "<br>".join(lines)


class DoctorPanel(QWidget):
    """Findings with fix buttons; `fix_requested(actions)` carries a CleanActions dict."""

    fix_requested = Signal(dict)
    measure_requested = Signal()
    augment_requested = Signal()
    holdout_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(12)
        self.grid.setColumnStretch(1, 1)
        self.findings: dict[str, QLabel] = {}
        self.buttons: dict[str, QPushButton] = {}
        for row, (key, (text, actions)) in enumerate(FIXES.items()):
            row += row > list(FIXES).index("lengths")  # noqa: PLW2901 - the length filter's row follows "lengths"
            label = QLabel()
            label.setWordWrap(True)
            button = QPushButton(self.tr(text))
            if actions is not None:
                button.clicked.connect(lambda _=False, a=actions: self.request(a))
            self.grid.addWidget(label, row, 0, 1, 2)
            self.grid.addWidget(button, row, 2)
            self.findings[key], self.buttons[key] = label, button
        self.buttons["whitespace"].setToolTip(schema_text(DESCRIPTIONS["trim"]))
        self.buttons["problems"].setToolTip(schema_text(DESCRIPTIONS["drop_invalid"]))
        self.buttons["near_duplicates"].setToolTip(schema_text(DESCRIPTIONS["dedupe"]))
        self.buttons["placeholders"].setToolTip(schema_text(DESCRIPTIONS["fill"]))
        self.min_tokens = QSpinBox(minimum=0, maximum=10_000_000, specialValueText=self.tr("no minimum"))
        self.max_tokens = QSpinBox(minimum=0, maximum=10_000_000, specialValueText=self.tr("no maximum"))
        self.min_tokens.setToolTip(schema_text(DESCRIPTIONS["min_tokens"]))
        self.max_tokens.setToolTip(schema_text(DESCRIPTIONS["max_tokens"]))
        lengths = QHBoxLayout()
        lengths.addWidget(QLabel(self.tr("Keep examples of")))
        lengths.addWidget(self.min_tokens)
        lengths.addWidget(QLabel(self.tr("to")))
        lengths.addWidget(self.max_tokens)
        lengths.addWidget(QLabel(self.tr("tokens (the chosen model's tokenizer and template)")))
        lengths.addStretch(1)
        self.filter_button = QPushButton(self.tr("Filter by length"))
        self.filter_button.clicked.connect(self._filter_lengths)
        lengths.addWidget(self.filter_button)
        self.grid.addLayout(lengths, list(FIXES).index("lengths") + 1, 0, 1, 3)
        self.buttons["lengths"].clicked.connect(self.measure_requested)
        self.buttons["augment"].clicked.connect(self.augment_requested)
        self.buttons["overlap"].clicked.connect(self.holdout_requested)
        self.buttons["overlap"].setToolTip(self.tr("Split the rows so that validation holds names, places and "
                                                   "phrasings no training row holds, and train on that split: "
                                                   "validation then measures what the model learned, not what "
                                                   "it memorised"))
        self.buttons["lengths"].setToolTip(self.tr("Tokenise every example with the chosen model's "
                                                   "tokenizer and chat template: a histogram, and what the "
                                                   "max length would cut"))
        layout.addLayout(self.grid)
        self.histogram = QLabel()
        self.histogram.setStyleSheet("font-family: monospace;")
        layout.addWidget(self.histogram)
        self.actions = QLabel()
        self.actions.setObjectName("detail")
        self.actions.setWordWrap(True)
        layout.addWidget(self.actions)
        layout.addWidget(QLabel(self.tr("Problems by line:")))
        self.problems = QListWidget()
        layout.addWidget(self.problems, 1)
        self.placeholder_names: list[str] = []
        self.invalid_rows = 0
        self.buttons["placeholders"].clicked.connect(self.open_placeholder_form)
        self.show_report(None)

    def request(self, actions: dict) -> None:
        """Ask for cleaning actions; while rows have problems they are dropped too (a cleaned file holds only
        usable rows, so any other fix would stop at them)."""
        self.fix_requested.emit({**actions, "drop_invalid": True} if self.invalid_rows else dict(actions))

    def show_report(self, report) -> None:
        """The findings of an InspectReport (None: nothing read yet) and their fix buttons."""
        self.problems.clear()
        if report is None:
            for label in self.findings.values():
                label.setText("")
            for button in (*self.buttons.values(), self.filter_button):
                button.setEnabled(False)
            self.histogram.setText("")
            return
        dup, near = report.duplicates, report.near_duplicates
        self.invalid_rows = report.problem_count
        self.placeholder_names = list(report.placeholders)
        problems = self.tr("{rows} cannot be used (the lines are listed below); every fix also drops them") \
            if report.problem_count else self.tr("{rows} cannot be used")
        placeholders = ", ".join(self.tr("{name} in {rows}").format(name=f"{{{{{k}}}}}", rows=_rows(v))
                                 for k, v in report.placeholders.items())
        texts = {
            "problems": (report.problem_count, problems.format(rows=_rows(report.problem_count))),
            "duplicates": (dup.rows, self.tr("{duplicates} in {groups}").format(
                duplicates=count(dup.rows, self.tr("{n} exact duplicate"), self.tr("{n} exact duplicates")),
                groups=count(dup.groups, self.tr("{n} group"), self.tr("{n} groups")))),
            "near_duplicates": (near.rows, self.tr("{duplicates} (same text ignoring case, spacing and punctuation)")
                                .format(duplicates=count(near.rows, self.tr("{n} near duplicate"),
                                                         self.tr("{n} near duplicates")))),
            "whitespace": (1, self.tr("Spaces and blank lines around turns: trimming drops rows left empty")),
            "placeholders": (len(report.placeholders),
                             self.tr("Placeholders: {list}").format(list=placeholders or self.tr("none"))),
            "lengths": (report.valid_rows, self._lengths_text(report)),
            "overlap": self._overlap(report),
            "augment": (report.valid_rows and report.format != "text",
                        self.tr("More examples: a local model rephrases your questions and writes new ones; you pick "
                                "which to keep")),
        }
        for key, (number, text) in texts.items():
            self.findings[key].setText(("⚠ " if number and key in ("problems", "duplicates", "near_duplicates",
                                                                   "placeholders", "overlap") else "") + text)
            self.buttons[key].setEnabled(bool(number))
        self.filter_button.setEnabled(bool(report.valid_rows))
        stats = report.token_stats
        self.histogram.setText("\n".join(histogram_lines(stats)) if stats else "")
        for problem in report.problems:
            where = self.tr("{file}, line {line}: ").format(file=Path(problem.file).name, line=problem.line) \
                if problem.file != report.path else self.tr("Line {line}: ").format(line=problem.line)
            self.problems.addItem(f"{where}{core_text(problem.message)}")
        if report.problem_count > len(report.problems):
            self.problems.addItem(self.tr("… and {v0:,} more").format(v0=report.problem_count - len(report.problems)))

    def _overlap(self, report) -> tuple[int, str]:
        """(whether to warn, the text): validation rows that bring no word the training rows lack."""
        found = report.overlap
        if found is None or not found.validation_rows:
            return 0, self.tr("Validation rows: none held out")
        if not found.warns:
            return 0, self.tr("Validation rows: {share:.0%} bring no new word (name, place, phrasing) beside the "
                              "training rows").format(share=found.share)
        return 1, self.tr("{nothing} of {rows} validation rows bring no word the training rows lack: validation "
                          "loss cannot tell learning the task from memorising the rows. Hold out words (or split "
                          "by a column: finetune-studio data split --group-by)").format(
            nothing=found.nothing_new, rows=found.validation_rows)

    def _lengths_text(self, report) -> str:
        stats = report.token_stats or {}
        if not stats:
            return self.tr("Token lengths: not measured yet")
        chosen = stats.get("auto_length")
        if chosen is None:
            return self.tr("Token lengths: min {min:,}, p50 {p50:,}, p95 {p95:,}, max {max:,}; {truncated:,} "
                           "examples ({truncated_share:.1%}) are longer than max length {max_length:,}, cutting "
                           "{assistant_tokens_cut:,} trained tokens ({assistant_tokens_cut_share:.1%})").format(**stats)
        basis = self.tr("the longest training row") if chosen["basis"] == "longest" else \
            self.tr("99% of the training rows fit; the longest, {longest:,} tokens, is cut").format(**chosen)
        if chosen["capped"]:
            basis += self.tr("; the model's context allows {cap:,}").format(**chosen)
        return self.tr("Token lengths: min {min:,}, p50 {p50:,}, p95 {p95:,}, max {max:,}; max length auto → "
                       "{max_length:,} ({basis}): {truncated:,} examples ({truncated_share:.1%}) are longer, cutting "
                       "{assistant_tokens_cut:,} trained tokens ({assistant_tokens_cut_share:.1%})").format(
            basis=basis, **stats)

    def show_actions(self, path: str) -> None:
        """The cleaning actions that made the file at `path` (from its sidecar), or nothing for a user's file."""
        record = read_sidecar(path)
        self.actions.setText(actions_text(record) if record is not None else "")

    def _filter_lengths(self) -> None:
        actions = {"min_tokens": self.min_tokens.value() or None, "max_tokens": self.max_tokens.value() or None}
        if any(actions.values()):
            self.request(actions)

    def open_placeholder_form(self) -> PlaceholderForm:
        form = PlaceholderForm(self.placeholder_names, self)
        form.accepted.connect(lambda: form.values() and self.request({"fill": form.values()}))
        form.open()
        return form


class PlaceholderForm(QDialog):
    """One line per `{{name}}`; names left empty stay placeholders."""

    def __init__(self, names: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Fill placeholders"))
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("Every {{name}} in the examples is replaced by the value you give (a new "
                               "dataset version; the original file is not changed)."))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.edits: dict[str, QLineEdit] = {}
        for name in names:
            self.edits[name] = QLineEdit(placeholderText=self.tr("value for {{{{{name}}}}}").format(name=name))
            form.addRow(f"{{{{{name}}}}}", self.edits[name])
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Fill"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def values(self) -> dict[str, str]:
        return {name: edit.text() for name, edit in self.edits.items() if edit.text().strip()}
