"""``geoworkbench claim CASE ...``, ``claims CASE`` and ``timeline CASE``.

A claim is added with its audit row (``workbench.claims``); a time without a zone, an empty
text or an unknown verdict is refused in one line and nothing is written. The timeline lists
every dated event of the case on one UTC axis (``workbench.timeline``), with local time for
``--zone`` (an IANA name, or the case setting ``time_zone``).
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

from workbench.commands.output import add_json_flag, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "claim",
        help="add a claim (who said what, when, where) to a case",
        description="Add a claim in its own words and language, with its time (ISO 8601 "
        "with a zone: 2016-10-27T09:00:00+03:00), its source and a verdict.",
    )
    p.add_argument("case", type=Path, help="the case folder (NAME.gwcase)")
    p.add_argument("--text", required=True, help="the claim as stated, in its language")
    p.add_argument("--by", required=True, help="who made it")
    p.add_argument("--at", required=True, metavar="ISO8601", help="when, with its zone")
    p.add_argument("--source", default="", metavar="URL", help="where it was said")
    p.add_argument("--source-evidence", type=int, metavar="ID", help="an evidence id instead")
    p.add_argument("--language", default="", metavar="TAG", help="ar, ru, en...")
    p.add_argument("--translation", default="", help="a translation")
    p.add_argument(
        "--verdict", default="unverified", choices=("unverified", "supported", "refuted")
    )
    p.add_argument("--note", default="", help="why the verdict")
    add_json_flag(p)
    p.set_defaults(func=run_add)

    p = subparsers.add_parser("claims", help="list the case's claims and their verdicts")
    p.add_argument("case", type=Path, help="the case folder (NAME.gwcase)")
    add_json_flag(p)
    p.set_defaults(func=run_list)

    p = subparsers.add_parser("timeline", help="every dated event of the case on one UTC axis")
    p.add_argument("case", type=Path, help="the case folder (NAME.gwcase)")
    p.add_argument("--zone", metavar="IANA", help="the place's time zone (Asia/Damascus)")
    add_json_flag(p)
    p.set_defaults(func=run_timeline)


def run_add(args: argparse.Namespace) -> int:
    from workbench.case import open_case
    from workbench.claims import add_claim, get_claim

    with open_case(args.case) as case:
        case.require_current_schema("claim")
        new_id = add_claim(
            case,
            text=args.text,
            claimed_by=args.by,
            claimed_at=args.at,
            language=args.language,
            translation=args.translation,
            source_url=args.source,
            source_evidence_id=args.source_evidence,
            verdict=args.verdict,
            verdict_note=args.note,
        ).result()
        claim = get_claim(case.read(), new_id)
    if args.json:
        print_json(asdict(claim))
    else:
        print(f"{claim.id}\t{claim.claimed_at_utc}\t{claim.claimed_by}\t{claim.verdict}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from workbench.case import open_case
    from workbench.claims import list_claims

    with open_case(args.case, read_only=True) as case:
        case.require_current_schema("claims")
        claims = list_claims(case.read())
    if args.json:
        print_json([asdict(c) for c in claims])
        return 0
    for c in claims:
        source = c.source_url or (
            f"evidence {c.source_evidence_id}" if c.source_evidence_id else ""
        )
        print(f"{c.id}\t{c.claimed_at_utc}\t{c.claimed_by}\t[{c.verdict}]\t{c.text}\t{source}")
        if c.translation:
            print(f"\t\ttranslation: {c.translation}")
    return 0


def _zone(case, given: str | None) -> str | None:
    if given:
        return given
    from workbench.timeline import case_zone

    return case_zone(case.read())


def run_timeline(args: argparse.Namespace) -> int:
    from analysis.timekeeping.zones import zone
    from workbench.case import open_case
    from workbench.timeline import build_timeline, timeline_json

    if args.zone:
        zone(args.zone)  # refuse an unknown zone before opening anything
    with open_case(args.case, read_only=True) as case:
        case.require_current_schema("timeline")
        events = build_timeline(case.read(), zone_name=_zone(case, args.zone))
    if args.json:
        print_json(timeline_json(events))
        return 0
    for e in events:
        when = e.at_utc or "(no UTC time)"
        span = f" to {e.until_utc}" if e.until_utc else ""
        local = f" = {e.local_time}" if e.local_time else ""
        trust = f" [{e.clock}: {e.trust}]" if e.clock else ""
        print(f"{when}{span}{local}\t{e.kind}\t{e.label}{trust}\t{e.source}")
        if e.offset_flag:
            print(f"\t! {e.offset_flag}")
    return 0
