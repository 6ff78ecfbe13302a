"""``geoworkbench osm-search EXTRACT --find KEY=VALUE [--near KEY=VALUE:METRES]... [--json]``.

Candidate places in a local OpenStreetMap extract (``.osm.pbf`` or ``.osm``): every feature
matching ``--find``, ranked by the ``--near`` constraints it meets and how close
(``analysis.osm.search``). A term may join conditions with ``+``
(``amenity=place_of_worship+religion=muslim``) and take any value with ``KEY=*``. The index of
the extract is built once and cached (keyed by its SHA-256): in the case's ``derived/osm/``
with ``--case`` (which also stores the search, audited), in ``--cache DIR``, or in the user's
cache. Exit 0 with candidates, 1 with none or an unreadable extract, 2 for a malformed query.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from workbench.commands.output import add_json_flag, print_json


def _box(text: str) -> tuple[float, float, float, float]:
    try:
        s, w, n, e = (float(v) for v in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"box {text!r} must be S,W,N,E in degrees") from None
    if not (-90 <= s < n <= 90 and -180 <= w < e <= 180):
        raise argparse.ArgumentTypeError(f"box {text!r}: need S < N and W < E, in range")
    return s, w, n, e


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "osm-search",
        help="candidate places in an OpenStreetMap extract from tagged features near each other",
        description="Rank the features matching --find by the --near constraints they meet.",
    )
    p.add_argument("extract", type=Path, help="an .osm.pbf or .osm extract")
    p.add_argument("--find", required=True, metavar="KEY=VALUE", help="what the place is")
    p.add_argument(
        "--near",
        action="append",
        default=[],
        metavar="KEY=VALUE:METRES",
        help="a feature of this kind within METRES; repeat",
    )
    p.add_argument("--bbox", type=_box, metavar="S,W,N,E", help="only candidates in this box")
    p.add_argument("--limit", type=int, default=20, help="how many candidates (default 20)")
    p.add_argument("--cache", type=Path, metavar="DIR", help="where the index is kept")
    p.add_argument("--case", type=Path, help="store the search in this case (derived/osm/)")
    add_json_flag(p)
    p.set_defaults(func=cmd_osm_search)


def cmd_osm_search(args: argparse.Namespace) -> int:
    from analysis.osm.search import OsmQueryError
    from workbench.osm.run import OsmQuery, outcome_json, run_search

    try:
        query = OsmQuery.parse(args.find, args.near, args.bbox, args.limit)
    except OsmQueryError as exc:
        print(f"geoworkbench osm-search: {exc}", file=sys.stderr)
        return 2
    if args.case is not None:
        return _in_case(args, query)
    outcome = run_search(args.extract, query, args.cache)
    _show(outcome_json(outcome), args)
    return 0 if outcome.candidates else 1


def _in_case(args: argparse.Namespace, query: Any) -> int:
    from workbench.case import open_case
    from workbench.osm.index import case_cache_dir
    from workbench.osm.run import outcome_json, run_search
    from workbench.osm.store import add_search

    with open_case(args.case) as case:
        outcome = run_search(args.extract, query, case_cache_dir(case.derived_dir))
        report = outcome_json(outcome)
        report["observation_id"] = add_search(case, outcome).result()
    _show(report, args)
    return 0 if outcome.candidates else 1


def _show(report: dict[str, Any], args: argparse.Namespace) -> None:
    if args.json:
        print_json(report)
        return
    how = "built" if report["index_built"] else "from the cache"
    print(
        f"{report['anchors_total']} features match {report['query']['find']}; index {how} "
        f"({report['index_features']:,} features, {report['index_s']:.2f} s), search "
        f"{report['query_s'] * 1000:.0f} ms"
    )
    for rank, c in enumerate(report["candidates"], start=1):
        name = c["anchor"]["tags"].get("name", "")
        print(
            f"#{rank} {c['lat']:.6f}, {c['lon']:.6f}  score {c['score']:.2f}  "
            f"{c['anchor']['type']} {c['anchor']['id']} {name}".rstrip()
        )
        for m in c["matches"]:
            f = m["feature"]
            if f is None:
                print(f"   {m['constraint']}: none")
                continue
            what = " ".join(filter(None, (f["type"], str(f["id"]), f["tags"].get("name"))))
            print(f"   {m['constraint']}: {what} at {m['distance_m']:.0f} m")
