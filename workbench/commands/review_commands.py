"""``geoworkbench review CASE --target KIND:ID --status reviewed|disputed [--note T] --by NAME``
and ``geoworkbench reviews CASE``.

The case is opened with ``--by`` as its analyst, so the audit row of the review carries the
reviewer's name (``workbench.review``). A dispute without a note, an unknown target, or a
review by the analyst who made the target is refused in one line; nothing is written.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

from workbench.commands.output import add_json_flag, print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "review",
        help="sign off a hypothesis, observation or figure as a second analyst",
        description="Mark a hypothesis, an observation or a figure as reviewed, or disputed "
        "with a note; audited under the reviewer's name.",
    )
    p.add_argument("case", type=Path, help="the case folder (NAME.gwcase)")
    p.add_argument("--target", required=True, metavar="KIND:ID",
                   help="hypothesis:ID, observation:ID or figure:ID")  # fmt: skip
    p.add_argument("--status", required=True, choices=("reviewed", "disputed"))
    p.add_argument("--note", default="", help="what was checked, or what is wrong")
    p.add_argument("--by", required=True, metavar="NAME", help="the reviewer")
    add_json_flag(p)
    p.set_defaults(func=run_review)

    p = subparsers.add_parser("reviews", help="list the case's reviews, where each target stands")
    p.add_argument("case", type=Path, help="the case folder (NAME.gwcase)")
    add_json_flag(p)
    p.set_defaults(func=run_reviews)


def run_review(args: argparse.Namespace) -> int:
    from workbench.case import open_case
    from workbench.review import add_review, parse_target, reviews_of

    kind, target_id = parse_target(args.target)
    with open_case(args.case, analyst=args.by.strip()) as case:
        case.require_current_schema("reviews")
        add_review(case, kind, target_id, args.status, args.note).result()
        review = reviews_of(case.read(), kind, target_id)[-1]
        seq, head = case.audit_head()
    if args.json:
        print_json({**asdict(review), "audit_head": f"{seq}:{head}"})
    else:
        print(f"{review.id}\t{kind}:{target_id}\t{review.status}\t{review.reviewer}")
    return 0


def run_reviews(args: argparse.Namespace) -> int:
    from workbench.case import open_case
    from workbench.review import reviews_for_report

    with open_case(args.case, read_only=True) as case:
        targets = reviews_for_report(case.read())
    if args.json:
        print_json([asdict(t) for t in targets])
        return 0
    for t in targets:
        print(f"{t.target_kind}:{t.target_id}\t{t.status}\t{t.reviewer}\t{t.label}")
    return 0
