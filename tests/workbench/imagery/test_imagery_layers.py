"""Imagery layers in the case: import as reference evidence with a georeference, refusals
that leave nothing behind, a registration stored as a georeference observation, the CLI."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
import rasterio
from affine import Affine

from analysis.imagery.errors import DemError, GeoreferenceError
from analysis.imagery.georef import from_crs, north_up_from_corners
from analysis.imagery.georeference import georeference_gcps
from analysis.imagery.points_file import write_points
from analysis.imagery.register_fit import Gcp
from workbench.case import create_case, open_case
from workbench.case.verify import verify_case
from workbench.cli import main
from workbench.imagery.layers import (
    ImageryLayerError,
    add_layer,
    list_layers,
    store_registration,
)

UTM = "EPSG:32634"


def ortho(tmp_path, name="ortho.png"):
    img = np.random.default_rng(1).integers(0, 255, (60, 80, 3), dtype=np.uint8)
    path = tmp_path / name
    cv2.imwrite(str(path), img)
    path.with_suffix(".pgw").write_text("0.00001\n0\n0\n-0.000005\n22.46\n60.40\n")
    return path


def dem(tmp_path, crs=UTM):
    path = tmp_path / "dem.tif"
    t = Affine(30, 0, 500000, 0, -30, 6700000)
    with rasterio.open(path, "w", driver="GTiff", width=20, height=10, count=1, dtype="int16",
                       crs=crs, transform=t) as ds:  # fmt: skip
        ds.write(np.arange(200, dtype=np.int16).reshape(1, 10, 20))
    return path


def counts(case):
    conn = case.read()
    return tuple(
        conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("evidence", "imagery_layer", "audit_log")
    )


def test_layers_are_reference_evidence_with_their_georeference(tmp_path):
    case = create_case(tmp_path / "c.gwcase", title="t", analyst="tester")
    try:
        layer = add_layer(case, ortho(tmp_path), acquired="2016-10-20", source="vendor X",
                          licence="CC BY 4.0")  # fmt: skip
        d = add_layer(case, dem(tmp_path), kind="dem", source="SRTM")
        layers = list_layers(case.read())
        assert [x.kind for x in layers] == ["ortho", "dem"]
        assert layers[0].acquired == "2016-10-20" and layers[0].licence == "CC BY 4.0"
        assert layers[0].georef["crs"] == "EPSG:4326" and "world_file" in layers[0].georef
        assert len(layer.sha256) == 64
        ref = case.read().execute("SELECT is_reference FROM evidence WHERE id = ?",
                                  (d.evidence_id,)).fetchone()[0]  # fmt: skip
        assert ref == 1
        assert "UTM zone 34N" in d.georef["crs"]
    finally:
        case.close()


def test_bad_layers_leave_nothing(tmp_path):
    case = create_case(tmp_path / "c.gwcase", title="t", analyst="tester")
    try:
        before = counts(case)
        plain = tmp_path / "plain.png"
        cv2.imwrite(str(plain), np.zeros((8, 8, 3), np.uint8))
        with pytest.raises(GeoreferenceError, match="plain.png"):
            add_layer(case, plain)
        local = ('LOCAL_CS["site",LOCAL_DATUM["x",0],UNIT["metre",1],'
                 'AXIS["X",EAST],AXIS["Y",NORTH]]')  # fmt: skip
        with pytest.raises(DemError, match="dem.tif"):
            add_layer(case, dem(tmp_path, crs=local), kind="dem")
        with pytest.raises(ImageryLayerError, match="YYYY-MM-DD"):
            add_layer(case, ortho(tmp_path), acquired="20/10/2016")
        assert counts(case) == before
    finally:
        case.close()


def test_registration_is_a_georeference_observation(tmp_path):
    case = create_case(tmp_path / "c.gwcase", title="t", analyst="tester")
    try:
        layer = add_layer(case, ortho(tmp_path))
        g = north_up_from_corners((60.401, 22.46), (60.400, 22.462), 80, 60)
        px = [(5, 5), (70, 8), (60, 50), (10, 55), (40, 30)]
        lat, lon = g.pixel_to_latlon(np.array([p[0] for p in px]), np.array([p[1] for p in px]))
        gcps = [Gcp(x, y, a, o) for (x, y), a, o in zip(px, lat, lon, strict=True)]
        result = georeference_gcps((80, 60), gcps, "affine")
        obs_id, layer_id = store_registration(case, layer.evidence_id, result).result()
        row = case.read().execute("SELECT kind, result_json FROM observation WHERE id = ?",
                                  (obs_id,)).fetchone()  # fmt: skip
        assert row[0] == "georeference"
        stored = json.loads(row[1])
        # a grid linear in lat/lon is affine in metres to well under a centimetre here
        assert stored["rmse_m"] < 0.005
        np.testing.assert_allclose(stored["corners"], [list(c) for c in result.corners], atol=1e-9)
        reg = list_layers(case.read(), "registered")
        assert [x.id for x in reg] == [layer_id] and reg[0].observation_id == obs_id
        assert verify_case(case).ok  # the new table is bound to the audit chain
    finally:
        case.close()


def test_georef_command_with_points_file_and_bad_input(tmp_path, capsys):
    img = tmp_path / "frame.png"
    cv2.imwrite(str(img), np.zeros((100, 200, 3), np.uint8))
    # a similarity: 0.5 m a pixel, north up; corners known exactly
    e0, n0 = 500_000.0, 6_700_000.0
    px = [(0, 0), (199, 0), (199, 99), (0, 99), (100, 40)]
    lat, lon = from_crs(UTM, np.array([e0 + 0.5 * x for x, _ in px]),
                        np.array([n0 - 0.5 * y for _, y in px]))  # fmt: skip
    gcps = [Gcp(x, y, a, o) for (x, y), a, o in zip(px, lat, lon, strict=True)]
    points = write_points(tmp_path / "frame.points", gcps)
    assert main(["georef", str(img), "--reference", str(points), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["registered"] is True and out["transform"]["kind"] == "projective"
    assert [list(c) for c in (out["corners"][0].keys(),)] == [["lat", "lon"]]
    tl_lat, tl_lon = from_crs(UTM, np.array([e0 - 0.25]), np.array([n0 + 0.25]))
    assert out["corners"][0]["lat"] == pytest.approx(float(tl_lat[0]), abs=1e-8)
    assert out["corners"][0]["lon"] == pytest.approx(float(tl_lon[0]), abs=1e-8)
    assert len(out["residuals"]) == 5 and max(r["residual_m"] for r in out["residuals"]) < 1e-3
    # too few points for the asked transform; a reference without georeference
    assert main(["georef", str(img), "--reference", str(points), "--kind", "tps"]) == 0
    write_points(tmp_path / "two.points", gcps[:2])
    capsys.readouterr()
    code = main(["georef", str(img), "--reference", str(tmp_path / "two.points"), "--kind",
                 "affine"])  # fmt: skip
    assert code == 1 and "at least 3" in capsys.readouterr().err
    assert main(["georef", str(img), "--reference", str(img)]) == 1
    assert "no georeference" in capsys.readouterr().err


def test_imagery_add_command(tmp_path, capsys):
    case = create_case(tmp_path / "c.gwcase", title="t", analyst="tester")
    case.close()
    code = main(["imagery", "add", str(tmp_path / "c.gwcase"), str(ortho(tmp_path)),
                 "--date", "2016-10-26", "--source", "test", "--json"])  # fmt: skip
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "ortho" and out["acquired"] == "2016-10-26"
    with open_case(tmp_path / "c.gwcase", read_only=True) as c:
        assert len(list_layers(c.read())) == 1
