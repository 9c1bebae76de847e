"""The method cards: what each method changes in the model, when to choose it, what it costs, and its settings.

`settings` are the MethodConfig fields the GUI shows for the method; `family` groups the cards
(full / reparameterised / additive / selective); `mergeable` says whether the trained result can be merged into
the base weights (prompt-learning methods add virtual tokens instead, so their export is the adapter alone).
"""

from __future__ import annotations

from dataclasses import dataclass, field

LINEAR_NAMES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")
FAMILIES = {"full": "Full", "reparameterised": "Reparameterised", "additive": "Additive", "selective": "Selective"}
LORA_SETTINGS = ["rank", "alpha", "dropout", "target_modules"]


@dataclass(frozen=True)
class MethodSpec:
    name: str
    title: str
    what: str
    when: str
    cost: str
    uses_adapter: bool
    settings: list[str] = field(default_factory=list)
    family: str = "reparameterised"
    mergeable: bool = True
    # The frozen base may be loaded in half precision on a GPU (peft keeps these adapters in fp32); the others
    # train base weights or copies of them, which need fp32 master weights.
    half_base: bool = True
    # Prefix tuning hands its virtual keys and values to the model as the attention cache, which transformers turns
    # off under gradient checkpointing (the attention mask then counts tokens the keys lack).
    checkpointing: bool = True


_PISSA_OLORA_EXPORT = (
    " It rewrites the base weights in memory (the adapter takes over part of each weight), so at the end the "
    "adapter is converted into a plain LoRA adapter of twice the rank that applies to the original model: adapter "
    "and merged exports then work like LoRA's. Intermediate checkpoints only resume the run.")

METHODS: dict[str, MethodSpec] = {
    "lora": MethodSpec(
        "lora", "LoRA",
        what="Adds small low-rank matrices beside each linear layer and trains only those; the base stays frozen.",
        when="The default choice: most tasks, most hardware.",
        cost="~1–4% of the weights trained; memory ≈ the model in 16-bit plus a little.",
        uses_adapter=True, settings=list(LORA_SETTINGS),
    ),
    "qlora": MethodSpec(
        "qlora", "QLoRA",
        what="LoRA on a base model stored in 4-bit (or 8-bit): the same adapters, a quarter of the base memory.",
        when="The model does not fit in memory with LoRA.",
        cost="Lowest memory; somewhat slower steps; the base is slightly perturbed by quantisation.",
        uses_adapter=True, settings=["rank", "alpha", "dropout", "target_modules", "bits", "quant_type",
                                     "double_quant"],
    ),
    "dora": MethodSpec(
        "dora", "DoRA",
        what="LoRA that learns each weight's direction and magnitude separately.",
        when="LoRA underfits at low rank and you can afford slower steps.",
        cost="LoRA's memory; steps ~1.5× slower than LoRA.",
        uses_adapter=True, settings=["rank", "alpha", "dropout", "target_modules"],
    ),
    "full": MethodSpec(
        "full", "Full fine-tuning",
        what="Trains every weight of the model.",
        when="Small models, large datasets, or when adapters are not enough.",
        cost="Most memory: weights, gradients and two optimizer states for every parameter (≈16 bytes each).",
        uses_adapter=False, settings=[], family="full", half_base=False,
    ),
    "freeze": MethodSpec(
        "freeze", "Freeze tuning",
        what="Trains the last N decoder layers (and any modules you name) with all their weights; the rest of "
        "the model stays frozen.",
        when="You want real weight updates without full fine-tuning's memory: style, format, a narrow task.",
        cost="Memory grows with the layers trained (each ≈ 1/layers of the model); about 3× faster steps than "
        "full on the demo model. No adapter: the export is the whole model.",
        uses_adapter=False, settings=["freeze_trainable_layers", "freeze_modules"], family="full", half_base=False,
    ),
    "rslora": MethodSpec(
        "rslora", "rsLoRA",
        what="LoRA with rank-stabilised scaling: the update is scaled by alpha/√rank instead of alpha/rank.",
        when="You want high ranks (64 and more): with plain LoRA they learn slower, with rsLoRA they keep up.",
        cost="Same as LoRA: memory, speed and exports.",
        uses_adapter=True, settings=list(LORA_SETTINGS),
    ),
    "pissa": MethodSpec(
        "pissa", "PiSSA",
        what="LoRA whose adapters start from each weight's principal singular vectors (an SVD), so training "
        "changes the most important directions first.",
        when="Faster convergence than LoRA at the same rank, especially at low rank.",
        cost="LoRA's memory and speed plus an SVD of every target weight at start (seconds on big models)."
        + _PISSA_OLORA_EXPORT,
        uses_adapter=True, settings=list(LORA_SETTINGS),
    ),
    "olora": MethodSpec(
        "olora", "OLoRA",
        what="LoRA whose adapters start from an orthonormal (QR) basis of each weight; the model starts "
        "unchanged.",
        when="PiSSA-like faster convergence with a cheaper start (QR instead of SVD).",
        cost="LoRA's memory and speed plus a QR decomposition of every target weight at start."
        + _PISSA_OLORA_EXPORT,
        uses_adapter=True, settings=list(LORA_SETTINGS),
    ),
    "loraplus": MethodSpec(
        "loraplus", "LoRA+",
        what="LoRA where the B matrices learn faster than the A matrices (learning rate × a ratio).",
        when="LoRA learns slowly: LoRA+ often converges up to ~2× faster at the same cost.",
        cost="Same as LoRA; too high a ratio can make training unstable.",
        uses_adapter=True, settings=[*LORA_SETTINGS, "loraplus_lr_ratio"],
    ),
    "adalora": MethodSpec(
        "adalora", "AdaLoRA",
        what="LoRA that starts at Rank and moves its budget to the weights that matter most, pruning the rest "
        "down to the target rank on a schedule.",
        when="You do not know which layers need capacity and want the same parameter budget used better.",
        cost="Trains the starting rank (more than LoRA at the target rank) plus importance bookkeeping every "
        "step; its loss includes an orthogonality penalty, so it reads a little higher than LoRA's.",
        uses_adapter=True, settings=["rank", "adalora_target_rank", "alpha", "dropout", "target_modules",
                                     "adalora_tinit", "adalora_tfinal", "adalora_delta_t"],
    ),
    "ia3": MethodSpec(
        "ia3", "IA³ adapters",
        what="Adapter tuning with peft's IA³: learns one scaling vector for the keys, the values and the "
        "feed-forward input of every layer.",
        when="The smallest adapters, e.g. one per task, or very little data. We use IA³ rather than a bottleneck "
        "adapter because peft maintains it, it merges into the weights and adds no inference cost; bottleneck "
        "adapters need another library and stay as extra layers.",
        cost="The fewest trained parameters of all (~0.01%); steps as fast as LoRA; less capacity for big "
        "changes.",
        uses_adapter=True, settings=[], family="additive",
    ),
    "prompt_tuning": MethodSpec(
        "prompt_tuning", "Prompt tuning",
        what="Learns a soft prompt: virtual token embeddings put before every input. The model is unchanged.",
        when="Steering one behaviour of a large model with tiny storage; start from a text describing the task.",
        cost="Virtual tokens × hidden size parameters; batches are padded; weaker than LoRA on small models. "
        "Cannot be merged into the weights: the export is the adapter, used with the base model.",
        uses_adapter=True, settings=["num_virtual_tokens", "prompt_tuning_init_text"], family="additive",
        mergeable=False, half_base=False,
    ),
    "prefix_tuning": MethodSpec(
        "prefix_tuning", "Prefix tuning",
        what="Learns virtual keys and values for every layer's attention: a prefix each layer attends to. The "
        "model is unchanged.",
        when="More capacity than prompt tuning while still leaving the model untouched.",
        cost="Virtual tokens × layers × 2 × key/value width parameters; starts from a high loss and needs more "
        "steps; batches are padded. Cannot be merged: the export is the adapter.",
        uses_adapter=True, settings=["num_virtual_tokens"], family="additive", mergeable=False, half_base=False,
        checkpointing=False,
    ),
    "p_tuning": MethodSpec(
        "p_tuning", "P-tuning",
        what="Virtual prompt tokens produced by a small trained encoder (an MLP), put before every input.",
        when="Like prompt tuning, but trains more stably.",
        cost="The encoder trains too (≈ 3 × hidden² parameters) but only the virtual tokens are saved; batches "
        "are padded. Cannot be merged: the export is the adapter.",
        uses_adapter=True, settings=["num_virtual_tokens"], family="additive", mergeable=False, half_base=False,
    ),
    "ln_tuning": MethodSpec(
        "ln_tuning", "LayerNorm tuning",
        what="Trains only the normalisation scales of every layer (peft's LN tuning); everything else is frozen.",
        when="A very light adaptation (tone, domain) with almost no memory; a strong cheap baseline.",
        cost="(2 × layers + 1) × hidden parameters; limited capacity; merges into the weights.",
        uses_adapter=True, settings=[], family="selective", half_base=False,
    ),
    "bias": MethodSpec(
        "bias", "Bias-only tuning",
        what="Trains only the bias terms of the model (BitFit); every weight matrix stays frozen.",
        when="Models with biases (e.g. Qwen2's attention). Llama-style models such as the demo have none: "
        "choose LayerNorm tuning or LoRA there.",
        cost="A tiny share of the parameters; no adapter: the export is the whole model.",
        uses_adapter=False, settings=[], family="selective", half_base=False,
    ),
}
