"""Evaluation on held-out data: task metrics (metrics.py), prompts and batched generation (generation.py), and
`evaluate_run` (run.py), which scores a run's tuned model beside a baseline for every stage (job.py: the shared
held-out rows and storage; preference.py, heads.py, online.py, perplexity.py: the stages that do not generate
answers to match)."""
