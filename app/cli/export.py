"""The export commands: `export RUN ...` (targets, checkpoint, Hub push) and `hub login|logout` (the token in the
OS keyring). Kept out of cli.py so that module stays small; `add_parsers` registers them on cli.py's subparsers."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import get_args

from app.cli.events import add_events_option
from app.core.config import ExportDtype
from app.core.requests import ExportRequest, GgufQuant
from app.logsetup import route_library_logs


def checkpoint_choice(value: str) -> int | str:
    """`--checkpoint`: a step number, `best` or `final`."""
    if value in ("best", "final"):
        return value
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a step number, 'best' or 'final'") from None


def export_request(args) -> ExportRequest:
    """The request the flags (or `--request FILE`) describe."""
    from app.core.requests import request_from_options

    fields = ("run", "checkpoint", "merged", "adapter", "gguf", "ollama", "dtype", "max_shard_size", "quant",
              "push_to_hub", "public")
    return request_from_options(ExportRequest, args.request, args.run, {k: getattr(args, k) for k in fields},
                                ("run", "a run id or name"))


def cmd_export(args) -> int:
    from app.cli.events import run_command
    from app.core.export.run import export_run

    request = export_request(args)
    route_library_logs()

    def show(results: dict) -> None:
        if args.json:
            print(json.dumps(results, indent=2, default=str))
            return
        print(f"Exported the {results['checkpoint']} ({results['source']})")
        for art in results["artifacts"]:
            props = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                              for k, v in art["properties"].items())
            print(f"{art['kind']}: {art['path']}  ({props})")
        if request.ollama:
            print(f"Run it with Ollama: ollama create {request.ollama.name} -f {request.ollama / 'Modelfile'}")
        if results.get("hub"):
            print(f"Pushed to {results['hub']}")

    # Ctrl+C (the GUI's Cancel) interrupts a stage at once: the staged folders are removed on the way out
    return run_command(args, lambda sink, _stop: export_run(request, sink=sink), show, stop_signals=False)


def cmd_hub(args) -> int:
    from app.core.export.hub import delete_token, save_token

    if args.hub_cmd == "logout":
        delete_token()
        print("The Hugging Face token was removed from the keyring.")
        return 0
    token = sys.stdin.readline().strip() if args.stdin else getpass.getpass("Hugging Face token (hidden): ")
    save_token(token)
    print("Saved the Hugging Face token in the OS keyring.")
    return 0


def add_parsers(sub) -> None:
    e = sub.add_parser("export", help="export a run as a merged model, adapter, GGUF and/or Ollama folder")
    e.add_argument("run", nargs="?", help="run id or name (or give --request FILE)")
    e.add_argument("--request", type=Path, metavar="FILE", help="an export request (YAML, the fields of "
                   "app/core/requests.py ExportRequest) instead of the flags; the GUI writes one")
    e.add_argument("--checkpoint", type=checkpoint_choice, metavar="N|best|final",
                   help="what to export: the best checkpoint (default when evaluation marked one), the final "
                        "model, or the checkpoint at step N")
    e.add_argument("--merged", type=Path, metavar="DIR")
    e.add_argument("--adapter", type=Path, metavar="DIR")
    e.add_argument("--dtype", choices=get_args(ExportDtype))
    e.add_argument("--max-shard-size", metavar="SIZE", help="largest safetensors file of --merged, e.g. 500MB")
    e.add_argument("--gguf", type=Path, metavar="DIR", help="write a GGUF file for llama.cpp into DIR")
    e.add_argument("--quant", choices=get_args(GgufQuant),
                   help="GGUF tensor type, default q4_k_m (what Ollama users pull; f16: exact), quantised "
                        "in-process as llama.cpp's llama-quantize does")
    e.add_argument("--ollama", type=Path, metavar="DIR", help="write an Ollama folder (GGUF + Modelfile) into DIR")
    e.add_argument("--push-to-hub", metavar="REPO", help="upload the merged model (else the adapter) to the Hugging "
                   "Face Hub repository REPO (user/name); the token comes from `finetune-studio hub login`")
    e.add_argument("--public", action="store_true", help="with --push-to-hub: a public repository (default private)")
    e.add_argument("--json", action="store_true")
    add_events_option(e)
    e.set_defaults(func=cmd_export)

    h = sub.add_parser("hub", help="the Hugging Face token for --push-to-hub, kept in the OS keyring")
    hs = h.add_subparsers(dest="hub_cmd", required=True)
    login = hs.add_parser("login", help="save a token in the OS keyring (asked for without echo)")
    login.add_argument("--stdin", action="store_true", help="read the token from stdin instead")
    hs.add_parser("logout", help="remove the saved token")
    h.set_defaults(func=cmd_hub)
