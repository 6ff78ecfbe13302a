"""What an archive holds besides media, and what an analyst may mistype: a named pipe among
the files, a catalog inside the folder it catalogues, a catalog path that is a file or a
damaged catalog.json, a scheduler that does not answer. Each ends in one line naming the
path and the problem (exit 1), never a traceback, and never a hang."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest

from tests.synth.video import SynthSpec, textured, write_video
from workbench.archive import shards
from workbench.archive.catalog import Catalog
from workbench.archive.engine import collect_sources, run_triage
from workbench.archive.task import triage_file
from workbench.cli import main


def _clip(path: Path) -> Path:
    spec = SynthSpec(frames=6, fps=6, width_px=64, height_px=48)
    return write_video(path, spec, lambda i: textured(i, 64, 48, seed=5), barcode=False)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_named_pipe_is_an_error_row_and_does_not_block(tmp_path):
    pipe = tmp_path / "stream.mp4"
    os.mkfifo(pipe)
    catalog = shards.open_catalog(tmp_path / "catalog")
    outcome: dict = {}
    task = threading.Thread(target=lambda: outcome.update(triage_file(str(pipe), str(catalog))),
                            daemon=True)  # fmt: skip
    task.start()
    task.join(timeout=30)
    assert not task.is_alive(), "reading a named pipe blocked the task"
    assert outcome["status"] == "error" and "a named pipe" in outcome["error"]
    assert "stream.mp4" in outcome["error"]
    [row] = Catalog(catalog).errors()
    assert row["path"] == str(pipe) and "not a regular file" in row["error"]


def test_a_catalog_inside_the_archive_is_not_triaged_into_itself(tmp_path):
    _clip(tmp_path / "clip.mp4")
    catalog = tmp_path / "catalog"
    first = run_triage([tmp_path], catalog, workers=1)
    assert (first.sources, first.triaged) == (1, 1)
    assert collect_sources([tmp_path], catalog) == [str(tmp_path / "clip.mp4")]
    assert len(collect_sources([tmp_path])) > 1  # its keyframes and shards, without the rule


def _cli(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def test_mistakes_are_one_line_errors(tmp_path, capsys):
    _clip(tmp_path / "clip.mp4")
    (tmp_path / "a_file").write_text("not a folder")
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "catalog.json").write_text("{format: 1")
    older = tmp_path / "older"
    older.mkdir()
    (older / "catalog.json").write_text(json.dumps({"format": 0}))
    cases = [
        (("triage", str(tmp_path / "nowhere"), "--catalog", str(tmp_path / "c1")),
         "nowhere: no such file or folder"),
        (("triage", str(tmp_path / "clip.mp4"), "--catalog", str(tmp_path / "a_file")),
         "a_file is a file, not a catalog folder"),
        (("dupes", str(tmp_path / "nowhere")), "is not an archive catalog (no catalog.json)"),
        (("dupes", str(damaged)), "catalog.json: not a catalog's description"),
        (("dupes", str(older)), "is a catalog of format 0"),
        (("triage", str(tmp_path / "clip.mp4"), "--catalog", str(tmp_path / "c2"),
          "--scheduler", "no-port-here"), "the Dask scheduler at no-port-here cannot be reached"),
    ]  # fmt: skip
    for argv, said in cases:
        code, err = _cli(capsys, *argv)
        assert code == 1, argv
        assert f"geoworkbench {argv[0]}: error:" in err and said in err, (argv, err)
        assert len(err.strip().splitlines()) == 1, err


@pytest.mark.skipif(os.name != "posix", reason="a file name of raw bytes")
def test_a_name_that_is_not_utf8_is_catalogued_shown_escaped_and_imported(tmp_path):
    """Names from a ZIP made on another system are bytes, not UTF-8: the run records them
    (shown with \\xNN escapes) and an import finds the file by its real name."""
    from workbench.archive.into_case import import_from_catalog
    from workbench.case import create_case

    folder = tmp_path / "archive"
    folder.mkdir()
    name = os.fsdecode(b"\xd0\xe0\xea\xe5\xf2\xe0.mp4")  # "Ракета" in cp1251
    _clip(folder / name)
    catalog = tmp_path / "catalog"
    summary = run_triage([folder], catalog, workers=1)
    assert (summary.triaged, summary.errors) == (1, 0)
    [row] = Catalog(catalog).files()
    assert row["paths"] == [str(folder / "\\xd0\\xe0\\xea\\xe5\\xf2\\xe0.mp4")]
    case = create_case(tmp_path / "c.gwcase")
    try:
        got = import_from_catalog(case, catalog, [row["sha256"]])
        assert not got.refused and len(got.imported) == 1
        stored = case.read().execute("SELECT sha256 FROM evidence").fetchone()[0]
        assert stored == row["sha256"]
    finally:
        case.close()


def test_a_task_that_cannot_finish_is_an_error_and_the_run_goes_on(tmp_path):
    """One file's task raises (here: its catalog row cannot be written, a folder stands
    where the row's file goes): the run ends, the others are triaged, the file is named."""
    folder = tmp_path / "archive"
    folder.mkdir()
    for n in range(3):
        spec = SynthSpec(frames=6 + n, fps=6, width_px=64, height_px=48)
        write_video(folder / f"c{n}.mp4", spec, lambda i, s=n: textured(i, 64, 48, seed=s),
                    barcode=False)  # fmt: skip
    catalog = shards.open_catalog(tmp_path / "catalog")
    blocked = str(folder / "c1.mp4")
    (shards.paths_shard(catalog, blocked)).mkdir(parents=True)
    summary = run_triage([folder], catalog, workers=1)
    assert (summary.triaged, summary.errors) == (2, 1)
    [(path, error)] = summary.failed
    assert path == blocked and error.startswith("the task did not finish")
    assert len(Catalog(catalog).files()) == 3  # its content was written before its row


@pytest.mark.skipif(os.name != "posix", reason="a file name of raw bytes")
def test_a_broken_file_with_a_name_that_is_not_utf8_keeps_its_error(tmp_path, capsys):
    """Its error names it, so the error holds the name's bytes too: the row keeps the real
    error (escaped like the path), with the size and time that let --resume skip it."""
    folder = tmp_path / "archive"
    folder.mkdir()
    data = _clip(tmp_path / "whole.mp4").read_bytes()
    broken = folder / os.fsdecode(b"\xd0\xe0broken.mp4")
    broken.write_bytes(data[: len(data) // 3])
    catalog = tmp_path / "catalog"
    code = main(["triage", str(folder), "--catalog", str(catalog), "--workers", "1"])
    out = capsys.readouterr().out
    assert code == 1 and "\\xd0\\xe0broken.mp4" in out and "Error" in out
    [row] = Catalog(catalog).errors()
    assert "\\xd0\\xe0broken.mp4" in row["error"] and "did not finish" not in row["error"]
    again = run_triage([folder], catalog, workers=1, resume=True)
    assert (again.skipped, again.done) == (1, 0)


def test_a_failed_task_does_not_fail_the_copies_that_waited_for_it(tmp_path):
    """Files of equal size wait for each other (a copy then finds its content); when the
    first one's task fails, Dask fails those waiting for it unrun. They are submitted again
    without it, so each copy is still triaged."""
    folder = tmp_path / "archive"
    folder.mkdir()
    clip = _clip(folder / "a.mp4")
    for name in ("b.mp4", "c.mp4"):
        shutil.copyfile(clip, folder / name)  # the same bytes, the same size: one chain
    catalog = shards.open_catalog(tmp_path / "catalog")
    (shards.paths_shard(catalog, str(clip))).mkdir(parents=True)  # a.mp4's row cannot be written
    summary = run_triage([folder], catalog, workers=1)
    assert [p for p, _ in summary.failed] == [str(clip)]
    assert summary.errors == 1 and summary.triaged + summary.seen == 2
    rows = {r["path"]: r for r in Catalog(catalog).query("SELECT path, status FROM paths")}
    assert {rows[str(folder / n)]["status"] for n in ("b.mp4", "c.mp4")} == {"ok"}
