"""The Compare page's plots: one per metric, several runs overlaid, one colour per run."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget

from app.core.runs.compare import METRICS
from app.ui.widgets.plots import Ema, plot_grid, style_plots, with_alpha

TITLES = {"loss": QT_TRANSLATE_NOOP("plots", "Loss (smoothed)"), "eval_loss": QT_TRANSLATE_NOOP("plots", "Eval loss"),
          "learning_rate": QT_TRANSLATE_NOOP("plots", "Learning rate"),
          "tokens_per_second": QT_TRANSLATE_NOOP("plots", "Tokens / s (smoothed)")}  # translated by plot_grid
SMOOTHED = ("loss", "tokens_per_second")
HUES = (212, 24, 140, 280, 0, 48, 180, 320, 95, 250)  # one per run, in check order; well apart on the wheel


def run_colour(index: int, dark: bool) -> QColor:
    return QColor.fromHslF(HUES[index % len(HUES)] / 360, 0.7, 0.62 if dark else 0.45)


class ComparePlots(QWidget):
    """One plot per metric, the checked runs overlaid: `curves[metric][run_id]` (a run lacking a metric has none)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._view, self.plots = plot_grid(self, tuple((key, TITLES[key]) for key in METRICS))
        self.curves: dict[str, dict[str, pg.PlotDataItem]] = {key: {} for key in METRICS}
        self.raw: dict[str, pg.PlotDataItem] = {}  # each run's unsmoothed loss, faint behind its smoothed curve
        self._shown: list[tuple[str, str, dict]] = []
        self._apply_palette()

    def show_runs(self, runs: list[tuple[str, str, dict]]) -> None:
        """(run id, label, metric series) per run, in colour order."""
        self._shown = runs
        for plot in self.plots.values():
            plot.clear()
            plot.enableAutoRange()
        self.plots[METRICS[0]].legend.clear()
        self.curves = {key: {} for key in METRICS}
        self.raw = {}
        for run_id, label, series in runs:
            for key in METRICS:
                arr = _points(series.get(key))
                if arr is None:
                    continue
                x, y = arr[:, 0], arr[:, 1]
                if key == "loss":
                    raw = self.plots[key].plot(x, y, skipFiniteCheck=True)
                    raw.opts["autoDownsampleFactor"] = 1.0
                    self.raw[run_id] = raw
                if key in SMOOTHED:
                    ema = Ema()
                    y = np.fromiter((ema.update(v) for v in y), float, len(y))
                curve = self.plots[key].plot(x, y, name=label if key == METRICS[0] else None, skipFiniteCheck=True)
                curve.opts["autoDownsampleFactor"] = 1.0  # peak mode keeps each pixel's min and max
                self.curves[key][run_id] = curve
        for key in METRICS:
            self._fit_flat(key)
        self._colour()

    def _fit_flat(self, key: str) -> None:
        """Constant series (a fixed learning rate) get a ±10 % range; autorange would pad them by ±0.5."""
        ys = [c.yData for c in self.curves[key].values() if c.yData is not None and len(c.yData)]
        if ys:
            lo, hi = min(float(y.min()) for y in ys), max(float(y.max()) for y in ys)
            if lo == hi:
                pad = abs(lo) * 0.1 or 1.0
                self.plots[key].setYRange(lo - pad, hi + pad, padding=0)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        style_plots(self._view, self.plots.values(), self.palette())
        self._colour()

    def _colour(self) -> None:
        dark = self.palette().color(QPalette.ColorRole.Base).lightnessF() < 0.5
        for i, (run_id, _, _) in enumerate(self._shown):
            colour = run_colour(i, dark)
            for key in METRICS:
                curve = self.curves[key].get(run_id)
                if curve is None:
                    continue
                curve.setPen(pg.mkPen(colour, width=2 if key == "loss" else 1))
                if key == "eval_loss":
                    curve.setSymbol("o")
                    curve.setSymbolSize(5)
                    curve.setSymbolBrush(colour)
                    curve.setSymbolPen(pg.mkPen(colour))
            if run_id in self.raw:
                self.raw[run_id].setPen(pg.mkPen(with_alpha(colour, 70 if dark else 45), width=1))


def _points(points) -> np.ndarray | None:
    if not points:
        return None
    arr = np.asarray(points, dtype=float)
    arr = arr[np.isfinite(arr[:, 1])]
    return arr if len(arr) else None
