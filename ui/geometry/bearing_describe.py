"""The Bearing tool's result in words: the azimuth and its uncertainty, how the camera was
oriented, the range, and what the analyst should know (clicks on different frames)."""

from __future__ import annotations

from analysis.geometry.bearing import BearingSetup


def describe_bearing(tool, setup: BearingSetup | None) -> str:
    """The text under the Bearing tool's form (``tool``: a ``BearingTool``)."""
    s = tool.solution
    if tool.refusal:
        return "No bearing: the camera does not match the picture (see above)."
    if s is None or setup is None:
        missing = [k for k in ("reference", "target") if k not in tool.pixels]
        need = ", ".join(f"click the {k}" for k in missing) or "pick a camera and reference"
        return f"To measure: {need}."
    level = (
        f"levelled on the horizon (tilt {s.pitch_deg:.2f}° up, {s.roll_deg:.2f}° roll)"
        if setup.horizon_px
        else "not levelled: the camera is taken as upright"
    )
    text = (
        f"Target direction {s.azimuth_deg:.3f}° ± {tool.sigma_spin.value():.3f}° "
        f"(elevation {s.elevation_deg:.2f}°)\n"
        f"Reference direction {s.reference_azimuth_deg:.3f}°, camera pointing "
        f"{s.view_azimuth_deg:.2f}°; {level}"
    )
    r = tool.range
    if r is not None:
        text += (
            f"\nRange {r.distance_m:,.0f} m ± {r.sigma_m:,.0f} m (1σ: clicks and height) "
            f"from a {r.height_m:g} ± {r.height_sigma_m:g} m height spanning "
            f"{r.span_px:.1f} px"
        )
    frames = tool.click_frames()
    if len(set(frames.values())) > 1:
        shown = ", ".join(f"{k} on frame {f}" for k, f in frames.items())
        text += f"\n⚠ clicked on different frames ({shown}): right only if the camera did not move"
    return text
