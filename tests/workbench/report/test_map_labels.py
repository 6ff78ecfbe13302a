"""Labels of the static map in Latin and Arabic: cut by script, each run in a font that has
its glyphs (no boxes), laid out by the label's direction."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from workbench.paths import ARABIC_FONT
from workbench.report import map_labels
from workbench.report.map_labels import NASKH_ASCII, draw_label, fonts, rtl, runs
from workbench.report.static_map import draw_map

SCHOOL = "مدرسة الحاس"


@dataclass(frozen=True)
class Case:
    label: str
    rtl: bool
    runs: tuple[tuple[str, bool], ...]  # (text, arabic) in logical order


CASES = (
    Case("Water tower (tank)", False, (("Water tower (tank)", False),)),
    Case(SCHOOL, True, ((SCHOOL, True),)),
    Case(f"{SCHOOL} (Hass school)", True, ((SCHOOL, True), ("(Hass school)", False))),
    Case("Minaret مئذنة 2", False, (("Minaret", False), ("مئذنة", True), ("2", False))),
    Case("خزان 12 المياه", True, (("خزان 12 المياه", True),)),  # digits inside Arabic
    Case("", False, ()),
)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.label or "empty")
def test_a_label_is_cut_by_script_and_takes_its_first_strong_direction(case):
    assert rtl(case.label) is case.rtl
    assert tuple((r.text, r.arabic) for r in runs(case.label)) == case.runs


def test_the_ascii_the_arabic_font_is_trusted_with_is_in_its_cmap():
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(ARABIC_FONT)).getBestCmap()
    assert {chr(c) for c in cmap if 32 <= c < 127} == NASKH_ASCII  # printable ASCII


def _ink(draw_fn, size=(240, 40)) -> np.ndarray:
    image = Image.new("L", size, 255)
    draw_fn(ImageDraw.Draw(image))
    return np.asarray(image)


@pytest.mark.skipif(not map_labels.RAQM, reason="Pillow has no libraqm here")
def test_arabic_is_shaped_in_the_arabic_font_not_drawn_as_boxes():
    _, arabic = fonts()
    got = _ink(lambda d: draw_label(d, (4, 4), SCHOOL, 0))
    baseline = 4 + max(fonts()[0].getmetrics()[0], arabic.getmetrics()[0])
    want = _ink(lambda d: d.text((4, baseline), SCHOOL, fill=0, font=arabic, anchor="ls",
                                 direction="rtl", language="ar"))  # fmt: skip
    assert np.array_equal(got, want)
    boxes = _ink(lambda d: d.text((4, 4), SCHOOL, fill=0, font=ImageFont.load_default()))
    assert not np.array_equal(got, boxes) and (got < 128).sum() > 50


def test_a_mixed_label_draws_its_latin_in_the_latin_font_left_of_the_arabic():
    latin, arabic = fonts()
    label = "Minaret مئذنة"
    got = _ink(lambda d: draw_label(d, (4, 4), label, 0))
    baseline = 4 + max(latin.getmetrics()[0], arabic.getmetrics()[0])  # one baseline for both
    alone = _ink(lambda d: d.text((4, baseline), "Minaret", fill=0, font=latin, anchor="ls"))
    width = int(latin.getlength("Minaret"))
    assert np.array_equal(got[:, : 4 + width], alone[:, : 4 + width])
    assert (got[:, 4 + width + 3 :] < 128).sum() > 30  # the Arabic word, to its right


def test_the_static_map_writes_an_arabic_landmark_name_in_the_arabic_font():
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [36.55, 35.62]},
               "properties": {"name": SCHOOL, "colour": "#ff0000"}}  # fmt: skip
    layers = {"landmarks": {"type": "FeatureCollection", "features": [feature]}}
    box = ((35.619, 36.549), (35.621, 36.551))
    m = draw_map(layers, bounds=box, tiles=None, basemap_kind="none")
    import io

    image = np.asarray(Image.open(io.BytesIO(m.png)).convert("L"))
    h, w = image.shape
    x, y = w // 2 + 7, h // 2 - 6  # where _feature puts the label of the centre point
    drawn = _ink(lambda d: draw_label(d, (0, 0), SCHOOL, 0), size=(120, 24))
    patch = image[y : y + 24, x : x + 120]
    ink = drawn < 128
    assert ink.sum() > 50 and (patch[ink] < 128).mean() > 0.9


def test_without_libraqm_arabic_is_drawn_reversed_in_the_arabic_font(monkeypatch):
    monkeypatch.setattr(map_labels, "RAQM", False)
    map_labels.fonts.cache_clear()
    try:
        latin, arabic = fonts()
        got = _ink(lambda d: draw_label(d, (4, 4), SCHOOL, 0))
        baseline = 4 + max(latin.getmetrics()[0], arabic.getmetrics()[0])
        want = _ink(lambda d: d.text((4, baseline), SCHOOL[::-1], fill=0, font=arabic,
                                     anchor="ls"))  # fmt: skip
        assert np.array_equal(got, want) and (got < 128).sum() > 50
    finally:
        map_labels.fonts.cache_clear()
