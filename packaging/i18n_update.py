"""Update the translation sources (resources/i18n/*.ts) from the code, with PySide6's own pyside6-lupdate.

    python packaging/i18n_update.py [--list-unfinished LANG]

pyside6-lupdate reads every `self.tr("…")` / `QCoreApplication.translate(context, "…")` in app/ui, and in the
two pyqtgraph modules that build its plots' context menus. The texts the window shows from elsewhere are handed to
it as `QT_TRANSLATE_NOOP` lines in a scratch file: the pydantic schema's titles, descriptions, choice labels and
plain-word choices (context "Schema"), the method and stage cards, the cleaning actions' titles and descriptions and
the recipes' words (also "Schema"), and every `Text("…")` template in app/core (context "core"). New texts arrive
unfinished, texts no longer in the code are dropped, and translations already written are kept. The .ts files are the source of truth: translate
them with Qt Linguist (pyside6-linguist) or by hand; `python -m app.ui.i18n` compiles them.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
import tempfile
import typing
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.ui import i18n  # noqa: E402

WORD = re.compile(r"^[a-z]+( [a-z]+)*$")  # a choice shown as it is spelt that reads as words ("auto", "cosine")


def _models():
    from pydantic import BaseModel

    from app.core.config import RunConfig
    from app.core.requests import AugmentRequest, EvalRequest, ExportRequest

    seen: list[type] = []
    todo: list[type] = [RunConfig, ExportRequest, EvalRequest, AugmentRequest]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.append(model)
        for info in model.model_fields.values():
            for arg in _flatten(info.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    todo.append(arg)
    return seen


def _flatten(annotation) -> list:
    args = typing.get_args(annotation)
    return [annotation] if not args else [a for arg in args for a in _flatten(arg)] + [annotation]


def schema_strings() -> list[str]:
    """What the config and request forms and the method/stage cards show: titles, descriptions, choice labels."""
    from app.core.data.clean_options import DESCRIPTIONS, TITLES
    from app.core.methods.registry import FAMILIES, METHODS
    from app.core.stages.registry import STAGES

    out: list[str] = []
    for model in _models():
        for info in model.model_fields.values():
            out += [info.title or "", info.description or ""]
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            if isinstance(extra.get("special"), str):
                out.append(extra["special"])
            out += [str(label) for label in dict(extra.get("labels", {})).values()]
            for arg in _flatten(info.annotation):
                if typing.get_origin(arg) is typing.Literal:
                    out += [str(c) for c in typing.get_args(arg) if isinstance(c, str) and WORD.match(c)]
    for spec in METHODS.values():
        out += [spec.title, spec.what, spec.when, spec.cost]
    out += list(FAMILIES.values()) + list(TITLES.values()) + list(DESCRIPTIONS.values())
    for stage in STAGES.values():
        out += [stage.title, stage.what, stage.data]
    out += recipe_strings()
    return [s for s in dict.fromkeys(out) if s.strip()]


def recipe_strings() -> list[str]:
    """The recipes' words (resources/recipes): titles, tasks, purposes, steps, what their data holds, metrics."""
    from app.core.recipes import recipes

    out: list[str] = []
    for recipe in recipes().values():
        out += [recipe.title, recipe.task, recipe.purpose]
        for step in recipe.steps:
            out += [step.title, step.stage_note, step.data.expects, step.metric.title]
    return out


def core_templates() -> list[str]:
    """The template of every `Text("…", …)` in app/core (and the few in app/ui: what the run supervisor records)."""
    out: list[str] = []
    for path in sorted([*(ROOT / "app" / "core").rglob("*.py"), *(ROOT / "app" / "ui").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Text" and node.args \
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                out.append(node.args[0].value)
    return list(dict.fromkeys(out))


def pyqtgraph_menus() -> list[Path]:
    """pyqtgraph's own plot menus (Export..., View All, the axis menus), which it writes through translate()."""
    import pyqtgraph

    folder = Path(pyqtgraph.__file__).parent
    return [folder / "GraphicsScene" / "GraphicsScene.py", folder / "graphicsItems" / "ViewBox" / "ViewBoxMenu.py"]


def scratch_source() -> str:
    lines = [f"QT_TRANSLATE_NOOP({i18n.SCHEMA!r}, {text!r})" for text in schema_strings()]
    lines += [f"QT_TRANSLATE_NOOP({i18n.CORE!r}, {text!r})" for text in core_templates()]
    return "\n".join(lines) + "\n"


def lupdate() -> list[str]:
    import PySide6

    folder = Path(PySide6.__file__).parent
    for name in ("lupdate", "lupdate.exe", "Qt/libexec/lupdate", "Qt/bin/lupdate"):
        if (folder / name).is_file():
            return [str(folder / name)]
    return [sys.executable, "-c", "import sys; from PySide6.scripts.pyside_tool import lupdate; sys.exit(lupdate())"]


def update(languages: list[str], folder: Path = i18n.I18N) -> None:
    """Update each language's .ts in `folder` (resources/i18n; another folder holds a copy, for the test that the
    committed .ts are up to date)."""
    sources = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "app" / "ui").rglob("*.py"))
    sources += [str(path) for path in pyqtgraph_menus()]
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / "outside_app_ui.py"
        scratch.write_text(scratch_source(), encoding="utf-8")
        for lang in languages:
            ts = folder / i18n.ts_path(lang).name
            subprocess.run([*lupdate(), *sources, str(scratch), "-ts", str(ts), "-locations", "none",
                            "-no-obsolete", "-target-language", lang], check=True, cwd=ROOT)


def unfinished(lang: str) -> list[tuple[str, str]]:
    """(context, source) of every message of `lang`'s .ts that has no finished translation."""
    root = ET.parse(i18n.ts_path(lang)).getroot()
    return [(ctx.findtext("name"), msg.findtext("source")) for ctx in root.iter("context")
            for msg in ctx.iter("message") if msg.find("translation").get("type") == "unfinished"
            or not (msg.findtext("translation") or "")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list-unfinished", metavar="LANG", help="print the texts LANG still lacks, then stop")
    parser.add_argument("--folder", type=Path, default=i18n.I18N, help="the .ts files to update (default: %(default)s)")
    args = parser.parse_args()
    if args.list_unfinished:
        for context, source in unfinished(args.list_unfinished):
            print(f"{context}\t{source!r}")
        return 0
    update([lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE_LANGUAGE], args.folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
