"""The recipe gallery (issue #21): where a user starts, on first launch and from File ▸ New from recipe. A list of
recipes, and for the chosen one a card: what it is for, the data it expects, stage and method, the hyperparameters
for the demo model and for a 7B model on a 24 GB GPU, the metric, the evaluation after training and what it
measured. "Use the sample data" or "Use my file…" makes the recipe's RunConfig (app.core.recipes) the window's setup.
"""

from __future__ import annotations

import html
import logging

from PySide6.QtCore import QT_TRANSLATE_NOOP, QSettings, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.core.config import RunConfig
from app.core.errors import StudioError
from app.core.recipes import Recipe, RecipeStep, recipes
from app.ui.i18n import core_text, error_texts, schema_text
from app.ui.settings import last_dir, remember_dir

log = logging.getLogger(__name__)

DATA_FILTER = QT_TRANSLATE_NOOP("RecipeGallery", "Data (*.jsonl *.json *.csv *.tsv *.parquet *.txt *.md);;All files (*)")


def _value(section: dict, key: str) -> str:
    value = section.get(key)
    return "—" if value is None else str(value)


class RecipeGallery(QDialog):
    """Choose a recipe; on accept, `config` is the RunConfig to open (and `recipe`, `step` what made it)."""

    def __init__(self, parent: QWidget | None = None, settings: QSettings | None = None,
                 found: dict[str, Recipe] | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Start from a recipe"))
        self.settings = settings
        self.config: RunConfig | None = None
        self.recipe: Recipe | None = None
        self.step = 0
        try:
            self.recipes = found if found is not None else recipes()
        except StudioError as exc:  # a broken recipe file: the gallery says so instead of failing the window
            log.warning("recipes could not be read: %s", exc)
            self.recipes = {}
            self.load_problem = core_text(exc.message)
        else:
            self.load_problem = ""

        intro = QLabel(self.tr("Pick the job you want to fine-tune for. Each recipe sets the stage, method, data "
                               "format and hyperparameters, and says how to judge the result."))
        intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setMinimumWidth(230)
        self.list.setMaximumWidth(300)
        self.list.setSpacing(3)
        for recipe in self.recipes.values():
            item = QListWidgetItem(schema_text(recipe.title))
            item.setToolTip(schema_text(recipe.task))
            item.setData(Qt.ItemDataRole.UserRole, recipe.name)
            self.list.addItem(item)
        self.card = QLabel()
        self.card.setWordWrap(True)
        self.card.setTextFormat(Qt.TextFormat.RichText)
        self.card.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.card.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.card.setMargin(10)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.card)

        self.step_combo = QComboBox()
        self.step_label = QLabel(self.tr("Step:"))
        self.from_combo = QComboBox()
        self.from_label = QLabel(self.tr("Start from run:"))
        self.large_check = QCheckBox(self.tr("Settings for a 7B model on a 24 GB GPU"))
        self.large_check.setToolTip(self.tr("Use the recipe's hyperparameters for a 7B model (QLoRA, gradient "
                                            "checkpointing) instead of the demo model's."))
        self.sample_button = QPushButton(self.tr("Use the sample data"))
        self.sample_button.setDefault(True)
        self.file_button = QPushButton(self.tr("Use my file…"))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.sample_button.clicked.connect(lambda: self.choose(None))
        self.file_button.clicked.connect(self.choose_file)
        self.cancel_button.clicked.connect(self.reject)
        self.list.currentRowChanged.connect(self._recipe_changed)
        self.step_combo.currentIndexChanged.connect(self._step_changed)
        self.problem = QLabel()
        self.problem.setObjectName("detail")
        self.problem.setWordWrap(True)

        body = QHBoxLayout()
        body.addWidget(self.list)
        body.addWidget(scroll, 1)
        options = QHBoxLayout()
        options.addWidget(self.large_check)
        options.addSpacing(16)
        for widget in (self.step_label, self.step_combo, self.from_label, self.from_combo):
            options.addWidget(widget)
        options.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.problem, 1)
        for button in (self.cancel_button, self.file_button, self.sample_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(body, 1)
        layout.addLayout(options)
        layout.addLayout(buttons)
        self.resize(980, 640)
        if self.recipes:
            self.list.setCurrentRow(0)
        else:
            self.card.setText(html.escape(self.tr("No recipes could be read: {problem}").format(
                problem=self.load_problem)))
            for button in (self.sample_button, self.file_button):
                button.setEnabled(False)

    # ---- the chosen recipe ----
    def current(self) -> Recipe | None:
        item = self.list.currentItem()
        return self.recipes.get(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _recipe_changed(self, _row: int) -> None:
        recipe = self.current()
        if recipe is None:
            return
        self.step_combo.blockSignals(True)
        self.step_combo.clear()
        for i, step in enumerate(recipe.steps):
            self.step_combo.addItem(self.tr("{n}. {title}").format(n=i + 1, title=schema_text(step.title)))
        self.step_combo.blockSignals(False)
        many = len(recipe.steps) > 1
        self.step_label.setVisible(many)
        self.step_combo.setVisible(many)
        self.card.setText(self.card_html(recipe))
        self._step_changed(0)

    def _step_changed(self, index: int) -> None:
        recipe = self.current()
        chained = recipe is not None and 0 <= index < len(recipe.steps) and recipe.steps[index].after_previous
        self.from_label.setVisible(chained)
        self.from_combo.setVisible(chained)
        self.problem.clear()
        if chained:
            self._fill_runs()
        ready = not chained or self.from_combo.count() > 0
        self.sample_button.setEnabled(ready)
        self.file_button.setEnabled(ready)

    def _fill_runs(self) -> None:
        """The completed runs with a merged model: what a chained step can start from, newest first."""
        from app.core.store import Store

        self.from_combo.clear()
        try:
            store = Store()
            for run in store.list_runs(status="completed"):
                merged = store.artifacts(run["id"], "merged")
                if merged:
                    self.from_combo.addItem(f"{run['name']} ({run['id']})", merged[-1]["path"])
        except Exception as exc:  # noqa: BLE001 — an unreadable store leaves the list empty, and says why
            log.warning("could not list the runs: %s", exc)
        if not self.from_combo.count():
            self.problem.setText(self.tr("Train step 1 first: step 2 starts from its merged model."))

    def card_html(self, recipe: Recipe) -> str:
        e = html.escape
        parts = [f"<h2>{e(schema_text(recipe.title))}</h2><p>{e(schema_text(recipe.purpose))}</p>"]
        for i, step in enumerate(recipe.steps):
            title = schema_text(step.title) if len(recipe.steps) == 1 else self.tr("Step {n}: {title}").format(n=i + 1,
                                                                                                   title=schema_text(step.title))
            parts.append(f"<h3>{e(title)}</h3>")
            if step.stage_note:
                parts.append(f"<p>{e(schema_text(step.stage_note))}</p>")
            parts.append("<p><b>{label}</b> {text}<br><b>{sample}</b> {path}</p>".format(
                label=e(self.tr("Your data:")), text=e(schema_text(step.data.expects)), sample=e(self.tr("Sample:")),
                path=e(self.tr("{sample} (held out: {test})").format(sample=step.data.sample, test=step.data.test))))
            parts.append(self.settings_table(step))
            parts.append("<p><b>{metric}</b> {title}. <b>{after}</b> {how}</p>".format(
                metric=e(self.tr("Judged by:")), title=e(schema_text(step.metric.title)), after=e(self.tr("After training:")),
                how=e(self.evaluation_text(step))))
            parts.append(f"<p>{self.measured_text(step)}</p>")
        return "".join(parts)

    def settings_table(self, step: RecipeStep) -> str:
        """Stage, method and the main hyperparameters: for the demo model and for a 7B model on a 24 GB GPU."""
        from app.core.recipes import merge

        e = html.escape
        large = merge(step.config, step.large)
        rows = [(self.tr("Model"), lambda c: c.get("model", {}).get("source", self.tr("the previous step's run"))),
                (self.tr("Stage"), lambda c: _value(c.get("training", {}), "stage")),
                (self.tr("Method"), lambda c: "{name} r{rank}".format(name=_value(c.get("method", {}), "name"),
                                                                      rank=_value(c.get("method", {}), "rank"))),
                (self.tr("Learning rate"), lambda c: _value(c.get("training", {}), "learning_rate")),
                (self.tr("Epochs"), lambda c: _value(c.get("training", {}), "epochs")),
                (self.tr("Batch × accumulation"), lambda c: "{b} × {a}".format(
                    b=_value(c.get("training", {}), "batch_size"),
                    a=c.get("training", {}).get("gradient_accumulation", 1))),
                (self.tr("Max length"), lambda c: _value(c.get("training", {}), "max_length"))]
        head = "<tr><th></th><th align='left'>{demo}</th><th align='left'>{big}</th></tr>".format(
            demo=e(self.tr("Demo model, CPU")), big=e(self.tr("7B model, 24 GB GPU")))
        body = "".join(f"<tr><td>{e(name)}</td><td>{e(str(get(step.config)))}</td><td>{e(str(get(large)))}</td></tr>"
                       for name, get in rows)
        return f"<table cellspacing='0' cellpadding='3'>{head}{body}</table>"

    def evaluation_text(self, step: RecipeStep) -> str:
        ev = step.evaluation
        text = self.tr("the tuned model and the base model score the held-out {split} rows").format(split=ev.split)
        if ev.few_shot:
            text += self.tr(" (the base model also with {k} training examples in its prompt)").format(k=ev.few_shot)
        return text + "."

    def measured_text(self, step: RecipeStep) -> str:
        e = html.escape
        m = step.measured
        if m is None:
            return e(self.tr("Not measured yet (python -m bench.recipes)."))

        def fig(value: float | None) -> str:
            return "—" if value is None else f"{value:.2f}"

        return "<b>{head}</b> {base0} {zero}, {base1} {few} → <b>{tuned} {value}</b> · {minutes}<br><i>{where}</i>"\
            .format(head=e(self.tr("Measured on the demo model:")), base0=e(self.tr("base zero-shot")),
                    zero=fig(m.base_zero_shot), base1=e(self.tr("few-shot")), few=fig(m.base_few_shot),
                    tuned=e(self.tr("tuned")), value=fig(m.tuned),
                    minutes=e(self.tr("{minutes} min to train").format(minutes=f"{m.minutes:.1f}")),
                    where=e(self.tr("{n} held-out rows; baseline: {baseline}; {machine}, {date}").format(
                        n=m.examples, baseline=m.baseline, machine=m.machine, date=m.date)))

    # ---- choosing ----
    def choose_file(self) -> None:
        start = last_dir(self.settings, "data") if self.settings is not None else ""
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Your data for this recipe"), start, self.tr(DATA_FILTER))
        if path:
            if self.settings is not None:
                remember_dir(self.settings, "data", path)
            self.choose(path)

    def choose(self, data: str | None) -> None:
        recipe = self.current()
        if recipe is None:
            return
        index = max(0, self.step_combo.currentIndex())
        base = self.from_combo.currentData() if recipe.steps[index].after_previous else None
        try:
            self.config = recipe.run_config(index, data=data, large=self.large_check.isChecked(), base_model=base)
        except StudioError as exc:
            QMessageBox.warning(self, self.tr("This recipe cannot start yet"),
                                "\n\n".join(filter(None, error_texts(exc))))
            return
        self.recipe, self.step = recipe, index
        self.accept()


if __name__ == "__main__":
    from app.ui.preview import preview

    preview(lambda _state: RecipeGallery())
