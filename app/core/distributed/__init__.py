"""Several processes training one run, driven through torch's launcher (torchrun) and accelerate: the `distributed`
settings, which process does what (ranks), launching them, the FSDP/DeepSpeed settings and the launch scripts for
clusters. We do not write a distributed engine: the Trainer's accelerate does the work."""
