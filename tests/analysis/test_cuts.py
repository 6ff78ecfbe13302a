"""Cut detection against exact truth: synthetic shots and the data README's real videos."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import pytest

from analysis.video.cuts import Cut, detect_cuts, detect_cuts_in_features, segments_from_cuts
from analysis.video.cuts_features import features_from_images
from tests.synth.video import SynthSpec, write_video

W, H = 160, 120


def panorama(seed: int, width_px: int = 1600) -> np.ndarray:
    """A wide textured strip with its own colour cast (shots differ in colour, as real ones)."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, size=(H // 8, width_px // 8, 3)).astype(np.float32)
    img = cv2.resize(base, (width_px, H), interpolation=cv2.INTER_CUBIC)
    cast = rng.uniform(0.35, 1.0, size=3).astype(np.float32)
    return np.clip(img * cast, 0, 255).astype(np.uint8)


def view(pano: np.ndarray, x: float, blur_px: int = 0) -> np.ndarray:
    x = int(round(x))
    if blur_px <= 1:
        return pano[:, x : x + W].copy()
    return np.mean([pano[:, x + d : x + d + W] for d in range(blur_px)], axis=0).astype(np.uint8)


def zoom(img: np.ndarray, factor: float) -> np.ndarray:
    cw, ch = int(W / factor), int(H / factor)
    x0, y0 = (W - cw) // 2, (H - ch) // 2
    return cv2.resize(img[y0 : y0 + ch, x0 : x0 + cw], (W, H), interpolation=cv2.INTER_LINEAR)


@dataclass(frozen=True)
class Truth:
    kind: str
    start: int
    end: int  # inclusive; == start for a hard cut


def edited_sequence() -> tuple[list[np.ndarray], list[Truth]]:
    """Six shots joined by cuts, a dissolve and fades; a flash, a whip pan and a zoom inside."""
    a, b, c, d, e = (panorama(s) for s in (1, 2, 3, 4, 5))
    frames: list[np.ndarray] = []
    frames += [view(a, 2 * i) for i in range(30)]  # 0-29 shot A, slow pan
    for i in range(30):  # 30-59 shot B: flash at 40-41, whip pan 45-51
        x = 10 + min(max(i - 15, 0), 7) * 120
        img = view(b, x, blur_px=40 if 15 <= i <= 21 else 0)
        if i in (10, 11):
            img = np.clip(img.astype(np.float32) * 0.2 + 230, 0, 255).astype(np.uint8)
        frames.append(img)
    c0 = view(c, 100)
    frames += [zoom(c0, 1.0 + 0.06 * max(0, min(i - 5, 16))) for i in range(25)]  # 60-84, zoom
    d0 = view(d, 300)
    last_c = frames[-1].astype(np.float32)
    for i in range(15):  # 85-99 dissolve C -> D
        alpha = (i + 1) / 16
        frames.append(((1 - alpha) * last_c + alpha * d0).astype(np.uint8))
    frames += [view(d, 300 + i) for i in range(15)]  # 100-114 shot D
    last_d = frames[-1].astype(np.float32)
    frames += [(last_d * (1 - (i + 1) / 11)).astype(np.uint8) for i in range(10)]  # 115-124 out
    frames += [np.zeros((H, W, 3), np.uint8) for _ in range(5)]  # 125-129 black
    e0 = view(e, 50).astype(np.float32)
    frames += [(e0 * (i + 1) / 11).astype(np.uint8) for i in range(10)]  # 130-139 fade in
    frames += [view(e, 50 + i) for i in range(20)]  # 140-159 shot E
    truth = [
        Truth("cut", 30, 30),
        Truth("cut", 60, 60),
        Truth("dissolve", 85, 99),
        Truth("fade", 115, 124),
        Truth("fade", 130, 139),
    ]
    return frames, truth


def _matches(found: Cut, truth: Truth, slack: int = 2) -> bool:
    if found.kind != truth.kind:
        return False
    if truth.kind == "cut":
        return found.frame == truth.start
    return (
        abs(found.start_frame - truth.start) <= slack
        and abs(found.end_frame - truth.end) <= slack
        and truth.start <= found.frame <= truth.end + 1
    )


def _check(found: tuple[Cut, ...], truth: list[Truth], slack: int = 2) -> None:
    missing = [t for t in truth if not any(_matches(f, t, slack) for f in found)]
    extra = [f for f in found if not any(_matches(f, t, slack) for t in truth)]
    assert not missing and not extra, f"missing {missing}, extra {extra}"


def test_synthetic_edits_found_and_motion_ignored():
    frames, truth = edited_sequence()
    result = detect_cuts_in_features(features_from_images(frames))
    _check(result.cuts, truth)
    # segments tile the video and start at the boundaries
    assert result.segments[0].first_frame == 0
    assert result.segments[-1].last_frame == len(frames) - 1
    assert [s.first_frame for s in result.segments[1:]] == [c.frame for c in result.cuts]


@pytest.mark.parametrize("flash_len", [1, 2, 3])
def test_flashes_are_not_cuts(flash_len):
    pano = panorama(9)
    frames = []
    for i in range(40):
        img = view(pano, 3 * i)
        if 20 <= i < 20 + flash_len:  # an explosion: near-white frames, the scene barely seen
            img = np.clip(img.astype(np.float32) * 0.3 + 200, 0, 255).astype(np.uint8)
        frames.append(img)
    assert detect_cuts_in_features(features_from_images(frames)).cuts == ()


def test_exposure_jump_is_not_a_cut():
    pano = panorama(11)
    frames = [view(pano, i) for i in range(20)]
    frames += [np.clip(view(pano, 20 + i).astype(np.float32) * 0.6, 0, 255).astype(np.uint8)
               for i in range(20)]  # fmt: skip
    assert detect_cuts_in_features(features_from_images(frames)).cuts == ()


def test_segments_from_cuts():
    cuts = [Cut(10, 0.4, "cut", 1.0, 10, 10), Cut(25, 1.0, "fade", 0.9, 20, 30)]
    segs = segments_from_cuts(cuts, np.arange(40) / 25.0)
    assert [(s.first_frame, s.last_frame) for s in segs] == [(0, 9), (10, 24), (25, 39)]
    assert segs[1].start_s == pytest.approx(0.4)


def test_end_to_end_on_an_encoded_video(tmp_path):
    frames, truth = edited_sequence()
    spec = SynthSpec(frames=len(frames), options=(("x264-params", "keyint=50:bframes=2"),))
    path = write_video(tmp_path / "edit.mp4", spec, scene=lambda i: frames[i], barcode=False)
    result = detect_cuts(path)
    _check(result.cuts, truth)
    assert result.cuts[0].pts_s == pytest.approx(30 / 25)


# --- the README's truth --------------------------------------------------------------------

TESTVIDEO_TRUTH = [
    Truth("cut", 30, 30),
    Truth("cut", 180, 180),
    Truth("fade", 211, 240),
    Truth("fade", 331, 360),
    Truth("fade", 394, 423),
    Truth("dissolve", 529, 558),
    Truth("fade", 664, 693),
]


def test_testvideo_cuts_and_transitions(media_data):
    result = detect_cuts(media_data / "video" / "testvideo.mp4")
    _check(result.cuts, TESTVIDEO_TRUTH)


def test_rotated_film_cuts(media_data):
    result = detect_cuts(media_data / "video" / "issue-134-rotate.mp4")
    _check(result.cuts, [Truth("cut", 90, 90), Truth("cut", 210, 210)])


@pytest.mark.parametrize("name", ["vtest.avi", "drone-sky.mp4"])
def test_no_cuts_in_single_shots(media_data, name):
    """vtest: fixed camera; drone-sky: a fast whip pan (frames 27-34 of the copy), one shot."""
    assert detect_cuts(media_data / "video" / name).cuts == ()


def test_cut_detection_can_be_cancelled(tmp_path):
    from analysis.jobs import CancelToken, JobCancelled

    path = write_video(tmp_path / "c.mp4", SynthSpec(frames=30))
    token = CancelToken()
    token.cancel()
    with pytest.raises(JobCancelled):
        detect_cuts(path, cancel=token)


@pytest.mark.parametrize("chunk", [1, 7, 64])
def test_dissolves_are_tested_in_chunks_with_the_same_answer(monkeypatch, chunk):
    """The dissolve test runs a chunk of centres at a time (a long video's thumbnails would
    otherwise be copied whole, several times, in float): any chunk gives what one does."""
    import analysis.video.cuts as cuts

    frames, truth = edited_sequence()
    feats = features_from_images(frames)
    monkeypatch.setattr(cuts, "GRADUAL_CHUNK", 10**9)
    whole = detect_cuts_in_features(feats)
    centres = {h: cuts._plausible_centres(feats.thumbs, h, np.zeros(0, np.int64)).tolist()
               for h in cuts.DISSOLVE_HALF_WIDTHS}  # fmt: skip
    monkeypatch.setattr(cuts, "GRADUAL_CHUNK", chunk)
    assert detect_cuts_in_features(feats) == whole
    for h, expected in centres.items():
        assert cuts._plausible_centres(feats.thumbs, h, np.zeros(0, np.int64)).tolist() == expected
    assert any(centres.values())  # the dissolve and the fades are candidates: not vacuous
    _check(whole.cuts, truth)
