"""One section per observation kind, each written by its kind's entry in the registry
(``ObservationEntry.report_section``), and the methods step of every observation."""

from __future__ import annotations

from typing import Any

from workbench import observations, provenance
from workbench.geodata_records import Observation, list_observations
from workbench.report.context import ReportContext
from workbench.report.figures import figure_html
from workbench.report.markup import cell, dl, esc, para, text
from workbench.report.model import MethodStep, Section


def observation_sections(ctx: ReportContext) -> list[Section]:
    """A section per registered kind present in the case (in the registry's order), and one
    for rows of kinds this version does not know."""
    rows = list_observations(ctx.conn) if ctx.table_exists("observation") else []
    out = []
    for kind in observations.kinds():
        mine = [r for r in rows if r.kind == kind]
        if not mine:
            continue
        entry = observations.entry(kind)
        title = getattr(entry, "title", kind).strip() or kind
        parts = [_one(ctx, r) for r in mine]
        out.append(Section(f"obs-{kind}", f"Observations: {title}", "\n".join(parts)))
        for r in mine:
            ctx.methods.append(method_of(ctx, r))
    unknown = [r for r in rows if observations.find(r.kind) is None]
    if unknown:
        lines = "".join(f"<li>{esc(r.kind)} {r.id}</li>" for r in unknown)
        out.append(Section("obs-unknown", "Observations of kinds this version does not know",
                           f"<ul>{lines}</ul>"))  # fmt: skip
    return out


def _one(ctx: ReportContext, row: Observation) -> str:
    s = observations.report_section(row)
    where = ""
    if row.evidence_id is not None:
        anchor = f"frame-e{row.evidence_id}" + (
            f"-f{row.frame_index}" if row.frame_index is not None else ""
        )
        where = para(
            f'Measured on <a href="#{anchor}">evidence {row.evidence_id}'
            + (f", frame {row.frame_index}" if row.frame_index is not None else "")
            + "</a>."
        )
    lines = "".join(f"<li>{text(line)}</li>" for line in s.lines)
    figures = dl([(k, cell(v)) for k, v in s.figures.items()])
    return (
        f'<div class="observation" id="observation-{row.id}" data-kind="{esc(row.kind)}">'
        f"<h3>{text(s.title)}</h3>{where}<ul>{lines}</ul>{figures}{_plot(ctx, row, s)}</div>"
    )


def _plot(ctx: ReportContext, row: Observation, s: observations.ReportSection) -> str:
    """The kind's plot of the observation, embedded by hash with what drew it."""
    if s.plot_png is None:
        return para(text(s.plot_caption), "no-plot") if s.plot_caption else ""
    import matplotlib

    fig = ctx.figures.add(s.plot_png)
    line = (
        f"drawn from the stored inputs of {esc(row.kind)} observation {row.id} (recorded "
        f"{esc(row.created_at_utc)}) · software: {esc(provenance.SOFTWARE_NAME)} "
        f"{esc(provenance.software().version)} (matplotlib {esc(matplotlib.__version__)})"
    )
    return figure_html(fig, text(s.plot_caption), line, ident=f"observation-{row.id}-plot")


def method_of(ctx: ReportContext, row: Observation) -> MethodStep:
    inputs = row.inputs
    shas = [v for k, v in sorted(inputs.items()) if k.endswith("sha256") and isinstance(v, str)]
    if row.evidence_id is not None and row.evidence_id in ctx.evidence:
        shas.append(ctx.evidence[row.evidence_id].sha256)
    command = CLI_LINES.get(row.kind)
    return MethodStep(
        what=f"{row.kind} observation {row.id}",
        algorithm=str(inputs.get("method") or f"{row.kind} (workbench.observations.{row.kind})"),
        version=f"{provenance.SOFTWARE_NAME} {provenance.software().version} (recomputed from "
        "the stored inputs by the kind's entry)",
        params={k: v for k, v in sorted(inputs.items()) if k != "method"},
        inputs=tuple(dict.fromkeys(shas)),
        commands=tuple(c for c in [command and command(row.inputs)] if c),
    )


def _triangulate(inputs: dict[str, Any]) -> str:
    rays = " ".join(
        "--ray " + ",".join(repr(float(v)) for v in ray[:4]) for ray in inputs.get("rays", [])
    )
    confidence = inputs.get("confidence", 0.95)
    return f"geoworkbench triangulate {rays} --confidence {confidence!r} --json"


def _pair(values: Any) -> str:
    return ",".join(repr(float(v)) for v in values)


def _bearing(inputs: dict[str, Any]) -> str | None:
    """The bearing from its clicked pixels (azimuth and elevation; the case's sigma adds the
    landmark's and camera's position uncertainties, which the command does not know)."""
    need = ("image_size_px", "reference_lat_lon_deg", "reference_px", "target_px", "hfov_deg")
    if any(inputs.get(k) is None for k in need):
        return None  # a stated bearing, not measured in a frame
    w, h = inputs["image_size_px"]
    parts = [
        "geoworkbench bearing",
        f"--camera {_pair([inputs['camera_lat_deg'], inputs['camera_lon_deg']])}",
        f"--size {int(w)},{int(h)}",
        f"--ref {_pair(inputs['reference_lat_lon_deg'])}",
        f"--ref-px {_pair(inputs['reference_px'])}",
        f"--target-px {_pair(inputs['target_px'])}",
        f"--hfov {float(inputs['hfov_deg'])!r}",
    ]
    if inputs.get("horizon_px"):
        parts.append(f"--horizon {_pair([v for p in inputs['horizon_px'] for v in p])}")
    if inputs.get("click_sigma_px") is not None:
        parts.append(f"--click-sigma {float(inputs['click_sigma_px'])!r}")
    if inputs.get("pixel_aspect") is not None:
        parts.append(f"--pixel-aspect {float(inputs['pixel_aspect'])!r}")
    return " ".join([*parts, "--json"])


# The command that recomputes a kind's result from the numbers the report prints, where the
# CLI has one that takes those numbers (the others are recomputed inside the case only).
CLI_LINES = {"intersection": _triangulate, "bearing": _bearing}
