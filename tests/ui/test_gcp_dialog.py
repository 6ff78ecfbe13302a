"""The control-point dialog offscreen: pairs clicked on the image and the reference refit at
once, unticking/deleting/undo, .points out and back, and Save storing the observation."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from analysis.imagery.sources import open_with_corners
from workbench.case import create_case
from workbench.case.intake import import_file
from workbench.imagery.layers import add_layer, list_layers

# the still is the tile's window x 200..520, y 100..340 at half size: pixel (u, v) of the
# still is pixel (200 + 2u + 0.5, 100 + 2v + 0.5) of the tile (centres at integers)
X0, Y0, S = 200, 100, 2


@pytest.fixture
def setup(tmp_path, media_data):
    sat = media_data / "satellite"
    case = create_case(tmp_path / "gcp.gwcase", title="GCP")
    add_layer(case, sat / "sat_map_00.png", corners=sat / "map.csv")
    tile = open_with_corners(sat / "sat_map_00.png", sat / "map.csv")
    crop = tile.image[Y0 : Y0 + 240, X0 : X0 + 320]
    still = tmp_path / "still.png"
    cv2.imwrite(str(still), cv2.resize(crop, (160, 120), interpolation=cv2.INTER_AREA))
    ev = import_file(case, still)
    yield case, ev.id, tile
    case.close()


def tile_px(u, v):
    return X0 + S * u + (S - 1) / 2, Y0 + S * v + (S - 1) / 2


def test_clicked_pairs_fit_and_save(qtbot, setup, tmp_path):
    from ui.imagery.gcp_dialog import GcpDialog, load_inputs

    case, evidence_id, tile = setup
    dialog = GcpDialog(load_inputs(case, evidence_id))
    qtbot.addWidget(dialog)
    for u, v in [(10, 10), (150, 12), (140, 110), (15, 100), (80, 60)]:
        dialog.image_view.clicked.emit(float(u), float(v))
        assert "reference" in dialog.status.text()
        dialog.ref_view.clicked.emit(*tile_px(u, v))
    assert dialog.table.rowCount() == 5 and dialog.result is not None
    assert dialog.result.rmse_m < 0.01  # a scaled crop is affine: the fit is exact
    # drop a point: 4 remain, still exact; then undo brings it back
    dialog.table.selectRow(4)
    dialog.delete_selected()
    assert dialog.table.rowCount() == 4
    dialog.undo()
    assert dialog.table.rowCount() == 5
    # a wrong pair shows in its residual
    dialog.image_view.clicked.emit(60.0, 30.0)
    dialog.ref_view.clicked.emit(*tile_px(60 + 8, 30))
    res = [float(dialog.table.item(r, 7).text()) for r in range(6)]
    assert int(np.argmax(res)) == 5 and res[5] > 1.0
    dialog.table.item(5, 5).setCheckState(dialog.table.item(5, 5).checkState().Unchecked)
    assert dialog.result.rmse_m < 0.01 and dialog.table.item(5, 7).text() == ""
    dialog.kind_combo.setCurrentText("similarity")
    assert dialog.result.details["kind"] == "similarity"
    path = tmp_path / "out.points"
    dialog.export_points(str(path))
    dialog.model.replace_all([])
    dialog.import_points(str(path))
    assert dialog.table.rowCount() == 6
    with qtbot.waitSignal(dialog.saved, timeout=10000) as done:
        dialog.save()
    obs_id, layer_id = done.args[0]
    assert [x.id for x in list_layers(case.read(), "registered")] == [layer_id]
    assert f"observation {obs_id}" in dialog.status.text()
    dialog.resize(1000, 640)
    dialog.show()
    qtbot.wait(50)
    dialog.grab().save(str(tmp_path / "gcp_dialog.png"))


def test_a_video_or_no_layer_is_refused(setup, tmp_path):
    from ui.imagery.gcp_dialog import load_inputs

    case, evidence_id, _ = setup
    with pytest.raises(ValueError, match="still image"):
        load_inputs(case, 9999)


def test_layer_dialog_imports_a_layer_in_a_worker(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QDialog

    from ui.imagery import layer_dialog
    from ui.jobs import JobRunner

    case = create_case(tmp_path / "l.gwcase", title="L")
    try:
        img = tmp_path / "o.png"
        cv2.imwrite(str(img), np.zeros((20, 30, 3), np.uint8))
        img.with_suffix(".pgw").write_text("0.00001\n0\n0\n-0.00001\n22.46\n60.40\n")
        monkeypatch.setattr(layer_dialog.LayerDialog, "exec",
                            lambda self: QDialog.DialogCode.Accepted)  # fmt: skip
        monkeypatch.setattr(layer_dialog.LayerDialog, "values", lambda self: {
            "kind": "ortho", "acquired": "2020-01-02", "source": "s", "licence": "l"})  # fmt: skip
        jobs = JobRunner()
        with qtbot.waitSignal(jobs.job_ended, timeout=10000):
            layer_dialog.add_imagery_layer(None, case, jobs, str(img))
        [layer] = list_layers(case.read())
        assert layer.acquired == "2020-01-02" and layer.licence == "l"
    finally:
        case.close()


def test_automatic_proposes_points_in_a_worker(qtbot, setup):
    from ui.imagery.gcp_dialog import GcpDialog, load_inputs

    case, evidence_id, _tile = setup
    dialog = GcpDialog(load_inputs(case, evidence_id))
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.jobs.job_ended, timeout=60000):
        dialog.propose()
    assert dialog.status.text().startswith("Proposed"), dialog.status.text()
    assert dialog.table.rowCount() >= 10 and dialog.result.rmse_m < 0.5
    # the still's top-left corner is the tile's pixel (199.5, 99.5): the fit puts it there
    lat, lon = dialog.result.corners[0]
    x, y = dialog.reference.georef.latlon_to_pixel(np.array([lat]), np.array([lon]))
    assert abs(x[0] - 199.5) < 2 and abs(y[0] - 99.5) < 2
