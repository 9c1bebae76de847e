"""The window in Chinese (issue #18): every page opened in zh_CN shows no English left untranslated, the .ts files
are up to date with the code and fully translated, and the compiled .qm holds every translation."""

from __future__ import annotations

import importlib.util
import os
import pickle
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTranslator
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTableView,
    QTabWidget,
    QTextEdit,
    QTreeView,
    QWidget,
)
from studio_fakes import chat_rows, config_with_data, fake_models, write_jsonl  # noqa: F401

from app.core.errors import DataError
from app.core.messages import Text
from app.ui import i18n
from app.ui.main_window import MainWindow
from app.ui.settings import open_settings

ROOT = Path(__file__).resolve().parents[2]
LANG = "zh_CN"
PAGES = ["data", "model", "method", "hyperparameters", "train", "runs", "compare", "evaluate", "queue", "chat",
         "export"]
# Words that stay as they are in Chinese: names of methods, formats, file types, libraries, models and units
NAMES = {  # "chat" is the name of the test's data file, shown in the default run name
    "torch", "torchrun", "SLURM", "nvidia", "smi", "tune", "python",  # commands
    "question", "answer", "completion", "positive", "negative", "True", "False",  # columns, labels, config values
    "billing", "login", "shipping",  # the sample classifier's classes
    "Adafactor", "AdaLoRA", "adalora", "Adam", "AdamW", "all", "Alpaca", "alpaca", "Alpha", "alpha", "Alt",
    "AMD", "API", "Apple", "assistant", "auto", "Beta", "bf", "bf16", "bias", "Biases", "BitFit", "BLEU",
    "BOFT", "BOS", "chat", "classification", "cls", "Core", "cpp", "CPU", "cpu", "CSV", "csv", "Ctrl", "CUDA",
    "cuda", "curl", "datasets", "ddp", "DeepSpeed", "demo", "docs", "doctor", "DoRA", "dora", "DPO", "dpo",
    "Dropout", "dropout", "eager", "English", "Enter", "EOS", "EPYC", "Esc", "eval_loss", "exact",
    "exact_match", "F1", "f16", "Face", "Finetune", "finetune", "FINETUNE_STUDIO_HOME",
    "FINETUNE_STUDIO_LANG", "FlashAttention", "FourierFT", "fp", "fp16", "fp32", "fp4", "freeze", "FSDP",
    "fsdp", "full", "GB", "GeForce", "GFLOP", "GGUF", "gguf", "GiB", "GPT", "GPU", "GRPO", "grpo", "h",
    "HF_TOKEN", "hinge", "HRA", "HTML", "HTTP", "Hub", "hub", "Hugging", "IA", "IA3", "ID", "install",
    "Instinct", "Instruct", "int", "Intel", "ipo", "JSON", "json", "JSONL", "jsonl", "KiB", "KL", "KTO",
    "kto", "labels", "LayerNorm", "Lines", "Linux", "Lion", "Llama", "llama", "LN", "logits", "LoRA", "lora", "LoRA+",
    "loraplus", "loss", "M1", "M2", "M3", "Mac", "macOS", "main", "Markdown", "matmul", "max_length", "MB",
    "messages", "MiB", "min", "Mistral", "MLflow", "mlflow", "MLP", "Modelfile", "MPS", "mps", "ms", "name",
    "near", "new", "nf", "NF4", "nf4", "none", "NVIDIA", "OFT", "Ollama", "OLoRA", "olora", "OpenAI",
    "openai", "ORPO", "orpo", "owner", "P", "p", "Parquet", "parquet", "PEFT", "peft", "pip", "PiSSA",
    "pissa", "PPO", "ppo", "preference", "Prefix", "Prompt", "prompt", "prompt_completion", "pt", "Python",
    "PyTorch", "q4_0", "q4_k_m", "q5_k_m", "q6_k", "q8_0", "QLoRA", "qlora", "quickstart", "Qwen", "Radeon",
    "RAM", "README", "REINFORCE", "rephrase", "RLHF", "RLOO", "rloo", "RM", "rm", "ROCm", "ROUGE", "rougeL",
    "rsLoRA", "rslora", "RTX", "Ryzen", "s", "safetensors", "save_to_disk", "SDPA", "SFT", "sft", "SGD",
    "ShareGPT", "sharegpt", "Shift", "sigmoid", "SimPO", "simpo", "SmolLM", "SQLite", "Studio", "studio",
    "Tab", "TB", "Tensor", "TensorBoard", "tensorboard", "test", "text", "TF", "tok", "Token", "token",
    "tokenizer", "tokens", "Top", "Transformers", "transformers", "TRL", "tuning", "txt", "Unicode", "UTF",
    "validation", "VeRA", "VRAM", "WAL", "wandb", "Weights", "Windows", "Xeon", "YAML", "yaml", "yml", "ZeRO",
}
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")


def english_words(text: str) -> list[str]:
    """The words of `text` that read as English: not a name above, not part of a path, id, number or placeholder."""
    text = re.sub(r"<[^>]+>", " ", text)  # rich text's tags
    text = re.sub(r"&[a-z]+;", " ", text)
    # paths, ids, values, and what is quoted as it is spelt: 'auto', [q_proj, v_proj], `datasets`, {placeholders}
    text = re.sub(r"`[^`]*`|'[^'\s]*'|\[[^\]]*\]|\{[^}]*\}", " ", text)
    text = re.sub(r"\S*[/\\]\S*|\S+\.\S+|\S*_\S*|\S*\d\S*|\S+-\S+|%\w", " ", text)
    return [w for w in WORD.findall(text.replace("&", "")) if w not in NAMES and not (w.isupper() and len(w) <= 6)
            and not re.search(r"[a-z][A-Z]", w)]


def widget_path(widget: QWidget) -> str:
    parts = []
    while widget is not None:
        parts.append(widget.objectName() or type(widget).__name__)
        widget = widget.parentWidget()
    return "/".join(reversed(parts))


def visible_texts(widget: QWidget) -> list[tuple[str, str]]:
    """(what, text) of what a person reads on `widget` itself: its label, title, items, tooltip, placeholder."""
    out = [("toolTip", widget.toolTip()), ("windowTitle", widget.windowTitle() if widget.isWindow() else "")]
    if isinstance(widget, QLabel):
        out.append(("text", widget.text()))
    elif isinstance(widget, QAbstractButton):
        out.append(("text", widget.text()))
    elif isinstance(widget, QGroupBox):
        out.append(("title", widget.title()))
    elif isinstance(widget, QTabWidget):
        for i in range(widget.count()):
            out += [(f"tab {i}", widget.tabText(i)), (f"tab {i} toolTip", widget.tabToolTip(i))]
    elif isinstance(widget, QComboBox):
        out += [(f"item {i}", widget.itemText(i)) for i in range(widget.count())]
        if widget.isEditable() and widget.lineEdit() is not None:
            out.append(("placeholder", widget.lineEdit().placeholderText()))
    elif isinstance(widget, QLineEdit):
        out.append(("placeholder", widget.placeholderText()))
    elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
        out.append(("placeholder", widget.placeholderText()))
    elif isinstance(widget, QAbstractSpinBox):
        out += [("special", widget.specialValueText()), ("suffix", getattr(widget, "suffix", str)()),
                ("prefix", getattr(widget, "prefix", str)())]
    elif isinstance(widget, (QTableView, QTreeView)) and widget.model() is not None:
        model = widget.model()
        out += [(f"header {c}", str(model.headerData(c, Qt.Orientation.Horizontal) or ""))
                for c in range(model.columnCount())]
    elif isinstance(widget, pg.GraphicsView):  # plots: their titles, legends and axis labels
        for item in widget.scene().items():
            if isinstance(item, pg.LabelItem):
                out.append(("plot label", item.text))
            elif isinstance(item, pg.AxisItem):
                out.append(("plot axis", item.labelText))
    return [(what, text) for what, text in out if text]


# What a worker process reported (a run's error and hint, from its finished event or the store; an evaluation's note
# on its baseline) is shown as it came: plain English for now, and a library's own error (torch's out of memory) has
# no translation at all.
WORKERS_WORDS = ("errorText", "errorHint", "workerNote")


def untranslated(window: MainWindow) -> list[str]:
    found = []
    for widget in [window, *window.findChildren(QWidget)]:
        if widget.objectName() in WORKERS_WORDS:
            continue
        for what, text in visible_texts(widget):
            words = english_words(text)
            if words:
                found.append(f"{widget_path(widget)} {what}: {text!r} (English: {' '.join(words[:6])})")
    for action in window.findChildren(QAction):
        for what, text in (("action", action.text()), ("action toolTip", action.toolTip())):
            if text and english_words(text) and not (what == "action toolTip" and text == action.text()):
                found.append(f"QAction {action.objectName() or action.text()!r} {what}: {text!r}")
    return sorted(set(found))


@pytest.fixture(scope="module")
def qm_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("qm")
    i18n.build(folder)
    return folder


@pytest.fixture
def chinese(qapp, qm_dir, monkeypatch):
    if importlib.util.find_spec("app.ui.widgets.auto_settings"):  # the stand-in tokenizer cannot measure rows: the
        # panel would show that exception's (English) words
        monkeypatch.setattr("app.ui.widgets.auto_settings.profile_work", lambda config: lambda progress, stop: None)
    monkeypatch.setattr(i18n, "find_qm", lambda lang: i18n.qm_path(lang, qm_dir))
    assert i18n.install(qapp, LANG)
    yield
    i18n.install(qapp, i18n.SOURCE_LANGUAGE)


def messages(ts: Path) -> list[tuple[str, str, str | None]]:
    root = ET.parse(ts).getroot()
    return [(ctx.findtext("name"), msg.findtext("source"),
             None if msg.find("translation").get("type") == "unfinished" else msg.findtext("translation"))
            for ctx in root.iter("context") for msg in ctx.iter("message")]


def test_every_text_of_the_ts_is_translated_and_in_the_qm(qm_dir):
    entries = messages(i18n.ts_path(LANG))
    missing = [f"{ctx}: {src!r}" for ctx, src, tr in entries if not tr]
    assert not missing, f"{len(missing)} of {len(entries)} texts have no translation:\n" + "\n".join(missing[:50])
    translator = QTranslator()
    assert translator.load(str(i18n.qm_path(LANG, qm_dir)))
    absent = [f"{ctx}: {src!r}" for ctx, src, tr in entries if translator.translate(ctx, src) != tr]
    assert not absent, "the .qm lacks:\n" + "\n".join(absent[:50])


def test_placeholders_of_every_translation_match_the_source():
    wrong = []
    for ctx, src, tr in messages(i18n.ts_path(LANG)):
        if tr and sorted(re.findall(r"\{[^}]*\}", src)) != sorted(re.findall(r"\{[^}]*\}", tr)):
            wrong.append(f"{ctx}: {src!r} -> {tr!r}")
    assert not wrong, "\n".join(wrong)


def test_the_ts_is_up_to_date_with_the_code(tmp_path):
    """packaging/i18n_update.py run on a copy finds no text the committed .ts lacks, and none it no longer needs."""
    copy = tmp_path / i18n.ts_path(LANG).name
    copy.write_bytes(i18n.ts_path(LANG).read_bytes())
    subprocess.run([sys.executable, str(ROOT / "packaging" / "i18n_update.py"), "--folder", str(tmp_path)], check=True,
                   cwd=ROOT, capture_output=True)
    ours = {(c, s) for c, s, _ in messages(i18n.ts_path(LANG))}
    fresh = {(c, s) for c, s, _ in messages(copy)}
    assert not fresh - ours, "texts in the code missing from the .ts (run packaging/i18n_update.py): " \
        + "; ".join(f"{c}: {s!r}" for c, s in sorted(fresh - ours)[:30])
    assert not ours - fresh, f"texts in the .ts no longer in the code: {sorted(ours - fresh)[:30]}"


@pytest.mark.usefixtures("fake_models", "chinese")
def test_every_page_in_chinese_shows_no_english(qtbot, tmp_path):
    data = write_jsonl(tmp_path / "chat.jsonl", chat_rows(4))
    window = MainWindow(config_with_data(data), settings=open_settings(tmp_path / "gui.ini"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.steps["model"].is_valid() and window.steps["data"].report is not None,
                    timeout=20000)
    for page in PAGES:
        window.show_page(page)
        qtbot.wait(50)
    found = untranslated(window)
    window.shutdown()
    assert not found, f"{len(found)} English texts on the zh_CN pages:\n" + "\n".join(found)


@pytest.mark.usefixtures("fake_models", "chinese")
def test_pages_showing_runs_in_chinese_show_no_english(qtbot, tmp_path, monkeypatch):
    """The pages with something to show: sample runs (one training, one failed), a run picked on Runs, three runs
    compared, a classifier's evaluation, a queued sweep, a failed run, and the dialogs the pages open (Find good settings too)."""
    import tempfile

    from app.core.recipes import recipes
    from app.core.store import Store
    from app.ui.pages import samples
    from app.ui.steps.data_augment import AugmentDialog
    from app.ui.steps.data_doctor import PlaceholderForm
    from app.ui.steps.data_mix import MixDialog
    from app.ui.steps.data_preview import MappingDialog
    from app.ui.steps.data_source import FILE_FILTER
    from app.ui.widgets.recipe_gallery import RecipeGallery
    from app.ui.widgets.shortcuts_dialog import ShortcutsDialog
    from app.ui.widgets.tune_dialog import TuneDialog

    monkeypatch.setattr(MainWindow, "_ask_about_run", lambda self: True)  # a sample run is "still training"
    monkeypatch.setenv("FINETUNE_STUDIO_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(tempfile, "mkdtemp", lambda prefix="": str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    samples.sample_home()
    data = write_jsonl(tmp_path / "chat.jsonl", chat_rows(4))
    window = MainWindow(config_with_data(data), settings=open_settings(tmp_path / "gui.ini"))
    qtbot.addWidget(window)
    window.show()
    store = Store(reap=False)
    runs = store.list_runs()
    window.show_page("runs")
    window.page("runs").select_run(next(r["id"] for r in runs if r["status"] == "completed"))
    window.show_page("compare")
    window.page("compare").set_runs([r["id"] for r in runs if r["status"] in ("completed", "cancelled")])
    window.show_page("evaluate")
    evaluate = window.page("evaluate")
    run_id = samples.add_sample_classifier(store)
    evaluate.runs.refresh()
    evaluate.runs.setCurrentIndex(evaluate.runs.findData(run_id))
    samples.add_sample_queue(store)
    window.show_page("queue")
    window.page("queue").refresh()
    window.show_page("runs")
    window.page("runs").select_run(next(r["id"] for r in runs if r["status"] == "failed"))
    # the recipes without their measurements: bench/recipes.py writes those notes (machine, load) in English
    unmeasured = {name: recipe.model_copy(update={"steps": [step.model_copy(update={"measured": None})
                                                            for step in recipe.steps]})
                  for name, recipe in recipes().items()}
    dialogs = [ShortcutsDialog(window), PlaceholderForm(["name"], window),
               MappingDialog(["question", "answer"], "alpaca", {}, "", {"question": "2 + 2?"}, window),
               MixDialog([], FILE_FILTER, window), AugmentDialog(str(data), window.state.config, window),
               RecipeGallery(window, window.settings, unmeasured), TuneDialog(window.state, parent=window)]
    found = untranslated(window)
    for dialog in dialogs:
        dialog.close()
    window.shutdown()
    assert not found, f"{len(found)} English texts on the zh_CN pages:\n" + "\n".join(found)


def test_language_follows_flag_then_environment_then_settings_then_system(tmp_path, monkeypatch):
    settings = QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat)
    monkeypatch.delenv(i18n.ENV, raising=False)
    monkeypatch.setattr(i18n, "system_language", lambda: "en")
    assert i18n.choose_language(settings) == "en"
    settings.setValue(i18n.SETTING, "zh_CN")
    assert i18n.choose_language(settings) == "zh_CN"
    monkeypatch.setenv(i18n.ENV, "en")
    assert i18n.choose_language(settings) == "en"
    assert i18n.choose_language(settings, "zh-CN") == "zh_CN"
    assert i18n.choose_language(settings, "fr_FR") == "en"  # a language we do not have: English
    assert i18n.supported("zh_CN.UTF-8") == i18n.supported("zh") == "zh_CN"


@pytest.mark.usefixtures("fake_models")
def test_help_language_keeps_the_choice_for_the_next_start_and_says_so_in_both_languages(qtbot, tmp_path, monkeypatch,
                                                                                        qm_dir):
    monkeypatch.setattr(i18n, "find_qm", lambda lang: i18n.qm_path(lang, qm_dir))
    monkeypatch.delenv(i18n.ENV, raising=False)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda parent, title, text: shown.append(text)))
    settings = open_settings(tmp_path / "gui.ini")
    window = MainWindow(config_with_data(write_jsonl(tmp_path / "chat.jsonl", chat_rows(2))), settings=settings)
    qtbot.addWidget(window)
    assert window.language_actions[""].isChecked()  # nothing chosen yet: the system's language
    window.language_actions["zh_CN"].trigger()
    assert settings.value(i18n.SETTING) == "zh_CN" and window.language_actions["zh_CN"].isChecked()
    assert i18n.choose_language(settings) == "zh_CN"
    assert "the next time Finetune Studio starts" in shown[0] and "下次启动 Finetune Studio 时" in shown[0]
    window.language_actions["en"].trigger()
    assert i18n.choose_language(settings) == "en" and shown[1] == "The window will be in English the next time " \
        "Finetune Studio starts."
    window.shutdown()


def test_a_missing_or_stale_qm_is_compiled_at_start_where_it_can_be_written(tmp_path, monkeypatch):
    """A source checkout has only the .ts: the first start compiles it beside it, a .ts edited since is compiled
    again, and where resources/ is read-only the .qm goes to the data home."""
    folder = tmp_path / "i18n"
    folder.mkdir()
    ts = folder / i18n.ts_path(LANG).name
    ts.write_bytes(i18n.ts_path(LANG).read_bytes())
    monkeypatch.setattr(i18n, "I18N", folder)
    qm = i18n.find_qm(LANG)
    assert qm == folder / f"{i18n.BASENAME}_{LANG}.qm" and QTranslator().load(str(qm))
    built = qm.stat().st_mtime
    os.utime(ts, (built + 10, built + 10))
    assert i18n.find_qm(LANG) == qm and qm.stat().st_mtime > built
    qm.unlink()
    compile_qm = i18n.compile_qm

    def read_only_resources(source: Path, target: Path) -> None:  # as an installed package's resources may be
        if target.parent == folder:
            raise PermissionError(13, "Permission denied", str(target))
        compile_qm(source, target)

    monkeypatch.setattr(i18n, "compile_qm", read_only_resources)
    fallback = i18n.find_qm(LANG)
    assert fallback == i18n.data_home() / "i18n" / qm.name and fallback.is_file()


def test_lang_flag_reaches_the_window(monkeypatch):
    from app import cli

    seen = {}
    monkeypatch.setattr("app.core.system_libs.gui_problem", lambda: None)
    monkeypatch.setattr("app.ui.app.run_gui", lambda config, exit_after_show, lang: seen.update(lang=lang) or 0)
    assert cli.main(["--lang", "zh_CN"]) == 0 and seen == {"lang": "zh_CN"}  # gui is the default command
    assert cli.main(["gui", "--lang", "en"]) == 0 and seen == {"lang": "en"}


def test_core_messages_are_english_for_the_cli_and_translated_in_the_window(chinese):
    """A core Text prints English (the CLI, logs, events) and the window shows it translated, its values too."""
    from app.core.data.formats import detect_format

    reason = detect_format([{"text": "hello"}, {"text": "world"}]).reason
    assert str(reason) == "2 of 2 sampled rows have a 'text' field" and isinstance(reason, Text)
    error = DataError(reason, Text("Use QLoRA (4-bit base)"))
    assert str(error) == "2 of 2 sampled rows have a 'text' field\nHint: Use QLoRA (4-bit base)"
    layout = QCoreApplication.translate(i18n.CORE, "a 'text' field")
    assert layout != "a 'text' field"
    assert i18n.core_text(reason) == QCoreApplication.translate(i18n.CORE, reason.template).format(
        n=2, total=2, layout=layout)
    assert i18n.error_texts(error)[1] == QCoreApplication.translate(i18n.CORE, "Use QLoRA (4-bit base)")
    assert i18n.core_text("plain text stays") == "plain text stays"
    from app.core.data.readers import check_data_file
    from app.core.events import decode, encode

    with pytest.raises(DataError) as raised:
        check_data_file(Path("/nowhere/rows.jsonl"))
    assert str(raised.value).startswith("Data file not found: /nowhere/rows.jsonl\nHint: Check the path")
    assert i18n.error_texts(raised.value) == ("找不到数据文件：/nowhere/rows.jsonl",
                                              "请检查路径（相对路径以配置文件所在文件夹为基准），或重新选择文件。")
    # a worker's finished event carries the templates: the window translates what the worker said in English
    event = decode(encode("finished", status="rejected", **raised.value.to_dict()))
    assert event["error"] == "Data file not found: /nowhere/rows.jsonl"
    assert i18n.event_texts(event) == i18n.error_texts(raised.value)
    assert i18n.event_texts({"error": "Killed.", "hint": None}) == ("Killed.", "")  # no template: as it came
    assert pickle.loads(pickle.dumps(reason)).params == reason.params  # Texts cross a process queue whole


def test_core_errors_the_window_shows_read_in_chinese_with_their_line_and_path(chinese, qtbot, tmp_path, monkeypatch):
    """Real errors of the core, reached through the code the window runs, read in Chinese and keep the line and path
    they name: a malformed line of a JSONL file (a row problem), a JSON file broken at line 2 (the file cannot be
    read), a folder that is not a model, config values the validators refuse."""
    from app.core.config import demo_config
    from app.ui.state import StudioState
    from app.ui.steps.data import DataStep
    from app.ui.steps.model import ModelStep

    monkeypatch.setattr("app.core.models.load_tokenizer", lambda *a, **k: object())
    monkeypatch.setattr("app.ui.steps.data.render_example", lambda tokenizer, data, fmt, config: ([], None))
    settings = open_settings(tmp_path / "gui.ini")

    def shown(page):
        qtbot.addWidget(page)
        page.show()
        page.begin()
        return page

    def chinese_only(text: str) -> str:
        assert text and not english_words(text), f"English left in {text!r}: {english_words(text)}"
        return text

    rows = shown(DataStep(StudioState(config_with_data(write_jsonl(tmp_path / "chat.jsonl", chat_rows(3),
                                                                   bad_line=2))), settings))
    qtbot.waitUntil(lambda: rows.report is not None, timeout=10000)
    problems = [rows.problems.item(i).text() for i in range(rows.problems.count())]
    assert problems == ["第 2 行：JSON 无效：属性名应使用双引号括起来（第 2 列）"]
    rows.shutdown()

    broken = tmp_path / "rows.json"
    broken.write_text('[{"prompt": "a", "completion": "b"},\n {"prompt": "c" "completion": "d"}]\n', encoding="utf-8")
    data = shown(DataStep(StudioState(config_with_data(broken)), settings))
    qtbot.waitUntil(lambda: data.summary.text().startswith("⚠"), timeout=10000)
    assert chinese_only(data.summary.text()) == f"⚠ {broken}:2：JSON 无效：此处应为 ',' 分隔符（第 17 列）"
    chinese_only(data.summary.toolTip())
    data.shutdown()

    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "readme.txt").write_text("not a model", encoding="utf-8")
    config = demo_config()
    state = StudioState(config.model_copy(update={"model": config.model.model_copy(update={"source": str(folder)})}))
    # transformers imported here, not first by the step's worker thread: that import, while this thread collected
    # the earlier tests' widgets, deadlocked once (the collector inside an event filter, the worker importing)
    importlib.import_module("transformers")
    model = shown(ModelStep(state, settings))
    qtbot.waitUntil(lambda: model.status.text().startswith("⚠"), timeout=20000)
    assert chinese_only(model.status.text()).startswith(f"⚠ {folder} 不是模型文件夹：其中没有 config.json。")
    model.shutdown()

    # what a config field's validator says, and pydantic's own words, as the form shows them beside the field
    assert [i18n.core_text(p) for p in state.try_update("distributed", devices=[0, 0])] == ["有一块 GPU 被列了两次"]
    assert [i18n.core_text(p) for p in state.try_update("training", learning_rate=0)] == ["输入应大于 0"]
    refused = state.try_update("training", lr_scheduler="steps")
    assert refused == ["Input should be 'cosine', 'linear', 'constant' or 'constant_with_warmup'"]  # pydantic's words
    assert i18n.core_text(refused[0]) == "输入应为 'cosine', 'linear', 'constant' 或 'constant_with_warmup'"
    # a run's error as the store keeps it (the Runs page, a re-attached run): English text and the template
    from app.core.store import Store

    store = Store()
    store.create_run("20260101-000000-zh18", name="zh", config_yaml="", model="demo", method="lora", stage="sft")
    store.update_run("20260101-000000-zh18", status="rejected", error=DataError(
        Text("{folder} holds no dataset.", folder=folder), "").message, hint=Text("Check the file with `data inspect`."))
    run = store.get_run("20260101-000000-zh18")
    assert run["error"] == f"{folder} holds no dataset."
    assert i18n.run_texts(run) == (f"{folder} 中没有数据集。", "请用 `data inspect` 检查该文件。")
    store.update_run("20260101-000000-zh18", error="Killed.", hint=None)  # a plain text replaces the template
    assert i18n.run_texts(store.get_run("20260101-000000-zh18")) == ("Killed.", "")
    # a stage's title inside a core message reads as the stage cards name it
    from app.core.stages.registry import STAGES

    refusal = STAGES["ppo"].not_resumable
    assert str(refusal).startswith("A PPO (proximal policy optimisation) run cannot be continued")
    assert i18n.core_text(refusal) == f"{i18n.schema_text(STAGES['ppo'].title)} 运行无法继续训练：它的训练器总是从第 0 步开始。"
    chinese_only(i18n.core_text(refusal))
