"""A small archive folder with known content: clips, a byte-identical copy, a re-encode, a
still, and files that are not media or are broken."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from tests.synth.video import SynthSpec, textured, write_video
from tests.synth.video_variants import read_frames
from tests.synth.video_variants import write_video as write_frames
from workbench.archive.catalog import Catalog
from workbench.archive.engine import run_triage

DATA = Path(__file__).resolve().parents[2] / "data" / "media"


def _clip(path: Path, seed: int, frames: int = 40) -> Path:
    spec = SynthSpec(frames=frames, fps=10, width_px=160, height_px=120)
    return write_video(path, spec, lambda i: textured(i, 160, 120, seed=seed), barcode=False)


@pytest.fixture(scope="session")
def archive_folder(tmp_path_factory) -> Path:
    """clip_a, clip_b, clip_c; copy_of_a (same bytes), a_reencoded (same footage, other
    bytes); a JPEG still; notes.txt; broken.mp4 (a truncated clip); empty.mp4."""
    root = tmp_path_factory.mktemp("archive")
    a = _clip(root / "clip_a.mp4", seed=1)
    _clip(root / "clip_b.mp4", seed=2)
    _clip(root / "sub" / "clip_c.mp4", seed=3) if (root / "sub").mkdir() is None else None
    shutil.copyfile(a, root / "sub" / "copy_of_a.mp4")
    write_frames(root / "a_reencoded.mp4", read_frames(a), fps=10, bitrate=150_000)
    shutil.copyfile(DATA / "photos" / "gps" / "DSCN0010.jpg", root / "still.jpg")
    (root / "notes.txt").write_text("not a video\n", encoding="utf-8")
    data = a.read_bytes()
    (root / "broken.mp4").write_bytes(data[: len(data) // 3])
    (root / "empty.mp4").write_bytes(b"")
    (root / ".hidden.mp4").write_bytes(np.zeros(10, np.uint8).tobytes())  # skipped: hidden
    return root


CONTENT = {
    "files": "SELECT * EXCLUDE (software) FROM files ORDER BY sha256",
    "hashes": "SELECT * FROM hashes ORDER BY sha256, sample",
    "paths": "SELECT path, sha256, size_bytes, mtime_ns, status, error FROM paths ORDER BY path",
}


def content(catalog: Path) -> dict[str, list[dict]]:
    cat = Catalog(catalog)
    return {name: cat.query(sql) for name, sql in CONTENT.items()}


@pytest.fixture(scope="module")
def uninterrupted(archive_folder, tmp_path_factory) -> Path:
    catalog = tmp_path_factory.mktemp("whole") / "catalog"
    summary = run_triage([archive_folder], catalog, workers=1)
    assert (summary.triaged, summary.seen, summary.errors) == (5, 1, 3)
    return catalog
