"""WCAG AA contrast of the style sheet's text colours (issue #25 item 10): every `color:` rule of resources/style.qss
(page descriptions, details, hints, errors, notes) against the background it is drawn on, at least 4.5:1, in a light
and a dark palette. The colours come from the palette as the app computes them (app.ui.app.style_colours)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from app.core.paths import RESOURCES
from app.ui.app import style_colours

AA = 4.5
RULE = re.compile(r"^(?P<selector>[^{]+)\{(?P<body>.*)\}\s*$")


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    q = QColor(colour)
    return 0.2126 * channel(q.red()) + 0.7152 * channel(q.green()) + 0.0722 * channel(q.blue())


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def palette_of(window: str, text: str, base: str) -> QPalette:
    palette = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, window), (QPalette.ColorRole.WindowText, text),
                         (QPalette.ColorRole.Base, base), (QPalette.ColorRole.Text, text),
                         (QPalette.ColorRole.Highlight, "#2a82da"), (QPalette.ColorRole.HighlightedText, "#ffffff")):
        palette.setColor(role, QColor(colour))
    return palette


PALETTES = {
    "dark": lambda: palette_of("#353535", "#ffffff", "#232323"),
    "grey text (GNOME-like)": lambda: palette_of("#f6f5f4", "#2e3436", "#ffffff"),  # 40 % towards the window: 3.6:1
}


def text_rules(colours: dict[str, str]) -> list[tuple[str, str, str | None]]:
    """(selector, text colour, background or None) of each style sheet rule that sets a text colour, placeholders
    filled (the sidebar's selected entry too: its ground is the highlight made readable, {selection})."""
    rules = []
    for line in (RESOURCES / "style.qss").read_text(encoding="utf-8").splitlines():
        match = RULE.match(line.strip())
        if not match:
            continue
        body = match["body"]
        for key, value in colours.items():
            body = body.replace("{" + key + "}", value)
        declarations = dict(part.split(":", 1) for part in (d.strip() for d in body.split(";")) if ":" in part)
        declarations = {k.strip(): v.strip() for k, v in declarations.items()}
        if "color" in declarations:
            rules.append((match["selector"].strip(), declarations["color"], declarations.get("background")))
    return rules


@pytest.mark.parametrize("theme", ["light", *PALETTES])
def test_the_style_sheets_text_colours_meet_wcag_aa(qapp, theme):
    palette = QApplication.style().standardPalette() if theme == "light" else PALETTES[theme]()
    colours = style_colours(palette)
    rules = text_rules(colours)
    selectors = " ".join(selector for selector, _, _ in rules)
    for name in ("QLabel#pageHelp", "QLabel#detail", "QLabel#hint", "QLabel#fieldError"):
        assert name in selectors  # the descriptions, details and hints are all held to it
    grounds = {"window": palette.color(QPalette.ColorRole.Window).name(), "card": colours["card"]}
    ratios = {}
    for selector, colour, background in rules:
        for ground in [background] if background else grounds.values():
            ratios[(selector, ground)] = round(contrast(colour, ground), 2)
    low = {key: ratio for key, ratio in ratios.items() if ratio < AA}
    assert not low, f"below {AA}:1 in the {theme} palette: {low}"


def test_the_contrast_formula_gives_wcags_own_figures():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the lightest grey AA allows on white
