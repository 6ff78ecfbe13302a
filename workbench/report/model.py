"""What a report build returns, and the pieces its sections are made of."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ReportResult:
    """The written report and the integrity facts it states on its first page.

    Attributes:
        html_path: the report's HTML file.
        verify_ok: whether ``verify`` found the case intact at export time.
        verify_problems: one line per error ``verify`` found (file or row, and what).
        audit_head_seq: the audit row the report quotes (``--at`` or the case's last row).
        audit_head_hash: that row's hash.
        figures: the figure files written beside the HTML (``figures/<sha256>.png``).
    """

    html_path: Path
    verify_ok: bool
    verify_problems: tuple[str, ...]
    audit_head_seq: int
    audit_head_hash: str
    figures: tuple[Path, ...]


@dataclass(frozen=True)
class Section:
    """One section of the report: an anchor id, a heading and its HTML body."""

    anchor: str
    title: str
    body: str


@dataclass(frozen=True)
class MethodStep:
    """How one figure or number of the report was made, and how to make it again.

    Attributes:
        what: the figure or number (as the report names it).
        algorithm: the algorithm and its source.
        version: the software version that ran it.
        params: its parameters (JSON values).
        inputs: SHA-256 of each input.
        commands: shell lines that regenerate or check it (CLI, ffmpeg).
    """

    what: str
    algorithm: str
    version: str
    params: dict = field(default_factory=dict)
    inputs: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
