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
