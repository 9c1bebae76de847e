"""The window's language: which one, its translations loaded, and the texts that come from outside app/ui translated.

Translations are Qt's own: every text in app/ui goes through `self.tr("…")` or `QCoreApplication.translate(context,
"…")`; `resources/i18n/finetune_studio_<lang>.ts` holds the translations (edited with Qt Linguist or by hand, updated
from the sources by `python packaging/i18n_update.py`), and `.qm` files compiled from them by pyside6-lrelease are
what the window loads. The `.qm` files are build outputs, not committed: `build()` compiles them (the installers and
packaging/build-linux.sh run `python -m app.ui.i18n`), and `install()` compiles a missing or stale one at start when
the `.ts` is there (a source checkout).

Texts that app/ui does not write itself are translated at display time under a fixed context: the pydantic schema's
titles, descriptions and choice labels, and the registries' cards ("Schema"), and the core's messages built with
app.core.messages.Text ("core": the template is translated, then filled in). The CLI prints them in English.

The language is, first found: `--lang`, `FINETUNE_STUDIO_LANG`, the choice kept in the settings (Help ▸ Language),
the system locale; a language with no translation falls back to English.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

from app.core.messages import Term, Text
from app.core.paths import RESOURCES, data_home

log = logging.getLogger(__name__)

I18N = RESOURCES / "i18n"
BASENAME = "finetune_studio"
SOURCE_LANGUAGE = "en"
# language code → its own name (how the Language menu lists it)
LANGUAGES = {"en": "English", "zh_CN": "简体中文"}
SETTING = "ui/language"
ENV = "FINETUNE_STUDIO_LANG"
SCHEMA = "Schema"  # the context of the schema's and the registries' texts
CORE = "core"  # the context of app.core.messages.Text templates

_installed: list[QTranslator] = []


def ts_path(lang: str) -> Path:
    return I18N / f"{BASENAME}_{lang}.ts"


def qm_path(lang: str, folder: Path | None = None) -> Path:
    return (folder or I18N) / f"{BASENAME}_{lang}.qm"


def supported(lang: str | None) -> str | None:
    """The language code we ship that `lang` names ("zh_CN", "zh-CN", "zh_CN.UTF-8", "zh" → "zh_CN"), else None."""
    if not lang:
        return None
    code = lang.split(".")[0].replace("-", "_")
    if code in LANGUAGES:
        return code
    prefix = code.split("_")[0].lower()
    return next((known for known in LANGUAGES if known.split("_")[0].lower() == prefix), None)


def forced_language(flag: str | None = None) -> str | None:
    """The language `--lang` or FINETUNE_STUDIO_LANG forces (what the user wrote), else None."""
    return flag or os.environ.get(ENV) or None


def system_language() -> str:
    """The system locale's language when we have it, else English."""
    return supported(QLocale.system().name()) or SOURCE_LANGUAGE


def choose_language(settings: QSettings | None, flag: str | None = None) -> str:
    """`--lang`, else FINETUNE_STUDIO_LANG, else the settings' choice (Help ▸ Language; empty: the system's), else
    the system locale; English when the one found names a language we do not have."""
    for candidate in (forced_language(flag), settings.value(SETTING) if settings is not None else None):
        if candidate:
            return supported(str(candidate)) or SOURCE_LANGUAGE
    return system_language()


def lrelease() -> list[str]:
    """The command that compiles .ts into .qm: the lrelease binary shipped in the PySide6 wheel."""
    import PySide6

    folder = Path(PySide6.__file__).parent
    for name in ("lrelease", "lrelease.exe", "Qt/libexec/lrelease", "Qt/bin/lrelease"):
        if (folder / name).is_file():
            return [str(folder / name)]
    return [sys.executable, "-c", "import sys; from PySide6.scripts.pyside_tool import lrelease; sys.exit(lrelease())"]


def compile_qm(ts: Path, qm: Path) -> None:
    """Compile `ts` into `qm` (raises CalledProcessError with lrelease's output when it fails)."""
    qm.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([*lrelease(), "-silent", str(ts), "-qm", str(qm)], check=True, capture_output=True, text=True)


def build(folder: Path | None = None) -> list[Path]:
    """Compile every .ts in resources/i18n into a .qm beside it (or in `folder`)."""
    built = []
    for ts in sorted(I18N.glob(f"{BASENAME}_*.ts")):
        qm = (folder or I18N) / ts.with_suffix(".qm").name
        compile_qm(ts, qm)
        built.append(qm)
    return built


def _stale(qm: Path, ts: Path) -> bool:
    return not qm.is_file() or (ts.is_file() and qm.stat().st_mtime < ts.stat().st_mtime)


def find_qm(lang: str) -> Path | None:
    """The .qm of `lang`: resources/i18n's when it is as new as the .ts, else one compiled now (into resources/i18n,
    or the data home's i18n folder when that is read-only); None when there is neither a .qm nor a .ts to build one."""
    ts, qm = ts_path(lang), qm_path(lang)
    if not _stale(qm, ts):
        return qm
    if not ts.is_file():
        return qm if qm.is_file() else None
    for target in (qm, qm_path(lang, data_home() / "i18n")):
        if not _stale(target, ts):
            return target
        try:
            compile_qm(ts, target)
            return target
        except (OSError, subprocess.CalledProcessError) as exc:
            log.warning("could not compile %s into %s: %s", ts, target, exc)
    return qm if qm.is_file() else None


def install(app: QCoreApplication, lang: str) -> bool:
    """Load `lang`'s translations (ours and Qt's own, for its standard buttons and dialogs) into `app`, replacing
    any loaded before. English needs none. False when `lang`'s translations cannot be found."""
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if lang == SOURCE_LANGUAGE:
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return True
    qm = find_qm(lang)
    ours = QTranslator(app)
    if qm is None or not ours.load(str(qm)):
        log.warning("no translations for %s: the window stays in English", lang)
        return False
    qt = QTranslator(app)
    if qt.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    app.installTranslator(ours)
    _installed.append(ours)
    QLocale.setDefault(QLocale(lang))
    return True


def translate_in(lang: str, context: str, text: str) -> str:
    """`text` in `lang`, whatever language the window is in now (`text` itself for English or when missing)."""
    qm = None if lang == SOURCE_LANGUAGE else find_qm(lang)
    translator = QTranslator()
    if qm is None or not translator.load(str(qm)):
        return text
    return translator.translate(context, text) or text


def count(n: int, one: str, many: str) -> str:
    """`one` or `many` (each already translated, with {n} where the number goes) for `n`: Chinese has one form for
    both, English agrees the noun with the number."""
    return (one if n == 1 else many).format(n=f"{n:,}")


def schema_text(text: str | None) -> str:
    """A schema title, description or choice label, or a registry card's text, in the window's language."""
    return QCoreApplication.translate(SCHEMA, text) if text else (text or "")


def core_text(text: str | None) -> str:
    """A message from app/core in the window's language: a Text's template translated and filled in (its values
    translated too when they are Texts, or Terms: the schema's words); any other string as it is."""
    if not isinstance(text, Text):
        return text or ""
    values = {key: core_text(value) if isinstance(value, Text) else schema_text(value.key) if isinstance(value, Term)
              else value for key, value in text.params.items()}
    translated = QCoreApplication.translate(CORE, text.template)
    try:
        return translated.format(**values) if values else translated
    except (KeyError, IndexError, ValueError):  # a translation that names a value the template lacks
        log.warning("translation of %r does not fit its values", text.template)
        return str(text)


def event_text(event: dict, key: str) -> str:
    """A worker event's field in the window's language: translated where the event carries its template
    (`<key>_text`, which events.encode adds for a Text), else as the worker wrote it."""
    data = event.get(f"{key}_text")
    if isinstance(data, dict) and isinstance(data.get("template"), str):
        try:
            return core_text(Text.from_json(data))
        except (KeyError, IndexError, ValueError, TypeError):
            log.warning("cannot rebuild %s from %r", key, data)
    return core_text(event.get(key))  # a Text when the event was made in this process (the run supervisor's)


def run_texts(run: dict) -> tuple[str, str]:
    """A stored run's error and hint in the window's language: translated where the store kept their templates
    (`error_text`, `hint_text`, written for a Text), else as they were stored."""
    fields = dict(run)
    for key in ("error_text", "hint_text"):
        try:
            fields[key] = json.loads(run[key]) if isinstance(run.get(key), str) else None
        except ValueError:
            fields[key] = None
    return event_text(fields, "error"), event_text(fields, "hint")


def event_texts(event: dict) -> tuple[str, str]:
    """A `finished` event's error (a `warning`'s message) and hint in the window's language."""
    return event_text(event, "error") or event_text(event, "message"), event_text(event, "hint")


def error_texts(error) -> tuple[str, str]:
    """A StudioError's message and hint in the window's language."""
    return core_text(getattr(error, "message", str(error))), core_text(getattr(error, "hint", ""))


if __name__ == "__main__":  # `python -m app.ui.i18n [FOLDER]`: what the installers and build scripts run
    for path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else None):
        print(path)
