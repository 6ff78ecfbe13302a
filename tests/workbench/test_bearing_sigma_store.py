"""Bearings whose sigma is built from its parts (schema 3): stored with what each input was
worth, recomputed to the same parts, and intersected with one covariance over the rays."""

from __future__ import annotations

import json

import numpy as np
import pytest

from analysis.geometry import geodesy
from tests.analysis.test_bearing_calibration import SITES, _cameras, _horizon, _latlon, _pixel
from workbench import geodata, geodata_records, observations
from workbench.case import create_case
from workbench.observations.bearing_measure import measured_bearing
from workbench.observations.bearing_model import (
    BEARING_SCHEMA,
    BearingMeasurement,
    extra_inputs,
)
from workbench.observations.bearing_sigma_model import SigmaInputs


@pytest.fixture
def case(tmp_path):
    c = create_case(tmp_path / "sigma.gwcase", title="Hass sigma")
    yield c
    c.close()


def _store_two_bearings(case, rng) -> tuple[list[int], int]:
    tower = _latlon(SITES["water_tower"][0] + 4.0, SITES["water_tower"][1] - 3.0)
    tower_id = geodata.add_landmark(case, "water tower", tower.lat_deg, tower.lon_deg).result()
    geodata.set_position_sigma(case, tower_id, 5.0).result()
    ids = []
    for name, cam in _cameras().items():
        e, n, _ = cam.position_enu_m
        where = _latlon(e, n)
        cam_id = geodata.add_landmark(
            case, name, where.lat_deg, where.lon_deg, kind="camera"
        ).result()
        click = [
            tuple(_pixel(cam, s) + rng.normal(0, 2.0, 2)) for s in ("water_tower", "strike_point")
        ]
        sources = SigmaInputs(
            click_sigma_px=2.0,
            reference_sigma_m=5.0,
            camera_sigma_m=0.0,
            hfov_sigma_deg=1.0,
            zoom=1.0,
            camera_key=f"camera:{cam_id}",
            reference_key=f"landmark:{tower_id}",
            fov_key=f"fov:{cam_id}",
        )
        m = BearingMeasurement(
            cam.width_px,
            cam.height_px,
            hfov_deg=cam.hfov_deg,
            hfov_source="typed",
            reference_lat_deg=tower.lat_deg,
            reference_lon_deg=tower.lon_deg,
            reference_px=click[0],
            target_px=click[1],
            reference_id=tower_id,
            reference_name="water tower",
            horizon_px=tuple(tuple(map(float, h)) for h in _horizon(cam)),
            click_sigma_px=2.0,
            sigma_decimals=3,
            sigma_sources=sources,
        )
        inputs = measured_bearing(cam_id, where, m)
        ids.append(
            geodata.add_bearing(
                case,
                cam_id,
                inputs.azimuth_deg,
                inputs.sigma_deg,
                hfov_deg=inputs.hfov_deg,
                view_azimuth_deg=inputs.view_azimuth_deg,
                extra_inputs=extra_inputs(inputs),
            ).result()
        )
    return ids, tower_id


def test_a_bearing_stores_its_sigma_parts_and_recomputes_them(case):
    ids, _ = _store_two_bearings(case, np.random.default_rng(3))
    obs = geodata_records.get_observation(case.read(), ids[0])
    assert obs.inputs["schema"] == BEARING_SCHEMA == 3
    assert obs.inputs["sigma_sources"]["reference_sigma_m"] == 5.0
    names = [p[0] for p in obs.result["sigma_parts"]]
    assert names[:2] == ["clicks", "levelling"] and "reference position" in names
    typed = observations.read(obs)
    again = observations.recompute(obs)
    assert observations.result_json(typed.kind, json.loads(json.dumps(obs.inputs))) == obs.result
    assert again.sigma == typed.result.sigma
    # the sum is the parts in quadrature, rounded as the tool showed it
    total = np.sqrt(sum(p[1] ** 2 for p in obs.result["sigma_parts"]))
    assert obs.result["sigma_deg"] == pytest.approx(round(total, 3), abs=1e-12)
    # 2 px at 2.8 km through a 45 deg, 960 px frame is more than the old 0.5 px figure
    assert obs.result["sigma_deg"] > 0.1


def test_two_bearings_on_one_landmark_intersect_with_a_correlated_covariance(case):
    ids, tower_id = _store_two_bearings(case, np.random.default_rng(4))
    fix_id = geodata.add_intersection(case, ids).result()
    obs = geodata_records.get_observation(case.read(), fix_id)
    assert "correlated" in obs.inputs and "generalised least squares" in obs.inputs["method"]
    keys = [s[0] for ray in obs.inputs["correlated"] for s in ray[1]]
    assert keys.count(f"landmark:{tower_id}") == 2  # both rays carry the shared landmark
    r = obs.result
    truth = _latlon(*SITES["strike_point"])
    miss = geodesy.distance_m(geodesy.LatLon(r["lat_deg"], r["lon_deg"]), truth)
    assert miss < r["ellipse"]["semi_major_m"]  # within the 95% ellipse's long axis
    again = observations.result_json("intersection", obs.inputs)
    assert again == r
