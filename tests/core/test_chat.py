"""`finetune-studio chat MODEL --jsonl`: one loaded model answers several prompts read as JSON lines on stdin."""

from __future__ import annotations

import json
import subprocess
import sys

from app.core.paths import PROJECT_ROOT


def test_jsonl_protocol_answers_two_prompts(tiny_model_dir):
    requests = [
        {"messages": [{"role": "user", "content": "Say apple"}], "max_tokens": 4},
        {"messages": [{"role": "user", "content": "Say pear"}], "max_tokens": 3, "temperature": 0.8, "top_p": 0.9},
    ]
    proc = subprocess.run([sys.executable, "-m", "app", "chat", str(tiny_model_dir), "--jsonl"],
                          input="".join(json.dumps(r) + "\n" for r in requests), capture_output=True, text=True,
                          timeout=120, cwd=PROJECT_ROOT)
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]  # every stdout line is JSON
    kinds = [e["event"] for e in events]
    assert kinds[0] == "loaded" and events[0]["model"] == str(tiny_model_dir)
    assert events[0]["memory_bytes"] > 10_000_000
    assert kinds.count("done") == 2 and kinds[-1] == "done" and "error" not in kinds
    first_done = kinds.index("done")
    assert "token" in kinds[1:first_done] and "token" in kinds[first_done + 1:]
    for done, limit in zip([e for e in events if e["event"] == "done"], (4, 3), strict=True):
        assert 0 < done["tokens"] <= limit and done["seconds"] > 0 and done["tokens_per_second"] > 0
        assert done["stopped"] is False
