"""StudioSFTTrainer: TRL's SFTTrainer with a cheaper step, same loss.

TRL's SFT step scores every position through its chunked LM head (prompt tokens included), recomputes the logits
in the backward, and computes entropy and top-1 accuracy over the whole vocabulary for its logs. We log neither;
our step projects only the label positions and gets the gradient in the same pass (`kernels.LinearCrossEntropy`),
and so does evaluation when only the loss is wanted (no [tokens, vocab] logits there either).
A padding-free batch attends per sequence (`kernels.per_sequence_sdpa`) instead of through a block-diagonal mask.
Variants we do not cover (DFT loss, label smoothing, a custom loss function, MoE aux loss, sequence parallelism)
keep TRL's own step. Imports TRL at the top: import this module inside functions (as engine.py does).
"""

from __future__ import annotations

from peft import PeftModel
from trl import SFTTrainer

from .kernels import SequenceBoundsCollator, add_lm_loss_head, register_attention


class StudioSFTTrainer(SFTTrainer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parallel = getattr(self.accelerator, "parallelism_config", None)
        self.studio_loss = (self.args.loss_type == "nll" and self.compute_loss_func is None
                            and not self.args.use_liger_kernel  # Liger's fused loss on a GPU (kernels.gpu_kernels)
                            and self.label_smoother is None and not self.aux_loss_enabled
                            and not (parallel is not None and getattr(parallel, "sp_enabled", False)))
        base = self.model.get_base_model() if isinstance(self.model, PeftModel) else self.model
        if self.studio_loss:
            add_lm_loss_head(base)
        if self.padding_free and base.config._attn_implementation == "sdpa":
            base.set_attn_implementation(register_attention())  # sdpa per sequence of a padding-free row
            self.data_collator = SequenceBoundsCollator(self.data_collator)  # where each sequence starts and ends

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        if return_outputs or not self.studio_loss:
            return super().compute_loss(model, inputs, return_outputs=return_outputs,
                                        num_items_in_batch=num_items_in_batch)
        inputs = {**inputs, "use_cache": False}
        loss = model(**inputs, studio_lm_loss=True, num_items_in_batch=num_items_in_batch).loss
        if self.args.average_tokens_across_devices and num_items_in_batch is not None:
            loss = loss * (self.accelerator.num_processes // self.get_tp_size())  # as Trainer.compute_loss does
        return loss

    def prediction_step(self, model, inputs, prediction_loss_only, ignore_keys=None):
        """Evaluation that wants the loss alone (no compute_metrics) takes it through our loss too: TRL's path builds
        the whole batch's logits in fp32 with log-softmax and entropy, 11-12 bytes per token and vocabulary entry
        (the demo model, 8 x 256 tokens: evaluation peaked at 2,124 MiB RSS against training's 1,495, issue #26)."""
        if not (prediction_loss_only and self.studio_loss and "labels" in inputs):
            return super().prediction_step(model, inputs, prediction_loss_only, ignore_keys=ignore_keys)
        import torch

        inputs = self._prepare_inputs(inputs)
        # the mean over the batch's label tokens, as TRL's loss with transformers' count of them
        num_items_in_batch = self._get_num_items_in_batch([inputs], self.args.device)
        with torch.no_grad(), self.compute_loss_context_manager():
            loss = self.compute_loss(model, inputs, num_items_in_batch=num_items_in_batch)
        return loss.detach().mean(), None, None
