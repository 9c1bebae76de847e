"""DistributedConfig: the `distributed` section of a RunConfig (how many processes train one run, and how they
share the model)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..messages import Text
from ..sections import ADVANCED, Section

Strategy = Literal["ddp", "fsdp", "deepspeed-zero2", "deepspeed-zero3"]
STRATEGIES: tuple[str, ...] = Strategy.__args__
SHARDED = ("fsdp", "deepspeed-zero3")  # the weights themselves are split across the processes
DEEPSPEED = ("deepspeed-zero2", "deepspeed-zero3")


class DistributedConfig(Section):
    processes: int = Field(
        1, title="Processes", description="Training processes on each machine, one per GPU (on a CPU: each takes "
        "a share of the cores). 1 trains in a single process; more are started by torch's launcher (torchrun).",
        ge=1, le=64,
    )
    machines: int = Field(
        1, title="Machines", description="Machines that train the run together; above 1, start it on each with "
        "the script `finetune-studio launch-script` writes (SLURM or plain torchrun).", ge=1, le=1024,
        json_schema_extra=ADVANCED,
    )
    strategy: Strategy = Field(
        "ddp", title="Strategy", description="ddp: every process holds the whole model; fsdp and deepspeed-zero3: "
        "weights, gradients and optimizer states split across the processes; deepspeed-zero2: gradients and "
        "optimizer states split, weights whole.", json_schema_extra=ADVANCED,
    )
    cpu_offload: bool = Field(
        False, title="CPU offload", description="fsdp, deepspeed-zero3: keep the split weights and optimizer "
        "states in CPU memory between uses; deepspeed-zero2: the optimizer states. Less GPU memory, slower steps.",
        json_schema_extra=ADVANCED,
    )
    devices: Literal["all"] | list[int] = Field(
        "all", title="Devices", description="GPUs to train on: all, or the indices of some, e.g. [0, 1] (one "
        "process each).",
    )

    @field_validator("devices")
    @classmethod
    def _devices(cls, value: str | list[int]) -> str | list[int]:
        if isinstance(value, list):
            if not value:
                raise ValueError(Text("pick at least one GPU, or 'all'"))
            if any(i < 0 for i in value):
                raise ValueError(Text("GPU indices start at 0"))
            if len(set(value)) != len(value):
                raise ValueError(Text("a GPU is listed twice"))
        return value

    @model_validator(mode="after")
    def _fits(self) -> DistributedConfig:
        if isinstance(self.devices, list) and len(self.devices) != self.processes:
            raise ValueError(Text("devices lists {n} GPU(s) for {processes} process(es): one process trains "
                                  "on each picked GPU", n=len(self.devices), processes=self.processes))
        if self.cpu_offload and self.strategy == "ddp":
            raise ValueError(Text("cpu_offload needs a strategy that splits the model (fsdp, "
                                  "deepspeed-zero2/3); ddp keeps everything on each GPU"))
        return self

    @property
    def world_size(self) -> int:
        """Processes in all: processes per machine × machines."""
        return self.processes * self.machines
