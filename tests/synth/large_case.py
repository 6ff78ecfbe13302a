"""A large case for the map's load tests and benchmark: many hypotheses and landmarks."""

from __future__ import annotations

from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from workbench.case.audit import utc_now_iso

CENTRE = LatLon(35.62, 36.55)


def populate_large(case, n: int) -> None:
    """n hypotheses (100 m circles) and n landmarks spiralling out to ~5 km; one write."""
    now = utc_now_iso()

    def do(conn):
        for k in range(n):
            p = geodesy.destination(CENTRE, (k * 137.5) % 360.0, 50.0 + 0.5 * k)
            conn.execute(
                "INSERT INTO hypothesis (title, lat_deg, lon_deg, radius_m, confidence,"
                " rationale, created_at_utc) VALUES (?, ?, ?, 100.0, 'low', '', ?)",
                (f"claim {k}", p.lat_deg, p.lon_deg, now),
            )
            q = geodesy.destination(CENTRE, (k * 97.5) % 360.0, 60.0 + 0.5 * k)
            conn.execute(
                "INSERT INTO landmark (name, kind, lat_deg, lon_deg, created_at_utc)"
                " VALUES (?, 'landmark', ?, ?, ?)",
                (f"point {k}", q.lat_deg, q.lon_deg, now),
            )

    case.write_sync(do)
