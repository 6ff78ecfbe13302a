"""Automatic registration against the real satellite mosaic (tests/data/media/satellite, 640 px
copies), with views of exact truth from tests.synth.georef_views; refusals with reasons."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from analysis.imagery.georeference import georeference_auto
from analysis.imagery.mosaic import mosaic_from_pieces
from analysis.imagery.register_auto import MosaicIndex, register_to_mosaic
from analysis.imagery.sources import open_with_corners, read_corner_table
from analysis.matching.geometry import mean_corner_error_larger_px
from tests.conftest import MEDIA_DATA
from tests.synth.georef_views import ViewSpec, footprint_inside, frame_to_mosaic, render

LIMIT_M = 1.5


@pytest.fixture(scope="module")
def index():
    table = MEDIA_DATA / "satellite" / "map.csv"
    pieces = [open_with_corners(table.parent / n, table) for n in read_corner_table(table)]
    idx = MosaicIndex(mosaic_from_pieces(pieces))
    idx.ensure()
    return idx


VIEWS = [
    ViewSpec(centre_px=(420, 380), ground_px=420, out_wh=(400, 300), yaw_deg=0, tilt_deg=2),
    ViewSpec(centre_px=(800, 520), ground_px=480, out_wh=(480, 270), yaw_deg=130, tilt_deg=22,
             blur_sigma_px=1.2, gain=0.8, offset=15, colour=(1.1, 0.95, 0.9), jpeg_quality=45),
    ViewSpec(centre_px=(520, 760), ground_px=380, out_wh=(360, 270), yaw_deg=250, tilt_deg=33,
             hfov_deg=55, gamma=1.2, jpeg_quality=55),
]  # fmt: skip


@pytest.mark.parametrize("spec", VIEWS, ids=["nadir", "tilt22", "tilt33"])
def test_degraded_views_register_within_1_5_m(index, spec):
    img = index.mosaic.image
    mwh = (img.shape[1], img.shape[0])
    assert footprint_inside(spec, mwh)
    r = register_to_mosaic(render(img, spec, seed=1), index)
    assert r.registered, r.reason
    err_m = mean_corner_error_larger_px(r.homography, frame_to_mosaic(spec), spec.out_wh, mwh)
    assert err_m * index.mosaic.georef.pixel_size_m() < LIMIT_M
    if spec.tilt_deg >= 15:
        assert r.tilt_deg == pytest.approx(spec.tilt_deg, abs=4)
    else:  # near nadir the focal length, and so the tilt, is poorly observable
        assert r.tilt_deg < 12


def test_result_corners_are_the_true_footprint(index):
    spec = VIEWS[1]
    res = georeference_auto(render(index.mosaic.image, spec, seed=2), index)
    assert res.registered and len(res.corners) == 4 and res.residuals
    w, h = spec.out_wh
    corners = np.array([[-0.5, -0.5], [w - 0.5, -0.5], [w - 0.5, h - 0.5], [-0.5, h - 0.5]])
    q = cv2.perspectiveTransform(corners[None], frame_to_mosaic(spec))[0]
    lat, lon = index.mosaic.georef.pixel_to_latlon(q[:, 0], q[:, 1])
    for (a, o), ta, to in zip(res.corners, lat, lon, strict=True):
        assert abs(a - ta) * 111_200 < LIMIT_M and abs(o - to) * 55_000 < LIMIT_M
    # the stored transform gives the same corners
    la, lo = res.pixel_to_latlon(corners[:, 0], corners[:, 1])
    np.testing.assert_allclose(la, [c[0] for c in res.corners], atol=1e-9)


def test_an_image_of_elsewhere_is_not_registered(index, media_data):
    other = cv2.imread(str(media_data / "pairs" / "aero1.jpg"))
    r = register_to_mosaic(other, index)
    assert not r.registered and r.homography is None
    assert r.reason


def test_noise_and_blank_are_not_registered(index):
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 255, (300, 400, 3), dtype=np.uint8)
    assert not register_to_mosaic(noise, index).registered
    blank = np.full((300, 400, 3), 90, np.uint8)
    assert not register_to_mosaic(blank, index).registered


def test_oblique_frames_are_not_attempted(index):
    r = georeference_auto(np.zeros((10, 10, 3), np.uint8), index, oblique=True)
    assert not r.registered and r.reason.startswith("not attempted")
    assert r.details["attempted"] is False
