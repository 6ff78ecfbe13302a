"""geoworkbench terrain: a ridge between camera and target hides it; higher up it is seen."""

from __future__ import annotations

import json

import numpy as np
import rasterio
from affine import Affine

from analysis.imagery.georef import from_crs
from workbench.cli import main

UTM = "EPSG:32634"


def test_terrain_command_ridge(tmp_path, capsys):
    h = np.full((10, 200), 50.0, np.float32)
    h[:, 100] = 80.0
    path = tmp_path / "ridge.tif"
    t = Affine(30.0, 0, 500_000.0, 0, -30.0, 6_700_000.0)
    with rasterio.open(path, "w", driver="GTiff", width=200, height=10, count=1,
                       dtype="float32", crs=UTM, transform=t) as ds:  # fmt: skip
        ds.write(h, 1)
    north = 6_700_000.0 - 5 * 30.0
    a = from_crs(UTM, np.array([500_000.0 + 300]), np.array([north]))
    b = from_crs(UTM, np.array([500_000.0 + 5700]), np.array([north]))
    cam = f"{a[0][0]:.8f},{a[1][0]:.8f}"
    tgt = f"{b[0][0]:.8f},{b[1][0]:.8f}"
    assert main(["terrain", str(path), "--camera", cam + ",2", "--target", tgt + ",2",
                 "--json"]) == 0  # fmt: skip
    low = json.loads(capsys.readouterr().out)
    assert low["visible"] is False and abs(low["blocked_at_m"] - 2715) < 60
    assert main(["terrain", str(path), "--camera", cam + ",40", "--target", tgt + ",40"]) == 0
    assert capsys.readouterr().out.startswith("visible")
    assert main(["terrain", str(tmp_path / "none.tif"), "--camera", cam, "--target", tgt]) == 1
    assert "none.tif" in capsys.readouterr().err
