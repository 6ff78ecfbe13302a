"""From a flash-bang distance to a point: its range ring crossed with the bearing to the flash.

After "Measure" in the sound strip, "Fix with bearing" takes the latest bearing measured on
the same video from the same camera (``latest_bearing``: the Bearing tool's, to the flash)
and stores their intersection (``workbench.geodata.add_intersection`` with the ring, through
the geodata service: a job, undoable). The map draws the fix and its ellipse. No bearing:
the strip says how to get one.
"""

from __future__ import annotations

import sqlite3

from workbench.geodata_records import get_observation, list_observations


def latest_bearing(conn: sqlite3.Connection, flash_bang_id: int) -> int | None:
    """The latest bearing on the flash-bang's video from its camera (None: there is none)."""
    fb = get_observation(conn, flash_bang_id)
    camera, evidence = fb.inputs.get("camera_id"), fb.evidence_id
    found = [
        o.id
        for o in list_observations(conn, "bearing")
        if o.evidence_id == evidence and (camera is None or o.inputs.get("camera_id") == camera)
    ]
    return found[-1] if found else None


def fix_with_bearing(strip) -> None:
    """Cross the strip's last flash-bang ring with its bearing (module doc)."""
    fb_id, case, service = strip.last_flash_bang, strip.panel.case, strip.service
    if fb_id is None or case is None or service is None:
        strip.label.setText("Measure flash to bang first")
        return

    def found(bearing_id: int | None) -> None:
        if bearing_id is None:
            strip.label.setText("No bearing to the flash from this camera yet: measure one "
                                "(Geometry ▸ Bearing, Ctrl+B), then Fix")  # fmt: skip
            return
        service.triangulate([bearing_id], on_result=shown, flash_bang_ids=[fb_id])

    def shown(fix) -> None:
        r = fix.result
        e = r.get("ellipse") or {}
        strip.label.setText(
            f"Fix {r['lat_deg']:.6f}, {r['lon_deg']:.6f} from bearing and ring (95%: "
            f"{e.get('semi_major_m', 0):.0f} x {e.get('semi_minor_m', 0):.0f} m); "
            f"observation {fix.id}, on the map"
        )
        strip.fixed.emit(fix.id)

    strip.jobs.run(
        "Finding the bearing to the flash",
        lambda progress=None, cancel=None: latest_bearing(case.read(), fb_id),
        on_result=found,
        on_error=lambda exc: strip.label.setText(f"Not fixed: {exc}"),
        quiet=True,
    )
