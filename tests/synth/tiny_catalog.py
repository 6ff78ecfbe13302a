"""A tiny archive catalog for the Archive window's and the import's tests: an original clip
with a downloader's record, its mirrored re-upload (one near-duplicate group), and an
unrelated taller clip with a cut, triaged in-process (``triage_file``, no cluster)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.synth.video import SynthSpec, textured, write_video
from tests.synth.video_variants import mirrored, read_frames
from tests.synth.video_variants import write_video as write_frames

UPLOAD = {
    "id": "abc", "extractor": "youtube", "webpage_url": "https://youtu.be/abc",
    "timestamp": 1477474620, "uploader": "Archive Uploader", "title": "Strike, first upload",
}  # fmt: skip


@dataclass(frozen=True)
class TinyCatalog:
    folder: Path
    original: Path  # 160x120, 4 s, with an .info.json
    mirror: Path  # the original mirrored, re-encoded
    other: Path  # 320x240, 4 s, a hard cut at 2 s


def _cut_scene(width: int, height: int):
    def scene(i: int) -> np.ndarray:
        return textured(i, width, height, seed=5 if i < 40 else 9)

    return scene


def build_tiny_catalog(root: Path) -> TinyCatalog:
    """Write the three clips under ``root/media`` and triage them into ``root/catalog``."""
    from workbench.archive import shards
    from workbench.archive.task import triage_file

    media = root / "media"
    media.mkdir(parents=True)
    original = write_video(
        media / "strike.mp4", SynthSpec(frames=40, fps=10), lambda i: textured(i, seed=1),
        barcode=False,
    )  # fmt: skip
    (media / "strike.info.json").write_text(json.dumps(UPLOAD), encoding="utf-8")
    mirror = write_frames(media / "strike_mirrored.mp4", mirrored(read_frames(original)), fps=10)
    other = write_video(
        media / "other.mp4", SynthSpec(frames=80, fps=20, width_px=320, height_px=240),
        _cut_scene(320, 240), barcode=False,
    )  # fmt: skip
    folder = shards.open_catalog(root / "catalog")
    for path in (original, mirror, other):
        triage_file(str(path), str(folder))
    return TinyCatalog(folder, original, mirror, other)
