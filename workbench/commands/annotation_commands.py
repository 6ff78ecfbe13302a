"""``geoworkbench annotate CASE EVIDENCE --frame N (--point X,Y | --line X0,Y0,X1,Y1 | --arrow
X0,Y0,X1,Y1 | --box X0,Y0,X1,Y1 | --polygon X,Y,X,Y,X,Y,... | --text X,Y) [--label T]`` adds an
annotation to a frame (pixels of the upright frame, origin top-left); ``geoworkbench annotations
CASE EVIDENCE [--frame N] [--delete ID]`` lists them (or deletes one). Both audited through the
case's writer (``workbench.annotations``). Heavy modules are imported in the handlers.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.commands.output import add_json_flag, print_json

SHAPES = ("point", "line", "arrow", "box", "polygon", "text")


def _numbers(text: str) -> list[tuple[float, float]]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of numbers X,Y,...") from exc
    if len(values) % 2:
        raise argparse.ArgumentTypeError(f"{text!r}: give x,y pairs (an even count of numbers)")
    return list(zip(values[::2], values[1::2], strict=True))


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("annotate", help="add an annotation to a frame of a video evidence")
    p.add_argument("case", type=Path)
    p.add_argument("evidence", help="evidence id or a sha256 prefix (6+ characters)")
    p.add_argument("--frame", type=int, required=True, metavar="N", help="0-based frame index")
    shape = p.add_mutually_exclusive_group(required=True)
    for kind in SHAPES:
        shape.add_argument(f"--{kind}", type=_numbers, metavar="X,Y,...",
                           help=f"a {kind}: its points in frame pixels")  # fmt: skip
    p.add_argument("--label", default="", help="its label (a --text's words)")
    add_json_flag(p)
    p.set_defaults(func=cmd_annotate)
    q = subparsers.add_parser("annotations", help="the annotations of a video evidence")
    q.add_argument("case", type=Path)
    q.add_argument("evidence", help="evidence id or a sha256 prefix (6+ characters)")
    q.add_argument("--frame", type=int, metavar="N", help="only this frame's")
    q.add_argument("--delete", type=int, metavar="ID", help="delete annotation ID (audited)")
    add_json_flag(q)
    q.set_defaults(func=cmd_annotations)


def cmd_annotate(args: argparse.Namespace) -> int:
    from workbench.annotations import add_annotation, get_annotation
    from workbench.case import open_case
    from workbench.case.evidence import find_evidence
    from workbench.frame_table_store import load_or_build_frame_table, video_evidence
    from workbench.jobs import TerminalProgress

    kind = next(k for k in SHAPES if getattr(args, k) is not None)
    with open_case(args.case) as case:
        e = find_evidence(case.read(), args.evidence)
        video_evidence(case, e.id)
        load_or_build_frame_table(case, e.id, progress=TerminalProgress())
        new_id = add_annotation(
            case, e.id, args.frame, kind, getattr(args, kind), args.label
        ).result()
        a = get_annotation(case.read(), new_id)
    if args.json:
        print_json(a.record() | {"evidence_sha256": e.sha256})
    else:
        print(f"annotation {a.id}: {a.kind} on frame {a.frame_index} (md5 {a.frame_md5})")
    return 0


def cmd_annotations(args: argparse.Namespace) -> int:
    from workbench.annotations import delete_annotation, get_annotation, list_annotations
    from workbench.annotations.shapes import AnnotationError
    from workbench.case import open_case
    from workbench.case.evidence import find_evidence

    with open_case(args.case, read_only=args.delete is None) as case:
        e = find_evidence(case.read(), args.evidence)
        if args.delete is not None:
            if get_annotation(case.read(), args.delete).evidence_id != e.id:
                raise AnnotationError(f"annotation {args.delete} is not on evidence {e.id}")
            delete_annotation(case, args.delete).result()
        found = list_annotations(case.read(), e.id, args.frame)
    if args.json:
        print_json({"evidence_sha256": e.sha256, "annotations": [a.record() for a in found]})
    else:
        for a in found:
            pts = " ".join(f"{x:g},{y:g}" for x, y in a.shape.points)
            print(f"{a.id:>5}  frame {a.frame_index:>6}  {a.kind:<8} {pts}  {a.label}")
        print(f"{len(found)} annotation(s)" + (f"; deleted {args.delete}" if args.delete else ""))
    return 0
