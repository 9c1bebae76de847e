"""The forms generated from the typed requests (app/core/requests.py): every field of every request has an editor
that gives back what it was shown, and a refused value is named beside the form before any worker starts."""

from __future__ import annotations

import pytest

from app.core.errors import ConfigError
from app.core.requests import AugmentRequest, EvalRequest, ExportRequest
from app.ui.widgets.request_form import RequestForm

SUBJECT = {ExportRequest: {"run": "r1"}, EvalRequest: {"run": "r1"}, AugmentRequest: {"file": "data.jsonl"}}


@pytest.mark.parametrize("kind", [ExportRequest, EvalRequest, AugmentRequest], ids=lambda k: k.__name__)
def test_every_field_round_trips_through_its_generated_editor(qtbot, kind):
    fields = [name for name in kind.model_fields if name not in SUBJECT[kind]]
    form = RequestForm(kind, fields)
    qtbot.addWidget(form)
    assert form.request(**SUBJECT[kind]) == kind(**SUBJECT[kind]), "the defaults, as the editors show them"
    for name in fields:
        info = kind.model_fields[name]
        assert form.labels[name].text() == info.title and form.editor(name).toolTip() == info.description


def test_edited_values_make_the_request_and_refusals_are_named(qtbot):
    form = RequestForm(ExportRequest, ["checkpoint", "dtype", "max_shard_size"], {"dtype": "bf16"})
    qtbot.addWidget(form)
    form.editor("checkpoint").inner.setText("200")
    qtbot.keyClicks(form.editor("max_shard_size").inner, "500MB")
    request = form.request(run="r1")
    assert (request.checkpoint, request.dtype, request.max_shard_size) == (200, "bf16", "500MB")
    form.editor("max_shard_size").inner.clear()
    qtbot.keyClicks(form.editor("max_shard_size").inner, "half a gig")
    assert list(form.problems()) == ["max_shard_size"] and form.error.text().startswith("Max shard size:")
    assert form.error.isVisible() is not None and form.editor("max_shard_size").inner.property("invalid")
    with pytest.raises(ConfigError, match="export.max_shard_size"):
        form.request(run="r1")


def test_a_cross_field_refusal_clears_when_either_field_changes(qtbot):
    form = RequestForm(EvalRequest, ["few_shot"], {"few_shot": 2}, advanced=["base"])
    qtbot.addWidget(form)
    assert form.advanced is not None and not form.advanced.is_expanded()
    form.editor("base").inner.setChecked(False)
    assert "few_shot" in form.problems()
    form.editor("base").inner.setChecked(True)
    assert not form.problems() and form.request(run="r1").few_shot == 2
