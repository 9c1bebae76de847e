"""When two models count as the same: the one rule every export check uses (adapter, merged, PiSSA/OLoRA conversion,
sequence heads, GGUF), written down once so that the checks, the parity report and the model card agree.

A check compares a *reference* (the trained model) with a *candidate* (the reloaded export) on the same inputs.
Each side has a dtype: the precision its weights are held in (an fp32 master copy trained under bf16 autocast is
fp32; a GPU run's half-precision frozen base is bf16 or fp16; a merged export saved in fp16 is fp16 even when it is
reloaded into fp32 to compute). The rule is judged in the *coarser* of the two:

- **tolerance** = ``ULPS`` units of that dtype's rounding (machine epsilon) at the scale of the reference's logits:
  ``ULPS × eps × max|reference logit|``. At logits of 30: fp32 4.6e-4 (an exact export differs by ~6e-5: summation
  order), fp16 3.75, bf16 30. A max difference above it fails.
- **top-1 agreement**: where the coarser dtype is a half type, max differences are dominated by rounding and say
  little, so the next-token choice must agree at ``AGREEMENT_FLOOR`` of the positions or more (a lost tensor, a
  wrong scale or a broken tie drops it far below); under ``AGREEMENT_WARN`` the rounding itself costs behaviour and
  the user is warned. In fp32 the max difference alone decides.

Measured on the demo model (quickstart adapter): fp32 merge 6.1e-5; fp16 export max 0.03 / agreement 100%; bf16
export max 4.2 / 97.3%. A corrupted export (one LoRA matrix scaled, a layer's weights zeroed) fails both ways.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..messages import Text

EPS = {"fp32": 2.0**-23, "fp16": 2.0**-10, "bf16": 2.0**-7}
ULPS = 128
AGREEMENT_FLOOR = 0.95
AGREEMENT_WARN = 0.99


def coarser(a: str, b: str) -> str:
    """The dtype with the larger rounding error of the two."""
    return a if EPS[a] >= EPS[b] else b


def dtype_name(dtype: Any) -> str:
    """The rule's name for a torch dtype: fp32, fp16 or bf16 (any other float type counts as fp32)."""
    return {"torch.bfloat16": "bf16", "torch.float16": "fp16"}.get(str(dtype), "fp32")


def torch_dtype(name: str) -> Any:
    """The torch dtype for fp32, fp16 or bf16."""
    import torch

    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[name]


def weights_dtype(model: Any) -> str:
    """The precision a model computes in, as its weights limit it: the coarsest dtype among its parameters (a GPU
    run's half-precision base, not its adapters' fp32 copies). A 4-bit layer (bitsandbytes' Linear4bit) counts as
    its compute dtype, and as bf16 at best: bitsandbytes' CPU kernels work in bf16 on CPUs that have it and change
    the weights' layout after the first forward, so an fp32-compute QLoRA adapter reloaded on this AVX512-BF16 CPU
    gave logits 9.6e-4 apart from the trained model's (its fused and PEFT forwards agree exactly)."""
    found = {"fp32"}
    for module in model.modules():
        weight, compute = getattr(module, "weight", None), getattr(module, "compute_dtype", None)
        if compute is not None and weight is not None and not weight.is_floating_point():
            found.add(coarser(dtype_name(compute), "bf16"))
    found |= {dtype_name(p.dtype) for p in model.parameters() if p.is_floating_point()}
    return max(found, key=EPS.get)


@dataclass(frozen=True)
class Verdict:
    """The outcome of one comparison, with everything the parity report states about it."""

    reference: str
    candidate: str
    max_abs_diff: float
    top1_agreement: float
    tolerance: float

    @property
    def dtype(self) -> str:
        return coarser(self.reference, self.candidate)

    @property
    def by_agreement(self) -> bool:
        return self.dtype != "fp32"

    @property
    def passed(self) -> bool:
        if not math.isfinite(self.max_abs_diff) or self.max_abs_diff > self.tolerance:
            return False
        return not self.by_agreement or self.top1_agreement >= AGREEMENT_FLOOR

    @property
    def rounding_costs(self) -> bool:
        """Passed, but the half-precision rounding changes the next-token choice often enough to say so."""
        return self.by_agreement and self.top1_agreement < AGREEMENT_WARN

    def rule(self) -> str:
        text = (f"{self.reference} reference vs {self.candidate} export, judged in {self.dtype}: "
                f"largest logit difference ≤ {ULPS} × eps({self.dtype}) × largest logit = {self.tolerance:.3g}")
        return text + (f", next-token agreement ≥ {AGREEMENT_FLOOR:.0%}" if self.by_agreement else "")

    def failure(self) -> Text:
        """Why it failed, in the user's terms."""
        if not math.isfinite(self.max_abs_diff):
            return Text("the export's outputs are not finite numbers")
        if self.max_abs_diff > self.tolerance:
            return Text("max logit difference {diff:.3g} > {tolerance:.3g} ({rule})", diff=float(self.max_abs_diff),
                        tolerance=float(self.tolerance), rule=self.rule())
        return Text("the next token differs at {share:.1%} of positions, more than {floor:.0%} ({rule})",
                    share=1 - float(self.top1_agreement), floor=1 - AGREEMENT_FLOOR, rule=self.rule())

    def report(self, prefix: str = "") -> dict[str, Any]:
        """The properties stored with the artifact and shown in the parity report and the model card."""
        return {f"{prefix}max_abs_diff": self.max_abs_diff, f"{prefix}top1_agreement": self.top1_agreement,
                f"{prefix}tolerance": self.tolerance, f"{prefix}parity_rule": self.rule(),
                f"{prefix}parity_ok": self.passed,
                **({f"{prefix}agreement_floor": AGREEMENT_FLOOR} if self.by_agreement else {})}


def compare(expected: list, got: list, reference: str, candidate: str) -> Verdict:
    """Judge two lists of logits tensors (one per prompt, [1, positions, vocab] or [rows, classes]) under the rule.

    Both are compared in fp32; `reference` and `candidate` name the dtypes the two models held their weights in.
    """
    diff = max(float((x.float() - y.float()).abs().max()) for x, y in zip(expected, got, strict=True))
    same = sum(int((x.argmax(-1) == y.argmax(-1)).sum()) for x, y in zip(expected, got, strict=True))
    positions = sum(x.argmax(-1).numel() for x in expected)
    scale = max(max(float(x.float().abs().max()) for x in expected), 1.0)
    dtype = coarser(reference, candidate)
    return Verdict(reference, candidate, diff, same / positions, ULPS * EPS[dtype] * scale)
