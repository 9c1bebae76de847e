"""The form generated from the RunConfig schema: bounds, edits reaching the config, inline errors."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox

from app.core.config import TrainingConfig, demo_config
from app.ui.state import StudioState
from app.ui.widgets.config_form import ConfigForm, is_advanced


@pytest.fixture
def state():
    return StudioState(demo_config())


def make_form(qtbot, state, sections, **kw):
    form = ConfigForm(state, sections, **kw)
    qtbot.addWidget(form)
    return form


def test_widgets_follow_field_types_and_bounds(qtbot, state):
    form = make_form(qtbot, state, ["training", "export"])
    batch = form.editor("training", "batch_size").inner
    assert isinstance(batch, QSpinBox) and (batch.minimum(), batch.maximum()) == (1, 4096)
    lr = form.editor("training", "learning_rate").inner
    assert isinstance(lr, QDoubleSpinBox)
    assert 0 < lr.minimum() < 1e-9 and lr.maximum() == 1.0  # gt=0, le=1
    assert lr.text() == "0.0002"
    split = form.editor("training", "warmup_ratio").inner
    assert (split.minimum(), split.maximum()) == (0.0, 0.5)
    assert isinstance(form.editor("training", "lr_scheduler").inner, QComboBox)
    assert isinstance(form.editor("export", "merged").inner, QCheckBox)
    # titles as labels, descriptions as tooltips
    row = form.rows[("training", "batch_size")]
    assert row.label.text() == TrainingConfig.model_fields["batch_size"].title
    assert row.label.toolTip() == TrainingConfig.model_fields["batch_size"].description


def test_basic_and_advanced_sections(qtbot, state):
    form = make_form(qtbot, state, ["training"])
    form.show()
    assert not is_advanced(TrainingConfig.model_fields["epochs"])
    assert form.rows[("training", "epochs")].label.isVisible()
    assert not form.rows[("training", "warmup_ratio")].label.isVisible()  # Advanced starts collapsed
    form.advanced.set_expanded(True)
    assert form.rows[("training", "warmup_ratio")].label.isVisible()


def test_editing_updates_the_config(qtbot, state):
    form = make_form(qtbot, state, ["training", "method"])
    with qtbot.waitSignal(state.config_changed, timeout=1000):
        form.editor("training", "batch_size").inner.setValue(16)
    assert state.config.training.batch_size == 16
    form.editor("training", "lr_scheduler").inner.setCurrentText("linear")
    assert state.config.training.lr_scheduler == "linear"
    form.editor("method", "bits").inner.setCurrentText("8")
    assert state.config.method.bits == 8  # Literal[4, 8] keeps its int type
    checkpointing = form.editor("training", "gradient_checkpointing").inner
    assert [checkpointing.itemText(i) for i in range(checkpointing.count())] == ["auto", "on", "off"]
    checkpointing.setCurrentText("off")
    assert state.config.training.gradient_checkpointing is False
    targets = form.editor("method", "target_modules").inner
    targets.setText("q_proj, v_proj")
    targets.textEdited.emit(targets.text())
    assert state.config.method.target_modules == ["q_proj", "v_proj"]


def test_optional_int_can_be_cleared(qtbot, state):
    form = make_form(qtbot, state, ["training"])
    steps = form.editor("training", "max_steps").inner
    steps.setValue(20)
    assert state.config.training.max_steps == 20
    steps.setValue(steps.minimum())
    assert state.config.training.max_steps is None
    assert steps.text() == "—"


def test_invalid_value_shows_inline_error_and_keeps_config(qtbot, state):
    form = make_form(qtbot, state, [None, "model"])
    name = form.editor(None, "name").inner
    assert isinstance(name, QLineEdit)
    name.setText("x" * 200)
    name.textEdited.emit(name.text())
    assert "at most 120" in form.error_text(None, "name")
    assert form.has_errors()
    assert state.config.name == "quickstart"
    name.setText("my run")
    name.textEdited.emit(name.text())
    assert form.error_text(None, "name") == ""
    assert state.config.name == "my run"


def test_new_config_refreshes_the_form(qtbot, state):
    form = make_form(qtbot, state, ["training"])
    config = demo_config()
    config.training.epochs = 3
    state.set_config(config)
    assert form.editor("training", "epochs").value() == 3
