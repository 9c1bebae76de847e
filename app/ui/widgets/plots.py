"""Live training curves (pyqtgraph): loss raw + smoothed with eval loss, learning rate, gradient norm, tokens/s,
and, when a stage reports them, its own metrics: rewards, margins and KL (preference and online RL stages), accuracy
and classification scores (reward model, DPO, classification).

Stays smooth at 100,000 points: points are appended to numpy arrays that grow geometrically, a ~10 Hz timer pushes
only the series that changed with one `setData` each, and the plots downsample (peak mode) and clip to the view.
Colours come from the widget's palette, so the plots read well in light and dark themes.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QEvent, QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

log = logging.getLogger(__name__)

REDRAW_MS = 100
MAX_REDRAW_MS = 1000
EMA_SMOOTHING = 0.9
# (plot key, title), then the series: (metric name, plot key, legend label, hue (None: the palette's accent)).
# Titles and labels are marked for translation (context "plots") and translated where they are drawn.
PLOTS = (("loss", QT_TRANSLATE_NOOP("plots", "Loss")), ("learning_rate", QT_TRANSLATE_NOOP("plots", "Learning rate")),
         ("grad_norm", QT_TRANSLATE_NOOP("plots", "Gradient norm")),
         ("tokens_per_second", QT_TRANSLATE_NOOP("plots", "Tokens / s")))
SERIES = (
    ("loss", "loss", QT_TRANSLATE_NOOP("plots", "train"), None),
    ("loss_smoothed", "loss", QT_TRANSLATE_NOOP("plots", "train (smoothed)"), None),
    ("eval_loss", "loss", QT_TRANSLATE_NOOP("plots", "eval"), 25),
    ("learning_rate", "learning_rate", QT_TRANSLATE_NOOP("plots", "learning rate"), 140),
    ("grad_norm", "grad_norm", QT_TRANSLATE_NOOP("plots", "gradient norm"), 280),
    ("tokens_per_second", "tokens_per_second", "tokens/s", 190),
)
# Stage plots (key, title, metric names as the stages log them; their eval_ versions go to the same plot). Each is
# added below the four plots when a run first reports one of its metrics.
STAGE_PLOTS = (
    ("rewards", QT_TRANSLATE_NOOP("plots", "Rewards and KL"), ("rewards/margins", "rewards/chosen", "rewards/rejected", "margin", "reward",
                                   "reward_std", "rlhf_reward", "kl")),
    ("accuracy", QT_TRANSLATE_NOOP("plots", "Accuracy"), ("rewards/accuracies", "accuracy", "precision", "recall", "f1")),
)
STAGE_HUES = (25, 140, 280, 190, 330, 60, 100)


class _Series:
    """x/y points in numpy arrays that double in size when full (amortised O(1) appends, no list copies)."""

    def __init__(self) -> None:
        self.x = np.empty(1024)
        self.y = np.empty(1024)
        self.n = 0
        self.dirty = False
        self.lo, self.hi = math.inf, -math.inf

    def append(self, x: float, y: float) -> None:
        if self.n == len(self.x):
            self.x = np.resize(self.x, 2 * self.n)
            self.y = np.resize(self.y, 2 * self.n)
        self.x[self.n] = x
        self.y[self.n] = y
        self.n += 1
        self.dirty = True
        self.lo, self.hi = min(self.lo, y), max(self.hi, y)

    def set(self, x: np.ndarray, y: np.ndarray) -> None:
        size = max(1024, 1 << math.ceil(math.log2(max(len(x), 1))))
        self.x, self.y = np.empty(size), np.empty(size)
        self.x[: len(x)], self.y[: len(y)] = x, y
        self.n = len(x)
        self.dirty = True
        self.lo, self.hi = (float(y.min()), float(y.max())) if len(y) else (math.inf, -math.inf)

    def view(self) -> tuple[np.ndarray, np.ndarray]:
        return self.x[: self.n], self.y[: self.n]


def plot_grid(owner: QWidget, plots: tuple[tuple[str, str], ...]) -> tuple[pg.GraphicsLayoutWidget, dict]:
    """Plots (key, title) in a two-column grid filling `owner`, x axes linked to the first, with its legend;
    peak downsampling and clip-to-view keep 100k-point curves cheap."""
    view = pg.GraphicsLayoutWidget()
    view.ci.setContentsMargins(4, 4, 4, 4)
    layout = QVBoxLayout(owner)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(view)
    items: dict[str, pg.PlotItem] = {}
    for i, (key, title) in enumerate(plots):
        axes = {"left": _ScientificAxis("left")} if key == "learning_rate" else None
        plot = view.addPlot(row=i // 2, col=i % 2, title=QCoreApplication.translate("plots", title), axisItems=axes)
        plot.setDownsampling(auto=True, mode="peak")
        plot.setClipToView(True)
        plot.setLabel("bottom", QCoreApplication.translate("plots", "step"))
        plot.getAxis("left").setWidth(56)
        if i:
            plot.setXLink(items[plots[0][0]])
        items[key] = plot
    items[plots[0][0]].addLegend(offset=(-8, 8), labelTextSize="8pt")
    return view, items


def style_plots(view: pg.GraphicsLayoutWidget, plots: Iterable[pg.PlotItem], palette: QPalette) -> None:
    """Background, titles, axes and legends in the palette's colours (called again when the palette changes)."""
    background = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    view.setBackground(background)
    for plot in plots:
        plot.setTitle(plot.titleLabel.text, color=text.name(), size="10pt")
        for axis in ("left", "bottom"):
            ax = plot.getAxis(axis)
            ax.setPen(pg.mkPen(_mix(text, background, 0.5)))
            ax.setTextPen(pg.mkPen(text))
        if plot.legend is not None:
            plot.legend.setBrush(pg.mkBrush(with_alpha(background, 200)))
            plot.legend.setLabelTextColor(text)
            for _, label in plot.legend.items:
                label.setText(label.text)  # pyqtgraph re-renders a label only when its text is set


class MetricsPlots(QWidget):
    """Four linked plots fed by `add_metrics(step, metrics)` (live) or `load_series(...)` (a finished run)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._view, self.plots = plot_grid(self, PLOTS)
        self.series: dict[str, _Series] = {}
        self.curves: dict[str, pg.PlotDataItem] = {}
        self._meta: list[tuple[str, str, str, int | None]] = []  # SERIES, then the stage series as they come
        for name, plot_key, label, hue in SERIES:
            self._add_series(name, plot_key, label, hue)
        self._ema = Ema()
        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self.redraw)
        self._timer.start()
        self._apply_palette()

    # ---- data ----
    def add_metrics(self, step: float, metrics: dict) -> None:
        """Add one step's metrics (keys as in the event protocol; unknown keys and nulls are ignored)."""
        for name, value in metrics.items():
            if not isinstance(value, (int, float)) or not math.isfinite(value):
                continue
            series = self.series.get(name) or self._stage_series(name)
            if series is None:
                continue
            series.append(step, value)
            if name == "loss":
                self.series["loss_smoothed"].append(step, self._ema.update(value))

    def add_events(self, events: Iterable[dict]) -> None:
        """Add `metrics` events as the RunSupervisor's `metrics_received` delivers them."""
        for event in events:
            self.add_metrics(event["step"], event.get("metrics") or {})

    def load_series(self, series: dict[str, list[tuple[float, float]]]) -> None:
        """Show a whole run at once, e.g. `Store.metric_series(run_id)`."""
        self.clear()
        for name, points in series.items():
            if points and (name in self.series or self._stage_series(name) is not None):
                arr = np.asarray(points, dtype=float)
                arr = arr[np.isfinite(arr[:, 1])]
                self.series[name].set(arr[:, 0], arr[:, 1])
        loss = self.series["loss"]
        if loss.n:
            x, y = loss.view()
            self.series["loss_smoothed"].set(x, np.fromiter((self._ema.update(v) for v in y), float, len(y)))
        self.redraw()

    def clear(self) -> None:
        for key, *_ in STAGE_PLOTS:
            plot = self.plots.pop(key, None)
            if plot is not None:
                self._view.removeItem(plot)
        self._meta = [m for m in self._meta if m[1] in self.plots]
        self.curves = {name: self.curves[name] for name, *_ in self._meta}
        self.series = {name: _Series() for name, *_ in self._meta}
        self._ema = Ema()
        for curve in self.curves.values():
            curve.setData([], [])
        for plot in self.plots.values():
            plot.enableAutoRange()

    def point_count(self, name: str) -> int:
        """How many points a series holds (drawn or about to be drawn; 0 for a stage metric not reported yet)."""
        return self.series[name].n if name in self.series else 0

    # ---- series ----
    def _add_series(self, name: str, plot_key: str, label: str, hue: int | None) -> _Series:
        curve = self.plots[plot_key].plot([], [], name=QCoreApplication.translate("plots", label),
                                          skipFiniteCheck=True)  # we drop non-finite values
        curve.opts["autoDownsampleFactor"] = 1.0  # peak mode keeps each pixel's min and max: nothing is lost
        self.curves[name] = curve
        self.series[name] = _Series()
        self._meta.append((name, plot_key, label, hue))
        return self.series[name]

    def _stage_series(self, name: str) -> _Series | None:
        """The series of a stage metric (its plot and curve made on first use); None for any other name."""
        base = name.removeprefix("eval_")
        found = next((i for i, (_, _, names) in enumerate(STAGE_PLOTS) if base in names), None)
        if found is None:
            return None
        index, (key, title, _) = found, STAGE_PLOTS[found]
        if key not in self.plots:
            plot = self._view.addPlot(row=2, col=index, title=QCoreApplication.translate("plots", title))
            plot.setLabel("bottom", self.tr("step"))
            plot.getAxis("left").setWidth(56)
            plot.setXLink(self.plots["loss"])
            plot.addLegend(offset=(-8, 8), labelTextSize="8pt")
            self.plots[key] = plot
        label = base.replace("rewards/", "") + (" (eval)" if name != base else "")
        hue = STAGE_HUES[sum(1 for m in self._meta if m[1] == key) % len(STAGE_HUES)]
        series = self._add_series(name, key, label, hue)
        self._apply_palette()
        return series

    # ---- drawing ----
    def redraw(self) -> None:
        """Push the series that changed since the last redraw to their curves (the timer calls this).

        The timer slows down when updates get expensive (huge series, slow machine), so that updating and then
        painting the plots (about twice the update's cost) keeps to roughly a tenth of the GUI thread."""
        start = time.perf_counter()
        changed = set()
        for name, plot_key, _, _ in self._meta:
            series = self.series[name]
            if series.dirty:
                series.dirty = False
                self.curves[name].setData(*series.view())
                changed.add(plot_key)
        for plot_key in changed:
            self._fit_flat(plot_key)
        cost_ms = (time.perf_counter() - start) * 1000
        self._timer.setInterval(int(min(MAX_REDRAW_MS, max(REDRAW_MS, 30 * cost_ms))))

    def _fit_flat(self, plot_key: str) -> None:
        """A constant series (a fixed learning rate) gets a ±10 % y range; autorange would pad it by ±0.5."""
        shown = [self.series[name] for name, key, _, _ in self._meta if key == plot_key and self.series[name].n]
        lo, hi = min((s.lo for s in shown), default=0.0), max((s.hi for s in shown), default=0.0)
        plot = self.plots[plot_key]
        if shown and lo == hi:
            pad = abs(lo) * 0.1 or 1.0
            plot.setYRange(lo - pad, hi + pad, padding=0)
        elif not plot.getViewBox().autoRangeEnabled()[1]:
            plot.enableAutoRange(axis="y")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()
        super().changeEvent(event)

    def _apply_palette(self) -> None:
        pal = self.palette()
        background = pal.color(QPalette.ColorRole.Base)
        accent = pal.color(QPalette.ColorRole.Highlight)
        dark = background.lightnessF() < 0.5
        style_plots(self._view, self.plots.values(), pal)
        for name, _, _, hue in self._meta:
            colour = accent if hue is None else QColor.fromHslF(hue / 360, 0.75, 0.65 if dark else 0.42)
            curve = self.curves[name]
            if name == "loss":
                curve.setPen(pg.mkPen(with_alpha(colour, 150 if dark else 90), width=1))  # faint beside the EMA
            elif name.startswith("eval_"):
                curve.setPen(pg.mkPen(colour, width=1))
                curve.setSymbol("o")
                curve.setSymbolSize(6)
                curve.setSymbolBrush(colour)
                curve.setSymbolPen(pg.mkPen(colour))
            else:  # 1-pixel pens draw several times faster than wide ones; only the headline curve is wide
                curve.setPen(pg.mkPen(colour, width=2 if name == "loss_smoothed" else 1))


class _ScientificAxis(pg.AxisItem):
    """Tick labels such as 2e-4 and 1.5e-4 (learning rates), instead of 0.0002 beside 5e-05."""

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph override
        return ["0" if v == 0 else np.format_float_scientific(v * scale, precision=1, exp_digits=1, trim="-") for v in values]


class Ema:
    """Debiased exponential moving average (the first points are not pulled towards zero)."""

    def __init__(self, smoothing: float = EMA_SMOOTHING):
        self.smoothing = smoothing
        self._num = self._den = 0.0

    def update(self, value: float) -> float:
        self._num = self.smoothing * self._num + (1 - self.smoothing) * value
        self._den = self.smoothing * self._den + (1 - self.smoothing)
        return self._num / self._den


def with_alpha(colour: QColor, alpha: int) -> QColor:
    out = QColor(colour)
    out.setAlpha(alpha)
    return out


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    return QColor.fromRgbF(*(a.getRgbF()[i] * (1 - t) + b.getRgbF()[i] * t for i in range(3)))
