"""pt runs: language-model loss and perplexity of the tuned model and its base on the held-out text.

The validation split is the packed blocks the trainer's eval_loss was measured on (data/packing.py, from its cache);
the test split is the run's test text (data.test, or the data.test_split share of the documents) packed the same
way. `loss` is the mean cross-entropy per token, `perplexity` its exponential; each block is stored as an example
scored exp(-loss), the geometric mean probability of its tokens, so the best blocks are the best predicted.
"""

from __future__ import annotations

import gc
import math
from typing import Any

from ..errors import Cancelled, DataError
from ..messages import Text
from .job import EvalJob, model_label

PREVIEW_CHARS = 300  # of each block's text shown as its "prompt"


def held_out_blocks(job: EvalJob, tokenizer: Any) -> list[list[int]]:
    from ..data.packing import pack, prepare_pt, tokenise_documents
    from ..data.stage_data import load_stage_rows

    cfg, block = job.config.data, job.config.training.max_length
    if job.split == "validation":
        held = prepare_pt(cfg, tokenizer, block, stop=job.stop).eval
        blocks = list(held["input_ids"]) if held is not None else []
    else:
        texts = [r["text"] for r in load_stage_rows(cfg.model_copy(update={"system_prompt": None}), ("text",),
                                                    "continued pre-training", stop=job.stop,
                                                    validation=False).test]
        blocks = pack(tokenise_documents(texts, tokenizer, None, job.stop, 0, len(texts)), block)
    if not blocks:
        where = (Text("a validation share or file (data.validation_split, data.validation)")
                 if job.split == "validation" else Text("a test file or share (data.test, data.test_split)"))
        said = (Text("Run {id} holds out no validation text of at least one block ({block} tokens, "
                     "training.max_length).", id=job.run['id'], block=block) if job.split == "validation" else
                Text("Run {id} holds out no test text of at least one block ({block} tokens, "
                     "training.max_length).", id=job.run['id'], block=block))
        raise DataError(said,
                        Text("Give it {where} with more text, and train it again; held-out text is never "
                             "trained on.", where=where))
    return blocks[:job.limit or None]


def block_losses(model: Any, blocks: list[list[int]], batch_size: int, message: str, job: EvalJob) -> list[float]:
    """Each block's mean next-token cross-entropy."""
    import torch

    out: list[float] = []
    for start in range(0, len(blocks), batch_size):
        if job.stop is not None and job.stop.is_set():
            raise Cancelled(Text("Evaluation stopped."))
        ids = torch.tensor(blocks[start:start + batch_size], device=model.device)
        with torch.no_grad():
            logits = model(ids).logits[:, :-1].float()
        losses = torch.nn.functional.cross_entropy(logits.transpose(1, 2), ids[:, 1:], reduction="none")
        out += losses.mean(-1).tolist()
        job.report(message, len(out), len(blocks))
    return out


def evaluate_text(job: EvalJob, batch_size: int) -> dict:
    from ..chat.load import load_for_chat

    blocks: list[list[int]] = []
    for label, key in (("tuned", job.run["id"]), ("base", job.config.model.source))[:2 if job.base else 1]:
        job.report(Text("Loading the {label} model", label=model_label(label)))
        model, tokenizer = load_for_chat(key, trust_remote_code=job.config.model.trust_remote_code)
        blocks = blocks or held_out_blocks(job, tokenizer)
        losses = block_losses(model, blocks, batch_size, Text("Scoring text: {label} model", label=model_label(label)), job)
        del model
        gc.collect()
        loss = sum(losses) / len(losses)
        rows = [{"idx": i, "prompt": tokenizer.decode(b, skip_special_tokens=True)[:PREVIEW_CHARS], "reference": "",
                 "prediction": f"loss {x:.3f}, perplexity {math.exp(x):.3g}", "score": round(math.exp(-x), 6)}
                for i, (b, x) in enumerate(zip(blocks, losses, strict=True))]
        job.save(label, {"examples": len(blocks), "loss": loss, "perplexity": math.exp(loss)}, rows)
    return job.result
