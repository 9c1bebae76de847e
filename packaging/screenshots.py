"""Render every page of the main window to PNG at 1280×800 (for the README and for looking at them).

    python packaging/screenshots.py [--out docs/screenshots] [--dark] [--lang zh_CN] [--only 10-compare ...]

Runs headless (offscreen) in a temporary data home filled with sample runs (app.ui.pages.samples.sample_home), on the
bundled demo model and sample data. The demo model's converted copy is shared with your own data home, so it is
converted at most once.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZE = (1280, 800)
SHOTS = (  # file name, page, extra setup
    ("01-data", "data", None), ("01-data-doctor", "data", "doctor"), ("02-data-rendered", "data", "rendered"),
    ("03-model", "model", None),
    ("04-method", "method", None), ("05-hyperparameters", "hyperparameters", None), ("06-train", "train", None),
    ("07-runs", "runs", "one run"), ("08-chat", "chat", None), ("09-export", "export", "sizes"),
    ("10-compare", "compare", "three runs"), ("11-evaluate", "evaluate", "classifier"), ("12-queue", "queue", "sweep"),
)


def wait(app, condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        app.processEvents()
        time.sleep(0.02)
    for _ in range(20):
        app.processEvents()
    return True


def dark_palette():
    from PySide6.QtGui import QColor, QPalette

    palette = QPalette()
    roles = {"Window": "#2b2d30", "WindowText": "#e6e6e6", "Base": "#1e1f22", "AlternateBase": "#2b2d30",
             "Text": "#e6e6e6", "Button": "#3a3d41", "ButtonText": "#e6e6e6", "Highlight": "#3d6fd6",
             "HighlightedText": "#ffffff", "ToolTipBase": "#3a3d41", "ToolTipText": "#e6e6e6",
             "PlaceholderText": "#8a8d91", "Mid": "#4a4d51", "Dark": "#1a1b1e", "Light": "#55585c"}
    for role, colour in roles.items():
        palette.setColor(getattr(QPalette.ColorRole, role), QColor(colour))
    # setColor sets every colour group: give disabled widgets their own, dimmer colours, as a real dark theme does
    disabled = {"WindowText": "#7c7f84", "Text": "#7c7f84", "ButtonText": "#7c7f84", "Button": "#323437",
                "Base": "#26272a", "Highlight": "#4a4d51"}
    for role, colour in disabled.items():
        palette.setColor(QPalette.ColorGroup.Disabled, getattr(QPalette.ColorRole, role), QColor(colour))
    return palette


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--dark", action="store_true", help="a dark palette (files get a -dark suffix)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="render only these shots, e.g. 10-compare")
    parser.add_argument("--lang", default="en", help="the window's language, e.g. zh_CN (files get a -zh_CN suffix; "
                        "Chinese needs a CJK font such as fonts-noto-cjk)")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    logging.basicConfig(level=logging.WARNING)

    from app.core.paths import models_cache

    shared_models = models_cache()
    from app.ui.pages.samples import sample_home

    sample_home()
    (Path(os.environ["FINETUNE_STUDIO_HOME"]) / "models").symlink_to(shared_models, target_is_directory=True)

    from PySide6.QtCore import QCoreApplication

    from app.ui.app import apply_style, create_app
    from app.ui.main_window import MainWindow

    app = create_app([])
    from app.ui import i18n

    if not i18n.install(app, args.lang):
        print(f"warning: no translations for {args.lang}: the shots are in English", file=sys.stderr)
    if args.dark:
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
        apply_style(app)
    started = time.monotonic()
    window = MainWindow()
    window.resize(*SIZE)
    window.show()
    data, model = window.steps["data"], window.steps["model"]
    if not wait(app, lambda: model.is_valid() and data.report is not None, 180):
        print("warning: the model or the data did not finish loading", file=sys.stderr)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    suffix = ("" if args.lang == "en" else f"-{args.lang}") + ("-dark" if args.dark else "")
    # the Data step's note while it renders an example, in the window's language
    rendering = QCoreApplication.translate("DataStep", "<i>Rendering line {line} through the chat template of "
                                           "{source}…</i>").split("{")[0].replace("<i>", "")
    for name, page, extra in SHOTS:
        if args.only and name not in args.only:
            continue
        window.show_page(page)
        if extra == "rendered":
            data.tabs.setCurrentWidget(data.render_tab)
            wait(app, lambda: rendering not in data.rendered.toPlainText(), 120)
        elif name == "01-data":
            data.tabs.setCurrentIndex(0)
        elif extra == "doctor":
            data.tabs.setCurrentWidget(data.doctor_tab)
        elif extra == "one run":
            runs = window.page("runs")
            runs.select_run(next(r["id"] for r in runs.store.list_runs() if r["status"] == "completed"))
        elif extra == "sizes":  # the sample runs do not record their parameter counts: the size estimates need them
            from app.core.store import Store

            store = Store(reap=False)
            for run in store.list_runs():
                store.update_run(run["id"], total_params=134_515_008, trainable_params=4_884_480)
            export = window.page("export")
            export.refresh()
            lora = next(r["id"] for r in store.list_runs() if r["status"] == "completed" and r["method"] != "full")
            export.runs.setCurrentIndex(export.runs.findData(lora))
            for kind, box in export.target_boxes.items():
                box.setChecked(kind in ("merged", "adapter", "gguf"))
            export.quant.set_value("q8_0")
        elif extra == "three runs":
            compare = window.page("compare")
            compare.set_runs([r["id"] for r in compare.store.list_runs() if r["status"] in ("completed", "cancelled")])
        elif extra == "classifier":  # added only now, so the earlier shots show the same sample runs as before
            from app.core.store import Store
            from app.ui.pages.samples import add_sample_classifier

            evaluate = window.page("evaluate")
            run_id = add_sample_classifier(Store(reap=False))
            evaluate.runs.refresh()
            evaluate.runs.setCurrentIndex(evaluate.runs.findData(run_id))
        elif extra == "sweep":
            from app.core.store import Store
            from app.ui.pages.samples import add_sample_queue

            add_sample_queue(Store(reap=False))
            window.page("queue").refresh()
        wait(app, lambda: False, 0.5)
        path = out / f"{name}{suffix}.png"
        window.grab().save(str(path))
        print(f"{path} ({time.monotonic() - started:.0f} s)")
    window.shutdown()  # not close(): that would ask what to do with the sample run that is "still training"
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
