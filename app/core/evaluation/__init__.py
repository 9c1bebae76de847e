"""Evaluation on held-out data: task metrics (metrics.py), prompts and batched generation (generation.py), and
`evaluate_run` (run.py), which scores a run's tuned model and its base model zero-shot and few-shot."""
