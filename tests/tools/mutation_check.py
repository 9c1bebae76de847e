"""Mutation check of the product's own checks: disable each one in turn and show that a test fails.

Every check the product makes on its own output (the parity rule, the export checks, the GGUF judge, the Ollama and
chat checks, the PiSSA/OLoRA conversion, the head export, shard digests, the export folder refusal, the data
doctor's findings) is listed below with the exact source text that makes it refuse and the tests that must notice
when it stops refusing. For each, the script copies the working tree to a temporary folder once, replaces that
text (the condition made false, the verdict made true), runs those tests there with `-x`, and puts the text back:
the checkout itself is never edited. A mutation is killed when a test fails (pytest exit code 1); anything else
(all pass, or the tests could not run) is reported and makes the script exit 1.

    .venv/bin/python tests/tools/mutation_check.py            # every mutation, after a baseline run
    .venv/bin/python tests/tools/mutation_check.py -k gguf    # those whose name contains "gguf"
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Mutation:
    name: str
    path: str  # the module, relative to the repository root
    old: str  # the refusing source text; must occur exactly once
    new: str  # the same text with the check disabled
    tests: tuple[str, ...]  # node ids of which at least one must fail


PARITY = "tests/core/test_parity.py::"
EXPORT = "tests/core/test_export.py::"
GGUF = "tests/core/test_gguf_export.py::"
OLLAMA = "tests/core/test_ollama.py::"
DOCTOR = "tests/core/test_data_doctor.py::"
WRONG_GGUF = GGUF + "test_a_wrong_gguf_is_refused_for_its_eos_its_template_and_its_logits"

MUTATIONS = (
    Mutation("parity rule: max logit difference over the tolerance", "app/core/export/parity.py",
             "if not math.isfinite(self.max_abs_diff) or self.max_abs_diff > self.tolerance:",
             "if not math.isfinite(self.max_abs_diff):",
             (PARITY + "test_rule_judges_in_the_coarser_dtype",)),
    Mutation("parity rule: next-token agreement under the floor", "app/core/export/parity.py",
             "return not self.by_agreement or self.top1_agreement >= AGREEMENT_FLOOR", "return True",
             (PARITY + "test_rule_judges_in_the_coarser_dtype",)),
    Mutation("adapter export check", "app/core/export/weights.py",
             "if not verdict.passed:\n                raise ExportError(Text(\"The saved adapter",
             "if False:\n                raise ExportError(Text(\"The saved adapter",
             (PARITY + "test_a_corrupted_adapter_export_fails_its_check",)),
    Mutation("merged export check (_judge)", "app/core/export/weights.py",
             "if not verdict.passed:\n        raise ExportError(Text(\"The exported {candidate}",
             "if False:\n        raise ExportError(Text(\"The exported {candidate}",
             (PARITY + "test_merged_exports_pass_in_every_dtype_and_a_corrupted_merge_fails[fp16]",)),
    Mutation("in-memory merge check (DoRA and other adapters peft merges)", "app/core/export/weights.py",
             "if not verdict.passed:\n            raise ExportError(Text(\"Merging changed the model's outputs",
             "if False:\n            raise ExportError(Text(\"Merging changed the model's outputs",
             (PARITY + "test_an_in_memory_merge_that_changes_the_outputs_is_refused",)),
    Mutation("shard digests", "app/core/export/weights.py", "if mismatched or missing:", "if False:",
             (EXPORT + "test_saved_shards_that_differ_from_the_merged_model_are_refused",)),
    Mutation("head export check", "app/core/stages/head_export.py",
             "if not verdict.passed:\n            raise ExportError(Text(\"The merged {stage}",
             "if False:\n            raise ExportError(Text(\"The merged {stage}",
             (PARITY + "test_a_merged_head_that_scores_differently_is_refused",)),
    Mutation("PiSSA/OLoRA conversion check", "app/core/methods/apply.py",
             "if not verdict.passed:\n        raise ExportError(Text(\"Converting the",
             "if False:\n        raise ExportError(Text(\"Converting the",
             (PARITY + "test_a_pissa_or_olora_adapter_converted_from_a_wrong_initial_adapter_is_refused[pissa]",)),
    Mutation("GGUF judge: eos token", "app/core/export/gguf/__init__.py", "if not props[\"eos_ok\"]:", "if False:",
             (WRONG_GGUF,)),
    Mutation("GGUF judge: chat template", "app/core/export/gguf/__init__.py", "if not props[\"chat_template_ok\"]:",
             "if False:", (WRONG_GGUF,)),
    Mutation("GGUF judge: f16/f32 parity", "app/core/export/gguf/__init__.py",
             "if quant in QUANT_DTYPES and not props[\"parity_ok\"]:", "if False:", (WRONG_GGUF,)),
    Mutation("GGUF judge: greedy agreement", "app/core/export/gguf/__init__.py",
             "if quant in (\"f32\", \"f16\") and props[\"greedy_agreement\"] < 1.0:", "if False:", (WRONG_GGUF,)),
    Mutation("GGUF verify: eos compared with the model's", "app/core/export/gguf/__init__.py",
             "\"eos_ok\": gtok.eos_token == tok.eos_token and gtok.eos_token is not None,", "\"eos_ok\": True,",
             (WRONG_GGUF,)),
    Mutation("Ollama export refuses a failing Modelfile", "app/core/export/gguf/__init__.py",
             "if not (checks[\"template_ok\"] and checks[\"stop_ok\"]):", "if False:",
             (GGUF + "test_an_ollama_modelfile_that_fails_its_checks_is_refused_and_not_written",)),
    Mutation("Ollama TEMPLATE token for token", "app/core/export/ollama.py",
             "props[\"template_ok\"] = props[\"template_match_with_system\"] and "
             "props[\"template_match_without_system\"]", "props[\"template_ok\"] = True",
             (OLLAMA + "test_broken_template_is_caught_by_the_check",)),
    Mutation("Ollama stop tokens", "app/core/export/ollama.py",
             "props[\"stop_ok\"] = bool(spec[\"stop\"]) and all(s in vocab for s in spec[\"stop\"]) and END in "
             "spec[\"stop\"]", "props[\"stop_ok\"] = True",
             (OLLAMA + "test_stop_tokens_that_miss_the_end_of_turn_or_are_not_tokens_fail_the_check",)),
    Mutation("Ollama refuses a non-ChatML template", "app/core/export/ollama.py",
             "if full != _chatml(PROBE) or not (bare == tail or match):", "if False:",
             (OLLAMA + "test_non_chatml_template_is_refused",)),
    Mutation("chat checks: template token for token", "app/core/chat/checks.py",
             "if props.get(\"chat_template_ok\") is False:", "if False:",
             (EXPORT + "test_chat_checks_catch_a_broken_template_and_a_missing_eos",)),
    Mutation("chat checks: end of turn is a stop token", "app/core/chat/checks.py",
             "props[\"eos_ok\"] = exported.eos_token_id is not None and end_id in stop_ids(exported, "
             "generation_config)", "props[\"eos_ok\"] = True",
             (EXPORT + "test_chat_checks_catch_a_broken_template_and_a_missing_eos",)),
    Mutation("chat checks: warning when the export would not stop", "app/core/chat/checks.py",
             "if not props[\"eos_ok\"] and warn is not None:", "if False:",
             (EXPORT + "test_chat_checks_catch_a_broken_template_and_a_missing_eos",)),
    Mutation("export folder refusal (staging)", "app/core/export/staging.py",
             "if state != \"foreign\":\n        return", "if True:\n        return",
             ("tests/drills/test_export_drills.py::test_export_into_a_users_folder_is_refused_and_the_folder_kept",)),
    Mutation("data doctor: row problems", "app/core/data/inspection.py",
             "if problem is not None:\n            report.problem_count += 1",
             "if False:\n            report.problem_count += 1",
             (DOCTOR + "test_each_row_problem_is_found_on_its_line",)),
    Mutation("data doctor: exact duplicates", "app/core/data/duplicates.py",
             "for group in _groups(self.exact):", "for group in []:",
             (DOCTOR + "test_exact_duplicates_with_line_numbers",)),
    Mutation("data doctor: near duplicates", "app/core/data/duplicates.py", "if variants < 2:", "if True:",
             (DOCTOR + "test_near_duplicates_ignore_case_spacing_and_punctuation",)),
    Mutation("data doctor: leakage", "app/core/data/duplicates.py", "if not len(shared):", "if True:",
             (DOCTOR + "test_leakage_between_training_and_validation_files",)),
    Mutation("data doctor: truncation", "app/core/data/lengths.py",
             "over = int((values > self.max_length).sum()) if self.max_length else 0", "over = 0",
             (DOCTOR + "test_histogram_and_truncation",)),
    Mutation("data doctor: trained tokens past an automatic max length", "app/core/data/lengths.py",
             "self.cut + int(past.sum())", "self.cut",
             (DOCTOR + "test_automatic_max_length_cuts_a_far_longer_row_at_the_99th_percentile",)),
    Mutation("data doctor: an automatic max length from the rows a run trains on", "app/core/data/inspection.py",
             "training = split_positions(read, 0.0 if validation is not None else validation_split, test_split, seed)[0]",
             "training = range(len(lengths.lengths))",
             (DOCTOR + "test_the_doctors_automatic_max_length_is_the_one_a_run_chooses",)),
)


def _copy_tree(dest: Path) -> None:
    """The working tree as it is (tracked and untracked files git does not ignore), without .git or the venv."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


def _pytest(tree: Path, tests: tuple[str, ...]) -> tuple[int, float, str]:
    env = {**os.environ, "PYTHONPATH": str(tree), "QT_QPA_PLATFORM": "offscreen",
           "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
           # the converted demo model is shared with the checkout's tests instead of converted again
           "FINETUNE_STUDIO_MODELS": os.environ.get("FINETUNE_STUDIO_MODELS", str(ROOT / ".test-cache" / "models"))}
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-o",
                           "addopts=", *tests], cwd=tree, env=env, capture_output=True, text=True)
    lines = (done.stdout + done.stderr).strip().splitlines()
    return done.returncode, time.monotonic() - start, lines[-1] if lines else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-k", default="", help="only the mutations whose name contains this text")
    parser.add_argument("--no-baseline", action="store_true", help="skip the run of all the tests unmutated")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if args.k.lower() in m.name.lower()]
    with tempfile.TemporaryDirectory(prefix="mutation-check-") as tmp:
        tree = Path(tmp)
        _copy_tree(tree)
        if not args.no_baseline:
            tests = tuple(dict.fromkeys(t for m in chosen for t in m.tests))
            code, seconds, last = _pytest(tree, tests)
            print(f"baseline ({len(tests)} tests, unmutated): exit {code} in {seconds:.0f} s: {last}", flush=True)
            if code != 0:
                print("the tests fail without a mutation: fix them first")
                return 1
        survived = []
        for m in chosen:
            source = tree / m.path
            text = source.read_text(encoding="utf-8")
            if text.count(m.old) != 1:
                print(f"NOT FOUND  {m.name}: {m.path} holds its text {text.count(m.old)} times", flush=True)
                survived.append(m.name)
                continue
            source.write_text(text.replace(m.old, m.new), encoding="utf-8")
            try:
                code, seconds, last = _pytest(tree, m.tests)
            finally:
                source.write_text(text, encoding="utf-8")
            verdict = "killed" if code == 1 else "SURVIVED" if code == 0 else f"ERROR (pytest exit {code})"
            print(f"{verdict:<9}  {m.name} ({seconds:.0f} s): {last}", flush=True)
            if code != 1:
                survived.append(m.name)
    print(f"\n{len(chosen) - len(survived)} of {len(chosen)} mutations killed"
          + (f"; not killed: {', '.join(survived)}" if survived else ""))
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
