"""Run names (issue #25 item 8): derived from the data and the method by default, and never shared by two runs."""

from __future__ import annotations

from app.core.config import parse_config
from app.core.runs.names import MAX_LENGTH, default_name, run_name, taken_names, unique_name
from app.core.store import Store


def config(train: str, name: str | None = None, **sections):
    return parse_config({"name": name, "data": {"train": train}, **sections})


def test_the_default_name_says_what_is_trained():
    assert default_name(config("/data/support-tickets.csv")) == "support-tickets · lora"
    assert default_name(config("corpus/", method={"name": "qlora"})) == "corpus · qlora"
    assert default_name(config("HuggingFaceH4/ultrafeedback", training={"stage": "dpo"},
                               data={"train": "HuggingFaceH4/ultrafeedback", "format": "preference"})) == (
        "ultrafeedback · lora · dpo")
    assert len(default_name(config("/d/" + "x" * 300 + ".jsonl"))) == MAX_LENGTH


def test_a_taken_name_gets_the_next_free_number():
    assert unique_name("bot", set()) == "bot"
    assert unique_name("bot", {"bot"}) == "bot 2"
    assert unique_name("bot", {"bot", "bot 2", "bot 3"}) == "bot 4"
    long = "y" * MAX_LENGTH
    assert unique_name(long, {long}) == "y" * (MAX_LENGTH - 2) + " 2"


def test_run_name_uses_the_config_name_or_the_default_against_the_store(tmp_path):
    store = Store(tmp_path / "runs.db")
    assert taken_names(store) == set()
    for run_id, name in (("r1", "assistant · lora"), ("r2", "mine")):
        store.create_run(run_id, name=name, config_yaml="", model="demo", method="lora", stage="sft")
    taken = taken_names(store)
    assert taken == {"assistant · lora", "mine"}
    assert run_name(config("samples/assistant.jsonl"), taken) == "assistant · lora 2"
    assert run_name(config("samples/assistant.jsonl", name="mine"), taken) == "mine 2"
    assert run_name(config("samples/assistant.jsonl", name="fresh"), taken) == "fresh"
