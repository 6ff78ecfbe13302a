"""Sound measurements into the case: a flash-to-bang distance as a ``flash_bang`` observation.

The measurement is ``analysis.audio.measure.measure_flash_bang`` on the evidence's stored copy
(the CLI's ``flashbang`` and the video panel run the same function); the observation records
where the camera stood (a camera landmark of the evidence, or a position given), the flash
frame and its times, the bang's onset and the temperature used, so that the registry
recomputes the distance from the stored inputs. Everything is measured before the one write:
a refused input (no audio, a flash after its bang, 300 C) stores nothing.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from analysis.audio.flashbang import FlashBang
from analysis.errors import GeometryError
from analysis.geometry.geodesy import LatLon
from analysis.jobs import CancelToken, ProgressFn
from workbench.case import Case
from workbench.geodata import insert_observation
from workbench.geodata_records import Landmark, list_landmarks


@dataclass(frozen=True)
class CameraPlace:
    """Where the camera stood: a camera landmark (``camera_id``) or a bare position."""

    position: LatLon
    camera_id: int | None = None


def camera_of(case: Case, evidence_id: int) -> CameraPlace:
    """The evidence's camera landmark (the last one placed for it).

    Raises:
        GeometryError: the evidence has no camera landmark (place one, or give a position).
    """
    cams: list[Landmark] = [
        m for m in list_landmarks(case.read(), "camera") if m.evidence_id == evidence_id
    ]
    if not cams:
        raise GeometryError(
            f"evidence {evidence_id} has no camera position: place its camera on the map "
            "(or give --camera LAT,LON) so that the distance becomes a ring around it"
        )
    return CameraPlace(cams[-1].position, cams[-1].id)


def flash_bang_inputs(
    place: CameraPlace, evidence_id: int | None, r: FlashBang, **other: Any
) -> dict[str, Any]:
    """The observation's inputs from a measurement (``other``: what else to keep, e.g. the
    tool and the evidence's sha256)."""
    return {
        "camera_id": place.camera_id,
        "position": [place.position.lat_deg, place.position.lon_deg],
        "evidence_id": evidence_id,
        "flash_frame": r.flash_frame,
        "flash_pts_s": r.flash_pts_s,
        "frame_duration_s": r.frame_duration_s,
        "bang_s": r.bang_s,
        "bang_sigma_s": r.bang_sigma_s,
        "temperature_c": r.temperature_c,
        "temperature_sigma_c": r.temperature_sigma_c,
    } | other


def store_flash_bang(
    case: Case, place: CameraPlace, evidence_id: int | None, r: FlashBang, **other: Any
) -> Future[int]:
    """Store a measured flash-bang as an observation (one write with its audit row)."""
    from workbench.observations import result_json

    inputs = flash_bang_inputs(place, evidence_id, r, **other)
    result = result_json("flash_bang", inputs)  # validates; the distance from the inputs
    return case.write(
        lambda c: insert_observation(
            case, c, "flash_bang", inputs, result, evidence_id=evidence_id,
            frame_index=r.flash_frame,
        )
    )  # fmt: skip


def store_sound_mark(
    case: Case, evidence_id: int, start_s: float, end_s: float, label: str
) -> Future[int]:
    """A named stretch of a video's sound (container seconds) as a ``sound_mark``
    observation, with its UTC times when the video is on the shared clock.

    Raises:
        GeometryError: an empty label or an end not after the start (nothing is written).
    """
    from datetime import timedelta

    from analysis.timekeeping.zones import iso_utc
    from workbench.frame_table_store import cached_frame_table
    from workbench.observations import result_json
    from workbench.sync_store import video_clocks

    inputs: dict[str, Any] = {"evidence_id": evidence_id, "start_s": start_s, "end_s": end_s,
                              "label": label.strip()}  # fmt: skip
    conn = case.read()
    clock = video_clocks(conn).get(evidence_id)
    table = cached_frame_table(conn, evidence_id)
    if clock is not None and table is not None and len(table):
        zero = table.frames[0].pts_s or 0.0
        first = datetime.fromisoformat(clock.start_utc.replace("Z", "+00:00"))
        inputs["start_utc"] = iso_utc(first + timedelta(seconds=start_s - zero))
        inputs["end_utc"] = iso_utc(first + timedelta(seconds=end_s - zero))
    result = result_json("sound_mark", inputs)
    return case.write(
        lambda c: insert_observation(
            case, c, "sound_mark", inputs, result, evidence_id=evidence_id
        )  # fmt: skip
    )


def measure_and_store_flash_bang(
    case: Case,
    evidence_id: int,
    flash_frame: int,
    *,
    place: CameraPlace | None = None,
    temperature_c: float | None = None,
    temperature_sigma_c: float | None = None,
    when_utc: datetime | None = None,
    bang_near_s: float | None = None,
    tool: str = "geoworkbench",
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> tuple[int, FlashBang]:
    """Measure flash to bang on a video evidence and store it; (observation id, measurement).

    The default temperature is the one for the camera's latitude and ``when_utc`` (default:
    the video's date when it is placed in UTC, ``workbench.sync_store``); the bang
    is the loudest onset after the flash, or the one nearest ``bang_near_s`` (a pick).

    Raises:
        GeometryError: no camera position; MediaError and FlashBangError subclasses as
        ``measure_flash_bang`` (nothing is stored then).
    """
    from analysis.audio.measure import measure_flash_bang
    from workbench.frame_table_store import video_evidence
    from workbench.sync_store import video_clocks

    evidence, path = video_evidence(case, evidence_id)
    place = place or camera_of(case, evidence_id)
    clock = video_clocks(case.read()).get(evidence_id) if when_utc is None else None
    if clock is not None and clock.anchored:
        when_utc = datetime.fromisoformat(clock.start_utc.replace("Z", "+00:00"))
    r = measure_flash_bang(
        path,
        flash_frame,
        temperature_c=temperature_c,
        temperature_sigma_c=temperature_sigma_c,
        lat_deg=place.position.lat_deg,
        when_utc=when_utc,
        bang_near_s=bang_near_s,
        progress=progress,
        cancel=cancel,
    )
    obs_id = store_flash_bang(
        case, place, evidence_id, r, tool=tool, evidence_sha256=evidence.sha256
    ).result()
    return obs_id, r
