"""The sample case's "where is it" steps (issue 16): candidate search, pose, ground point.

1. The scenario's town OpenStreetMap file and elevation model are written into the case's
   ``derived/`` (the same bytes the scenario generator writes; regenerable, so not evidence),
   and the worked example's description ("a water tower within 300 m of a school, a mosque
   within 500 m") is searched: the true tower must rank first among the decoys. The search is
   stored; the analyst makes a candidate a hypothesis with one click (the demo leaves the
   case's hypotheses as they were).
2. The rooftop frame (the wide segment, before the cut) is posed from the town's landmarks
   clicked in it (stood in for by the true projections, as the demo's bearings are), field of
   view and k1 unknown, heights from the truth, the ground from the elevation model.
3. The strike point's pixel is put on the ground with its 95% ellipse and compared with the
   truth.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analysis.geometry.geodesy import LatLon, distance_m
from analysis.imagery.dem import Dem
from analysis.jobs import CancelToken, ProgressFn, check, report
from workbench.case import Case
from workbench.demo_click import clicked_pixel
from workbench.geodata_records import get_observation
from workbench.observations import pose_model as m
from workbench.osm.index import case_cache_dir
from workbench.osm.run import OsmQuery, run_search
from workbench.osm.store import add_search
from workbench.pose_record import add_pose, build_inputs

POSE_LANDMARKS = (
    "school", "water_tower", "water_tower_tank_centre", "building_se", "minaret",
    "descent_ground_point",
)  # fmt: skip
CLICK_SIGMA_PX = 0.5


@dataclass(frozen=True)
class WhereFindings:
    search_id: int
    true_place_rank: int | None  # 1 when the true tower ranks first
    pose_id: int
    camera_miss_m: float  # posed to true camera position
    strike_miss_m: float  # projected strike pixel to the true strike point
    strike_ellipse_m: tuple[float, float]  # 95% semi-axes


def run_where_demo(
    case: Case,
    ids: dict[str, int],
    truth: dict[str, Any],
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> WhereFindings:
    """Search, pose, project and store (see the module doc)."""
    from workbench.scenario.osm_town import write_map_files

    report(progress, 0.0, "writing the town's map and elevation model")
    folder = case.derived_dir / "scenario_maps"
    files = write_map_files(folder, int(truth["seed"]))
    check(cancel)
    report(progress, 0.3, "searching the town's map")
    search_id, rank = _search(case, folder / files["osm"]["file"], truth, cancel)
    report(progress, 0.6, "posing the rooftop frame")
    pose_id = _pose(case, ids["video_rooftop"], truth, Dem.open(folder / files["terrain"]["file"]))
    r = get_observation(case.read(), pose_id).result
    camera = truth["videos"]["video_rooftop"]["segments"][0]["camera"]
    strike, [target] = truth["landmarks"]["strike_point"], r["targets"]
    report(progress, 1.0, "pose stored")
    return WhereFindings(
        search_id,
        rank,
        pose_id,
        distance_m(LatLon(r["lat_deg"], r["lon_deg"]), _at(camera)),
        distance_m(LatLon(target["lat_deg"], target["lon_deg"]), _at(strike)),
        (target["ellipse"]["semi_major_m"], target["ellipse"]["semi_minor_m"]),
    )


def _at(d: dict[str, Any]) -> LatLon:
    return LatLon(d["lat_deg"], d["lon_deg"])


def _search(case: Case, osm_file, truth: dict[str, Any], cancel) -> tuple[int, int | None]:
    q = truth["osm"]["query"]
    outcome = run_search(
        osm_file, OsmQuery.parse(q["find"], q["near"]), case_cache_dir(case.derived_dir),
        cancel=cancel,
    )  # fmt: skip
    search_id = add_search(case, outcome).result()
    true_id = truth["osm"]["true_place"]["osm_id"]
    ranks = [k for k, c in enumerate(outcome.candidates, 1) if c.anchor.osm_id == true_id]
    return search_id, (ranks[0] if ranks else None)


def _pose(case: Case, evidence_id: int, truth: dict[str, Any], dem: Dem) -> int:
    video = truth["videos"]["video_rooftop"]
    camera = video["segments"][0]["camera"]
    marks = truth["landmarks"]
    points = [
        m.PosePoint(key, *clicked_pixel(camera, marks[key]["enu_m"]),
                    marks[key]["lat_deg"], marks[key]["lon_deg"], marks[key]["height_m"])
        for key in POSE_LANDMARKS
    ]  # fmt: skip
    strike = m.TargetPixel("strike point", *clicked_pixel(camera, marks["strike_point"]["enu_m"]))
    inputs = build_inputs(
        (camera["width_px"], camera["height_px"]),
        points,
        sigma_px=CLICK_SIGMA_PX,
        dem_height=dem.height_m,
        targets=[strike],
        target_sigma_px=CLICK_SIGMA_PX,
        other={"tool": "demo", "clicks": "true projections (the demo has no hand to click)"},
    )
    frame = video["flash"]["frames"][0]
    return add_pose(case, inputs, evidence_id=evidence_id, frame_index=frame).result()
