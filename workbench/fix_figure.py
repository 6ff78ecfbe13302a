"""A figure of a position fixed from bearings: rays, their spread, the fix and its ellipse.

Drawn with matplotlib's Agg canvas (no pyplot, no window), in metres east and north of the
fix on its tangent plane, so distances read true and north is up. Each ray is drawn from its
observer past the fix, with a shaded wedge of +-2 sigma; the 95% (or chosen) ellipse is drawn
with its size in the legend; Monte-Carlo samples are drawn when the geometry allowed no
ellipse. The PNG carries no timestamp, so the same fix gives the same bytes.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import matplotlib
from matplotlib.patches import Ellipse, Polygon

from analysis.geometry.geodesy import EnuFrame, LatLon
from analysis.geometry.triangulation import BearingFix, BearingRay
from workbench.drawing import agg_figure

FIGURE_SIZE_IN = (7.0, 7.0)
DPI = 120
WEDGE_SIGMAS = 2.0


def _centre(fix: BearingFix, rays: Sequence[BearingRay]) -> LatLon:
    if fix.position is not None:
        return fix.position
    if fix.samples:
        lat = sum(p.lat_deg for p in fix.samples) / len(fix.samples)
        lon = sum(p.lon_deg for p in fix.samples) / len(fix.samples)
        return LatLon(lat, lon)
    return rays[0].origin


def _direction(azimuth_deg: float) -> tuple[float, float]:
    a = math.radians(azimuth_deg)
    return math.sin(a), math.cos(a)


def _draw_ray(
    ax, frame: EnuFrame, ray: BearingRay, length_m: float, number: int, *, label: bool
) -> None:
    e0, n0, _ = frame.to_enu(ray.origin)
    de, dn = _direction(ray.azimuth_deg)
    colour = f"C{(number - 1) % 10}"
    ax.plot([e0, e0 + de * length_m], [n0, n0 + dn * length_m], color=colour, lw=1.2)
    spread = WEDGE_SIGMAS * ray.sigma_deg
    left, right = _direction(ray.azimuth_deg - spread), _direction(ray.azimuth_deg + spread)
    wedge = [
        (e0, n0),
        (e0 + left[0] * length_m, n0 + left[1] * length_m),
        (e0 + right[0] * length_m, n0 + right[1] * length_m),
    ]
    ax.add_patch(Polygon(wedge, closed=True, color=colour, alpha=0.12, lw=0))
    ax.plot([e0], [n0], marker="^", color=colour, ms=8)
    if not label:
        return
    ax.annotate(
        f"{number}: {ray.azimuth_deg:.2f}° ± {ray.sigma_deg:g}°",
        (e0, n0),
        textcoords="offset points",
        xytext=(6, -12),
        fontsize=8,
        color=colour,
    )


def _draw_scene(ax, frame: EnuFrame, fix: BearingFix, rays, length_m: float, labels: bool):
    for number, ray in enumerate(rays, start=1):
        _draw_ray(ax, frame, ray, length_m, number, label=labels)
    if fix.samples:
        pts = [frame.to_enu(p)[:2] for p in fix.samples]
        ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=2, color="0.4", alpha=0.4)
    if fix.position is None:
        return
    ax.plot([0.0], [0.0], marker="+", color="black", ms=14, mew=2)
    if fix.ellipse is not None:
        e = fix.ellipse
        ax.add_patch(
            Ellipse(
                (0.0, 0.0),
                width=2 * e.semi_major_m,
                height=2 * e.semi_minor_m,
                angle=90.0 - e.azimuth_deg,  # matplotlib: from east, counter-clockwise
                fill=False,
                color="black",
                lw=1.5,
                label=f"{e.confidence:.0%} ellipse {e.semi_major_m:,.0f} x {e.semi_minor_m:,.0f} m"
                if labels
                else None,
            )
        )


def _inset(ax, frame: EnuFrame, fix: BearingFix, rays, length_m: float) -> None:
    """A close-up of the fix, where the ellipse is small against the rays' lengths."""
    half = max(3.0 * fix.ellipse.semi_major_m, 25.0)
    inset = ax.inset_axes([0.6, 0.6, 0.38, 0.38])
    _draw_scene(inset, frame, fix, rays, length_m, labels=False)
    inset.set_xlim(-half, half)
    inset.set_ylim(-half, half)
    inset.set_aspect("equal")
    inset.tick_params(labelsize=6)
    inset.set_title(f"close-up, ±{half:,.0f} m", fontsize=7)
    inset.grid(True, lw=0.3)


def fix_figure_png(
    fix: BearingFix, rays: Sequence[BearingRay], *, title: str = "Position from bearings"
) -> bytes:
    """The figure as PNG bytes (deterministic for the same fix and rays).

    Args:
        fix: from ``analysis.geometry.triangulation.locate_from_bearings``.
        rays: the rays it was computed from, in order (numbered from 1 in the figure).
        title: the figure's title.
    """
    frame = EnuFrame(_centre(fix, rays))
    reach = max(math.hypot(*frame.to_enu(r.origin)[:2]) for r in rays)
    length = 1.25 * max(reach, 100.0)
    with agg_figure(figsize=FIGURE_SIZE_IN, dpi=DPI) as (fig, _):
        return _fix_png(fig, frame, fix, rays, length, title)


def _fix_png(fig, frame: EnuFrame, fix: BearingFix, rays, length: float, title: str) -> bytes:
    ax = fig.add_subplot()
    _draw_scene(ax, frame, fix, rays, length, labels=True)
    if fix.position is not None:
        pos = fix.position
        ax.plot([], [], " ", label=f"fix {pos.lat_deg:.6f}, {pos.lon_deg:.6f}")
    ax.plot([], [], " ", label=f"status: {fix.status.value}")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("east of the fix (m)")
    ax.set_ylabel("north of the fix (m)")
    ax.set_title(title)
    ax.grid(True, lw=0.3)
    ax.legend(loc="lower left", fontsize=8)
    if fix.position is not None and fix.ellipse is not None:
        _inset(ax, frame, fix, rays, length)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def library_versions() -> dict[str, str]:
    """The plotting library, for the figure's provenance."""
    return {"matplotlib": matplotlib.__version__}
