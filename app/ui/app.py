"""The GUI entry point: `finetune-studio` (or `finetune-studio gui [CONFIG]`) calls `run_gui`."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QMessageBox

from app.core.paths import RESOURCES

log = logging.getLogger(__name__)

SHOWN_MARKER = "finetune-studio: window shown"


def _mix(a: QColor, b: QColor, share: float) -> str:
    """`share` of colour b mixed into a, as #rrggbb."""
    return QColor(round(a.red() + (b.red() - a.red()) * share), round(a.green() + (b.green() - a.green()) * share),
                  round(a.blue() + (b.blue() - a.blue()) * share)).name()


def _luminance(colour: QColor) -> float:
    """WCAG's relative luminance."""
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.red()) + 0.7152 * channel(colour.green()) + 0.0722 * channel(colour.blue())


def _contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _softened(text: QColor, grounds: list[QColor], share: float = 0.4, floor: float = 4.6) -> str:
    """Text moved `share` of the way to the first ground, less where that would read below `floor`:1 (WCAG AA is
    4.5) on any of the grounds it is drawn on: a palette with grey text gets a darker shade than one with black."""
    while share > 0 and any(_contrast(QColor(_mix(text, grounds[0], share)), g) < floor for g in grounds):
        share = round(share - 0.02, 2)
    return _mix(text, grounds[0], max(share, 0.0))


def _readable_ground(ground: QColor, text: QColor, floor: float = 4.6) -> str:
    """`ground` darkened (lightened under dark text) until `text` reads at `floor`:1 on it: the platform's highlight
    under white text is often about 3.6:1."""
    colour = QColor(ground)
    for _ in range(24):
        if _contrast(colour, text) >= floor:
            break
        colour = colour.darker(108) if _luminance(text) > 0.5 else colour.lighter(108)
    return colour.name()


def style_colours(palette: QPalette) -> dict[str, str]:
    """The style sheet's {placeholders} for a palette: text shades mixed from its own colours, so they follow a light
    or dark theme (tests/ui/test_contrast.py holds them to WCAG AA's 4.5:1)."""
    window, text = palette.color(QPalette.ColorRole.Window), palette.color(QPalette.ColorRole.WindowText)
    dark = window.lightness() < 128
    base = palette.color(QPalette.ColorRole.Base)
    # cards: white on light; on dark a shade off the text boxes, so radio buttons (drawn in Base) show
    card = QColor(_mix(window, text, 0.06)) if dark else base
    return {
        "muted": _softened(text, [window, card]), "border": _mix(window, text, 0.18),
        "sidebar": _mix(window, text, 0.05),
        "card": card.name(),
        "highlight": palette.color(QPalette.ColorRole.Highlight).name(),
        "highlight_text": palette.color(QPalette.ColorRole.HighlightedText).name(),
        "selection": _readable_ground(palette.color(QPalette.ColorRole.Highlight),
                                      palette.color(QPalette.ColorRole.HighlightedText)),
        "error": "#ff9999" if dark else "#c0392b",
        "warning": "#f0c060" if dark else "#8a5a00",
    }


def apply_style(app: QApplication) -> None:
    """The bundled style sheet, with colours taken from the current (light or dark) palette."""
    sheet = (RESOURCES / "style.qss").read_text(encoding="utf-8")
    for key, value in style_colours(app.palette()).items():
        sheet = sheet.replace("{" + key + "}", value)
    app.setStyleSheet(sheet)


def create_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName("Finetune Studio")
    app.setOrganizationName("finetune-studio")
    app.setDesktopFileName("finetune-studio")
    apply_style(app)
    return app


def run_gui(config_path: str | None = None, exit_after_show: bool = False, lang: str | None = None) -> int:
    """Open the main window (on `config_path` if given, else the last setup, else the demo preset) and run the event
    loop.

    `exit_after_show`: once the window is shown and the event loop runs, print SHOWN_MARKER and quit
    (bench/startup_time.py times the marker's arrival). `lang`: the window's language (--lang), else i18n's choice.
    """
    app = create_app()
    from app.core.config import load_config
    from app.core.errors import StudioError
    from app.ui import i18n
    from app.ui.icons import icon
    from app.ui.main_window import MainWindow
    from app.ui.settings import open_settings

    settings = open_settings()
    i18n.install(app, i18n.choose_language(settings, lang))
    app.setWindowIcon(icon("app"))
    config, problem = None, None
    if config_path:
        try:
            config = load_config(config_path)
        except StudioError as exc:
            problem = exc
    window = MainWindow(config, settings=settings)
    window.show()
    if problem is not None:
        message, hint = i18n.error_texts(problem)
        QMessageBox.warning(window, QCoreApplication.translate("app", "Cannot open the config"),
                            QCoreApplication.translate("app", "{problem}\n\nStarting from the demo preset instead.")
                            .format(problem="\n".join(filter(None, (message, hint)))))
    elif window.setup_problems:
        QMessageBox.warning(window, QCoreApplication.translate("app", "Part of the last setup no longer fits"),
                            QCoreApplication.translate("app", "The last setup is open, except for these, which take "
                                                       "the demo preset's values:\n\n")
                            + "\n".join(f"• {field}: {i18n.core_text(why)}" for field, why in window.setup_problems))
    elif window.first_launch and not exit_after_show:
        QTimer.singleShot(0, window.new_from_recipe)  # where a new user starts: the recipe gallery
    if exit_after_show:
        def report() -> None:
            print(SHOWN_MARKER, flush=True)
            window.close()
            app.quit()

        QTimer.singleShot(0, report)
    return app.exec()

