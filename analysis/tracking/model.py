"""What a track is: one point per frame, who set it, how sure, and where it is on the background.

Pixels: the decoded, upright frame, origin top-left, x right, y down. Frames: 0-based decode
order. ``bg_x_px``/``bg_y_px`` are the point in the background coordinates of the track's
reference frame (the frame the analyst marked), after the camera's pan, zoom and shake are
taken out; None where the background could not be registered.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

ANALYST = "analyst"
TRACKER = "tracker"
SOURCES = (ANALYST, TRACKER)


@dataclass(frozen=True)
class TrackPoint:
    """The object's centre on one frame."""

    frame_index: int
    pts_s: float | None
    x_px: float
    y_px: float
    confidence: float  # 0..1: normalised correlation of the object's template here
    source: str  # ANALYST or TRACKER
    md5: str = ""  # framemd5 of the frame (the picture the point was measured on)
    bg_x_px: float | None = None
    bg_y_px: float | None = None
    usable_for_rates: bool = True  # False on duplicated or blended frames

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.frame_index,
            "pts_s": self.pts_s,
            "md5": self.md5,
            "x_px": round(float(self.x_px), 3),
            "y_px": round(float(self.y_px), 3),
            "bg_x_px": None if self.bg_x_px is None else round(float(self.bg_x_px), 3),
            "bg_y_px": None if self.bg_y_px is None else round(float(self.bg_y_px), 3),
            "confidence": round(float(self.confidence), 4),
            "source": self.source,
            "usable_for_rates": self.usable_for_rates,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrackPoint:
        def opt(key: str) -> float | None:
            v = d.get(key)
            return None if v is None else float(v)

        source = str(d.get("source", TRACKER))
        if source not in SOURCES:
            raise ValueError(f"track point source {source!r} is not one of {SOURCES}")
        return cls(
            frame_index=int(d["index"]),
            pts_s=opt("pts_s"),
            x_px=float(d["x_px"]),
            y_px=float(d["y_px"]),
            confidence=float(d.get("confidence", 1.0)),
            source=source,
            md5=str(d.get("md5", "")),
            bg_x_px=opt("bg_x_px"),
            bg_y_px=opt("bg_y_px"),
            usable_for_rates=bool(d.get("usable_for_rates", True)),
        )


@dataclass(frozen=True)
class Track:
    """A tracked object: points in frame order, the box size used, how the track ended."""

    reference_frame: int  # the analyst's first mark; background coordinates are this frame's
    box_w_px: int
    box_h_px: int
    method: str
    points: tuple[TrackPoint, ...] = ()
    stopped_forward: str = ""  # why propagation stopped (end of range, confidence dropped)
    stopped_backward: str = ""
    frame_width_px: int = 0
    frame_height_px: int = 0
    notes: tuple[str, ...] = field(default=())

    def point_at(self, frame_index: int) -> TrackPoint | None:
        for p in self.points:
            if p.frame_index == frame_index:
                return p
        return None

    def with_points(self, points: list[TrackPoint] | tuple[TrackPoint, ...], **kw: Any) -> Track:
        ordered = tuple(sorted(points, key=lambda p: p.frame_index))
        return replace(self, points=ordered, **kw)

    def to_dict(self) -> dict[str, Any]:
        return {
            "reference_frame": self.reference_frame,
            "box_px": [self.box_w_px, self.box_h_px],
            "method": self.method,
            "frame_size_px": [self.frame_width_px, self.frame_height_px],
            "stopped_forward": self.stopped_forward,
            "stopped_backward": self.stopped_backward,
            "notes": list(self.notes),
            "frames": [p.to_dict() for p in self.points],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Track:
        w, h = (int(v) for v in d.get("box_px", [0, 0]))
        fw, fh = (int(v) for v in d.get("frame_size_px", [0, 0]))
        return cls(
            reference_frame=int(d["reference_frame"]),
            box_w_px=w,
            box_h_px=h,
            method=str(d.get("method", "")),
            points=tuple(TrackPoint.from_dict(p) for p in d["frames"]),
            stopped_forward=str(d.get("stopped_forward", "")),
            stopped_backward=str(d.get("stopped_backward", "")),
            frame_width_px=fw,
            frame_height_px=fh,
            notes=tuple(str(n) for n in d.get("notes", [])),
        )
