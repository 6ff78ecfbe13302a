"""``geoworkbench hypotheses CASE [--json]`` and ``geoworkbench hypothesis CASE --title T ...``.

List a case's hypotheses, or add one (``workbench.hypotheses``: validated, with its audit row;
exit 1 for a value the case refuses or a case another process holds).
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

from workbench.commands.output import add_json_flag, print_json


def _lat_lon(text: str) -> tuple[float, float]:
    try:
        lat, lon = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not LAT,LON (two numbers)") from None
    return lat, lon


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("hypotheses", help="list the case's hypotheses")
    p.add_argument("case", type=Path, help="the case folder (NAME.gwcase)")
    add_json_flag(p)
    p.set_defaults(func=run_list)

    p = subparsers.add_parser(
        "hypothesis",
        help="add a hypothesis (a claimed location) to a case",
        description="Add a claimed location with its radius, confidence and rationale.",
    )
    p.add_argument("case", type=Path, help="the case folder (NAME.gwcase)")
    p.add_argument("--title", required=True, help="what is claimed")
    p.add_argument(
        "--at",
        type=_lat_lon,
        metavar="LAT,LON",
        help="the claimed place (write --at=-33.9,18.4 when the latitude is negative)",
    )
    p.add_argument("--radius", type=float, metavar="M", help="how far off it may be, metres")
    p.add_argument(
        "--confidence", default="", choices=("low", "medium", "high"), help="if assessed"
    )
    p.add_argument("--rationale", default="", help="who claims it and on what grounds")
    p.add_argument("--time-from", metavar="ISO8601", help="when (with its zone), or from when")
    p.add_argument("--time-to", metavar="ISO8601", help="until when (with its zone)")
    p.add_argument(
        "--observation", type=int, action="append", default=[], metavar="ID",
        help="an observation behind it (repeat for more)",
    )  # fmt: skip
    add_json_flag(p)
    p.set_defaults(func=run_add)


def run_list(args: argparse.Namespace) -> int:
    from workbench.case import open_case
    from workbench.hypotheses import list_hypotheses

    with open_case(args.case, read_only=True) as case:
        case.require_current_schema("hypotheses")
        claims = list_hypotheses(case.read())
    if args.json:
        print_json([asdict(h) for h in claims])
        return 0
    for h in claims:
        place = f"{h.lat_deg:.6f}, {h.lon_deg:.6f}" if h.lat_deg is not None else "no place"
        radius = f" ± {h.radius_m:g} m" if h.radius_m else ""
        confidence = f" [{h.confidence}]" if h.confidence else ""
        print(f"{h.id}\t{h.title}\t{place}{radius}{confidence}\t{h.rationale}")
    return 0


def run_add(args: argparse.Namespace) -> int:
    from workbench.case import open_case
    from workbench.hypotheses import add_hypothesis, get_hypothesis

    lat, lon = args.at if args.at is not None else (None, None)
    with open_case(args.case) as case:
        new_id = add_hypothesis(
            case,
            args.title,
            lat,
            lon,
            radius_m=args.radius,
            confidence=args.confidence,
            rationale=args.rationale,
            time_from=args.time_from,
            time_to=args.time_to,
            observation_ids=tuple(args.observation),
        ).result()
        record = get_hypothesis(case.read(), new_id)
    if args.json:
        print_json(asdict(record))
    else:
        print(f"added hypothesis {new_id}: {record.title}")
    return 0
