"""The contact sheet: one labelled cell per frame, the track drawn, its operations stated."""

from __future__ import annotations

import numpy as np

from analysis.tracking.model import Track, TrackPoint
from workbench.contact_sheet import SheetFrame, contact_sheet, sheet_operations


def test_sheet_grid_and_operations() -> None:
    frames = [SheetFrame(i, i / 25, np.full((90, 160, 3), 200, np.uint8)) for i in range(6)]
    points = tuple(TrackPoint(i, i / 25, 80.0, 20.0 + 8 * i, 0.9, "tracker") for i in range(6))
    track = Track(reference_frame=0, box_w_px=9, box_h_px=9, method="template", points=points)
    sheet = contact_sheet(frames, track, columns=3, cell_px=160)
    assert sheet.width == 3 * 160 + 4 * 4
    px = np.asarray(sheet)
    red = (px[..., 0] > 200) & (px[..., 1] < 100) & (px[..., 2] < 100)
    assert red.any()  # the box of a tracker point is drawn in red
    ops = sheet_operations(track, frames, 0)
    assert ops[0] == {"op": "grid", "frames": [0, 1, 2, 3, 4, 5]}
    assert ops[-1]["kind"] == "track"
