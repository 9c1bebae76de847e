"""Several processes training one run (issue #15): the distributed settings, the launcher, rank 0 speaking for the
run, the strategies' configs and the planner per strategy, the launch scripts."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from launched import launched_by, left_after
from tiny_runs import tiny_chat_config

from app.core.config import parse_config
from app.core.errors import ConfigError, StudioError
from app.core.events import read_events
from app.core.paths import PROJECT_ROOT, run_dir
from app.core.store import Store


def _base(data: str = "x.jsonl", **distributed) -> dict:
    return {"data": {"train": data}, "distributed": distributed}


# ---- settings ----

def test_distributed_defaults_to_one_process():
    config = parse_config(_base())
    assert config.distributed.processes == 1 and config.distributed.world_size == 1
    assert config.distributed.strategy == "ddp" and config.distributed.devices == "all"


@pytest.mark.parametrize(("settings", "field", "words"), [
    ({"processes": 0}, "distributed.processes", "greater than or equal to 1"),
    ({"strategy": "zero9"}, "distributed.strategy", "'ddp'"),
    ({"devices": [0, 0], "processes": 2}, "distributed.devices", "twice"),
    ({"devices": [-1]}, "distributed.devices", "start at 0"),
    ({"devices": [0, 1], "processes": 1}, "distributed", "one process trains on each picked GPU"),
    ({"cpu_offload": True}, "distributed", "cpu_offload needs"),
])
def test_distributed_settings_are_validated(settings, field, words):
    with pytest.raises(ConfigError) as caught:
        parse_config(_base(**settings))
    problems = dict(caught.value.problems)
    assert field in problems and words in problems[field], problems


def test_world_size_is_processes_times_machines():
    assert parse_config(_base(processes=4, machines=2, devices=[0, 1, 2, 3])).distributed.world_size == 8


# ---- two processes on the CPU (gloo DDP) ----

def _train(config: Path, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(PROJECT_ROOT))
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "app", "train", str(config), "--events", "jsonl", *args],
                          capture_output=True, text=True, env=env, timeout=600)
    return done, time.monotonic() - start


def _events(done: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def test_two_processes_train_one_run_like_one_process_with_the_same_global_batch(tmp_path, tiny_model_dir):
    """Two gloo ranks with 2 examples each train exactly what one process with 4 examples a step trains: the same
    examples every step (accelerate gives rank r the r-th of the per-device batches), the loss averaged over the
    ranks' label tokens. Both compute in fp32; they differ only in the order of sums (the gradients' all-reduce, the
    per-rank loss sums), so the losses agree to a few fp32 ulps per step, compounded over 4 AdamW steps at lr 1e-2:
    1e-4 relative is far above that and far below any difference in the examples or the averaging (~1e-1)."""
    single, single_seconds = _train(tiny_chat_config(tmp_path, tiny_model_dir, "one", 4))
    assert single.returncode == 0, single.stderr[-3000:]
    double, double_seconds = _train(tiny_chat_config(tmp_path, tiny_model_dir, "two", 2), "--processes", "2")
    assert double.returncode == 0, double.stderr[-3000:]
    print(f"\n1 process: {single_seconds:.1f} s, 2 processes: {double_seconds:.1f} s (with start-up)")
    store = Store()
    one, two = store.get_run("one"), store.get_run("two")
    assert (one["world_size"], two["world_size"]) == (1, 2)
    losses = [dict(store.metric_series(run["id"])["loss"]) for run in (one, two)]
    print("loss by step, 1 process:", losses[0], "2 processes:", losses[1])
    assert list(losses[1]) == [1, 2, 3, 4]  # one row a step: rank 1 wrote none
    assert "find_unused_parameters=True" not in double.stderr  # DDP's extra graph walk a step, for a dense model
    for step, loss in losses[0].items():
        assert losses[1][step] == pytest.approx(loss, rel=1e-5)

    streamed = _events(double)  # rank 0's events, once
    assert [e["event"] for e in streamed].count("started") == 1
    assert [e for e in streamed if e["event"] == "finished"] == [streamed[-1]]
    assert streamed[-1]["status"] == "completed" and streamed[0]["event"] != "finished"
    assert [e["step"] for e in streamed if e["event"] == "checkpoint"] == [2, 4]
    folder = run_dir(two["id"])
    recorded = [e["event"] for e in read_events(folder / "events.jsonl")]
    assert recorded == [e["event"] for e in streamed]
    assert [a["properties"].get("step") for a in store.artifacts(two["id"], "checkpoint")] == [2, 4]
    assert len(store.artifacts(two["id"], "adapter")) == 1
    assert [s["step"] for s in store.samples(two["id"])] == [2, 4]
    assert (folder / "checkpoints" / "latest").read_text() == "checkpoint-4"
    assert not list((folder / "logs").glob("rank-*.error.json"))
    assert {p.name for p in (folder / "logs").iterdir()} == {"launcher.log", "worker.log", "worker-rank1.log"}
    said = [re.search(r"rank (\d) of 2: data fingerprint (\w+), 16 training rows", (folder / "logs" / log).read_text())
            for log in ("worker.log", "worker-rank1.log")]
    assert [m.group(1) for m in said] == ["0", "1"] and said[0].group(2) == said[1].group(2)  # one split, two shards


def test_runs_show_reports_the_world_size(capsys):
    from app.cli import main

    store = Store()
    store.create_run("ws-run", name="ws", config_yaml="{}", model="m", method="lora", stage="sft", world_size=2)
    assert main(["runs", "show", "ws-run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["world_size"] == 2


def test_a_stop_is_taken_by_both_processes_at_the_same_step_and_the_run_resumes_on_two(tmp_path, tiny_model_dir):
    """The stop file appears while two ranks train: they agree on the step (or the one that went on would wait
    forever for the other), save one checkpoint together and the run ends cancelled. Resumed on one process it is
    refused; on two (its stored config's) it trains to the end, each step recorded once. It asks for fsdp, which
    accelerate applies to GPU processes only: the run says it trains with ddp, and records that."""
    config = tiny_chat_config(tmp_path, tiny_model_dir, "stopped", 2, processes=2, strategy="fsdp")
    data = yaml.safe_load(config.read_text())
    data["training"].update(max_steps=6, save_steps=1000, logging_steps=1)
    config.write_text(yaml.safe_dump(data))
    stop = tmp_path / "stop"
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(PROJECT_ROOT))
    log = tmp_path / "stderr.log"
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "app", "train", str(config), "--events", "jsonl",
                                 "--stop-file", str(stop)], stdout=subprocess.PIPE, stderr=err, text=True, env=env)
        events = []
        for line in proc.stdout:
            events.append(json.loads(line))
            if events[-1]["event"] == "progress" and events[-1]["step"] == 2:
                stop.touch()
        assert proc.wait(timeout=300) == 130, (events[-1], log.read_text()[-4000:])
    assert events[-1]["event"] == "finished" and events[-1]["status"] == "cancelled"
    saved = [e["step"] for e in events if e["event"] == "checkpoint"]
    assert len(saved) == 1 and 2 <= saved[0] < 6
    run = Store().get_run("stopped")
    assert run["status"] == "cancelled" and run["last_step"] == saved[0] and run["strategy"] == "ddp"
    assert any("trains with ddp, not fsdp" in e["message"] for e in events if e["event"] == "warning")
    assert (run_dir(run["id"]) / "checkpoints" / "latest").read_text() == f"checkpoint-{saved[0]}"

    alone = subprocess.run([sys.executable, "-m", "app", "train", "--resume", run["id"], "--processes", "1"],
                           capture_output=True, text=True, env=env, timeout=300)
    assert alone.returncode == 2 and "trained on 2 process(es); this resume would use 1" in alone.stderr
    resumed = subprocess.run([sys.executable, "-m", "app", "train", "--resume", run["id"], "--events", "jsonl"],
                             capture_output=True, text=True, env=env, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert [e["start_step"] for e in _events(resumed) if e["event"] == "started"] == [saved[0]]
    run = Store().get_run(run["id"])
    assert (run["status"], run["last_step"], run["world_size"]) == ("completed", 6, 2)
    assert [step for step, _ in Store().metric_series(run["id"])["loss"]] == list(range(1, 7))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the ranks end with their launcher on Linux")
def test_force_stop_kills_the_launchers_group_and_every_rank_with_it(tmp_path, tiny_model_dir):
    """The GUI's Force stop kills the worker's process group: here the launcher alone, while torchrun is in a session
    of its own and puts each rank in one; torchrun dies with the launcher, the ranks with torchrun (the parent-death
    signal)."""
    import signal

    config = tiny_chat_config(tmp_path, tiny_model_dir, "forced", 2, processes=2)
    data = yaml.safe_load(config.read_text())
    data["training"].update(max_steps=500, save_steps=1000)
    config.write_text(yaml.safe_dump(data))
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(PROJECT_ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "app", "train", str(config), "--events", "jsonl"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
                            start_new_session=True)  # as the supervisor starts a worker
    for line in proc.stdout:
        if json.loads(line)["event"] == "progress":
            break

    assert len(launched_by(proc.pid)) >= 2  # torchrun's ranks carry the launcher's pid
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert left_after(proc.pid) == []


@pytest.mark.parametrize("frozen", [False, True])
def test_the_launcher_runs_each_rank_as_this_python_or_as_the_frozen_bundle(monkeypatch, frozen):
    """What torchrun makes of the launcher's command, read by torchrun's own parser: each rank is `python -u -m app
    ARGS`, or in a frozen bundle (no interpreter) the bundle's executable `<exe> ARGS`, which also runs torchrun."""
    from torch.distributed.run import config_from_args, parse_args

    from app.core.distributed.launch import launcher_command

    exe = "/opt/finetune-studio/finetune-studio-cli" if frozen else sys.executable
    if frozen:
        monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", exe)
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # torchrun's parser sets it otherwise
    rank_args = ["-v", "train", "run.yaml", "--run-id", "r1", "--events", "jsonl"]
    command = launcher_command(2, rank_args)
    assert command[:3] == [exe, "-m", "app.core.distributed.torchrun"]
    config, entry, args = config_from_args(parse_args(command[3:]))
    assert (config.min_nodes, config.max_nodes, config.nproc_per_node, config.max_restarts) == (1, 1, 2, 0)
    assert entry == exe
    assert args == (rank_args if frozen else ["-u", "-m", "app", *rank_args])


def _stand_in_bundle(tmp_path: Path) -> Path:
    """A script standing in for the frozen bundle's executable as PyInstaller runs it: sys.frozen set,
    sys.executable the executable itself, the runtime hook, then app/__main__.py."""
    exe = tmp_path / "finetune-studio-cli"
    exe.write_text(f"#!{sys.executable}\n"
                   "import os, runpy, sys\n"
                   "sys.frozen = True\n"
                   "sys.executable = os.path.abspath(sys.argv[0])\n"
                   f"runpy.run_path({str(PROJECT_ROOT / 'packaging' / 'rthook_worker.py')!r})\n"
                   f"runpy.run_path({str(PROJECT_ROOT / 'app' / '__main__.py')!r}, run_name='__main__')\n")
    exe.chmod(0o755)
    return exe


@pytest.mark.skipif(os.name == "nt", reason="the stand-in executable is a script with a #! line")
def test_a_frozen_bundle_launches_a_run_of_two_processes(tmp_path, tiny_model_dir):
    """The frozen bundle's executable as PyInstaller runs it (sys.frozen set, sys.executable the executable itself,
    the runtime hook, then app/__main__.py), here a script standing in for it: `<exe> train CONFIG --processes 2`
    launches `<exe> -m app.core.distributed.torchrun ... --no-python <exe> ARGS`, and torchrun, run by the same
    executable, starts both ranks as `<exe> ARGS`: the run completes on two processes."""
    exe = _stand_in_bundle(tmp_path)
    config = tiny_chat_config(tmp_path, tiny_model_dir, "frozen", 2)
    env = dict(os.environ, OMP_NUM_THREADS="1", PYTHONPATH=str(PROJECT_ROOT))
    done = subprocess.run([str(exe), "train", str(config), "--processes", "2", "--events", "jsonl"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"launching 2 processes: {exe} -m app.core.distributed.torchrun " in done.stderr
    assert f" --no-python {exe} train " in done.stderr
    assert _events(done)[-1]["status"] == "completed"
    run = Store().get_run("frozen")
    assert (run["status"], run["world_size"], run["last_step"]) == ("completed", 2, 4)
    assert "rank 1 of 2" in (run_dir(run["id"]) / "logs" / "worker-rank1.log").read_text()


# ---- a rank's failure, the launcher's last word, resume ----

def test_the_run_ends_with_the_earliest_ranks_error(tmp_path, monkeypatch):
    """Rank 1 failed first (its own error); rank 0 failed next, because its peer was gone: the run's error is rank
    1's, named as such, and rank 0 records it once."""
    from app.core.distributed import ranks
    from app.core.events import ListSink
    from app.core.training.engine import _fail

    store = Store()
    store.create_run("fail-run", name="fail", config_yaml="{}", model="m", method="lora", stage="sft")
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "1")
    ranks.record_error(run_dir("fail-run"), "ValueError: rank 1's own problem", "its hint")
    monkeypatch.setenv("RANK", "0")
    sink = ListSink()
    result = _fail("fail-run", "RuntimeError: Connection closed by peer", "see the log", sink, store)
    assert result.error == "Process 1: ValueError: rank 1's own problem" and result.hint == "its hint"
    assert store.get_run("fail-run")["error"] == result.error
    assert [e["error"] for e in sink.of("finished")] == [result.error]


def test_the_launcher_says_the_last_word_when_no_rank_did(tmp_path):
    """A rank was killed (no `finished` from rank 0): the launcher ends the run failed with the recorded error, in
    the store, the events file and its own stream; a run rank 0 ended keeps rank 0's word."""
    from app.core.distributed import launch, ranks
    from app.core.events import JsonlEventWriter

    store = Store()
    for run_id in ("killed-run", "ended-run"):
        store.create_run(run_id, name=run_id, config_yaml="{}", model="m", method="lora", stage="sft")
    store.update_run("ended-run", status="completed")
    folder = run_dir("killed-run")
    (folder / "logs").mkdir(parents=True)
    (folder / "logs" / "rank-1.error.json").write_text(json.dumps({"rank": 1, "time": 1.0, "message": "boom",
                                                                   "hint": "h"}))
    sink = JsonlEventWriter(None, folder / "events.jsonl")
    assert launch._outcome("killed-run", folder, 1, False, sink) == "failed"
    assert store.get_run("killed-run")["error"] == "Process 1: boom"
    assert [e["status"] for e in read_events(folder / "events.jsonl")] == ["failed"]
    assert launch._outcome("ended-run", run_dir("ended-run"), 1, False, sink) == "completed"
    ranks.clear_errors(folder)
    assert ranks.first_error(folder) is None


def test_a_resume_keeps_the_world_size():
    from app.core.distributed.launch import check_world_size

    check_world_size({"id": "r", "world_size": 2}, 2)
    check_world_size({"id": "r", "world_size": None}, 1)  # runs from before this setting trained alone
    with pytest.raises(StudioError, match="trained on 2 process") as caught:
        check_world_size({"id": "r", "world_size": 2}, 4)
    assert "--processes 2" in caught.value.hint


def test_train_refuses_several_machines_without_a_launch_script(tmp_path, capsys):
    from app.cli import main

    path = tmp_path / "run.yaml"
    path.write_text(yaml.safe_dump(_base(str(tmp_path / "x.jsonl"), machines=2, processes=2)))
    assert main(["train", str(path)]) == 2
    assert "finetune-studio launch-script" in capsys.readouterr().err


# ---- strategies: FSDP and DeepSpeed settings, the planner per strategy ----

def _strategy_config(strategy: str, offload: bool = False, precision: str = "bf16"):
    return parse_config({"data": {"train": "x.jsonl"}, "training": {"batch_size": 4, "gradient_accumulation": 2,
                                                                   "max_grad_norm": 0.5, "precision": precision},
                         "distributed": {"processes": 2, "strategy": strategy, "cpu_offload": offload}})


def test_ddp_looks_for_unused_weights_only_in_a_mixture_of_experts():
    from transformers import LlamaConfig, MixtralConfig, Qwen2MoeConfig

    from app.core.distributed.strategies import unused_parameters

    assert not unused_parameters(LlamaConfig())
    assert unused_parameters(MixtralConfig())  # num_local_experts 8
    assert unused_parameters(Qwen2MoeConfig())  # num_experts 60
    assert not unused_parameters(Qwen2MoeConfig(num_experts=1))


def test_ddp_and_a_cpu_machine_add_no_strategy_arguments():
    from app.core.distributed.strategies import trainer_args

    assert trainer_args(_strategy_config("ddp"), "bf16", 2, gpus=True) == {}
    assert trainer_args(_strategy_config("fsdp"), "bf16", 1, gpus=True) == {}
    assert trainer_args(_strategy_config("fsdp"), "bf16", 2, gpus=False) == {}  # accelerate: FSDP on GPUs only


@pytest.mark.parametrize("offload", [False, True])
def test_fsdp_settings_are_what_transformers_and_accelerate_build_fsdp2_from(offload):
    """FSDP needs GPUs under accelerate (it trains CPU processes with DDP, whatever the plugin says), so on this
    machine the settings are checked where they go: TrainingArguments turns them into accelerate's FSDP plugin."""
    from accelerate.utils import FullyShardedDataParallelPlugin
    from transformers import TrainingArguments

    from app.core.distributed.strategies import trainer_args

    extra = trainer_args(_strategy_config("fsdp", offload), "bf16", 2, gpus=True)
    assert extra["fsdp"] is True and extra["activation_checkpointing"] is False
    args = TrainingArguments(output_dir="/tmp/unused", use_cpu=True, report_to="none", **extra)
    plugin = FullyShardedDataParallelPlugin(**args.fsdp_plugin_args)
    assert plugin.fsdp_version == 2 and plugin.reshard_after_forward is True
    assert "FULL_STATE_DICT" in str(plugin.state_dict_type)
    assert type(plugin.cpu_offload).__name__ == ("CPUOffloadPolicy" if offload else "OffloadPolicy")  # FSDP2's


@pytest.mark.parametrize("strategy", ["deepspeed-zero2", "deepspeed-zero3"])
@pytest.mark.parametrize("offload", [False, True])
def test_deepspeed_settings_pass_deepspeeds_own_parser(strategy, offload):
    """The config is complete (no "auto" left for transformers to fill), so deepspeed's parser reads it as it is,
    batch arithmetic included; a wrong total batch is refused by the same parser."""
    pytest.importorskip("deepspeed", reason="pip install 'finetune-studio[deepspeed]'")
    from deepspeed.runtime.config import DeepSpeedConfig

    from app.core.distributed.strategies import deepspeed_config

    # the parser takes the world size from an initialised process group, 1 without one: the config for 1 process
    ds = deepspeed_config(_strategy_config(strategy, offload), "bf16", 1)
    assert deepspeed_config(_strategy_config(strategy, offload), "bf16", 2)["train_batch_size"] == 16
    parsed = DeepSpeedConfig(ds)
    assert parsed.zero_optimization_stage == int(strategy[-1])
    assert parsed.train_micro_batch_size_per_gpu == 4 and parsed.gradient_accumulation_steps == 2
    assert parsed.gradient_clipping == 0.5 and parsed.bfloat16_config.enabled
    assert (parsed.zero_config.offload_optimizer is not None) == offload
    with pytest.raises(AssertionError):
        DeepSpeedConfig({**ds, "train_batch_size": 7})


def test_the_planner_divides_what_each_strategy_splits(demo_model_dir):
    from app.core.distributed.strategies import fitting, strategy_memory
    from app.core.models import describe_model

    demo_model_info = describe_model(str(demo_model_dir))
    config = parse_config({"data": {"train": "x.jsonl"}, "method": {"name": "full"},
                           "training": {"batch_size": 2, "max_length": 256, "precision": "bf16",
                                        "gradient_checkpointing": False},
                           "distributed": {"processes": 4}})
    plans = strategy_memory(demo_model_info, config, "cuda")
    ddp, zero2, fsdp, zero3 = (plans[s] for s in ("ddp", "deepspeed-zero2", "fsdp", "deepspeed-zero3"))
    assert ddp["optimizer"] == 4 * zero2["optimizer"] and zero2["weights"] == ddp["weights"]
    assert fsdp["weights"] == ddp["weights"] // 4 and fsdp["optimizer"] == zero2["optimizer"]
    assert ddp["total"] > zero2["total"] > fsdp["total"] and fsdp == zero3
    assert fitting(plans, zero2["total"]) == ["deepspeed-zero2", "fsdp", "deepspeed-zero3"]
    offloaded = strategy_memory(demo_model_info, config.model_copy(update={"distributed": config.distributed.model_copy(
        update={"strategy": "fsdp", "cpu_offload": True})}), "cuda")["fsdp"]
    assert offloaded["optimizer"] == 0 and offloaded["offloaded"] == fsdp["optimizer"] + fsdp["weights"]


# ---- beyond one machine: launch-script ----

def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("frozen", [False, True])
@pytest.mark.parametrize("scheduler", ["slurm", "plain"])
def test_launch_script_writes_a_script_with_the_rendezvous(tmp_path, scheduler, frozen, capsys, monkeypatch):
    """From a frozen bundle (no interpreter) both scripts start torchrun as the bundle's executable and each rank as
    `--no-python <exe> train`, with no PYTHONPATH into the bundle's unpacked folder."""
    from app.cli import main

    exe = "/opt/finetune-studio/finetune-studio-cli" if frozen else sys.executable
    if frozen:
        monkeypatch.setattr(sys, "frozen", True, raising=False)
        monkeypatch.setattr(sys, "executable", exe)
    config = tmp_path / "run.yaml"
    config.write_text(yaml.safe_dump(_base(str(tmp_path / "x.jsonl"))))
    out = tmp_path / "out"
    assert main(["launch-script", str(config), "--machines", "2", "--processes", "8", "--scheduler", scheduler,
                 "--out", str(out), "--run-id", "r-1", "--port", "29123"]) == 0
    script = out / ("launch.slurm" if scheduler == "slurm" else "launch.sh")
    text = script.read_text()
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
    written = parse_config(yaml.safe_load((out / "run.yaml").read_text()))
    assert (written.distributed.machines, written.distributed.processes) == (2, 8)
    rank = f"--no-python {exe} train" if frozen else "-m app train"
    assert f"{rank} {out / 'run.yaml'}" in text and "FINETUNE_STUDIO_HOME" in text
    assert ("PYTHONPATH" in text) != frozen
    if scheduler == "slurm":
        assert "#SBATCH --nodes=2" in text and "#SBATCH --gpus-per-node=8" in text
        assert f"srun --kill-on-bad-exit=1 {exe} -m torch.distributed.run " in text
        assert "--nnodes 2 --nproc-per-node 8" in text and '--rdzv-endpoint "$MASTER_ADDR:$MASTER_PORT"' in text
        assert "MASTER_PORT=29123" in text and "--rdzv-backend c10d" in text
    elif frozen:
        assert f"exec {exe} -m torch.distributed.run --nnodes 2 --nproc-per-node 8 " in text
        assert '--node-rank "$MACHINE_RANK" --master-addr "$MASTER_ADDR" --master-port "$MASTER_PORT"' in text
    else:
        assert "--num_machines 2 --num_processes 16" in text and '--machine_rank "$MACHINE_RANK"' in text
    if scheduler == "plain":
        assert 'RUN_ID="${RUN_ID:-r-1}"' in text and 'MASTER_PORT="${MASTER_PORT:-29123}"' in text
    assert "sbatch" in capsys.readouterr().out or scheduler == "plain"


@pytest.mark.parametrize("scheduler", ["slurm", "plain", "plain-frozen"])
def test_a_launch_script_trains_on_two_machines_here(tmp_path, tiny_model_dir, scheduler):
    """The scripts run for real, two 'machines' of one process on this host: the plain one started twice with
    machine ranks 0 and 1 (accelerate's launcher, static rendezvous; written by a stand-in frozen bundle: torchrun
    run by the bundle's executable, static rendezvous), the SLURM one under a stand-in `srun` that starts its command
    on two 'nodes' and an `scontrol` that names this host (torchrun, c10d rendezvous)."""
    from app.cli import main

    run_id = f"script-{scheduler}"
    config = tiny_chat_config(tmp_path, tiny_model_dir, run_id, 2)
    data = yaml.safe_load(config.read_text())
    data["training"]["max_steps"] = 2
    config.write_text(yaml.safe_dump(data))
    write = ["launch-script", str(config), "--machines", "2", "--processes", "1", "--scheduler",
             scheduler.removesuffix("-frozen"), "--out", str(tmp_path / "out"), "--run-id", run_id]
    env = dict(os.environ, OMP_NUM_THREADS="1", MASTER_ADDR="127.0.0.1", MASTER_PORT=str(_free_port()))
    if scheduler.endswith("-frozen"):
        exe = _stand_in_bundle(tmp_path)
        env["PYTHONPATH"] = str(PROJECT_ROOT)  # what the stand-in imports; the bundle carries it
        assert subprocess.run([str(exe), *write], env=env, timeout=120).returncode == 0
        assert f"exec {exe} -m torch.distributed.run " in (tmp_path / "out" / "launch.sh").read_text()
    else:
        assert main(write) == 0
    if scheduler == "slurm":
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        (bin_dir / "scontrol").write_text("#!/bin/bash\necho 127.0.0.1\n")
        (bin_dir / "srun").write_text('#!/bin/bash\nshift\n"$@" & first=$!\n"$@"; second=$?\nwait $first\n'
                                      'exit $(( $? | second ))\n')
        for tool in bin_dir.iterdir():
            tool.chmod(0o755)
        env.update(PATH=f"{bin_dir}{os.pathsep}{env['PATH']}", SLURM_JOB_NODELIST="here", SLURM_JOB_ID="77",
                   RUN_ID="script-slurm")
        done = subprocess.run(["bash", str(tmp_path / "out" / "launch.slurm")], env=env, capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-3000:]
    else:
        script = str(tmp_path / "out" / "launch.sh")
        other = subprocess.Popen(["bash", script], env={**env, "MACHINE_RANK": "1"}, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        done = subprocess.run(["bash", script], env={**env, "MACHINE_RANK": "0"}, capture_output=True, text=True,
                              timeout=600)
        assert other.wait(timeout=120) == 0 and done.returncode == 0, done.stderr[-3000:]
    run = Store().get_run(run_id)
    assert (run["status"], run["world_size"], run["last_step"]) == ("completed", 2, 2)
    assert [e["event"] for e in read_events(run_dir(run["id"]) / "events.jsonl")].count("started") == 1


def test_a_run_of_several_processes_is_not_trained_in_one_by_the_queue():
    """engine.run in this process (the queue, extend) cannot be several processes: it says so instead of training
    the run on one."""
    from app.core.events import ListSink
    from app.core.training import engine

    with pytest.raises(StudioError, match="trains on 2 processes"):
        engine.run(parse_config(_base(processes=2)), ListSink())
