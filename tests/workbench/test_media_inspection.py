"""A video evidence's inspection, cached per evidence, and its overlays left out of matching."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.matching.features import Features
from tests.synth.degraded import DegradedTruth, write_degraded_video
from workbench import media_inspection
from workbench.case import create_case
from workbench.case.errors import CaseError
from workbench.case.intake import import_file
from workbench.match_store import ViewRef, compare_views, feature_cache_path, load_view
from workbench.media_inspection import cache_paths, inspect_evidence, overlay_mask


@pytest.fixture
def video_case(tmp_path):
    path = write_degraded_video(tmp_path / "tv.mkv")
    still = tmp_path / "still.png"
    import cv2

    cv2.imwrite(str(still), np.full((40, 60, 3), 128, np.uint8))
    with create_case(tmp_path / "c.gwcase", analyst="tester") as case:
        vid = import_file(case, path).id
        img = import_file(case, still).id
        yield case, vid, img


def test_inspection_is_cached_per_evidence(video_case, monkeypatch):
    case, vid, img = video_case
    assert media_inspection.cached_inspection(case, vid) is None
    first = inspect_evidence(case, vid)
    assert first.duplicated == DegradedTruth().duplicated
    json_path, mask_path = cache_paths(case, load_view(case, ViewRef(vid, 0))[1].sha256)
    assert json_path.is_file() and mask_path.is_file()

    def no_decoding(*args, **kwargs):
        raise AssertionError("the cached inspection was decoded again")

    monkeypatch.setattr("analysis.media.inspection.inspect_video", no_decoding)
    again = inspect_evidence(case, vid)
    assert again.to_dict() == first.to_dict()
    assert np.array_equal(again.overlays.mask, first.overlays.mask)
    json_path.write_text("{not json", encoding="utf-8")  # derived: recomputed, never trusted
    assert media_inspection.cached_inspection(case, vid) is None
    with pytest.raises(CaseError, match="only a video"):
        inspect_evidence(case, img)
    assert overlay_mask(case, img, None) is None


def _inside(feats: Features, box) -> int:
    x, y, w, h = box
    xy = feats.xy_px
    return int(((xy[:, 0] >= x) & (xy[:, 0] < x + w) & (xy[:, 1] >= y) & (xy[:, 1] < y + h)).sum())


def test_masked_comparison_takes_no_features_on_overlays_or_bars(video_case):
    case, vid, _img = video_case
    t = DegradedTruth()
    a, b = ViewRef(vid, 5), ViewRef(vid, 30)
    compare_views(case, a, b)
    masked = compare_views(case, a, b, mask_overlays=True)
    assert masked.match.n_inliers > 0
    image, e = load_view(case, a)
    plain = Features.from_npz(feature_cache_path(case, e.sha256, a, "sift"))
    mask = overlay_mask(case, vid, 5)
    kept = Features.from_npz(feature_cache_path(case, e.sha256, a, "sift", mask))
    assert _inside(plain, t.logo_box) > 0 and _inside(plain, t.stamp_box) > 0
    assert _inside(kept, t.logo_box) == 0 and _inside(kept, t.stamp_box) == 0
    assert _inside(kept, (0, 0, t.width_px, t.bar_px)) == 0
    assert len(kept.xy_px) > 50
