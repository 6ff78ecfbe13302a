"""The Sun panel's figure, drawn with matplotlib's Agg in a worker (Qt-free).

One figure of two axes sharing the x axis (local clock hours of the chosen zone): the azimuth
(left scale) and the apparent elevation (right scale) with sunrise, noon, sunset and the chosen
time marked; below, one row per shadow observation with its 95% intervals as bars (morning,
afternoon, around noon). Drawing it (a constrained layout of two axes and a twin) takes
150-400 ms on this project's machines, so it is rendered to pixels off the GUI thread, which
only shows them (``ui.sun.plot``); a report can use the same function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from workbench.drawing import agg_figure
from workbench.sun_view import SunView

BRANCH_COLOURS = {"morning": "#4e79a7", "afternoon": "#e15759", "around noon": "#59a14f"}
AZ_COLOUR, EL_COLOUR = "#4e79a7", "#f28e2b"
DPI = 90.0


@dataclass(frozen=True)
class SunFigure:
    """The rendered figure: RGBA pixels (height, width, 4) and what was drawn."""

    rgba: np.ndarray
    curve_count: int
    bar_count: int


def local_hours(when: datetime, tz: ZoneInfo, day_start: datetime) -> float:
    """Hours of ``when`` after local midnight of the panel's date, in zone ``tz``."""
    return (when.astimezone(tz) - day_start).total_seconds() / 3600.0


def render_sun_figure(
    view: SunView, width_px: int, height_px: int, scale: float = 1.0
) -> SunFigure:
    """The figure of ``view`` at ``width_px`` x ``height_px`` (times ``scale``, a screen's
    device pixel ratio)."""
    w, h = max(int(width_px), 50), max(int(height_px), 50)
    size = {"figsize": (w / DPI, h / DPI), "dpi": DPI * scale, "layout": "constrained"}
    with agg_figure(**size) as (fig, canvas):
        return _draw(fig, canvas, view)


def _draw(fig, canvas, view: SunView) -> SunFigure:
    counts = {"curves": 0, "bars": 0}
    tz = ZoneInfo(view.query.zone_name)
    start = datetime.combine(view.query.day, datetime.min.time(), tz)
    grid = fig.add_gridspec(2, 1, height_ratios=(3, 2))
    top = fig.add_subplot(grid[0])
    bottom = fig.add_subplot(grid[1], sharex=top)
    _curves(top, view, tz, start, counts)
    _intervals(bottom, view, tz, start, counts)
    bottom.set_xlim(0, 24)
    bottom.set_xticks(range(0, 25, 3))
    bottom.set_xlabel(f"local time ({view.query.zone_name}), hours", fontsize=8)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba()).copy()
    return SunFigure(rgba, counts["curves"], counts["bars"])


def _curves(ax, view: SunView, tz: ZoneInfo, start: datetime, counts: dict) -> None:
    hours = [local_hours(t, tz, start) for t in view.path_utc]
    ax.plot(hours, view.path_azimuth_deg, color=AZ_COLOUR, lw=1.2, label="azimuth")
    ax.set_ylabel("azimuth °", color=AZ_COLOUR, fontsize=8)
    ax.set_ylim(0, 360)
    ax.set_yticks(range(0, 361, 90))
    el = ax.twinx()
    el.plot(hours, view.path_elevation_deg, color=EL_COLOUR, lw=1.2, label="elevation")
    el.axhline(0.0, color="#999", lw=0.6)
    el.set_ylabel("elevation °", color=EL_COLOUR, fontsize=8)
    counts["curves"] = 2
    day = view.day
    for when, text in ((day.sunrise_utc, "rise"), (day.noon_utc, "noon"),
                       (day.sunset_utc, "set")):  # fmt: skip
        if when is not None:
            x = local_hours(when, tz, start)
            ax.axvline(x, color="#777", lw=0.6, ls=":")
            ax.text(x, 352, text, fontsize=7, ha="center", va="top", color="#555")
    ax.axvline(local_hours(view.at_utc, tz, start), color="#e67e22", lw=1.0)
    ax.tick_params(labelsize=7, labelbottom=False)
    el.tick_params(labelsize=7)
    for message in view.messages[:1]:
        ax.text(12, 180, message, fontsize=7, ha="center", va="center", wrap=True,
                bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "#b3261e"})  # fmt: skip


def _intervals(ax, view: SunView, tz: ZoneInfo, start: datetime, counts: dict) -> None:
    ax.tick_params(labelsize=7)
    ax.set_yticks([])
    if not view.fits:
        ax.text(12, 0.5, "no shadow observations", fontsize=7, ha="center", va="center")
        ax.set_ylim(0, 1)
        return
    for row, fit in enumerate(view.fits):
        y = len(view.fits) - 1 - row
        for iv in fit.intervals:
            x0 = local_hours(iv["start_utc"], tz, start)
            x1 = local_hours(iv["end_utc"], tz, start)
            colour = BRANCH_COLOURS.get(iv["branch"], "#888")
            ax.broken_barh([(x0, max(x1 - x0, 0.05))], (y + 0.2, 0.6), color=colour)
            counts["bars"] += 1
        text = f"#{fit.observation_id}" + ("" if fit.intervals else ": no time fits")
        ax.text(0.2, y + 0.5, text, fontsize=7, va="center")
    ax.set_ylim(0, len(view.fits))
    ax.axvline(local_hours(view.at_utc, tz, start), color="#e67e22", lw=1.0)
