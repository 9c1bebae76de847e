"""The export commands: `export RUN ...` (targets, checkpoint, Hub push) and `hub login|logout` (the token in the
OS keyring). Kept out of cli.py so that module stays small; `add_parsers` registers them on cli.py's subparsers."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from app.core.errors import StudioError
from app.logsetup import route_library_logs


def checkpoint_choice(value: str) -> int | str:
    """`--checkpoint`: a step number, `best` or `final`."""
    if value in ("best", "final"):
        return value
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a step number, 'best' or 'final'") from None


def cmd_export(args) -> int:
    from app.core.events import ProgressPrinter
    from app.core.export_run import export_run

    if not (args.merged or args.adapter or args.gguf or args.ollama):
        raise StudioError("Choose what to export.", "Add --merged DIR, --adapter DIR, --gguf DIR and/or --ollama DIR.")
    route_library_logs()
    results = export_run(args.run, merged=args.merged, adapter=args.adapter, checkpoint=args.checkpoint,
                         dtype=args.dtype, max_shard_size=args.max_shard_size, gguf=args.gguf, quant=args.quant,
                         ollama=args.ollama, push_to_hub=args.push_to_hub, public=args.public,
                         sink=ProgressPrinter())
    if args.json:
        print(json.dumps(results, indent=2, default=str))
        return 0
    print(f"Exported the {results['checkpoint']} ({results['source']})")
    for art in results["artifacts"]:
        props = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                          for k, v in art["properties"].items())
        print(f"{art['kind']}: {art['path']}  ({props})")
    if args.ollama:
        print(f"Run it with Ollama: ollama create {Path(args.ollama).name} -f {Path(args.ollama) / 'Modelfile'}")
    if results.get("hub"):
        print(f"Pushed to {results['hub']}")
    return 0


def cmd_hub(args) -> int:
    from app.core.hub import delete_token, save_token

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
    e.add_argument("run")
    e.add_argument("--checkpoint", type=checkpoint_choice, metavar="N|best|final",
                   help="what to export: the best checkpoint (default when evaluation marked one), the final "
                        "model, or the checkpoint at step N")
    e.add_argument("--merged", type=Path, metavar="DIR")
    e.add_argument("--adapter", type=Path, metavar="DIR")
    e.add_argument("--dtype", choices=["bf16", "fp16", "fp32"])
    e.add_argument("--max-shard-size", metavar="SIZE", help="largest safetensors file of --merged, e.g. 500MB")
    e.add_argument("--gguf", type=Path, metavar="DIR", help="write a GGUF file for llama.cpp into DIR")
    e.add_argument("--quant", choices=["f32", "f16", "q8_0", "q4_k_m"], default="f16",
                   help="GGUF tensor type (q4_k_m: export f16 and run llama.cpp's llama-quantize; the "
                        "error gives the command)")
    e.add_argument("--ollama", type=Path, metavar="DIR", help="write an Ollama folder (GGUF + Modelfile) into DIR")
    e.add_argument("--push-to-hub", metavar="REPO", help="upload the merged model (else the adapter) to the Hugging "
                   "Face Hub repository REPO (user/name); the token comes from `finetune-studio hub login`")
    e.add_argument("--public", action="store_true", help="with --push-to-hub: a public repository (default private)")
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=cmd_export)

    h = sub.add_parser("hub", help="the Hugging Face token for --push-to-hub, kept in the OS keyring")
    hs = h.add_subparsers(dest="hub_cmd", required=True)
    login = hs.add_parser("login", help="save a token in the OS keyring (asked for without echo)")
    login.add_argument("--stdin", action="store_true", help="read the token from stdin instead")
    hs.add_parser("logout", help="remove the saved token")
    h.set_defaults(func=cmd_hub)
