"""The recipe gallery (issue #21): a card per recipe, the sample or the user's file becomes the window's setup, a
chained step waits for a finished run, and it opens on the first launch and from File ▸ New from recipe."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from studio_fakes import fake_models  # noqa: F401

from app.core.recipes import recipes
from app.ui.main_window import MainWindow
from app.ui.settings import open_settings, save_setup, setup_path
from app.ui.widgets.recipe_gallery import RecipeGallery

pytestmark = pytest.mark.usefixtures("fake_models")


@pytest.fixture
def gallery(qtbot, tmp_path):
    dialog = RecipeGallery(settings=open_settings(tmp_path / "gui.ini"))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_every_recipe_has_a_card_with_both_settings_and_its_metric(gallery):
    found = recipes()
    assert gallery.list.count() == len(found)
    for row, recipe in enumerate(found.values()):
        gallery.list.setCurrentRow(row)
        card = gallery.card.text()
        assert recipe.title in card and "7B model, 24 GB GPU" in card
        for step in recipe.steps:
            assert step.metric.title in card and step.data.sample in card
            assert step.config["training"]["stage"] in card
        assert gallery.step_combo.isVisibleTo(gallery) == (len(recipe.steps) > 1)


def test_the_sample_data_becomes_the_setup(gallery):
    gallery.list.setCurrentRow(list(recipes()).index("summaries"))
    gallery.large_check.setChecked(True)
    gallery.sample_button.click()
    assert gallery.result() == RecipeGallery.DialogCode.Accepted
    config = gallery.config
    assert config.data.train.endswith("summaries.jsonl") and config.data.test.endswith("summaries_test.jsonl")
    assert config.method.name == "qlora" and config.model.source != "demo"


def test_my_file_is_mapped_to_the_recipes_columns(gallery, tmp_path, monkeypatch):
    mine = tmp_path / "reviews.csv"
    mine.write_text("review,sentiment\nLovely.,positive\nAwful.,negative\n", encoding="utf-8")
    monkeypatch.setattr("app.ui.widgets.recipe_gallery.QFileDialog.getOpenFileName",
                        lambda *a, **k: (str(mine), ""))
    gallery.list.setCurrentRow(list(recipes()).index("sentiment-classifier"))
    gallery.file_button.click()
    assert gallery.config.data.train == str(mine)
    assert gallery.config.data.columns == {"review": "text", "sentiment": "label"}
    assert gallery.config.training.stage == "cls"


def test_a_chained_step_waits_for_a_finished_run(gallery):
    gallery.list.setCurrentRow(list(recipes()).index("domain-pretraining"))
    assert gallery.sample_button.isEnabled()  # step 1: pre-training on the sample documents
    gallery.step_combo.setCurrentIndex(1)
    assert gallery.from_combo.isVisibleTo(gallery) and gallery.from_combo.count() == 0
    assert not gallery.sample_button.isEnabled() and "Train step 1 first" in gallery.problem.text()
    gallery.step_combo.setCurrentIndex(0)
    assert gallery.sample_button.isEnabled()


def test_file_menu_opens_the_gallery_and_applies_the_recipe(qtbot, tmp_path):
    settings = open_settings(tmp_path / "gui.ini")
    window = MainWindow(None, settings=settings)
    qtbot.addWidget(window)
    window.show()
    assert window.first_launch  # no setup kept yet: run_gui opens the gallery
    assert "recipe" in window.recipe_action.text()

    def pick() -> None:
        dialog = next(w for w in window.findChildren(RecipeGallery) if w.isVisible())
        dialog.list.setCurrentRow(list(recipes()).index("preference-dpo"))
        dialog.sample_button.click()

    QTimer.singleShot(0, pick)
    window.recipe_action.trigger()
    assert window.state.config.training.stage == "dpo"
    assert window.state.config.data.train.endswith("preferences.jsonl")
    save_setup(settings, window.state.config)
    assert setup_path(settings).is_file()
    again = MainWindow(None, settings=settings)
    qtbot.addWidget(again)
    assert not again.first_launch and again.state.config.training.stage == "dpo"
