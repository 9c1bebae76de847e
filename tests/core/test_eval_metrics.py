"""Metric functions against values computed by hand (each case's arithmetic is in its comment)."""

from __future__ import annotations

import math

import pytest

from app.core.evaluation import metrics as m
from app.core.evaluation.generation import shots, to_item, with_shots


def test_exact_match_normalises_case_punctuation_and_articles():
    assert m.exact_match("The Jupiter.", "jupiter") == 1.0
    assert m.exact_match("Jupiter is big", "Jupiter") == 0.0
    assert m.normalise("  An  apple, the PEAR! ") == "apple pear"


def test_rouge_against_hand_computed_values():
    # pred "cat sat on mat" (4 words), ref "cat sat on red mat" (5 words)
    # ROUGE-1: overlap 4 -> P 4/4, R 4/5 -> F1 = 2*1*0.8/1.8 = 0.8889
    assert m.rouge_n("cat sat on mat", "cat sat on red mat", 1) == pytest.approx(8 / 9)
    # ROUGE-2: pred bigrams {cat sat, sat on, on mat}, ref {cat sat, sat on, on red, red mat}: overlap 2
    # P 2/3, R 2/4 -> F1 = 2*(2/3)*(1/2)/(2/3+1/2) = 4/7
    assert m.rouge_n("cat sat on mat", "cat sat on red mat", 2) == pytest.approx(4 / 7)
    # ROUGE-L: LCS("q w e r", "w q e r") = 3 (q e r or w e r): P 3/4, R 3/4 -> 0.75
    assert m.rouge_l("q w e r", "w q e r") == pytest.approx(0.75)
    assert m.rouge_l("x y", "a b") == 0.0


def test_bleu_against_hand_computed_value():
    # normalise drops the articles a/an/the, so the words are letters other than "a"
    pred, ref = "w x y z q", "w x y z r"
    # 1-grams 4/5, 2-grams 3/4, 3-grams 2/3, 4-grams 1/2; same length: no brevity penalty
    expected = math.exp((math.log(4 / 5) + math.log(3 / 4) + math.log(2 / 3) + math.log(1 / 2)) / 4)
    assert m.bleu([pred], [ref]) == pytest.approx(expected)
    # a shorter candidate: "w x y z" vs "w x y z r": precisions 1, BP = exp(1 - 5/4)
    assert m.bleu(["w x y z"], ["w x y z r"]) == pytest.approx(math.exp(1 - 5 / 4))
    assert m.bleu(["q"], ["w x"]) == 0.0


def test_classification_metrics_and_confusion_matrix():
    refs = ["pos", "pos", "neg", "neg"]
    preds = ["pos", "neg", "neg", "maybe"]
    out = m.classification(preds, refs)
    assert out["accuracy"] == 0.5
    # neg: tp 1, predicted 2, actual 2 -> P .5 R .5 F1 .5; pos: tp 1, predicted 1, actual 2 -> P 1 R .5 F1 2/3
    assert out["precision"] == pytest.approx(0.75)
    assert out["recall"] == pytest.approx(0.5)
    assert out["f1"] == pytest.approx((0.5 + 2 / 3) / 2)
    assert out["confusion"] == {"labels": ["neg", "pos"], "columns": ["neg", "pos", "(other)"],
                                "matrix": [[1, 0, 1], [1, 1, 0]]}
    assert m.is_classification(refs) and not m.is_classification(["a long answer here now", "another one"])


def test_pairwise_accuracy_and_score():
    assert m.pairwise_accuracy([1.0, 0.2, 3.0], [0.5, 0.9, 2.0]) == pytest.approx(2 / 3)
    out = m.score(["Paris", "Rome"], ["Paris", "Berlin"])
    assert out["exact_match"] == 0.5 and out["rouge1"] == 0.5 and out["examples"] == 2
    assert "accuracy" not in out  # two distinct labels, none repeated: not a classification task
    assert out["task_metric"] == "rougeL"


def test_the_task_metric_is_accuracy_for_labels_exact_match_for_json_and_rouge_l_for_text():
    orders = ['{"item": "sofa", "quantity": 2}', ' [1, 2] ', '{"item": "lamp", "quantity": 12}']
    assert m.task_metric(orders) == "exact_match"
    assert m.task_metric(["pos", "neg", "pos"]) == "accuracy"
    assert m.task_metric(["Mei will file the notes on Friday.", "Bruno will sign it on Monday."]) == "rougeL"
    # one answer that is not JSON (or JSON that is not an object/array) makes the set free text
    assert m.task_metric([*orders, "no order found"]) == "rougeL"
    assert m.task_metric(['{"item": "sofa"', '{"a": 1}']) == "rougeL"  # broken JSON
    assert m.task_metric(['"sofa"', '{"a": 1}']) == "rougeL" and m.task_metric([]) == "rougeL"
    # scored: one field wrong costs the whole answer under the task's metric, not under ROUGE-L
    out = m.score(['{"item": "sofasa", "quantity": 2}', '{"item": "lamp", "quantity": 12}'], orders[::2])
    assert out["task_metric"] == "exact_match" and out["exact_match"] == 0.5 and out["rougeL"] == pytest.approx(0.875)


def test_items_and_few_shot_turns():
    convo = [{"role": "system", "content": "S"}, {"role": "user", "content": "Q1"},
             {"role": "assistant", "content": "A1"}]
    item = to_item(convo)
    assert item.reference == "A1" and item.messages == convo[:2]
    assert to_item("plain text") is None
    turns = shots([[{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]], 3, seed=0)
    assert turns == [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
    assert [t["content"] for t in with_shots(item.messages, turns)] == ["S", "q", "a", "Q1"]


def test_classification_over_a_classifiers_classes_keeps_names_and_averages_the_classes_held_out():
    out = m.classification(["Sci/Tech", "Sports", "Sports"], ["Sci/Tech", "Sci/Tech", "Sports"],
                           classes=["Sci/Tech", "Sports", "World"])
    assert out["confusion"] == {"labels": ["Sci/Tech", "Sports", "World"], "columns": ["Sci/Tech", "Sports", "World"],
                                "matrix": [[1, 1, 0], [0, 1, 0], [0, 0, 0]]}
    # 'World' has no held-out text: left out of the macro averages (precision 1 and 1/2, recall 1/2 and 1)
    assert out["accuracy"] == pytest.approx(2 / 3) and out["precision"] == out["recall"] == pytest.approx(0.75)
    assert out["f1"] == pytest.approx(2 / 3)
