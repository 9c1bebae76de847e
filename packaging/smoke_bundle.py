"""Smoke test of a built bundle: the app folder (Linux, Windows), an unpacked .tar.gz or .deb, or a macOS .app.

    python packaging/smoke_bundle.py APP [--quick]

Runs the bundle as a user would: from an empty working folder, in a fresh data home, offline, headless
(QT_QPA_PLATFORM=offscreen), with no venv or PYTHONPATH of a development setup in reach:
  1. `finetune-studio-cli doctor`
  2. `finetune-studio-cli data inspect` on the bundled sample dataset
  3. a 2-step train of the quickstart (the demo preset), started the way the GUI starts its worker:
     `finetune-studio -m app train CONFIG --events jsonl` (the bundle's runtime hook makes that `train ...`);
     on Linux, the same again on 2 processes (`finetune-studio-cli train CONFIG --processes 2`: the bundle's
     executable runs torch's launcher and both ranks), and through `launch-script --scheduler plain` on two
     'machines' of one process here (the script written by the bundle, started twice with MACHINE_RANK 0 and 1)
  4. the window: `finetune-studio gui --exit-after-show`, twice; prints the time to first window
--quick runs 1 and 4 only. Stops at the first failure with the step's output, exit status 1.
Standard library only: any Python runs it (packaging/build-linux.sh and the Windows/macOS workflows do).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHOWN_MARKER = "finetune-studio: window shown"  # app/ui/app.py prints it once the window is shown


class SmokeFailure(Exception):
    pass


def launchers(app: Path) -> tuple[Path, Path]:
    """The windowed launcher and the console one in an app folder or a macOS .app."""
    folder = app / "Contents" / "MacOS" if app.suffix == ".app" else app
    suffix = ".exe" if os.name == "nt" else ""
    gui, cli = folder / f"finetune-studio{suffix}", folder / f"finetune-studio-cli{suffix}"
    for exe in (gui, cli):
        if not exe.is_file():
            raise SmokeFailure(f"{exe} is missing")
    return gui, cli


def resources(app: Path) -> Path:
    """Where the bundle keeps resources/: _internal/ of a folder, Contents/Resources/ of a .app."""
    for candidate in (app / "_internal" / "resources", app / "Contents" / "Resources" / "resources",
                      app / "Contents" / "Frameworks" / "resources"):
        if (candidate / "examples" / "quickstart.yaml").is_file():
            return candidate
    raise SmokeFailure(f"no resources/examples/quickstart.yaml in {app}")


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(FINETUNE_STUDIO_HOME=str(home), HF_HUB_OFFLINE="1", QT_QPA_PLATFORM="offscreen")
    env.setdefault("FINETUNE_STUDIO_MODELS", str(home / "models"))  # set it to reuse a converted demo model
    return env


def run(command: list, cwd: Path, env: dict, timeout: float = 900) -> str:
    start = time.perf_counter()
    out = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True,
                         encoding="utf-8", errors="replace", timeout=timeout)
    if out.returncode != 0:
        raise SmokeFailure(f"exit {out.returncode}: {' '.join(map(str, command))}\n"
                           f"{out.stdout[-3000:]}\n{out.stderr[-3000:]}")
    print(f"    ok in {time.perf_counter() - start:.1f} s")
    return out.stdout


def time_to_window(gui: Path, cwd: Path, env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen([str(gui), "gui", "--exit-after-show"], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace")
    shown = None
    for line in proc.stdout:
        if line.strip() == SHOWN_MARKER and shown is None:
            shown = time.perf_counter() - start
    stderr = proc.stderr.read()
    code = proc.wait(timeout=120)
    if shown is None or code != 0:
        raise SmokeFailure(f"the window did not show and quit cleanly (exit {code}):\n{stderr[-3000:]}")
    return shown


def two_machines(cli: Path, work: Path, env: dict) -> None:
    """`launch-script --machines 2 --processes 1 --scheduler plain` on the 2-step quickstart, its script started as
    machine 1 and machine 0 of a static rendezvous on this host; the run must end completed on world size 2."""
    out = work / "job"
    run([cli, "launch-script", work / "quickstart-2steps.yaml", "--machines", "2", "--processes", "1",
         "--scheduler", "plain", "--out", out, "--run-id", "smoke-two-machines"], work, env)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    machine = dict(env, MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    other = subprocess.Popen(["bash", str(out / "launch.sh")], cwd=work, env=dict(machine, MACHINE_RANK="1"),
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        run(["bash", out / "launch.sh"], work, dict(machine, MACHINE_RANK="0"))
    finally:
        if other.wait(timeout=120) != 0:
            raise SmokeFailure(f"machine 1 of the launch script exited {other.returncode}")
    shown = run([cli, "runs", "show", "smoke-two-machines", "--json"], work, env)
    if not (re.search(r'"status": *"completed"', shown) and re.search(r'"world_size": *2\b', shown)):
        raise SmokeFailure(f"the launch script's run is not completed on world size 2:\n{shown[:2000]}")


def smoke(app: Path, quick: bool, work: Path) -> dict[str, float]:
    gui, cli = launchers(app)
    res = resources(app)
    env = clean_env(work / "home")
    figures = {}

    print("--> doctor")
    print("\n".join("    " + line for line in run([cli, "doctor"], work, env).splitlines()))

    if not quick:
        print("--> data inspect (bundled sample)")
        out = run([cli, "data", "inspect", res / "samples" / "assistant.jsonl", "--json"], work, env)
        if not re.search(r'"valid_rows": [1-9]', out):
            raise SmokeFailure(f"data inspect found no valid rows:\n{out[:2000]}")

        print("--> train: the quickstart for 2 steps, as the GUI's worker")
        quickstart = (res / "examples" / "quickstart.yaml").read_text(encoding="utf-8")
        config = quickstart.replace("training: {stage: sft,", "training: {stage: sft, max_steps: 2,")
        if config == quickstart:
            raise SmokeFailure("could not set max_steps in the quickstart (its training line changed?)")
        (work / "quickstart-2steps.yaml").write_text(config, encoding="utf-8")
        start = time.perf_counter()
        out = run([gui, "-m", "app", "train", work / "quickstart-2steps.yaml", "--events", "jsonl"], work, env)
        figures["train_s"] = time.perf_counter() - start
        if not re.search(r'"event": *"finished".*"status": *"completed"', out):
            raise SmokeFailure("the run did not finish completed:\n" + "\n".join(out.splitlines()[-15:]))
        losses = re.findall(r'"loss": *([0-9.]+)', out)
        print(f"    losses: {', '.join(losses)}")

        if sys.platform.startswith("linux"):  # the platform whose 2-process runs the test suite covers (gloo ranks)
            print("--> train: the same on 2 processes (torchrun and both ranks run as the bundle's executable)")
            start = time.perf_counter()
            out = run([cli, "train", work / "quickstart-2steps.yaml", "--processes", "2", "--events", "jsonl"],
                      work, env)
            figures["train_2_processes_s"] = time.perf_counter() - start
            if not re.search(r'"event": *"finished".*"status": *"completed"', out):
                raise SmokeFailure("the 2-process run did not finish completed:\n" + "\n".join(out.splitlines()[-15:]))

            print("--> launch-script: the plain script on two 'machines' here (torchrun run by the bundle)")
            start = time.perf_counter()
            two_machines(cli, work, env)
            figures["launch_script_s"] = time.perf_counter() - start

    print("--> window (offscreen)")
    for attempt in (1, 2):
        figures[f"window_{attempt}_s"] = time_to_window(gui, work, env)
        print(f"    time to first window (run {attempt}): {figures[f'window_{attempt}_s']:.2f} s")
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", type=Path, help="the app folder, an unpacked archive's folder, or a .app")
    parser.add_argument("--quick", action="store_true", help="doctor and the window only")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="fs-smoke-") as work:
        try:
            smoke(args.app.resolve(), args.quick, Path(work))
        except (SmokeFailure, subprocess.TimeoutExpired) as exc:
            print(f"smoke_bundle: FAILED: {exc}", file=sys.stderr)
            return 1
    print(f"smoke_bundle: all checks passed for {args.app}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
