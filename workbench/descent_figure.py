"""A figure of a measured descent: height against time, the fitted models and their bands.

Drawn with matplotlib's Agg canvas (no pyplot, no window), as workbench/fix_figure.py. The
points are the track's heights (metres, or pixels without a scale) relative to the first
point; each model is drawn with its 95% band (delta method, analysis.descent.fit), the chosen
one solid, the others dashed; the title gives the verdict, the rate and the acceleration with
their intervals. The PNG carries no timestamp: the same descent gives the same bytes.
"""

from __future__ import annotations

import io
import math

import numpy as np
from matplotlib.figure import Figure

from analysis.descent.analyse import Descent
from analysis.descent.fit import t_quantile_975
from workbench.drawing import agg_figure

FIGURE_SIZE_IN = (7.5, 5.0)
DPI = 120


def descent_figure_png(descent: Descent, *, title: str = "") -> bytes:
    """The PNG bytes of the height-time plot of ``descent``."""
    with agg_figure(figsize=FIGURE_SIZE_IN, dpi=DPI) as (fig, _):
        draw_descent(fig, descent, title=title)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def draw_descent(fig: Figure, descent: Descent, *, title: str = "", fontsize: int = 9) -> None:
    """Draw the plot into ``fig`` (cleared first): the Agg figure above, or the Descent
    panel's Qt canvas (ui.descent), so both show the same thing."""
    fig.clear()
    ax = fig.add_subplot(1, 1, 1)
    t = np.asarray(descent.times_s)
    h = np.asarray(descent.heights)
    u = descent.unit
    ax.plot(t, h, "o", ms=3, color="0.25", label=f"tracked ({descent.n_points} frames)")
    tt = np.linspace(float(t[0]), float(t[-1]), 200)
    for k, m in enumerate(descent.models):
        q = t_quantile_975(m.n - m.k)
        y = m.predict(tt)
        band = q * m.band(tt)
        colour = f"C{k}"
        style = "-" if k == 0 else "--"
        label = f"{m.name} (AICc {m.aicc:.1f}){' - chosen' if k == 0 else ''}"
        ax.plot(tt, y, style, color=colour, lw=1.6 if k == 0 else 1.0, label=label)
        ax.fill_between(tt, y - band, y + band, color=colour, alpha=0.18 if k == 0 else 0.08, lw=0)
    r, a = descent.rate, descent.acceleration
    ax.set_xlabel(f"time since frame {descent.frames[0]} (s, from pts)")
    ax.set_ylabel(f"height change ({u}, up)")
    head = f"{title}: " if title else ""
    ax.set_title(
        f"{head}{descent.verdict}\nrate {_n(r.value)} {u}/s (95% {_n(r.low)} to {_n(r.high)})\n"
        f"acceleration {_n(a.value)} {u}/s2 (95% {_n(a.low)} to {_n(a.high)})",
        fontsize=fontsize,
    )
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=fontsize - 1, loc="upper right")
    fig.tight_layout()


def _n(v: float) -> str:
    """Two decimals; words for a number that is not finite (a plot never says NaN)."""
    return f"{v:.2f}" if math.isfinite(v) else "not measurable"
