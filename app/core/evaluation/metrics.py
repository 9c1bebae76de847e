"""Task metrics on (prediction, reference) pairs, by their standard definitions; pure Python, no dependencies.

- exact match: after normalisation (lower case, punctuation and the articles a/an/the removed, spaces collapsed:
  the SQuAD definition);
- ROUGE-1/2 (n-gram overlap) and ROUGE-L (longest common subsequence): F1 per example, averaged; tokens are the
  normalised words (no stemming, so values can sit a little below `rouge-score --use_stemmer`);
- BLEU: corpus BLEU-4 (Papineni et al. 2002): clipped n-gram precisions over the whole corpus, geometric mean,
  brevity penalty exp(1 - r/c) when the candidates are shorter; 0 when some order has no match (no smoothing,
  as sacrebleu's default 'none');
- classification: accuracy, macro precision/recall/F1 over the reference labels, and the confusion matrix;
- the task's metric (`task_metric`): the one of them that judges a set, as a search or a sweep compares runs by it;
- pairwise accuracy for preference data: the share of pairs whose chosen answer scores above the rejected one.

All values are in [0, 1].
"""

from __future__ import annotations

import json
import math
import re
import string
from collections import Counter
from collections.abc import Sequence

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = str.maketrans("", "", string.punctuation)
MAX_CLASSES = 20  # a task with more distinct references is scored as generation only


def normalise(text: str) -> str:
    text = _ARTICLES.sub(" ", text.lower().translate(_PUNCT))
    return " ".join(text.split())


def exact_match(prediction: str, reference: str) -> float:
    return float(normalise(prediction) == normalise(reference))


def _ngrams(tokens: list[str], n: int) -> Counter:
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def _f1(overlap: int, n_pred: int, n_ref: int) -> float:
    if overlap == 0 or n_pred == 0 or n_ref == 0:
        return 0.0
    precision, recall = overlap / n_pred, overlap / n_ref
    return 2 * precision * recall / (precision + recall)


def rouge_n(prediction: str, reference: str, n: int) -> float:
    pred, ref = _ngrams(normalise(prediction).split(), n), _ngrams(normalise(reference).split(), n)
    return _f1(sum((pred & ref).values()), sum(pred.values()), sum(ref.values()))


def _lcs(a: list[str], b: list[str]) -> int:
    row = [0] * (len(b) + 1)
    for x in a:
        prev = 0
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], prev + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


def rouge_l(prediction: str, reference: str) -> float:
    pred, ref = normalise(prediction).split(), normalise(reference).split()
    return _f1(_lcs(pred, ref), len(pred), len(ref))


def bleu(predictions: Sequence[str], references: Sequence[str], max_n: int = 4) -> float:
    """Corpus BLEU with one reference per prediction."""
    matches, totals = [0] * max_n, [0] * max_n
    pred_len = ref_len = 0
    for prediction, reference in zip(predictions, references, strict=True):
        pred, ref = normalise(prediction).split(), normalise(reference).split()
        pred_len, ref_len = pred_len + len(pred), ref_len + len(ref)
        for n in range(1, max_n + 1):
            p, r = _ngrams(pred, n), _ngrams(ref, n)
            matches[n - 1] += sum((p & r).values())
            totals[n - 1] += sum(p.values())
    if pred_len == 0 or min(matches) == 0:
        return 0.0
    log_precision = sum(math.log(m / t) for m, t in zip(matches, totals, strict=True)) / max_n
    brevity = 1.0 if pred_len > ref_len else math.exp(1 - ref_len / pred_len)
    return brevity * math.exp(log_precision)


def classification(predictions: Sequence[str], references: Sequence[str], classes: Sequence[str] | None = None) -> dict:
    """Accuracy, macro precision/recall/F1 over the reference labels, and the confusion matrix
    (`labels` rows = reference, columns = prediction; predictions outside the labels count in an 'other' column).

    Generated answers are compared normalised. With `classes` (a classifier's class names, every prediction and
    reference one of them) names are compared as they are and the matrix has a row and a column per class."""
    if classes is None:
        preds, refs = [normalise(p) for p in predictions], [normalise(r) for r in references]
        labels = sorted(set(refs))
    else:
        preds, refs, labels = list(predictions), list(references), list(classes)
    columns = labels + (["(other)"] if any(p not in labels for p in preds) else [])
    matrix = [[0] * len(columns) for _ in labels]
    for p, r in zip(preds, refs, strict=True):
        matrix[labels.index(r)][columns.index(p) if p in labels else len(columns) - 1] += 1
    precisions, recalls, f1s = [], [], []
    present = set(refs)
    for i, label in enumerate(labels):
        if label not in present:  # a class with no held-out example has no recall: left out of the macro averages
            continue
        tp = matrix[i][i]
        predicted = sum(row[i] for row in matrix)
        actual = sum(matrix[i])
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        precisions.append(precision)
        recalls.append(recall)
        f1s.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    n = len(precisions) or 1
    return {"accuracy": sum(p == r for p, r in zip(preds, refs, strict=True)) / max(1, len(refs)),
            "precision": sum(precisions) / n, "recall": sum(recalls) / n, "f1": sum(f1s) / n,
            "confusion": {"labels": labels, "columns": columns, "matrix": matrix}}


def pairwise_accuracy(chosen_scores: Sequence[float], rejected_scores: Sequence[float]) -> float:
    pairs = list(zip(chosen_scores, rejected_scores, strict=True))
    return sum(c > r for c, r in pairs) / len(pairs) if pairs else 0.0


def is_classification(references: Sequence[str]) -> bool:
    """References look like labels: at most MAX_CLASSES distinct short (≤ 3 words) values, some repeated."""
    labels = {normalise(r) for r in references}
    return (1 < len(labels) <= MAX_CLASSES and len(labels) < len(references)
            and all(len(label.split()) <= 3 for label in labels))


def is_structured(references: Sequence[str]) -> bool:
    """References are structured answers: every one a JSON object or array (an extraction, a tool call)."""
    def structured(text: str) -> bool:
        text = text.strip()
        if not text.startswith(("{", "[")):
            return False
        try:
            return isinstance(json.loads(text), dict | list)
        except ValueError:
            return False
    return bool(references) and all(map(structured, references))


def task_metric(references: Sequence[str]) -> str:
    """The metric that judges a held-out set: accuracy when the references are labels; exact match when they are
    structured (a JSON answer with one field wrong is wrong, though ROUGE-L gives it most of the credit); else
    ROUGE-L (free text, where several wordings are right)."""
    if is_classification(references):
        return "accuracy"
    return "exact_match" if is_structured(references) else "rougeL"


def example_score(prediction: str, reference: str) -> float:
    """One number per example to rank best and worst: exact match counts most, then ROUGE-L."""
    return round(0.5 * exact_match(prediction, reference) + 0.5 * rouge_l(prediction, reference), 6)


def score(predictions: Sequence[str], references: Sequence[str]) -> dict:
    """The metrics for a held-out set: generation metrics always, classification ones when references are labels."""
    n = len(references)
    if n == 0:
        return {"examples": 0}
    out: dict = {
        "examples": n,
        "exact_match": sum(map(exact_match, predictions, references)) / n,
        "rouge1": sum(rouge_n(p, r, 1) for p, r in zip(predictions, references, strict=True)) / n,
        "rouge2": sum(rouge_n(p, r, 2) for p, r in zip(predictions, references, strict=True)) / n,
        "rougeL": sum(map(rouge_l, predictions, references)) / n,
        "bleu": bleu(predictions, references),
    }
    if is_classification(references):
        out.update(classification(predictions, references))
    out["task_metric"] = task_metric(references)
    return out
