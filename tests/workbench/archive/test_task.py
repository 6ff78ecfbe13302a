"""The triage task, run in-process: facts, shards, one row per content, error rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.archive import shards
from workbench.archive.catalog import Catalog, Filters
from workbench.archive.engine import collect_sources
from workbench.archive.task import triage_file


@pytest.fixture(scope="module")
def catalog(archive_folder, tmp_path_factory) -> Path:
    folder = shards.open_catalog(tmp_path_factory.mktemp("cat") / "catalog")
    for path in collect_sources([archive_folder]):
        triage_file(path, str(folder))
    return folder


def test_every_file_has_a_row_or_an_error_row(archive_folder, catalog):
    paths = collect_sources([archive_folder])
    assert not any(Path(p).name.startswith(".") for p in paths)
    cat = Catalog(catalog)
    counts = cat.counts()
    assert counts["paths"] == len(paths) == 9
    errors = {Path(e["path"]).name: e["error"] for e in cat.errors()}
    assert set(errors) == {"notes.txt", "broken.mp4", "empty.mp4"}
    assert "notes.txt" in errors["notes.txt"] and "text" in errors["notes.txt"]
    assert all("Traceback" not in e for e in errors.values())


def test_one_content_seen_at_two_paths_is_one_row_with_two_paths(catalog):
    rows = Catalog(catalog).files()
    by_name = {Path(p).name: r for r in rows for p in r["paths"]}
    a = by_name["clip_a.mp4"]
    assert sorted(Path(p).name for p in a["paths"]) == ["clip_a.mp4", "copy_of_a.mp4"]
    assert len(rows) == 5  # a, b, c, the re-encode, the still
    assert by_name["a_reencoded.mp4"]["sha256"] != a["sha256"]


def test_facts_shots_and_hashes_are_stored(catalog):
    cat = Catalog(catalog)
    clip = next(r for r in cat.files(Filters(kind="video")) if r["width_px"] == 160)
    assert (clip["height_px"], clip["frame_count"], clip["cut_count"]) == (120, 40, 0)
    assert abs(clip["duration_s"] - 4.0) < 0.11
    assert json.loads(clip["segments_json"])[0]["first_frame"] == 0
    assert "file_name" not in json.loads(clip["metadata_json"])  # the row is the content's
    assert cat.keyframe(clip["sha256"], 0).stat().st_size > 500
    samples = cat.hash_arrays()[clip["sha256"]]
    assert len(samples["value"]) == 8  # every half second of 4 s
    still = cat.files(Filters(kind="image"))[0]
    assert still["earliest_time_utc"].startswith("2008-10-23T14:27:07")  # the GPS clock
    assert "gps" in still["earliest_time_basis"]


def test_filters_narrow_the_catalog(catalog):
    cat = Catalog(catalog)
    assert len(cat.files(Filters(min_duration_s=1.0))) == 4
    assert len(cat.files(Filters(has_cuts=True))) == 0
    assert len(cat.files(Filters(min_height_px=200))) == 1  # the still


def test_running_a_task_twice_changes_nothing(archive_folder, catalog):
    shard = shards.files_shard(catalog, Catalog(catalog).files()[0]["sha256"])
    before = shard.read_bytes()
    again = triage_file(str(archive_folder / "clip_a.mp4"), str(catalog))
    assert again["status"] == "seen"
    assert shard.read_bytes() == before
    assert Catalog(catalog).counts()["contents"] == 5


def test_a_folder_that_is_not_a_catalog_is_refused(tmp_path):
    (tmp_path / "something.txt").write_text("x")
    with pytest.raises(ValueError, match="not an archive catalog"):
        shards.open_catalog(tmp_path)
