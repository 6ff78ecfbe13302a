"""``geoworkbench scenario OUT_DIR [--seed N] [--quick] [--force] [--json]``.

Writes a synthetic strike scenario into OUT_DIR: two videos (the rooftop one with an edit cut
and a descending object), a drone still of the school, a geotagged reference photo of the
water tower, a "satellite" orthophoto (JPEG and a dated GeoTIFF), an elevation GeoTIFF, the
town as an OpenStreetMap file, and ``truth.json`` with every fact of the scene. The
generator (numpy, OpenCV, PyAV) is imported inside the handler so that
``geoworkbench --help`` stays fast. Exit 0 on success, 1 if a file could not be written,
2 if OUT_DIR is an existing file. OUT_DIR may not be in a case's evidence/, and scenario files
already there are replaced only with ``--force``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.commands.output import add_force_flag, add_json_flag, print_json

if TYPE_CHECKING:
    from workbench.scenario import ScenarioConfig


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``scenario`` subcommand."""
    p = subparsers.add_parser(
        "scenario",
        help="write a synthetic strike scenario (videos, photos, truth.json) into a folder",
        description="Render the synthetic test scene with exact ground truth: two videos, a "
        "drone still, a geotagged reference photo, an orthophoto and truth.json.",
    )
    p.add_argument("out_dir", type=Path, metavar="OUT_DIR", help="folder to write into")
    p.add_argument(
        "--seed",
        type=int,
        default=None,
        help="random seed (same seed, same truth; default: the sample case's, as in demo)",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="small sizes for a fast look (480x270 videos, small photos)",
    )
    add_force_flag(p)
    add_json_flag(p)
    p.set_defaults(func=cmd_scenario)


def _quick_config() -> ScenarioConfig:
    from workbench.scenario import ScenarioConfig

    return ScenarioConfig(
        rooftop_size=(480, 270),
        second_size=(480, 270),
        still_size=(512, 384),
        photo_size=(640, 480),
    )


def cmd_scenario(args: argparse.Namespace) -> int:
    """Generate the scenario into ``args.out_dir``; returns the exit code."""
    out_dir: Path = args.out_dir
    if out_dir.exists() and not out_dir.is_dir():
        print(
            f"geoworkbench scenario: error: {out_dir} exists and is not a folder", file=sys.stderr
        )
        return 2
    from workbench.jobs import TerminalProgress
    from workbench.output_guard import check_output_folder, check_outputs
    from workbench.scenario import DEFAULT_SEED, generate_scenario
    from workbench.scenario.generate import FILE_NAMES

    check_output_folder(out_dir)
    check_outputs((out_dir / name for name in FILE_NAMES.values()), replace=args.force)
    started = time.perf_counter()
    try:
        result = generate_scenario(
            out_dir,
            seed=DEFAULT_SEED if args.seed is None else args.seed,
            config=_quick_config() if args.quick else None,
            progress=TerminalProgress(),
        )
    except OSError as exc:
        print(f"geoworkbench scenario: error: cannot write into {out_dir}: {exc}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    if args.json:
        print_json(
            {
                "out_dir": str(result.out_dir),
                "seed": result.seed,
                "truth": str(result.truth_path),
                "elapsed_s": round(elapsed, 3),
                "files": [
                    {
                        "role": f.role,
                        "path": str(f.path),
                        "media_type": f.media_type,
                        "size_bytes": f.path.stat().st_size,
                    }
                    for f in result.files
                ],
            }
        )
    else:
        print(f"scenario (seed {result.seed}) written to {result.out_dir} in {elapsed:.1f} s")
        for f in result.files:
            print(f"  {f.role:<22} {f.path.name}")
    return 0
