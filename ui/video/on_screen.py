"""FrameRef: the picture on screen, as the frame tools measure on it.

The video panel announces each decoded frame it shows (``VideoPanel.frame_on_screen``) and the
main window each still picture it shows; the tools take the ``FrameRef`` and never ask the
window what it holds. Pixels are the original frame's (the viewer shows the upright frame at
its own size).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from analysis.geometry.bearing import pixel_aspect_of
from analysis.video.decode import Frame
from workbench.case.evidence import Evidence


@dataclass(frozen=True)
class FrameRef:
    """The picture a tool measures on: an image evidence, or one frame of a video."""

    evidence_id: int
    evidence_sha256: str
    evidence_name: str
    width_px: int
    height_px: int
    frame_index: int | None = None  # None for an image evidence
    pixel_aspect: float = 1.0  # pixel width / height (non-square video pixels)
    metadata: dict[str, Any] = field(default_factory=dict)
    frame_md5: str | None = None  # framemd5 of the decoded frame (None for an image)


def video_frame_ref(evidence: Evidence, frame: Frame) -> FrameRef:
    """The decoded ``frame`` of the video ``evidence`` as it is shown (upright)."""
    height, width = frame.image.shape[:2]
    return FrameRef(
        evidence.id,
        evidence.sha256,
        evidence.original_name,
        width,
        height,
        frame.index,
        pixel_aspect_of(frame.sar, frame.rotation_deg),
        evidence.metadata,
        frame.md5,
    )


def picture_ref(evidence: Evidence, width_px: int, height_px: int) -> FrameRef:
    """A still picture of ``width_px`` x ``height_px`` shown for ``evidence``."""
    return FrameRef(
        evidence.id, evidence.sha256, evidence.original_name, width_px, height_px, None, 1.0,
        evidence.metadata,
    )  # fmt: skip
