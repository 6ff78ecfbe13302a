"""Matching subcommands: ``match`` (two images, or a box of one found in the other) and
``continuity`` (consecutive segments of a video).

``geoworkbench match A B [--roi X,Y,W,H] [--method sift|akaze|orb] [--figure OUT.png [--force]]
[--as-of UTC] [--json]`` prints the homography (3x3, maps A's pixels onto B's), inliers, zoom
ratio (B's scale relative to A), rotation, overlap and the verdict; with ``--roi`` it also
prints where the box lies in B. ``--figure`` writes the figure and its provenance sidecar
``OUT.png.json`` (``workbench.provenance``).
``geoworkbench continuity VIDEO [--json]``: segments (analysis.video.cuts) and, for each pair of
consecutive segments, the viewpoint verdict of analysis.matching.continuity.

Exit codes: 0 when the analysis ran (whatever the verdict: "no match" is a finding, reported
in the output), 1 when an input could not be used, 2 on a usage error. Heavy modules (OpenCV,
PyAV, numpy) are imported inside the handlers so that ``geoworkbench --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from workbench.commands.output import (
    add_as_of_flag,
    add_force_flag,
    add_json_flag,
    as_of_or_now,
    print_json,
)

KEYFRAMES_PER_SEGMENT = 3


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "match", help="match two images: homography, zoom ratio, overlap, verdict"
    )
    p.add_argument("image_a", type=Path, metavar="A")
    p.add_argument("image_b", type=Path, metavar="B")
    p.add_argument("--roi", type=_roi, metavar="X,Y,W,H", help="find this box of A in B")
    p.add_argument(
        "--method",
        choices=("sift", "akaze", "orb"),
        default="sift",
        help="feature method: sift (default), orb, or akaze where OpenCV has it "
        "(OpenCV 5: only with opencv-contrib-python-headless)",
    )
    p.add_argument(
        "--figure", type=Path, metavar="OUT.png", help="write the match figure (+ OUT.png.json)"
    )
    p.add_argument(
        "--viewpoint",
        action="store_true",
        help="also judge whether A and B were taken from one camera position (plane + "
        "parallax test), as the continuity check does for two segments",
    )
    add_force_flag(p)
    add_as_of_flag(p)
    add_json_flag(p)
    p.set_defaults(func=cmd_match)

    p = subparsers.add_parser(
        "continuity", help="segments of a video and the continuity of consecutive ones"
    )
    p.add_argument("video", type=Path)
    p.add_argument(
        "--method",
        choices=("sift", "akaze", "orb"),
        default="sift",
        help="feature method: sift (default), orb, or akaze where OpenCV has it "
        "(OpenCV 5: only with opencv-contrib-python-headless)",
    )
    add_json_flag(p)
    p.set_defaults(func=cmd_continuity)


def _roi(text: str) -> tuple[float, float, float, float]:
    parts = text.split(",")
    try:
        x, y, w, h = (float(v) for v in parts)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected X,Y,W,H (four numbers), got {text!r}") from exc
    if w <= 0 or h <= 0:
        raise argparse.ArgumentTypeError(f"the box needs a positive width and height: {text!r}")
    return x, y, w, h


def _sha256(path: Path) -> str:
    from workbench.provenance import file_sha256

    return file_sha256(path)


def _software() -> dict[str, Any]:
    from workbench import provenance

    return provenance.software(provenance.matcher_libraries()).to_dict()


def _figure_sidecar(
    args: argparse.Namespace, as_of: str, shas: tuple[str, str], quad: Any, result: Any
) -> Path:
    """Write the provenance of ``--figure`` next to it (``OUT.png.json``)."""
    from workbench import provenance
    from workbench.file_names import display_name

    names = (display_name(Path(args.image_a).name), display_name(Path(args.image_b).name))
    quad = None if quad is None else [[float(x), float(y)] for x, y in quad]
    record = provenance.build(
        as_of=as_of,
        software=provenance.software(provenance.matcher_libraries()),
        sources=[provenance.SourceFrame(sha, name) for sha, name in zip(shas, names, strict=True)],
        operations=[
            provenance.Operation("match", {"method": args.method, "roi_xywh": args.roi}),
            provenance.Operation("side_by_side", {"quad_b_px": quad}),
        ],
        outputs=[
            provenance.Output("side_by_side", display_name(args.figure.name), _sha256(args.figure))
        ],
        details={"verdict": result.verdict, "reason": result.reason},
    )
    return provenance.write_sidecar(args.figure, record)


def _progress() -> Any:
    from workbench.jobs import TerminalProgress

    return TerminalProgress()


def cmd_match(args: argparse.Namespace) -> int:
    from analysis.matching.engine import match_images
    from analysis.matching.figures import side_by_side
    from analysis.matching.io import read_image, write_image
    from analysis.matching.region import find_region

    if args.figure is not None:  # before any work: not into evidence/, not over a file
        from workbench.output_guard import check_outputs
        from workbench.provenance import sidecar_path

        check_outputs([args.figure, sidecar_path(args.figure)], replace=args.force)
    as_of = as_of_or_now(args)  # read once, here at the boundary (or given with --as-of)
    a = read_image(args.image_a)
    b = read_image(args.image_b)
    h, w = a.shape[:2]
    region = None
    if args.roi is not None:
        x, y, rw, rh = args.roi
        if x < 0 or y < 0 or x + rw > w or y + rh > h:
            msg = f"geoworkbench match: error: --roi {args.roi} lies outside A ({w}x{h})"
            print(msg, file=sys.stderr)
            return 2
        region = find_region(a, args.roi, b, method=args.method, progress=_progress())
    result = match_images(a, b, method=args.method, progress=_progress())
    quad = None if region is None else region.quad_b_px
    if args.figure is not None:
        write_image(args.figure, side_by_side(a, b, result, quad_b_px=quad))
    out = result.to_dict()
    shas = (_sha256(args.image_a), _sha256(args.image_b))
    out["image_a"] = {"path": str(args.image_a), "sha256": shas[0]}
    out["image_b"] = {"path": str(args.image_b), "sha256": shas[1]}
    out["overlap"] = {"a_frac": result.overlap_a_frac, "b_frac": result.overlap_b_frac}
    out["region"] = None if region is None else region.to_dict()
    out["figure"] = None if args.figure is None else str(args.figure)
    out["figure_sidecar"] = (
        None if args.figure is None else str(_figure_sidecar(args, as_of, shas, quad, result))
    )
    out["viewpoint"] = _viewpoint(a, b, args.method) if args.viewpoint else None
    out["algorithm"] = "analysis.matching.engine.match_images"
    out["software"] = _software()
    if args.json:
        print_json(out)
        return 0
    _print_match(args, out)
    return 0


def _viewpoint(a: Any, b: Any, method: str) -> dict[str, Any]:
    """The continuity verdict of the two pictures (``continuity.compare_frames``)."""
    from analysis.matching.continuity import compare_frames

    r = compare_frames(a, b, method=method, progress=_progress())
    return {
        "verdict": r.verdict,
        "reason": r.reason,
        "note": r.note,
        "zoom_ratio": r.zoom_ratio,
        "algorithm": "analysis.matching.continuity.compare_frames (plane + parallax test)",
    }


def _fmt(v: float | None, spec: str) -> str:
    return "-" if v is None else format(v, spec)


def _print_match(args: argparse.Namespace, out: dict[str, Any]) -> None:
    print(f"{args.image_a} -> {args.image_b}: {out['verdict']} ({out['reason']})")
    print(f"  matches {out['matches']}, inliers {out['inliers']}")
    print(
        f"  zoom ratio {_fmt(out['zoom_ratio'], '.4f')}, rotation "
        f"{_fmt(out['rotation_deg'], '.2f')} deg, overlap A {_fmt(out['overlap_a_frac'], '.1%')}"
        f", B {_fmt(out['overlap_b_frac'], '.1%')}"
    )
    if out["homography"] is not None:
        print("  homography (A pixels -> B pixels):")
        for row in out["homography"]:
            print("    " + "  ".join(f"{v: .6g}" for v in row))
    if out["region"] is not None:
        r = out["region"]
        print(f"  region: {r['verdict']} ({r['reason']})")
    if out.get("viewpoint") is not None:
        v = out["viewpoint"]
        print(f"  viewpoint: {v['verdict']} ({v['reason']}); {v['note']}")
        if r["quad_b_px"] is not None:
            print(
                "    corners in B: " + ", ".join(f"({x:.1f}, {y:.1f})" for x, y in r["quad_b_px"])
            )
    if out["figure"] is not None:
        print(f"  figure: {out['figure']}")


def _keyframes(reader: Any, seg: Any) -> list[Any]:
    """Up to KEYFRAMES_PER_SEGMENT frames spread inside a segment, as BGR arrays."""
    import cv2
    import numpy as np

    first, last = seg.first_frame, seg.last_frame
    idx = np.unique(np.linspace(first, last, KEYFRAMES_PER_SEGMENT + 2).round().astype(int)[1:-1])
    return [cv2.cvtColor(reader.frame_at(int(i)).image, cv2.COLOR_RGB2BGR) for i in idx]


def cmd_continuity(args: argparse.Namespace) -> int:
    from analysis.matching.continuity import compare_segments
    from analysis.video.cuts import detect_cuts
    from analysis.video.decode import VideoReader

    cuts = detect_cuts(args.video, progress=_progress())
    segs = list(cuts.segments)
    pairs = []
    with VideoReader(args.video) as reader:
        frames = [_keyframes(reader, s) for s in segs]
        for k in range(len(segs) - 1):
            res = compare_segments(frames[k], frames[k + 1], method=args.method)
            d = res.to_dict()
            d["segments"] = [k, k + 1]
            pairs.append(d)
    seg_out = [
        {"first_frame": s.first_frame, "last_frame": s.last_frame, "start_s": s.start_s,
         "end_s": s.end_s}
        for s in segs
    ]  # fmt: skip
    if args.json:
        print_json(
            {
                "video": str(args.video),
                "sha256": _sha256(args.video),
                "segments": seg_out,
                "continuity": pairs,
                "algorithm": "analysis.matching.continuity.compare_segments",
                "software": _software(),
            }
        )
        return 0
    print(f"{args.video}: {len(segs)} segments")
    for p in pairs:
        i, j = p["segments"]
        print(f"  segments {i} -> {j}: {p['verdict']} ({p['reason']})")
        print(
            f"    zoom ratio {_fmt(p['zoom_ratio'], '.3f')}, overlap "
            f"{_fmt(p['overlap_a_frac'], '.1%')}, NCC {_fmt(p['ncc'], '.3f')}"
        )
    if pairs:
        print(f"  note: {pairs[0]['note']}")
    return 0
