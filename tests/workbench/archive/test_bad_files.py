"""A folder of 200 files of mixed kinds, broken ones among them: every file is accounted
for in the catalog (a row, or an error row naming the file), and nothing raises."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
from PIL import Image

from tests.synth.media_factory import make_png_bomb_header
from tests.synth.video import SynthSpec, textured, write_video
from workbench.archive import shards
from workbench.archive.catalog import Catalog
from workbench.archive.engine import collect_sources
from workbench.archive.task import triage_file

BROKEN = Path(__file__).resolve().parents[2] / "data" / "media" / "photos" / "broken"


def _mixed_folder(root: Path) -> dict[str, str]:
    """200 files; returns name -> what it is ("ok" or the kind of damage)."""
    rng = np.random.default_rng(19)
    kinds: dict[str, str] = {}
    spec = SynthSpec(frames=8, fps=8, width_px=64, height_px=48)
    for n in range(25):
        write_video(root / f"v{n:03}.mp4", spec, lambda i, s=n: textured(i, 64, 48, seed=s),
                    barcode=False)  # fmt: skip
        kinds[f"v{n:03}.mp4"] = "ok"
    for n in range(40):
        Image.fromarray(rng.integers(0, 255, (24, 32, 3), dtype=np.uint8)).save(root / f"p{n}.jpg")
        kinds[f"p{n}.jpg"] = "ok"
    data = (root / "v000.mp4").read_bytes()
    for n in range(40):
        (root / f"cut{n}.mp4").write_bytes(data[: int(len(data) * (n + 1) / 45)])
        kinds[f"cut{n}.mp4"] = "truncated"
    for n in range(30):
        (root / f"noise{n}.mov").write_bytes(rng.integers(0, 256, 2000, dtype=np.uint8).tobytes())
        kinds[f"noise{n}.mov"] = "noise"
    for n in range(20):
        (root / f"empty{n}.mp4").write_bytes(b"")
        kinds[f"empty{n}.mp4"] = "empty"
    for n in range(20):
        (root / f"text{n}.txt").write_text("<script>alert(1)</script>\n" * n, encoding="utf-8")
        kinds[f"text{n}.txt"] = "text"
    for n in range(10):
        make_png_bomb_header(root / f"bomb{n}.png")
        kinds[f"bomb{n}.png"] = "bomb"
    extra = sorted(p for p in BROKEN.iterdir() if p.is_file())
    for n in range(200 - len(kinds)):
        src = extra[n % len(extra)]
        name = f"broken{n}{src.suffix}"
        shutil.copyfile(src, root / name)
        kinds[name] = "broken photo"
    return kinds


def test_two_hundred_mixed_files_are_all_accounted_for(tmp_path):
    root = tmp_path / "mixed"
    root.mkdir()
    kinds = _mixed_folder(root)
    assert len(kinds) == 200
    catalog = shards.open_catalog(tmp_path / "catalog")
    outcomes = [triage_file(p, str(catalog)) for p in collect_sources([root])]
    assert len(outcomes) == 200
    cat = Catalog(catalog)
    assert cat.counts()["paths"] == 200
    by_name = {Path(r["path"]).name: r for r in cat.query("SELECT * FROM paths")}
    for name, kind in kinds.items():
        row = by_name[name]
        if kind == "ok":
            assert row["status"] == "ok", (name, row["error"])
        elif kind in ("truncated", "noise", "empty", "text", "bomb"):
            assert row["status"] == "error", name
            assert row["error"] and "Traceback" not in row["error"], name
            assert "unexpected" not in row["error"], (name, row["error"])  # a typed refusal
    ok = [o for o in outcomes if o["status"] != "error"]
    assert len(ok) >= 65 and cat.counts()["contents"] == len({o["sha256"] for o in ok})
