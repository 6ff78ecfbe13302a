"""Overlays as the map places them: a pixel of the warped image lands where its georeference
says (Leaflet stretches an overlay linearly in Web-Mercator between its bounds)."""

from __future__ import annotations

import base64

import cv2
import numpy as np

from analysis.imagery.georef import to_crs
from analysis.imagery.georeference import georeference_gcps
from analysis.imagery.register_fit import Gcp
from workbench.case import create_case
from workbench.case.intake import import_file
from workbench.imagery.layers import add_layer, store_registration
from workbench.imagery.overlay import case_overlays


def decode(url: str) -> np.ndarray:
    data = base64.b64decode(url.split(",", 1)[1])
    return cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)


def overlay_pixel(ov, lat, lon, img):
    """Where (lat, lon) falls in the overlay image, as Leaflet draws it."""
    (s, w), (n, e) = ov.bounds
    mx, my = to_crs("EPSG:3857", np.array([lat, s, n]), np.array([lon, w, e]))
    h, wd = img.shape[:2]
    x = (mx[0] - mx[1]) / (mx[2] - mx[1]) * wd - 0.5
    y = (my[2] - my[0]) / (my[2] - my[1]) * h - 0.5
    return int(round(x)), int(round(y))


def test_overlays_land_where_the_georeference_says(tmp_path):
    case = create_case(tmp_path / "o.gwcase", title="o")
    try:
        img = np.zeros((200, 300, 3), np.uint8)
        img[50:70, 100:130] = (0, 0, 255)  # a red box
        path = tmp_path / "ortho.png"
        cv2.imwrite(str(path), img)
        path.with_suffix(".pgw").write_text("0.00002\n0\n0\n-0.00001\n22.46001\n60.40\n")
        add_layer(case, path)
        still = tmp_path / "still.png"
        cv2.imwrite(str(still), np.full((40, 60, 3), 255, np.uint8))
        ev = import_file(case, still)
        # the still turned by 30 degrees on the ground: its footprint is a tilted rectangle
        px = [(0, 0), (59, 0), (59, 39), (0, 39)]
        c, s_ = np.cos(np.radians(30)), np.sin(np.radians(30))
        east = np.array([(x - 30) * c + (y - 20) * s_ for x, y in px])
        north = np.array([(x - 30) * s_ - (y - 20) * c for x, y in px])
        lat = 60.39925 + north * 1e-5
        lon = 22.4625 + east * 2e-5
        gcps = [Gcp(x, y, a, o) for (x, y), a, o in zip(px, lat, lon, strict=True)]
        store_registration(case, ev.id, georeference_gcps((60, 40), gcps, "projective")).result()
        ortho, reg = case_overlays(case, max_side=600)
        o_img, r_img = decode(ortho.url), decode(reg.url)
        # the red box's centre (pixel 114.5, 59.5) in the overlay
        a, o = 60.40 - 59.5 * 0.00001, 22.46001 + 114.5 * 0.00002
        x, y = overlay_pixel(ortho, a, o, o_img)
        assert tuple(o_img[y, x]) == (0, 0, 255, 255)
        # the registered still: opaque inside its footprint, transparent outside
        x, y = overlay_pixel(reg, 60.39925, 22.4625, r_img)
        assert r_img[y, x, 3] == 255 and r_img[y, x, 0] == 255
        assert r_img[0, 0, 3] == 0 and r_img[-1, -1, 3] == 0  # outside the tilted footprint
        assert reg.kind == "registered" and ortho.kind == "ortho"
    finally:
        case.close()
