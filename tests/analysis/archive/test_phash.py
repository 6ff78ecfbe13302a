"""Perceptual hashes: stable under what re-uploads do, far apart for different pictures."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from analysis.archive.phash import content_box, frame_hash, hamming

PHOTOS = Path(__file__).resolve().parents[2] / "data" / "media"
NAMES = ("pairs/DSC_0410.JPG", "pairs/aero1.jpg", "photos/gps/DSCN0010.jpg",
         "photos/gps/DSCN0025.jpg")  # fmt: skip


@pytest.fixture(scope="module")
def pictures() -> list[np.ndarray]:
    out = []
    for name in NAMES:
        bgr = cv2.imread(str(PHOTOS / name))
        assert bgr is not None, name
        out.append(cv2.resize(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), (480, 320)))
    return out


def _jpeg(img: np.ndarray, quality: int) -> np.ndarray:
    ok, data = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return cv2.imdecode(data, cv2.IMREAD_UNCHANGED)


def test_the_same_picture_hashes_the_same_and_its_gray_copy_too(pictures):
    img = pictures[0]
    assert frame_hash(img) == frame_hash(img.copy())
    assert frame_hash(img).value == frame_hash(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)).value


def test_re_encoding_and_rescaling_move_few_bits(pictures):
    for img in pictures:
        h = frame_hash(img).value
        assert hamming(h, frame_hash(_jpeg(img, 25)).value) <= 6
        small = cv2.resize(img, (160, 106), interpolation=cv2.INTER_AREA)
        assert hamming(h, frame_hash(small).value) <= 6


def test_the_mirrored_hash_is_the_hash_of_the_mirror_image(pictures):
    for img in pictures:
        assert hamming(frame_hash(img).mirrored, frame_hash(img[:, ::-1]).value) <= 2
        # and a mirror image is not mistaken for the picture itself
        assert hamming(frame_hash(img).value, frame_hash(img[:, ::-1]).value) > 12


def test_letterbox_bars_are_trimmed_before_hashing(pictures):
    for img in pictures:
        boxed = cv2.copyMakeBorder(img, 80, 80, 0, 0, cv2.BORDER_CONSTANT, value=0)
        top, bottom, left, right = content_box(cv2.cvtColor(boxed, cv2.COLOR_RGB2GRAY))
        assert (abs(top - 80) <= 1, abs(bottom - 400) <= 1, left, right) == (True, True, 0, 480)
        assert hamming(frame_hash(img).value, frame_hash(boxed).value) <= 6


def test_a_dark_picture_is_not_trimmed_as_if_it_were_bars():
    dark = np.full((100, 200), 8, np.uint8)
    dark[45:55, 90:110] = 30  # a small faint shape in the middle of a dark scene
    assert content_box(dark) == (35, 65, 70, 130)  # at most 35% of a side goes


def test_different_pictures_are_far_apart(pictures):
    hashes = [frame_hash(p).value for p in pictures]
    for i in range(len(hashes)):
        for j in range(i + 1, len(hashes)):
            assert hamming(hashes[i], hashes[j]) >= 16, (NAMES[i], NAMES[j])


def test_an_empty_or_odd_array_is_refused():
    with pytest.raises(ValueError, match="empty"):
        frame_hash(np.zeros((0, 0), np.uint8))
    with pytest.raises(ValueError, match="shape"):
        frame_hash(np.zeros((4, 4, 4), np.uint8))


def test_a_clear_sky_along_one_edge_is_picture_not_a_bar(pictures):
    # A uniform band on one side only (a clear sky above a town, a flat studio wall) is not
    # letterboxing: trimming it hashed another part of the frame than the letterboxed copy's
    # (whose black bars stop at the sky) or the copy with a logo in the sky (measured on the
    # scenario's rooftop video: 16-30 bits apart; bench/bench_archive.py).
    for img in pictures:
        sky = img.copy()
        sky[:100] = (170, 190, 215)
        gray = cv2.cvtColor(sky, cv2.COLOR_RGB2GRAY)
        assert content_box(gray) == (0, 320, 0, 480)
        boxed = cv2.copyMakeBorder(sky, 80, 80, 0, 0, cv2.BORDER_CONSTANT, value=0)
        logo = sky.copy()
        logo[16:48, 400:468] = (0.35 * logo[16:48, 400:468] + 0.65 * 255).astype(np.uint8)
        h = frame_hash(sky).value
        assert hamming(h, frame_hash(boxed).value) <= 6
        assert hamming(h, frame_hash(logo).value) <= 8
