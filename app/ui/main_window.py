"""The main window: a sidebar with the five steps and the pages, the pages in a stack, menus and a status bar.

The window holds ONE RunConfig (in a StudioState); every step edits it, the Train page starts runs from it. The
setup is kept (settings.save_setup) and opened again on the next start; File ▸ New from demo preset starts afresh.
One training at a time: while a run or the queue trains, Start and Run queue are off with the reason, unless the
user allows parallel runs (Run ▸ Allow parallel runs).
The step pages are built at once; Train, Runs, Compare, Chat and Export (plots, the run store) when first needed, which
keeps pyqtgraph and sqlite-utils off the start-up path.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.core.config import RunConfig, demo_config
from app.core.paths import PROJECT_ROOT, data_home
from app.ui import i18n
from app.ui.i18n import core_text
from app.ui.icons import icon
from app.ui.settings import load_setup, open_settings, save_setup, setup_path
from app.ui.state import StudioState
from app.ui.steps.base import StepPage
from app.ui.steps.data import DataStep
from app.ui.steps.hyperparameters import HyperparametersStep
from app.ui.steps.method import MethodStep
from app.ui.steps.model import ModelStep
from app.ui.widgets.input_rules import install_input_rules
from app.ui.widgets.page_frame import PageFrame
from app.ui.widgets.sidebar import Sidebar

log = logging.getLogger(__name__)

BEGIN_DELAY_MS = 150  # let the first frame paint before background work competes for the GIL
SAVE_DELAY_MS = 500  # the setup is written this long after the last edit (and on closing)
POLL_MS = 3000  # how often the store is asked whether a run started elsewhere (the CLI) is training
STEPS = ("data", "model", "method", "hyperparameters")
DOCS = ((QT_TRANSLATE_NOOP("MainWindow", "&User guide (README)"), "README.md"),
        (QT_TRANSLATE_NOOP("MainWindow", "Technical &documents (docs folder)"), "docs"))  # in the project
# (key, title, icon): no page has a step's done/not-done mark (check, pending) for its icon
PAGES = (("runs", QT_TRANSLATE_NOOP("MainWindow", "Runs"), "runs"),
         ("compare", QT_TRANSLATE_NOOP("MainWindow", "Compare"), "compare"),
         ("evaluate", QT_TRANSLATE_NOOP("MainWindow", "Evaluate"), "evaluate"),
         ("queue", QT_TRANSLATE_NOOP("MainWindow", "Queue"), "queue"),
         ("chat", QT_TRANSLATE_NOOP("MainWindow", "Chat"), "chat"),
         ("export", QT_TRANSLATE_NOOP("MainWindow", "Export"), "export"))


def demo_preset() -> RunConfig:
    """The demo preset as a new setup: the demo model on the sample data, the run named for them when it starts."""
    return demo_config().model_copy(update={"name": None})


class MainWindow(QMainWindow):
    """`config`: the setup to open; None opens the last one kept with `settings` (`setup_problems` then says what
    of it could not be used), or the demo preset."""

    def __init__(self, config: RunConfig | None = None, settings: QSettings | None = None):
        super().__init__()
        install_input_rules(QApplication.instance())  # before any page is built: wheel and Tab rules for every widget
        self.settings = settings or open_settings()
        self.setup_problems: list[tuple[str, str]] = []  # (field, why) of the last setup's parts left out
        # no setup kept yet: the first launch, where run_gui opens the recipe gallery
        self.first_launch = config is None and not setup_path(self.settings).is_file()
        if config is None:
            config, self.setup_problems = load_setup(self.settings, demo_preset())
        self.state = StudioState(config, self)
        self._save_timer = QTimer(self, singleShot=True, interval=SAVE_DELAY_MS)
        self._save_timer.timeout.connect(lambda: save_setup(self.settings, self.state.config))
        self._poll_timer = QTimer(self, interval=POLL_MS)
        self._poll_timer.timeout.connect(self._update_busy)
        self._store = None
        self._elsewhere: list[dict] = []  # runs the store says are training, with a live process
        self.setWindowTitle(self.tr("Finetune Studio"))
        self.setWindowIcon(icon("app"))

        self.steps: dict[str, StepPage] = {
            "data": DataStep(self.state, self.settings), "model": ModelStep(self.state, self.settings),
            "method": MethodStep(self.state, self.settings),
            "hyperparameters": HyperparametersStep(self.state, self.settings),
        }
        # Each page sits in a frame that scrolls: the stack is as small as a frame, not as large as its largest page,
        # and a page larger than the window scrolls instead of being cut off.
        self.frames = {key: PageFrame() for key in (*STEPS, "train", *(p[0] for p in PAGES))}
        for key, step in self.steps.items():
            self.frames[key].setWidget(step)
        self.built: dict[str, QWidget] = {}

        self.sidebar = Sidebar()
        for key in STEPS:
            self.sidebar.add_entry(key, self.steps[key].title, key, step=True)
        self.sidebar.add_entry("train", self.tr("Train"), "train", step=True)
        self.sidebar.add_separator()
        for key, title, icon_name in PAGES:
            self.sidebar.add_entry(key, QCoreApplication.translate("MainWindow", title), icon_name, step=False)
        self.sidebar.setFixedWidth(200)
        self.stack = QStackedWidget()
        for frame in self.frames.values():
            self.stack.addWidget(frame)

        central = QWidget()
        outer = QHBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.sidebar)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(self.stack, 1)
        right.addWidget(self._footer())
        outer.addLayout(right, 1)
        self.setCentralWidget(central)

        self._menus()
        self._status_bar()
        self._connect()
        last = str(self.settings.value("window/page", "data"))
        self.sidebar.select(last if last in STEPS else "data")  # other pages are built on demand
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)
        self._update_checks()
        self._begun = False

    # ---- building ----
    def _footer(self) -> QWidget:
        footer = QWidget()
        footer.setObjectName("footer")
        layout = QHBoxLayout(footer)
        layout.setContentsMargins(24, 6, 24, 10)
        self.step_problem = QLabel()
        self.step_problem.setObjectName("detail")
        self.back_button = QPushButton(self.tr("← Back"))
        self.next_button = QPushButton(self.tr("Next →"))
        self.next_button.setDefault(True)
        self.back_button.clicked.connect(lambda: self._go(-1))
        self.next_button.clicked.connect(lambda: self._go(+1))
        layout.addWidget(self.step_problem, 1)
        layout.addWidget(self.back_button)
        layout.addWidget(self.next_button)
        self.footer = footer
        return footer

    def _action(self, menu, text: str, shortcut, slot, icon_name: str | None = None) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        if icon_name:
            action.setIcon(icon(icon_name))
        menu.addAction(action)
        return action

    def _menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        self.new_action = self._action(file_menu, self.tr("&New from demo preset"), QKeySequence.StandardKey.New,
                                       self.new_run)
        self.new_button = QToolButton(autoRaise=True)  # the same action one click away, on every page
        self.new_button.setDefaultAction(self.new_action)
        self.new_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.setCornerWidget(self.new_button, Qt.Corner.TopRightCorner)
        self.recipe_action = self._action(file_menu, self.tr("New from &recipe…"), "Ctrl+Shift+N",
                                          self.new_from_recipe)
        self.open_action = self._action(file_menu, self.tr("&Open config…"), QKeySequence.StandardKey.Open,
                                        self.steps["hyperparameters"].open_config, "file")
        self.save_action = self._action(file_menu, self.tr("&Save config…"), QKeySequence.StandardKey.Save,
                                        self.steps["hyperparameters"].save_config, "save")
        file_menu.addSeparator()
        self.quit_action = self._action(file_menu, self.tr("&Quit"), "Ctrl+Q", self.close)
        run_menu = bar.addMenu(self.tr("&Run"))
        self.start_action = self._action(run_menu, self.tr("&Start"), "Ctrl+R", self.start_run, "start")
        self.stop_action = self._action(run_menu, self.tr("S&top"), "Ctrl+.", self.stop_run, "stop")
        run_menu.addSeparator()
        self.parallel_action = self._action(run_menu, self.tr("Allow &parallel runs"), QKeySequence(), self._parallel_toggled)
        self.parallel_action.setCheckable(True)
        self.parallel_action.setChecked(self.settings.value("runs/allow_parallel", False, bool))
        self.parallel_action.setToolTip(self.tr("Let Start and Run queue begin while another training runs "
                                                "(they share this machine's processors and memory, and "
                                                "each runs slower)"))
        run_menu.setToolTipsVisible(True)
        go_menu = bar.addMenu(self.tr("&Go"))
        self.go_actions: dict[str, QAction] = {}
        # as the sidebar: the steps Ctrl+1 … Ctrl+5; below the line, the pages Alt+1 … Alt+6 (ten digits for eleven)
        for group, modifier in (((*STEPS, "train"), "Ctrl"), (tuple(p[0] for p in PAGES), "Alt")):
            if self.go_actions:
                go_menu.addSeparator()
            for i, key in enumerate(group):
                self.go_actions[key] = self._action(go_menu, self.sidebar.title(key), f"{modifier}+{i + 1}",
                                                    lambda _=False, k=key: self.show_page(k))
        help_menu = bar.addMenu(self.tr("&Help"))
        self.shortcuts_action = self._action(help_menu, self.tr("&Keyboard shortcuts"), QKeySequence(), self.show_shortcuts)
        self.shortcuts_action.setShortcuts([QKeySequence("F1"), QKeySequence("Ctrl+/")])
        self.docs_actions: list[QAction] = []
        for text, name in DOCS:
            path = PROJECT_ROOT / name
            action = self._action(help_menu, QCoreApplication.translate("MainWindow", text), QKeySequence(), lambda _=False, p=path: self._open_doc(p))
            action.setEnabled(path.exists())
            action.setToolTip(str(path) if path.exists() else self.tr("Not installed with this copy: {path}").format(path=path))
            self.docs_actions.append(action)
        help_menu.setToolTipsVisible(True)
        help_menu.addSeparator()
        self._language_menu(help_menu)
        help_menu.addSeparator()
        self._action(help_menu, self.tr("&About Finetune Studio"), QKeySequence(), self._about)

    def _language_menu(self, help_menu) -> None:
        """Help ▸ Language: the system's, or a language we ship, kept in the settings for the next start."""
        menu = help_menu.addMenu(self.tr("&Language"))
        group = QActionGroup(self)
        chosen = str(self.settings.value(i18n.SETTING, "") or "")
        self.language_actions: dict[str, QAction] = {}
        for code, name in (("", self.tr("System default")), *i18n.LANGUAGES.items()):
            action = menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(code == chosen)
            group.addAction(action)
            action.triggered.connect(lambda _=False, c=code: self.choose_language(c))
            self.language_actions[code] = action

    def choose_language(self, code: str) -> None:
        """Keep `code` ("" follows the system) for the next start, and say so in this language and in that one."""
        self.settings.setValue(i18n.SETTING, code)
        self.language_actions[code].setChecked(True)
        lang = i18n.supported(code) or i18n.system_language()
        values = {"language": i18n.LANGUAGES[lang], "value": i18n.forced_language()}
        notes = [QT_TRANSLATE_NOOP("MainWindow", "The window will be in {language} the next time Finetune Studio "
                                                 "starts.")]
        if values["value"]:
            notes.append(QT_TRANSLATE_NOOP("MainWindow", "While FINETUNE_STUDIO_LANG is set ({value}), it chooses "
                                                         "the language instead."))
        here = [QCoreApplication.translate("MainWindow", note).format(**values) for note in notes]
        there = [i18n.translate_in(lang, "MainWindow", note).format(**values) for note in notes]
        QMessageBox.information(self, self.tr("Language"), "\n\n".join(dict.fromkeys(
            ["\n".join(here), "\n".join(there)])))

    def _status_bar(self) -> None:
        bar = self.statusBar()
        self.device_label = QLabel(self.tr("Device: …"))
        self.home_label = QLabel(self.tr("Data: {data_home}").format(data_home=data_home()))
        self.home_label.setToolTip(self.tr("Runs, models and settings are kept here (FINETUNE_STUDIO_HOME "
                                           "overrides it)."))
        self.run_label = QLabel(self.tr("No run"))
        bar.addWidget(self.device_label)
        bar.addWidget(self.home_label, 1)
        bar.addPermanentWidget(self.run_label)

    def _connect(self) -> None:
        self.sidebar.page_selected.connect(self._page_selected)
        for step in self.steps.values():
            step.validity_changed.connect(self._update_checks)
        self.state.config_changed.connect(self._update_checks)
        self.state.config_changed.connect(lambda _config: self._save_timer.start())

    # ---- pages built on first use ----
    def page(self, key: str) -> QWidget:
        if key in self.steps:
            return self.steps[key]
        if key not in self.built:
            self.built[key] = page = self._build_page(key)
            self.frames[key].setWidget(page)
        return self.built[key]

    def _build_page(self, key: str) -> QWidget:
        if key == "train":
            from app.ui.pages.train import TrainPage

            page = TrainPage()
            page.start_requested.connect(self.start_run)
            page.set_readiness(self._readiness())
            page.set_blocked(self.busy_reason("train"))
            page.set_next_name(*self._next_name())
            page.run_state_changed.connect(self._run_state)
            page.run_completed.connect(lambda _run_id: "runs" in self.built and self.built["runs"].refresh())
            return page
        if key == "runs":
            from app.ui.pages.runs import RunsPage

            page = RunsPage()
            page.clone_requested.connect(self._clone)
            page.resume_requested.connect(self._resume)
            page.compare_requested.connect(self._compare)
            return page
        if key == "compare":
            from app.ui.pages.compare import ComparePage

            return ComparePage()
        if key == "chat":
            from app.ui.pages.chat import ChatPage

            return ChatPage(self.settings)
        if key == "evaluate":
            from app.ui.pages.evaluate import EvaluatePage

            return EvaluatePage(self.settings)
        if key == "queue":
            from app.ui.pages.queue import QueuePage

            page = QueuePage(lambda: self.state.config)
            page.set_blocked(self.busy_reason("queue"))
            page.running_changed.connect(lambda _running: self._update_busy())
            page.current_changed.connect(lambda _current: self._update_busy())  # the reason names the run
            return page
        from app.ui.pages.export import ExportPage

        return ExportPage(self.settings)

    @property
    def train_page(self):
        return self.page("train")

    @property
    def runs_page(self):
        return self.page("runs")

    def _training(self) -> bool:
        return "train" in self.built and self.built["train"].is_running

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if not self._begun:
            self._begun = True
            QTimer.singleShot(BEGIN_DELAY_MS, self._after_show)

    def _after_show(self) -> None:
        """Once the window is on screen: detect the device, start the steps' background work, find a live run."""
        if not self.isVisible():  # closed before it got here
            return
        for step in self.steps.values():
            step.begin()
        device = self.state.device()
        self.device_label.setText(self.tr("Device: {label}").format(label=core_text(device.label())))
        self._reattach()
        self._update_busy()
        self._poll_timer.start()
        if self.setup_problems:
            self.statusBar().showMessage(self.tr("The last setup is open without ")
                                         + ", ".join(field for field, _ in self.setup_problems)
                                         + self.tr(": they no longer fit, and take the demo preset's "
                                                   "values."), 30000)

    # ---- navigation ----
    def show_page(self, key: str) -> None:
        self.sidebar.select(key)

    def current_page(self) -> str:
        return self.sidebar.current_key() or "data"

    def _page_selected(self, key: str) -> None:
        page = self.page(key)
        self.stack.setCurrentWidget(self.frames[key])
        self.settings.setValue("window/page", key)
        self.footer.setVisible(key in STEPS)
        if hasattr(page, "refresh") and key in self.built:
            page.refresh()
        self._update_footer()

    def _go(self, delta: int) -> None:
        """Back and Next through the steps; Next on the last step starts training (as Run ▸ Start does), so
        reaching the Train page is not one more click before its Start."""
        order = (*STEPS, "train")
        index = order.index(self.current_page()) if self.current_page() in order else 0
        if order[min(len(order) - 1, index + delta)] == "train":
            self.start_run()
            return
        self.show_page(order[max(0, index + delta)])

    def _update_footer(self) -> None:
        key = self.current_page()
        if key in self.steps:
            self.step_problem.setText(self.steps[key].problem())
            self.back_button.setEnabled(key != STEPS[0])
            last = key == STEPS[-1]
            self.next_button.setText(self.tr("Start training →") if last else self.tr("Next →"))
            self.next_button.setToolTip(self.tr("Check every step and start training this setup (Ctrl+R); "
                                                "the Train page shows the run") if last else "")

    def _update_checks(self, *_args) -> None:
        for key, step in self.steps.items():
            self.sidebar.set_done(key, step.is_valid())
        self.sidebar.set_done("train", self.ready())
        if "train" in self.built:
            self.built["train"].set_readiness(self._readiness())
            self.built["train"].set_next_name(*self._next_name())
        self.sidebar.viewport().update()
        self._update_footer()
        self._update_title()

    def ready(self) -> bool:
        return self._first_unready() is None

    def _first_unready(self) -> str | None:
        """The first step that is not valid yet, or None."""
        return next((key for key, step in self.steps.items() if not step.is_valid()), None)

    def _readiness(self) -> str:
        """Why the configuration cannot be trained, naming the step ('' when it can)."""
        key = self._first_unready()
        return f"{self.steps[key].title}: {self.steps[key].problem()}" if key else ""

    # ---- one training at a time; run names ----
    def _open_store(self):
        if self._store is None:
            from app.core.store import Store

            self._store = Store(reap=False)
        return self._store

    def _next_name(self) -> tuple[str, str | None]:
        """The next run's name (its own or data · method, unique), and the name asked for when a run has it."""
        import sqlite3

        from app.core.runs.names import run_name, taken_names

        try:
            taken = taken_names(self._open_store())
        except sqlite3.Error as exc:  # a store that cannot be read now: the run's id names it, as in the CLI
            log.warning("could not read the run names: %s", exc)
            taken = set()
        name = run_name(self.state.config, taken)
        asked = self.state.config.name
        return name, asked if asked and asked != name else None

    def _parallel_toggled(self, allowed: bool) -> None:
        self.settings.setValue("runs/allow_parallel", allowed)
        self._update_busy()

    def _update_busy(self) -> None:
        """Ask the store which runs train with a live process on this machine (a run started from the CLI counts),
        then turn Start, Ctrl+R and Run queue off, with the reason, or on again."""
        import os
        import socket
        import sqlite3

        from app.core.store import ACTIVE_STATUSES, pid_alive

        try:
            store, host = self._open_store(), socket.gethostname()
            self._elsewhere = [run for status in ACTIVE_STATUSES for run in store.list_runs(status=status)
                               if run.get("host") == host and run.get("pid") != os.getpid()  # this GUI trains none
                               and pid_alive(run.get("pid"))]
        except sqlite3.Error as exc:  # locked or unreadable for now: keep what the last look found
            log.warning("could not read the running runs: %s", exc)
        reason = self.busy_reason("train")
        self.start_action.setEnabled(not reason)
        self.start_action.setToolTip(self.tr("Start is off: {reason}").format(reason=reason) if reason else self.tr("Train the current configuration"))
        if "train" in self.built:
            self.built["train"].set_blocked(reason)
            self.built["train"].set_next_name(*self._next_name())
        if "queue" in self.built:
            self.built["queue"].set_blocked(self.busy_reason("queue"))

    def busy_reason(self, asking: str) -> str:
        """Why `asking` ("train": Start and Ctrl+R; "queue": Run queue) may not begin a training now: the queue, the
        Train page or another process trains ('' when it may, or when the user allows parallel runs)."""
        if self.parallel_action.isChecked():
            return ""
        from app.ui.pages.train import ACTIVE_STATES

        train, queue = self.built.get("train"), self.built.get("queue")
        queue_runs = queue is not None and queue.is_running()
        train_runs = train is not None and (train.is_running or train.state in ACTIVE_STATES)
        own = train.run_id if train_runs else None
        what = ""
        if asking != "queue" and queue_runs:
            what = self.tr("The queue is training ({what}).").format(
                what=queue.current().removeprefix("Training ") or self.tr("starting"))
        elif asking != "train" and train_runs:
            what = self.tr("The Train page is training.")
        elif not queue_runs:  # the queue's own runs are the queue's
            run = next((run for run in self._elsewhere if run["id"] != own), None)
            if run is not None:
                what = self.tr("Run “{name}” is training (process {pid}).").format(name=run['name'] or run['id'],
                                                                                    pid=run['pid'])
        return self.tr("{what} One training at a time; Run ▸ Allow parallel runs lifts this.").format(what=what) if what \
            else ""

    # ---- actions ----
    def new_run(self) -> None:
        self.state.set_config(demo_preset())
        self.show_page("data")
        self.statusBar().showMessage(self.tr("New setup from the demo preset: the demo model on the sample "
                                             "data."), 5000)

    def new_from_recipe(self) -> bool:
        """File ▸ New from recipe (and the first launch): the recipe gallery; the recipe chosen becomes the setup."""
        from app.ui.widgets.recipe_gallery import RecipeGallery

        gallery = RecipeGallery(self, self.settings)
        if gallery.exec() != RecipeGallery.DialogCode.Accepted or gallery.config is None:
            return False
        self.state.set_config(gallery.config)
        self.show_page("data")
        self.statusBar().showMessage(self.tr("New setup from the recipe '{title}'.").format(
            title=gallery.recipe.title if gallery.recipe else ""), 5000)
        return True

    def start_run(self) -> None:
        """Run ▸ Start, Ctrl+R and the Train page's Start button: train the configuration once every step is valid,
        else show the first step to fix and why."""
        first_bad = self._first_unready()
        if first_bad is not None:
            self.show_page(first_bad)
            self.statusBar().showMessage(self.tr("Not ready: {problem}").format(problem=self.steps[first_bad].problem()), 8000)
            return
        self._update_busy()
        self.show_page("train")
        reason = self.busy_reason("train")
        if reason:
            self.statusBar().showMessage(self.tr("Start is off: {reason}").format(reason=reason), 8000)
        elif not self.train_page.is_running:
            self.train_page.try_start(self.state.config.model_copy(update={"name": self._next_name()[0]}))

    def stop_run(self) -> None:
        if self._training():
            self.train_page.stop()

    def _run_state(self, state: str) -> None:
        run_id = getattr(self.train_page, "run_id", None)
        from app.ui.pages.train import state_text

        words = state_text(state)
        self.run_label.setText(self.tr("Run {run_id}: {state}").format(run_id=run_id, state=words) if run_id else
                               self.tr("Run: {state}").format(state=words))
        for key in ("runs", "compare"):  # the history changed: a page showing it reads it again
            page = self.built.get(key)
            if page is not None and page.isVisible():
                page.refresh()
        self._update_title()
        self._update_busy()

    def _update_title(self) -> None:
        """The window is named for the run the Train page is training, else for the setup the steps edit."""
        title = self.tr("Finetune Studio — {name}").format(name=self.state.config.name or self.tr("new run"))
        if "train" in self.built:  # (so its module is loaded: nothing more is imported at start-up)
            from app.core.errors import RunNotFound
            from app.core.store import Store
            from app.ui.pages.train import ACTIVE_STATES, state_text

            page = self.train_page
            if page.state in ACTIVE_STATES:
                try:
                    name = Store(reap=False).get_run(page.run_id)["name"] or page.run_id
                except RunNotFound:  # its worker has not recorded it yet
                    name = page.run_id
                title = self.tr("Finetune Studio — {name} ({state})").format(name=name, state=state_text(page.state))
        self.setWindowTitle(title)

    def _clone(self, config: RunConfig) -> None:
        self.state.set_config(config)
        self.show_page("data")

    def _compare(self, run_ids: list[str]) -> None:
        self.show_page("compare")
        self.page("compare").set_runs(run_ids)

    def _resume(self, run_id: str) -> None:
        """Resume (or extend, which resumes a new run) on the Train page, unless another training is under way."""
        self._update_busy()
        self.show_page("train")
        reason = self.busy_reason("train")
        if reason:
            self.statusBar().showMessage(self.tr("Resume is off: {reason}").format(reason=reason), 8000)
        else:
            self.train_page.resume(run_id)

    def _reattach(self) -> None:
        """A run left training in the background by the last session: follow it again."""
        from app.core.store import Store

        running = Store().list_runs(status="running")
        if running and not self._training():
            run_id = running[0]["id"]
            log.info("re-attaching to run %s", run_id)
            self.train_page.attach(run_id)
            self.show_page("train")
            self.statusBar().showMessage(self.tr("Re-attached to run {run_id}, still "
                                                 "training.").format(run_id=run_id), 8000)

    def show_shortcuts(self) -> None:
        """Help ▸ Keyboard shortcuts (F1, Ctrl+/): a list read from the window's actions as they are now."""
        from app.ui.widgets.shortcuts_dialog import ShortcutsDialog

        self.shortcuts_dialog = ShortcutsDialog(self)
        self.shortcuts_dialog.show()

    def _open_doc(self, path: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def _about(self) -> None:
        QMessageBox.about(self, self.tr("Finetune Studio"), self.tr("Finetune Studio: fine-tune language "
                                                           "models on your own computer.<br>Your runs and "
                                                           "models are kept in {data_home}.").format(data_home=data_home()))

    # ---- closing ----
    def closeEvent(self, event: QCloseEvent) -> None:
        if self._training() and not self._ask_about_run():
            event.ignore()
            return
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Save the window's settings and stop every page's background work (a run keeps training)."""
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.sync()
        self._save_timer.stop()
        self._poll_timer.stop()
        save_setup(self.settings, self.state.config)
        for page in (*self.steps.values(), *self.built.values()):
            if hasattr(page, "shutdown"):
                page.shutdown()

    def _ask_about_run(self) -> bool:
        """Stop the run, or let it go on in the background? False: the user changed their mind."""
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("A run is still training"),
                          self.tr("Stop the run now, or let it continue in the background? When it "
                                  "continues, Finetune Studio follows it again on its next start."), parent=self)
        stop = box.addButton(self.tr("Stop the run"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(self.tr("Keep training in background"), QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.exec()
        if box.clickedButton() is cancel:
            return False
        if box.clickedButton() is stop:
            self.train_page.stop()
        return True
