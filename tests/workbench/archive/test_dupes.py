"""Near-duplicate groups of re-uploads made from real clips, against the truth of how each
was made: the groups, the likely original, and the differences named."""

from __future__ import annotations

from pathlib import Path

import cv2
import pytest

from tests.synth.video_variants import make_variants, read_frames
from workbench.archive import shards
from workbench.archive.catalog import Catalog
from workbench.archive.dupes import find_dupes
from workbench.archive.engine import collect_sources
from workbench.archive.task import triage_file

VIDEO = Path(__file__).resolve().parents[2] / "data" / "media" / "video"
SOURCES = {"street": "testvideo.mp4", "walkers": "vtest.avi"}
EXPECTED = {  # the variant's kind -> words its differences must hold
    "original": (), "bitrate-low": ("re-encoded",), "scaled": ("resized",),
    "cropped": ("cropped",), "letterboxed": ("letterboxed",), "mirrored": ("mirrored",),
    "logo": ("overlay",), "trimmed": ("trimmed",), "concatenated": ("joined",),
}  # fmt: skip


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("variants")
    clips = {}
    for name, file in SOURCES.items():
        frames = read_frames(VIDEO / file, max_frames=300)[60:185]  # 5 s, past any intro
        clips[name] = [cv2.resize(f, (320, 180), interpolation=cv2.INTER_AREA) for f in frames]
    made = {}
    for n, (name, frames) in enumerate(clips.items()):
        other = list(clips.values())[(n + 1) % len(clips)][:50]
        for v in make_variants(frames, name, root, filler=other, only=tuple(EXPECTED)):
            made[v.path.name] = (name, v.name.split(".", 1)[1])
    catalog = shards.open_catalog(tmp_path_factory.mktemp("cat") / "catalog")
    for path in collect_sources([root]):
        assert triage_file(path, str(catalog))["status"] == "triaged"
    return find_dupes(Catalog(catalog)), made


def test_each_source_is_one_group_and_nothing_else_joins_it(report):
    found, made = report
    groups = [{made[Path(m.paths[0]).name][0] for m in g.members} for g in found.groups]
    assert sorted(len(g.members) for g in found.groups) == [len(EXPECTED)] * len(SOURCES)
    assert all(len(g) == 1 for g in groups)  # no group mixes two sources


def test_the_original_is_the_copy_with_no_loss(report):
    found, made = report
    for group in found.groups:
        original = next(m for m in group.members if m.sha256 == group.original)
        assert made[Path(original.paths[0]).name][1] == "original"
        assert "no member states a time" in group.original_reason


def test_each_copy_is_described_by_what_was_done_to_it(report):
    found, made = report
    for group in found.groups:
        for member in group.members:
            kind = made[Path(member.paths[0]).name][1]
            text = "; ".join(member.differences)
            for word in EXPECTED[kind]:
                assert word in text, (kind, text)
            if kind in ("bitrate-low", "scaled", "original"):
                for word in ("cropped", "letterboxed", "mirrored", "overlay", "trimmed"):
                    assert word not in text, (kind, text)


def test_the_compilation_links_to_the_clip_it_borrowed_from(report):
    found, made = report
    source = {m.sha256: made[Path(m.paths[0]).name] for g in found.groups for m in g.members}
    borrowed = {(source[s.a][0], source[s.b][0]) for s in found.also_contains}
    assert ("street", "walkers") in borrowed or ("walkers", "street") in borrowed
    for s in found.also_contains:  # only compilations hold another group's footage
        assert "concatenated" in (source[s.a][1], source[s.b][1])


def _link(a_span, b_span, offset, speed=1.0):
    from analysis.archive.groups import SharedFootage

    n = int((a_span[1] - a_span[0]) / 0.5) + 1
    return SharedFootage("orig", "copy", False, speed, offset, n, a_span, b_span, 3.0)


def _facts(span):
    return {"footage_s": span[1] - span[0], "footage_span_s": span, "duration_s": span[1]}


@pytest.mark.parametrize(
    ("copy_span", "a_span", "b_span", "offset", "claims"),
    [
        # a cropped copy of a cloudy sky: only 6 of its 10 s matched, on the original's line
        ((0.0, 10.0), (0.5, 6.5), (0.5, 6.5), 0.0, []),
        # 4 s of another clip, then the original's first 6 s
        ((0.0, 10.0), (0.0, 6.0), (4.0, 10.0), 4.0,
         ["joined with 4.0 s of other footage",
          "trimmed: keeps 0.0-6.0 s of the original's 10.0 s"]),
        # the original's 1.5-7.5 s
        ((0.0, 6.0), (1.5, 7.5), (0.0, 6.0), -1.5,
         ["trimmed: keeps 1.5-7.5 s of the original's 10.0 s"]),
    ],
)  # fmt: skip
def test_joins_and_trims_need_the_time_line_as_well_as_unmatched_footage(
    copy_span, a_span, b_span, offset, claims
):
    from workbench.archive.dupes import _time_change

    link = _link(a_span, b_span, offset)
    assert _time_change(_facts((0.0, 10.0)), _facts(copy_span), link, True) == claims
    # stated from the copy's side, the same link turned round gives the same words
    turned = type(link)("copy", "orig", False, 1.0, -offset, link.matched_samples, b_span,
                        a_span, 3.0)  # fmt: skip
    assert _time_change(_facts((0.0, 10.0)), _facts(copy_span), turned, False) == claims


def test_a_logo_over_a_dark_opening_is_not_other_footage():
    """The original's first second is too dark to hash; the logo copy's is not: the copy's
    hashed stretch starts a second earlier, but over frames the original has."""
    from workbench.archive.dupes import _time_change

    orig = {"footage_s": 9.0, "footage_span_s": (1.0, 10.0), "duration_s": 10.0}
    link = _link((1.0, 7.0), (1.0, 7.0), 0.0)  # weak hashes: 6 s matched
    assert _time_change(orig, _facts((0.0, 10.0)), link, True) == []
