"""A contact sheet of tracked frames: a grid of crops, each labelled with index, pts and time
code, the track drawn on each (Pillow).

Each cell is a crop of a frame around the tracked point (or the whole frame), with the box
and the track so far drawn in; the label under it gives the decode index, the pts in seconds
and the time code (analysis.video.decode.time_code). The caller gives the frames; what the
sheet shows is stated in ``sheet_operations`` for the provenance sidecar.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from analysis.tracking.model import Track
from analysis.video.decode import time_code

LABEL_PX = 18


@dataclass(frozen=True)
class SheetFrame:
    index: int
    pts_s: float | None
    image: np.ndarray  # RGB uint8, the decoded upright frame
    time_s: float | None = None  # seconds since frame 0 (the time code); None: from pts_s


def cell_label(f: SheetFrame) -> str:
    """The line under a cell: decode index, pts in seconds, time code."""
    pts = "no pts" if f.pts_s is None else f"{f.pts_s:.3f} s"
    return f"#{f.index}  {pts}  {time_code(f.pts_s if f.time_s is None else f.time_s)}"


def contact_sheet(
    frames: Sequence[SheetFrame],
    track: Track | None,
    *,
    columns: int = 4,
    crop_px: int = 0,
    cell_px: int = 320,
) -> Image.Image:
    """The sheet as a Pillow image (see the module docstring)."""
    cells = []
    for f in frames:
        img = Image.fromarray(f.image)
        draw = ImageDraw.Draw(img)
        if track is not None:
            past = [(p.x_px, p.y_px) for p in track.points if p.frame_index <= f.index]
            if len(past) > 1:
                draw.line(past, fill=(255, 200, 0), width=1)
            p = track.point_at(f.index)
            if p is not None:
                w, h = track.box_w_px, track.box_h_px
                colour = (0, 200, 255) if p.source == "analyst" else (255, 60, 60)
                draw.rectangle(
                    [
                        p.x_px - w / 2 - 2,
                        p.y_px - h / 2 - 2,
                        p.x_px + w / 2 + 2,
                        p.y_px + h / 2 + 2,
                    ],
                    outline=colour,
                    width=1,
                )
                if crop_px:
                    img = img.crop(
                        (
                            int(p.x_px - crop_px / 2),
                            int(p.y_px - crop_px / 2),
                            int(p.x_px + crop_px / 2),
                            int(p.y_px + crop_px / 2),
                        )
                    )
        scale = cell_px / max(img.width, img.height)
        img = img.resize(
            (max(1, int(img.width * scale)), max(1, int(img.height * scale))),
            Image.Resampling.LANCZOS if scale < 1 else Image.Resampling.NEAREST,
        )
        cell = Image.new("RGB", (cell_px, cell_px * img.height // img.width + LABEL_PX), "white")
        cell.paste(img, (0, 0))
        ImageDraw.Draw(cell).text((4, img.height + 3), cell_label(f), fill=(0, 0, 0))
        cells.append(cell)
    if not cells:
        raise ValueError("no frames for the contact sheet")
    cw = max(c.width for c in cells)
    ch = max(c.height for c in cells)
    rows = (len(cells) + columns - 1) // columns
    sheet = Image.new(
        "RGB", (columns * cw + (columns + 1) * 4, rows * ch + (rows + 1) * 4), (200, 200, 200)
    )
    for k, c in enumerate(cells):
        sheet.paste(c, (4 + (k % columns) * (cw + 4), 4 + (k // columns) * (ch + 4)))
    return sheet


def sheet_operations(
    track: Track | None, frames: Sequence[SheetFrame], crop_px: int
) -> list[dict[str, Any]]:
    """What the sheet did to the frames, for the provenance sidecar."""
    ops: list[dict[str, Any]] = [{"op": "grid", "frames": [f.index for f in frames]}]
    if crop_px:
        ops.append({"op": "crop_around_track", "size_px": crop_px})
    if track is not None:
        ops.append(
            {
                "op": "overlay",
                "kind": "track",
                "reference_frame": track.reference_frame,
                "method": track.method,
            }
        )
    return ops
