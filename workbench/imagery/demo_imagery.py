"""The sample case's imagery steps (issue 16, part A): layers, and the drone still on the map.

1. The orthophoto (already imported as reference evidence) becomes an imagery layer with its
   acquisition date and its grid (the scenario's metadata, as a vendor's would give it); the
   elevation model written by the "where" steps (``derived/scenario_maps``) is imported as a
   DEM layer.
2. The drone still is registered automatically against the orthophoto, cropped to 300 m
   around its EXIF position. The scenario's town is boxes 5-20 m tall seen from 150 m with a
   74 degree lens: walls and roofs move by metres between the still and the orthophoto, and
   the flat-shaded roofs repeat, so no homography fits both and the honest answer is "not
   registered" (the reason goes into a case note). Should it ever register, that is stored.
3. Otherwise the analyst clicks ground-level points (the school compound's corners, its
   centre, the strike point), stood in for by their true projections as the demo's other
   clicks are, and the projective fit is stored as the georeference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.imagery.georef import from_crs
from analysis.jobs import CancelToken, check
from workbench.case import Case
from workbench.case.evidence import save_note
from workbench.demo_click import clicked_pixel

COMPOUND_HALF_M = (50.0, 40.0)  # the school compound: 100 m x 80 m about the world origin
SEARCH_RADIUS_M = 300.0


@dataclass(frozen=True)
class ImageryFindings:
    ortho_layer_id: int
    dem_layer_id: int | None
    auto_registered: bool
    auto_reason: str
    observation_id: int
    footprint_miss_m: float  # mean distance of the stored corners from the true footprint


def _ortho_georef(ortho: dict[str, Any]) -> dict[str, Any]:
    g = float(ortho["gsd_m"])
    affine = [ortho["east_min_m"] - g / 2, g, 0.0, ortho["north_max_m"] + g / 2, 0.0, -g]
    return {"crs": ortho["geotiff"]["crs"], "affine": affine, "width": ortho["width_px"],
            "height": ortho["height_px"]}  # fmt: skip


def run_imagery_demo(
    case: Case, ids: dict[str, int], truth: dict[str, Any], *, cancel: CancelToken | None = None
) -> ImageryFindings:
    from workbench.imagery.layers import add_layer, add_layer_for_evidence

    ortho = truth["orthophoto"]
    ortho_layer = add_layer_for_evidence(
        case, ids["orthophoto"], _ortho_georef(ortho), acquired=ortho["captured_at"]["utc"][:10],
        source="scenario generator (synthetic orthophoto)", licence="generated",
    ).result()  # fmt: skip
    dem_path = case.derived_dir / "scenario_maps" / truth["terrain"]["file"]
    dem_layer = None
    if dem_path.is_file():
        dem_layer = add_layer(case, dem_path, kind="dem", source="scenario generator").id
    check(cancel)
    registered, reason = _try_auto(case, ids["drone_still"], truth, cancel)
    obs_id, miss = _register_by_clicks(case, ids["drone_still"], truth)
    save_note(case, ids["drone_still"], f"Automatic registration against the orthophoto: "
              f"{reason}. Georeferenced from six ground points clicked in the still "
              f"(observation {obs_id}).").result()  # fmt: skip
    return ImageryFindings(ortho_layer, dem_layer, registered, reason, obs_id, miss)


def _try_auto(case: Case, evidence_id: int, truth: dict[str, Any], cancel) -> tuple[bool, str]:
    from analysis.imagery.georef import Georef
    from analysis.imagery.georeference import georeference_auto
    from analysis.imagery.mosaic import Mosaic
    from analysis.matching.io import read_image

    conn = case.read()
    name = {r[0]: r[1] for r in conn.execute("SELECT id, stored_name FROM evidence")}
    ortho_id = conn.execute("SELECT evidence_id, georef_json FROM imagery_layer WHERE "
                            "kind = 'ortho' ORDER BY id").fetchone()  # fmt: skip
    mosaic = Mosaic(read_image(case.evidence_dir / name[ortho_id[0]]),
                    Georef.from_json(json.loads(ortho_id[1])))  # fmt: skip
    cam = truth["photos"]["drone_still"]["exif"]
    lat, lon = cam["gps_latitude_deg"], cam["gps_longitude_deg"]
    d_lat, d_lon = SEARCH_RADIUS_M / 111_000, SEARCH_RADIUS_M / (111_000 * np.cos(np.radians(lat)))
    crop = mosaic.crop_bbox(lat - d_lat, lon - d_lon, lat + d_lat, lon + d_lon)
    still = read_image(case.evidence_dir / name[evidence_id])
    result = georeference_auto(still, crop, cancel=cancel)
    if result.registered:
        from workbench.imagery.layers import store_registration

        store_registration(case, evidence_id, result).result()
    return result.registered, ("registered: " if result.registered else "") + result.reason


def _register_by_clicks(case: Case, evidence_id: int, truth: dict[str, Any]) -> tuple[int, float]:
    from analysis.imagery.georeference import georeference_gcps
    from analysis.imagery.register_fit import Gcp
    from workbench.imagery.layers import store_registration

    crs = truth["orthophoto"]["geotiff"]["crs"]
    camera = truth["photos"]["drone_still"]["camera"]
    hx, hy = COMPOUND_HALF_M
    strike = truth["landmarks"]["strike_point"]["enu_m"]
    ground = [(-hx, hy), (hx, hy), (hx, -hy), (-hx, -hy), (0.0, 0.0), (strike[0], strike[1])]
    lat, lon = from_crs(crs, np.array([g[0] for g in ground]), np.array([g[1] for g in ground]))
    names = ("compound NW corner", "compound NE corner", "compound SE corner",
             "compound SW corner", "compound centre", "strike point")  # fmt: skip
    gcps = [Gcp(*clicked_pixel(camera, [e, n, 0.0]), float(a), float(o), True, nm)
            for (e, n), a, o, nm in zip(ground, lat, lon, names, strict=True)]  # fmt: skip
    wh = (int(camera["width_px"]), int(camera["height_px"]))
    result = georeference_gcps(wh, gcps, "projective")
    obs_id, _ = store_registration(case, evidence_id, result).result()
    return obs_id, _footprint_miss(result.corners, camera, crs, wh)


def _footprint_miss(corners, camera: dict[str, Any], crs: str, wh: tuple[int, int]) -> float:
    """Mean distance (m) of the stored corners from the true camera's footprint on up = 0."""
    from analysis.imagery.georef import to_crs

    k, r, t = (np.asarray(camera[key], float) for key in ("K", "R", "t"))
    h = k @ np.column_stack([r[:, 0], r[:, 1], t])  # ground (e, n, 0) -> pixel
    w, hh = wh
    px = np.array(
        [[-0.5, -0.5, 1], [w - 0.5, -0.5, 1], [w - 0.5, hh - 0.5, 1], [-0.5, hh - 0.5, 1]]
    )
    g = (np.linalg.inv(h) @ px.T).T
    true_en = g[:, :2] / g[:, 2:3]
    e, n = to_crs(crs, np.array([c[0] for c in corners]), np.array([c[1] for c in corners]))
    return float(np.mean(np.hypot(e - true_en[:, 0], n - true_en[:, 1])))
