"""The sample case at work: the analyses an investigator would run, run on the demo's media.

Each step uses the same functions the GUI and CLI use, and stores its results in the case with
audit rows. What the analyst would know from elsewhere (the rooftop found on satellite
imagery, the water tower's coordinates) and the analyst's clicks on landmarks and on the
horizon come from the scenario's truth and are named as such; what is measured (cuts, the
flash's frame and pixel, the bearings, their intersection) is measured from the rendered
media. The second camera is also resected from the three landmarks it sees, and two hypotheses
are put on the map for the analyses to be weighed against: the strike site the bearings give,
and a denial of the kind the worked example answered.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from analysis.geometry import geodesy
from analysis.geometry.geodesy import LatLon
from analysis.geometry.resection_frame import FrameModel
from analysis.jobs import CancelToken, ProgressFn, check, report
from analysis.video.flash import find_flash
from workbench.case import Case
from workbench.case.evidence import save_note
from workbench.demo_click import clicked_pixel
from workbench.demo_descent import add_demo_descent
from workbench.demo_sound import run_demo_sound
from workbench.demo_sun import measure_demo_shadows
from workbench.demo_where import run_where_demo
from workbench.frame_table_store import video_evidence
from workbench.geodata import add_bearing, add_intersection, add_landmark
from workbench.geodata_records import get_observation
from workbench.geodata_resection import Sighting, add_resection
from workbench.hypotheses import add_hypothesis
from workbench.imagery.demo_imagery import run_imagery_demo
from workbench.observations.bearing_measure import measured_bearing
from workbench.observations.bearing_model import BearingMeasurement, extra_inputs
from workbench.video_store import detect_and_store_segments

CLICK_SIGMA_PX = 0.5  # a careful click on a sharp landmark


@dataclass(frozen=True)
class DemoFindings:
    cut_frames: tuple[int, ...]
    bearing_ids: tuple[int, ...]
    intersection_id: int
    miss_m: float  # intersection to the true strike point
    continuity: Any = None  # ContinuityResult of the segments either side of the cut
    resection_id: int | None = None  # the second camera, resected from three landmarks
    resection_miss_m: float | None = None  # resected to true camera position


def run_demo_analyses(
    case: Case,
    ids: dict[str, int],
    truth: dict[str, Any],
    *,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> DemoFindings:
    """Cuts, segment continuity, landmarks, cameras, bearings to the flash, intersection."""
    report(progress, 0.0, "detecting cuts")
    segments = detect_and_store_segments(case, ids["video_rooftop"], cancel=cancel)
    cut_frames = tuple(s.first_frame for s in segments[1:])
    continuity = None
    if len(segments) >= 2:
        report(progress, 0.1, "comparing the segments either side of the cut")
        continuity = _compare_segments(case, ids["video_rooftop"], segments, truth, cancel)
    marks = truth["landmarks"]
    tower = marks["water_tower_tank_centre"]
    landmark_ids = {}
    for key, name in LANDMARK_NAMES:
        landmark_ids[key] = add_landmark(
            case,
            name,
            marks[key]["lat_deg"],
            marks[key]["lon_deg"],
            height_m=marks[key].get("height_m"),
            notes="position from the scenario truth (stands for satellite imagery)",
        ).result()
    bearing_ids = []
    for n, role in enumerate(("video_rooftop", "video_second")):
        check(cancel)
        report(progress, 0.2 + 0.35 * n, f"measuring a bearing in {role}")
        bearing_ids.append(
            _bearing_from_flash(
                case,
                ids[role],
                truth["videos"][role],
                (landmark_ids["water_tower_tank_centre"], tower),
                cancel,
            )
        )
    report(progress, 0.9, "intersecting the bearings")
    fix_id = add_intersection(case, bearing_ids).result()
    fix = get_observation(case.read(), fix_id).result
    strike = marks["strike_point"]
    miss_m = geodesy.distance_m(
        LatLon(fix["lat_deg"], fix["lon_deg"]), LatLon(strike["lat_deg"], strike["lon_deg"])
    )
    report(progress, 0.95, "resecting the second camera")
    second = truth["videos"]["video_second"]
    resection_id = _resect_from_landmarks(case, ids["video_second"], second, marks, landmark_ids)
    fitted = get_observation(case.read(), resection_id).result
    stood = second["segments"][0]["camera"]
    resection_miss_m = geodesy.distance_m(
        LatLon(fitted["lat_deg"], fitted["lon_deg"]), LatLon(stood["lat_deg"], stood["lon_deg"])
    )
    measure_demo_shadows(case, ids, truth, cancel=cancel)  # issue 17: time from shadows
    _add_hypotheses(case, fix, fix_id, marks["school"])
    add_demo_descent(case, ids["video_rooftop"], truth, cancel=cancel)  # issue 14: descent
    save_note(case, None, _summary(cut_frames, truth, fix, miss_m, resection_miss_m)).result()
    run_demo_sound(case, ids, truth, tuple(bearing_ids), cancel)  # issue 18: sync, sound, claims
    run_where_demo(case, ids, truth, cancel=cancel)  # issue 16: OSM search, pose, ground point
    run_imagery_demo(case, ids, truth, cancel=cancel)  # issue 16: imagery layers, drone still
    report(progress, 1.0, "analyses done")
    return DemoFindings(
        cut_frames, tuple(bearing_ids), fix_id, miss_m, continuity, resection_id, resection_miss_m
    )


SEEN_FROM_SECOND_CAMERA = ("water_tower_tank_centre", "building_se", "minaret")
LANDMARK_NAMES = (
    ("school", "School compound (centre)"),
    ("water_tower_tank_centre", "Water tower (tank)"),
    ("building_se", "Building south-east of the school"),
    ("minaret", "Minaret"),
)


def _resect_from_landmarks(
    case: Case,
    evidence_id: int,
    video: dict[str, Any],
    marks: dict[str, Any],
    landmark_ids: dict[str, int],
) -> int:
    """The Resection tool's path on the video's first frame: the landmarks it sees (the school's
    centre is hidden behind houses from there) and two horizon points clicked (stood in for by
    the true camera), the field of view the phone's."""
    camera = video["segments"][0]["camera"]
    centre, yaw = np.asarray(camera["enu_m"], dtype=float), math.radians(camera["yaw_deg"])
    far = [
        centre + 1e5 * np.array([math.sin(yaw + d), math.cos(yaw + d), 0.0]) for d in (-0.3, 0.3)
    ]
    h1, h2 = (clicked_pixel(camera, list(p)) for p in far)
    frame = FrameModel(camera["width_px"], camera["height_px"], camera["hfov_deg"], 1.0, (h1, h2))
    seen = [
        Sighting(landmark_ids[key], clicked_pixel(camera, marks[key]["enu_m"]))
        for key in SEEN_FROM_SECOND_CAMERA
    ]
    return add_resection(
        case,
        frame,
        seen,
        sigma_deg=CLICK_SIGMA_PX * camera["hfov_deg"] / camera["width_px"],
        evidence_id=evidence_id,
        frame_index=0,
        extra_inputs={"tool": "geoworkbench demo (clicks stood in for by the true camera)"},
    ).result()


def _add_hypotheses(case: Case, fix: dict[str, Any], fix_id: int, school: dict[str, Any]) -> None:
    ellipse = fix.get("ellipse") or {}
    add_hypothesis(
        case,
        "Strike site: where the flash bearings cross",
        fix["lat_deg"],
        fix["lon_deg"],
        radius_m=ellipse.get("semi_major_m"),
        confidence="medium",
        rationale=f"Intersection of the bearings to the flash from both videos (observation "
        f"{fix_id}); the radius is its 95% ellipse's semi-major axis.",
    ).result()
    add_hypothesis(
        case,
        "Claim to test: the school was not struck",
        school["lat_deg"],
        school["lon_deg"],
        radius_m=60.0,
        rationale="A denial of the kind the worked example answered; weigh it against the "
        "bearings, the damage on the drone still and the smoke.",
    ).result()


def _compare_segments(
    case: Case, evidence_id: int, segments: list, truth: dict[str, Any], cancel: CancelToken | None
) -> Any:
    """Continuity of the first two segments, stored as a continuity note with its figures."""
    from workbench.continuity_store import save_continuity_note
    from workbench.match_store import compare_segments_of

    result, ref_a, ref_b = compare_segments_of(
        case, evidence_id, segments[0], segments[1], cancel=cancel
    )
    true_zoom = truth["videos"]["video_rooftop"]["cut"]["zoom_ratio"]
    zoom = f"{result.zoom_ratio:.3f}" if result.zoom_ratio else "none"
    text = (
        f"Demo: frames {ref_a.frame_index} and {ref_b.frame_index} either side of the cut. "
        f"Verdict: {result.verdict} ({result.reason}). Zoom ratio {zoom} "
        f"(scenario truth {true_zoom:.3f}). {result.note}"
    )
    save_continuity_note(case, ref_a, ref_b, result, text).result()
    return result


def _bearing_from_flash(
    case: Case,
    evidence_id: int,
    video: dict[str, Any],
    reference: tuple[int, dict[str, Any]],
    cancel: CancelToken | None,
) -> int:
    """Camera oriented on the water tower's pixel; the bearing is the flash's azimuth, measured
    as the Bearing tool measures it (``measured_bearing``) and stored with what was measured,
    so that the registry recomputes it from the stored inputs."""
    tower_id, tower = reference
    first = video["segments"][0]["camera"]
    evidence, path = video_evidence(case, evidence_id)
    flash = find_flash(path, max_frames=video["segments"][0]["last_frame"] + 1, cancel=cancel)
    tower_px = clicked_pixel(first, tower["enu_m"])
    position = LatLon(first["lat_deg"], first["lon_deg"])
    camera_id = add_landmark(
        case,
        f"Camera of {evidence.original_name}",
        position.lat_deg,
        position.lon_deg,
        kind="camera",
        height_m=first["height_m"],
        evidence_id=evidence_id,
        notes="filming position from the scenario truth",
    ).result()
    # One sigma: the click on the tower and half the radius of the flash core, whose centre
    # is uncertain where buildings hide part of it.
    core_radius_px = math.sqrt(flash.area_px / math.pi)
    measured = BearingMeasurement(
        first["width_px"],
        first["height_px"],
        hfov_deg=first["hfov_deg"],
        hfov_source="the phone's (scenario truth)",
        reference_lat_deg=tower["lat_deg"],
        reference_lon_deg=tower["lon_deg"],
        reference_px=tower_px,
        target_px=(float(flash.x_px), float(flash.y_px)),
        reference_id=tower_id,
        reference_name="Water tower (tank)",
        click_sigma_px=CLICK_SIGMA_PX,
        target_sigma_px=0.5 * core_radius_px,
        evidence_sha256=evidence.sha256,
    )
    tool = "geoworkbench demo (the tower's click stood in for by the true camera)"
    inputs = measured_bearing(camera_id, position, measured, range_m=4000.0, other={"tool": tool})
    return add_bearing(
        case,
        camera_id,
        inputs.azimuth_deg,
        inputs.sigma_deg,
        evidence_id=evidence_id,
        frame_index=flash.frame_index,
        hfov_deg=inputs.hfov_deg,
        view_azimuth_deg=inputs.view_azimuth_deg,
        range_m=4000.0,
        extra_inputs=extra_inputs(inputs),
    ).result()


def _summary(
    cut_frames: tuple[int, ...],
    truth: dict[str, Any],
    fix: dict[str, Any],
    miss_m: float,
    resection_miss_m: float,
) -> str:
    true_cut = truth["videos"]["video_rooftop"]["cut"]["frame"]
    ellipse = fix.get("ellipse") or {}
    return (
        f"Demo analyses. Cuts found in the rooftop video at frames {list(cut_frames)} "
        f"(truth: {true_cut}). Bearings to the flash from both cameras, each oriented on the "
        f"water tower's pixel, intersect at {fix['lat_deg']:.6f}, {fix['lon_deg']:.6f} "
        f"(95% ellipse {ellipse.get('semi_major_m', float('nan')):.0f} m x "
        f"{ellipse.get('semi_minor_m', float('nan')):.0f} m), {miss_m:.1f} m from the true "
        "strike point. The second camera, resected from the three landmarks it sees in its "
        "first frame, "
        f"is {resection_miss_m:.2f} m from where it stood (the clicks are stood in for by the "
        "true camera, so this checks the arithmetic, not a hand)."
    )
