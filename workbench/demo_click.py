"""The demo's stand-in for the analyst's click: a landmark projected through the true camera.

Shared by the sample case's steps (``demo_analysis``, ``demo_where``, ``imagery.demo_imagery``)
in a module of its own, so that none of them imports another for it.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def clicked_pixel(camera: dict[str, Any], enu_m: list[float]) -> tuple[float, float]:
    """Where the analyst would click on a landmark: its projection through the true camera.

    The demo has no hand to click with; it stands in for the click with the truth camera
    (K, R, t of the scenario), which is what a careful click on a sharp landmark gives.
    """
    import cv2

    rvec, _ = cv2.Rodrigues(np.asarray(camera["R"], dtype=np.float64))
    pixels, _ = cv2.projectPoints(
        np.asarray([enu_m], dtype=np.float64),
        rvec,
        np.asarray(camera["t"], dtype=np.float64),
        np.asarray(camera["K"], dtype=np.float64),
        None,
    )
    x, y = pixels.ravel()
    return float(x), float(y)
