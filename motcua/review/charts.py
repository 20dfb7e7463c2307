"""The review's charts, drawn with matplotlib (no display: the Agg canvas) as PNG or SVG.

A chart is data (``ChartData``: categories, named series, stacked bars,
lines or grouped bars) built by ``document.py`` from the figures and the
month-by-month series; this module only draws it. DejaVu Sans has every
Vietnamese letter; SVG text is drawn as paths, so the PDF needs no font.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .formatting import vn_number

if TYPE_CHECKING:
    from matplotlib.figure import Figure as Canvas

STACKED = "stacked"
LINE = "line"
BARS = "bars"
COLOURS = ("#1f5f99", "#e07b00", "#2e8b57", "#9b59b6", "#c0392b", "#7f8c8d")
STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.fonttype": "path",
    "svg.hashsalt": "motcua-review",  # the same chart gives the same SVG
}


@dataclass(frozen=True)
class ChartData:
    """What a chart shows: categories along the bottom and one or more named series."""

    kind: str
    title: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    y_label: str = ""
    percent: bool = False

    @property
    def empty(self) -> bool:
        return not any(v for _name, values in self.series for v in values)


def _draw(data: ChartData) -> Canvas:
    # matplotlib is imported when a chart is drawn, not when the site starts (~0.3 s a process).
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as Canvas

    canvas = Canvas(figsize=(7.0, 3.4), dpi=100, layout="constrained")
    FigureCanvasAgg(canvas)
    axes = canvas.add_subplot()
    positions = list(range(len(data.categories)))
    if data.kind == STACKED:
        bottom = [0.0] * len(positions)
        for index, (name, values) in enumerate(data.series):
            heights = [float(v or 0) for v in values]
            axes.bar(positions, heights, bottom=bottom, label=name, color=COLOURS[index % 6])
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    elif data.kind == LINE:
        for index, (name, values) in enumerate(data.series):
            points = [(p, v) for p, v in zip(positions, values, strict=True) if v is not None]
            axes.plot(
                [p for p, _ in points],
                [v for _, v in points],
                marker="o",
                label=name,
                color=COLOURS[index % 6],
            )
        if data.percent:
            axes.set_ylim(0, 105)
    else:
        count = max(len(data.series), 1)
        width = 0.8 / count
        for index, (name, values) in enumerate(data.series):
            offset = (index - (count - 1) / 2) * width
            bars = axes.bar(
                [p + offset for p in positions],
                [float(v or 0) for v in values],
                width=width,
                label=name,
                color=COLOURS[index % 6],
            )
            axes.bar_label(bars, labels=[_label(v, data.percent) for v in values], fontsize=8)
    axes.set_xticks(positions, [textwrap.fill(c, 24) for c in data.categories])
    if data.kind == BARS:
        axes.tick_params(axis="x", labelsize=8)
        axes.margins(y=0.15)  # room for the bars' labels
    axes.set_title(data.title, fontsize=10, fontweight="bold")
    if data.y_label:
        axes.set_ylabel(data.y_label)
    if len(data.series) > 1 or data.kind == STACKED:
        axes.legend(frameon=False, fontsize=8)
    axes.grid(axis="y", alpha=0.3)
    return canvas


def _label(value: float | None, percent: bool) -> str:
    if value is None:
        return ""
    return f"{vn_number(value, 1)}%" if percent else vn_number(value)


def chart_image(data: ChartData, *, fmt: str = "png") -> bytes:
    """Draw ``data`` as PNG (150 dpi) or SVG bytes."""
    import matplotlib

    with matplotlib.rc_context(STYLE):  # type: ignore[arg-type]
        canvas = _draw(data)
        out = io.BytesIO()
        canvas.savefig(out, format=fmt, dpi=150 if fmt == "png" else 100)
    return out.getvalue()
