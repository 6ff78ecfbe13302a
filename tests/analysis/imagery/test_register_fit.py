"""Manual GCP fits reproduce known transforms exactly; QGIS .points round trip; bad input."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.imagery.errors import GeoreferenceError, RegistrationError
from analysis.imagery.georef import from_crs
from analysis.imagery.points_file import format_points, read_points, write_points
from analysis.imagery.register_fit import Gcp, fit_gcps, local_crs

ORIGIN = (60.4024, 22.4640)
rng = np.random.default_rng(5)
PIXELS = rng.uniform(0, 1000, (12, 2))


def truth_matrix(kind: str) -> np.ndarray:
    """Pixel -> local metres (east, north): y down becomes north up."""
    c, s = np.cos(0.4), np.sin(0.4)
    sim = np.array([[0.3 * c, 0.3 * s, -150], [0.3 * s, -0.3 * c, 140], [0, 0, 1.0]])
    if kind == "similarity":
        return sim
    aff = sim @ np.array([[1.1, 0.2, 0], [-0.05, 0.9, 0], [0, 0, 1.0]])
    if kind == "affine":
        return aff
    return aff @ np.array([[1, 0, 0], [0, 1, 0], [2e-4, -1e-4, 1.0]])


def gcps_from(h: np.ndarray, pixels: np.ndarray) -> list[Gcp]:
    q = np.column_stack([pixels, np.ones(len(pixels))]) @ h.T
    en = q[:, :2] / q[:, 2:]
    lat, lon = from_crs(local_crs(*ORIGIN), en[:, 0], en[:, 1])
    return [Gcp(x, y, a, o) for (x, y), a, o in zip(pixels, lat, lon, strict=True)]


@pytest.mark.parametrize("kind", ["similarity", "affine", "projective"])
@pytest.mark.parametrize("n", [None, 12])
def test_noise_free_points_give_the_transform_back(kind, n):
    from analysis.imagery.register_fit import MIN_POINTS

    count = n or MIN_POINTS[kind]
    pts = PIXELS[:count] if kind != "projective" or count > 4 else PIXELS[[0, 1, 2, 5]]
    h = truth_matrix(kind)
    fit = fit_gcps(gcps_from(h, pts), kind)
    assert fit.rmse_m < 1e-6
    # everywhere in the image, not only at the points
    probe = rng.uniform(0, 1000, (50, 2))
    lat, lon = fit.pixel_to_latlon(probe[:, 0], probe[:, 1])
    truth = gcps_from(h, probe)
    err = [
        np.hypot((a - g.lat) * 111_000, (o - g.lon) * 55_000)
        for a, o, g in zip(lat, lon, truth, strict=True)
    ]
    assert max(err) < 1e-5


def test_tps_passes_through_points_and_is_affine_on_affine_points():
    gcps = gcps_from(truth_matrix("affine"), PIXELS)
    fit = fit_gcps(gcps, "tps")
    lat, lon = fit.pixel_to_latlon(PIXELS[:, 0], PIXELS[:, 1])
    np.testing.assert_allclose(lat, [g.lat for g in gcps], atol=1e-10)
    # affine truth: no bending, leave-one-out residuals vanish too
    assert fit.rmse_m < 1e-5


def test_tps_bends_where_the_affine_cannot():
    gcps = gcps_from(truth_matrix("projective"), PIXELS)
    affine = fit_gcps(gcps, "affine")
    tps = fit_gcps(gcps, "tps")
    assert affine.rmse_m > 0.5
    e, n = tps.to_plane(PIXELS[:, 0], PIXELS[:, 1])
    assert np.all(np.isfinite(e)) and tps.residual_m.shape == (12,)


def test_residuals_in_pixels_follow_the_scale():
    gcps = gcps_from(truth_matrix("similarity"), PIXELS[:6])
    bumped = [Gcp(g.x + (3.0 if i == 0 else 0.0), g.y, g.lat, g.lon) for i, g in enumerate(gcps)]
    fit = fit_gcps(bumped, "similarity")
    assert fit.residual_px[0] == pytest.approx(fit.residual_m[0] / 0.3, rel=0.02)
    assert int(np.argmax(fit.residual_px)) == 0


def test_disabled_points_are_left_out():
    gcps = gcps_from(truth_matrix("affine"), PIXELS[:5])
    gcps.append(Gcp(10, 10, 0.0, 0.0, enabled=False))
    assert fit_gcps(gcps, "affine").rmse_m < 1e-6


def test_too_few_and_collinear_points():
    gcps = gcps_from(truth_matrix("affine"), PIXELS[:3])
    with pytest.raises(RegistrationError, match="at least 4 control points, 3 given"):
        fit_gcps(gcps, "projective")
    line = np.column_stack([np.linspace(0, 900, 6), np.linspace(10, 500, 6)])
    with pytest.raises(RegistrationError, match="collinear"):
        fit_gcps(gcps_from(truth_matrix("affine"), line), "affine")
    with pytest.raises(RegistrationError, match="coincide"):
        fit_gcps([Gcp(5, 5, 60.4, 22.4)] * 3, "similarity")
    with pytest.raises(RegistrationError, match="not one of"):
        fit_gcps(gcps, "spline")


def test_points_file_round_trip(tmp_path):
    gcps = gcps_from(truth_matrix("projective"), PIXELS[:6])
    gcps[2] = Gcp(gcps[2].x, gcps[2].y, gcps[2].lat, gcps[2].lon, enabled=False)
    fit = fit_gcps(gcps, "projective")
    path = write_points(tmp_path / "a.points", gcps, fit)
    text = path.read_text()
    assert text.startswith("#CRS: ") and "mapX,mapY,sourceX,sourceY" in text
    back = read_points(path)
    assert [g.enabled for g in back] == [g.enabled for g in gcps]
    for a, b in zip(back, gcps, strict=True):
        assert a.x == pytest.approx(b.x) and a.y == pytest.approx(b.y)
        assert a.lat == pytest.approx(b.lat, abs=1e-12) and a.lon == pytest.approx(b.lon, abs=1e-12)
    # QGIS writes y negative, counted from the outer corner
    first = text.splitlines()[2].split(",")
    assert float(first[3]) == pytest.approx(-(gcps[0].y + 0.5))


def test_points_file_in_utm_and_without_crs(tmp_path):
    gcps = gcps_from(truth_matrix("affine"), PIXELS[:4])
    utm = tmp_path / "utm.points"
    utm.write_text(format_points(gcps, crs="EPSG:32634"))
    back = read_points(utm)
    assert back[0].lat == pytest.approx(gcps[0].lat, abs=1e-9)
    plain = tmp_path / "plain.points"
    plain.write_text("mapX,mapY,sourceX,sourceY,enable\n22.46,60.40,10.5,-20.5,1\n")
    assert read_points(plain)[0].y == pytest.approx(20.0)
    metres = tmp_path / "metres.points"
    metres.write_text("mapX,mapY,sourceX,sourceY,enable\n500000,6700000,10.5,-20.5,1\n")
    with pytest.raises(GeoreferenceError, match="not degrees"):
        read_points(metres)
    junk = tmp_path / "junk.points"
    junk.write_text("hello,world\n1,2\n")
    with pytest.raises(GeoreferenceError, match="not a QGIS"):
        read_points(junk)
