"""`runs list|show`: the run history."""

from __future__ import annotations

from app.cli.events import print_json


def cmd_runs(args) -> int:
    from app.core.store import Store

    store = Store()
    if args.runs_cmd == "list":
        runs = store.list_runs(search=args.search)
        if args.json:
            print_json(runs)
            return 0
        if not runs:
            print("No runs yet. Start one with: finetune-studio train resources/examples/quickstart.yaml")
            return 0
        print(f"{'id':22} {'name':20} {'status':10} {'method':7} {'steps':>7} {'loss':>8}")
        for r in runs:
            loss = f"{r['final_loss']:.4f}" if r.get("final_loss") is not None else "-"
            steps = f"{r.get('last_step') or 0}/{r.get('total_steps') or '?'}"
            print(f"{r['id']:22} {(r['name'] or '')[:20]:20} {r['status']:10} {r['method']:7} {steps:>7} {loss:>8}")
        return 0
    story = store.story(args.run)
    if args.json:
        print_json(story)
        return 0
    print(f"Run {story['id']} ({story['name']}): {story['status']}")
    for key in ("model", "method", "stage", "device", "dataset_fingerprint", "dataset_rows", "total_steps",
                "last_step", "final_loss", "trainable_params", "total_params", "run_dir"):
        print(f"  {key}: {story.get(key)}")
    if story.get("error"):
        print(f"  error: {story['error']}\n  hint: {story.get('hint')}")
    for name, points in story["metrics"].items():
        print(f"  {name}: {len(points)} points, first {points[0]['value']:.4g}, last {points[-1]['value']:.4g}")
    for art in story["artifacts"]:
        print(f"  artifact {art['kind']}: {art['path']} ({art['bytes'] / 1e6:.1f} MB) {art['properties'] or ''}")
    for ev in story["evaluations"]:
        scores = ", ".join(f"{k} {v:.3f}" for k, v in ev["metrics"].items() if isinstance(v, float))
        print(f"  eval {ev['model']} {ev['shots']}-shot on {ev['examples']} {ev['split']} examples: {scores}")
    return 0


def add_parsers(sub) -> None:
    r = sub.add_parser("runs", help="the run history")
    rs = r.add_subparsers(dest="runs_cmd", required=True)
    rl = rs.add_parser("list")
    rl.add_argument("--json", action="store_true")
    rl.add_argument("--search")
    rsh = rs.add_parser("show")
    rsh.add_argument("run")
    rsh.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_runs)
