"""What a video is made of, before anything is measured on it: one pass of degraded-media checks.

``inspect_video`` decodes the video once, in order, at full resolution in grey (rows matter for
combing), and runs the detectors of :mod:`analysis.media.degraded` on it:

* the active picture (letterbox, pillarbox, a blurred fill) from frames spread over the video;
* static overlays (a broadcaster's logo, a burnt-in time stamp) inside the active picture,
  as a mask and boxes in the full frame's pixels; ``reliable`` is False when most of the
  picture is still (a fixed camera), where "static" tells an overlay from nothing;
* duplicated, blended and interlaced frames, by index (decode order);
* the effective resolution (the detail the pixels really hold) against the coded size, and
  the 8x8 blockiness of compression, medians over a few of the sampled frames.

An overlay must also be seen to stay still while the picture around it changes, at least
``MIN_CHANGES`` times between samples (``changes_around``): a fixed camera with one cut gives
two still pictures, where pixels that happen to agree are "still" and no overlay.

The samples are kept by stride doubling, so that at most ``max_samples`` frames (grey) are
held whatever the length, evenly spread over the whole video, without knowing its length
beforehand.

Who uses the overlays: matching leaves them out when asked (``compute_features`` takes a
mask; the Compare panel's "Leave out overlays"); tracking masks them out of the background
and skips blended frames (``analysis.tracking.video_track.VideoContext``, filled by the
``track`` command); cut detection (``analysis.video.cuts.detect_cuts``) takes no mask, so
overlays reach it only through its own guard against changes at the border only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analysis.jobs import CancelToken, ProgressFn, check, report
from analysis.media.degraded import (
    ActiveArea,
    OverlayMask,
    blockiness,
    effective_scale,
    find_active_area,
    find_static_overlay,
    iter_frame_flags,
)

MAX_SAMPLES = 32
QUALITY_SAMPLES = 5  # frames measured for effective resolution and blockiness
OVERLAY_PAD_PX = 3  # margin around an overlay's box when it is left out of matching
MERGE_GAP_PX = 8  # boxes this close are one overlay (the letters of a logo, a time stamp's parts)
RING_PX = 8  # an overlay's surroundings: this far around its box ...
RING_CHANGE = 4.0  # ... change (mean |difference|, grey levels) between two samples ...
MIN_CHANGES = 3  # ... at least this many times while the overlay stays still
STILL_STD = 3.0  # grey levels: a pixel this steady over the samples is still (degraded.py's rule)


@dataclass(frozen=True)
class VideoInspection:
    """One video's degraded-media facts (see the module docstring). Pixels: the decoded,
    upright frame, origin top-left; frames: 0-based decode order."""

    frame_count: int
    frame_width_px: int
    frame_height_px: int
    coded_width_px: int
    coded_height_px: int
    active_area: ActiveArea
    overlays: OverlayMask  # mask and boxes in the full frame
    duplicated: tuple[int, ...]  # the same picture as the frame before
    blended: tuple[int, ...]  # the mean of the frames either side
    interlaced: tuple[int, ...]  # combing: rows from two fields
    effective_scale: float  # 1.0: as sharp as the pixels; 0.5: enlarged from half the size
    effective_width_px: int
    effective_height_px: int
    blockiness: float  # about 1 uncompressed; well above 1 with strong blocking
    sample_frames: tuple[int, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready facts (the overlay mask itself is left out: it is an image)."""
        a = self.active_area
        return {
            "frame_count": self.frame_count,
            "frame_size_px": [self.frame_width_px, self.frame_height_px],
            "coded_size_px": [self.coded_width_px, self.coded_height_px],
            "active_area": {
                "kind": a.kind,
                "xywh_px": [a.x, a.y, a.width_px, a.height_px],
            },
            "overlays": {
                "boxes_xywh_px": [list(b) for b in self.overlays.boxes],
                "reliable": self.overlays.reliable,
                "pixels": int(self.overlays.mask.sum()),
            },
            "duplicated_frames": list(self.duplicated),
            "blended_frames": list(self.blended),
            "interlaced_frames": list(self.interlaced),
            "effective_scale": self.effective_scale,
            "effective_size_px": [self.effective_width_px, self.effective_height_px],
            "blockiness": self.blockiness,
            "sample_frames": list(self.sample_frames),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], mask: np.ndarray) -> VideoInspection:
        """The inverse of ``to_dict``, given the overlay mask (bool, frame-sized)."""
        fw, fh = (int(v) for v in d["frame_size_px"])
        x, y, w, h = (int(v) for v in d["active_area"]["xywh_px"])
        ov = d["overlays"]
        boxes = tuple(tuple(int(v) for v in b) for b in ov["boxes_xywh_px"])
        return cls(
            frame_count=int(d["frame_count"]),
            frame_width_px=fw,
            frame_height_px=fh,
            coded_width_px=int(d["coded_size_px"][0]),
            coded_height_px=int(d["coded_size_px"][1]),
            active_area=ActiveArea(x, y, w, h, fw, fh, str(d["active_area"]["kind"])),
            overlays=OverlayMask(np.asarray(mask, bool), boxes, bool(ov["reliable"])),  # type: ignore[arg-type]
            duplicated=tuple(int(i) for i in d["duplicated_frames"]),
            blended=tuple(int(i) for i in d["blended_frames"]),
            interlaced=tuple(int(i) for i in d["interlaced_frames"]),
            effective_scale=float(d["effective_scale"]),
            effective_width_px=int(d["effective_size_px"][0]),
            effective_height_px=int(d["effective_size_px"][1]),
            blockiness=float(d["blockiness"]),
            sample_frames=tuple(int(i) for i in d["sample_frames"]),
        )

    def summary_lines(self) -> list[str]:
        """The facts in words, one line each (the CLI prints them, the video panel shows them)."""
        a, ov = self.active_area, self.overlays
        where = "the whole frame" if a.kind == "none" else f"{a.kind}"
        lines = [
            f"frames: {self.frame_count}, {self.frame_width_px} x {self.frame_height_px} px"
            f" (coded {self.coded_width_px} x {self.coded_height_px})",
            f"active picture: {a.width_px} x {a.height_px} px at ({a.x}, {a.y}), {where}",
            f"static overlays: {len(ov.boxes)}"
            + ("" if ov.reliable else " (unreliable: most of the picture is still)"),
        ]
        lines += [f"  box at ({x}, {y}), {w} x {h} px" for x, y, w, h in ov.boxes]
        still = len(self.duplicated) > self.frame_count / 2
        lines += [
            f"duplicated frames: {index_ranges(self.duplicated)}"
            + (
                f" ({len(self.duplicated)} of {self.frame_count}: the picture stands still"
                " for most of the video)"
                if still
                else ""
            ),
            f"blended frames: {index_ranges(self.blended)}",
            f"interlaced frames: {index_ranges(self.interlaced)}",
            f"effective resolution: about {self.effective_width_px} x {self.effective_height_px}"
            f" px of the active {a.width_px} x {a.height_px} (scale {self.effective_scale:.2f});"
            f" blockiness {self.blockiness:.2f}",
        ]
        return lines

    def matching_mask(self, *, pad_px: int = OVERLAY_PAD_PX) -> np.ndarray:
        """Where features may lie (uint8, 255 = yes): the active picture minus each overlay's
        box grown by ``pad_px`` (a box, not the glyphs: the edges around a logo's letters
        are the logo's too)."""
        a = self.active_area
        mask = np.zeros((self.frame_height_px, self.frame_width_px), np.uint8)
        mask[a.y : a.y + a.height_px, a.x : a.x + a.width_px] = 255
        for x, y, w, h in self.overlays.boxes:
            x0, y0 = max(0, x - pad_px), max(0, y - pad_px)
            mask[y0 : y + h + pad_px, x0 : x + w + pad_px] = 0
        return mask


class _Sampler:
    """Keeps every ``stride``-th frame, doubling the stride when more than ``limit`` are held."""

    def __init__(self, limit: int) -> None:
        self.limit, self.stride = limit, 1
        self.kept: dict[int, np.ndarray] = {}

    def add(self, index: int, image: np.ndarray) -> None:
        if index % self.stride:
            return
        self.kept[index] = image
        if len(self.kept) > self.limit:
            self.stride *= 2
            self.kept = {i: f for i, f in self.kept.items() if i % self.stride == 0}


def _coded_size(path: Path) -> tuple[int, int]:
    from analysis.video.probe import open_container

    container, stream = open_container(path)
    try:
        return int(stream.codec_context.width), int(stream.codec_context.height)
    finally:
        container.close()


def inspect_video(
    path: str | Path,
    *,
    max_samples: int = MAX_SAMPLES,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> VideoInspection:
    """Inspect a video in one sequential decode (see the module docstring).

    Args:
        path: the video file.
        max_samples: at most this many frames kept for the active area and the overlays.
        progress, cancel: job hooks (checked every 25 frames by the decoder).

    Returns:
        A VideoInspection.

    Raises:
        MediaError: the file is missing or not a video; CorruptMediaError: no frame decodes.
        JobCancelled: cancelled.
    """
    from analysis.video.frames import iter_frames

    path = Path(path)
    coded = _coded_size(path)
    sampler = _Sampler(max(3, max_samples))

    def frames() -> Iterator[np.ndarray]:
        for f in iter_frames(path, gray=True, progress=_scaled(progress, 0.9), cancel=cancel):
            sampler.add(f.index, f.image)
            yield f.image

    flags = list(iter_frame_flags(frames()))
    check(cancel)
    report(progress, 0.92, "active picture and overlays")
    picks = sorted(sampler.kept)
    samples = [sampler.kept[i] for i in picks]
    h, w = samples[0].shape[:2]
    area = find_active_area(samples)
    overlays = _overlays_in(area, samples)
    check(cancel)
    report(progress, 0.96, "effective resolution")
    picks_q = np.linspace(0, len(samples) - 1, min(QUALITY_SAMPLES, len(samples))).round()
    quality = [area.crop(samples[int(k)]) for k in picks_q]
    scale = float(np.median([effective_scale(q) for q in quality]))
    block = round(float(np.median([blockiness(q) for q in quality])), 3)
    report(progress, 1.0, "inspected")
    return VideoInspection(
        frame_count=len(flags),
        frame_width_px=w,
        frame_height_px=h,
        coded_width_px=coded[0],
        coded_height_px=coded[1],
        active_area=area,
        overlays=overlays,
        duplicated=tuple(f.index for f in flags if f.duplicate),
        blended=tuple(f.index for f in flags if f.blended),
        interlaced=tuple(f.index for f in flags if f.interlaced),
        effective_scale=scale,
        effective_width_px=int(round(area.width_px * scale)),
        effective_height_px=int(round(area.height_px * scale)),
        blockiness=block,
        sample_frames=tuple(picks),
    )


def _overlays_in(area: ActiveArea, samples: list[np.ndarray]) -> OverlayMask:
    """Static overlays inside the active picture (a bar's edge against the picture is still
    and structured too, so bars are left out), in the full frame's pixels."""
    full = np.zeros(samples[0].shape[:2], bool)
    if len(samples) < 3:
        return OverlayMask(full, (), reliable=False)
    crops = np.stack([area.crop(s) for s in samples]).astype(np.float32)
    found = find_static_overlay(list(crops), still_std=STILL_STD)
    kept = [b for b in merge_boxes(found.boxes) if changes_around(b, crops) >= MIN_CHANGES]
    local = np.zeros_like(found.mask)
    for x, y, bw, bh in kept:
        local[y : y + bh, x : x + bw] = found.mask[y : y + bh, x : x + bw]
    full[area.y : area.y + area.height_px, area.x : area.x + area.width_px] = local
    boxes = tuple((x + area.x, y + area.y, bw, bh) for x, y, bw, bh in kept)
    moving = int((np.abs(np.diff(crops, axis=0)).mean(axis=(1, 2)) > RING_CHANGE / 2).sum())
    return OverlayMask(full, boxes, found.reliable and moving >= MIN_CHANGES)


def changes_around(box: tuple[int, int, int, int], crops: np.ndarray) -> int:
    """How many times, from one sample to the next, the ring of RING_PX around ``box`` changed.

    An overlay is still while the picture around it moves. A fixed camera with one cut gives
    two still pictures: a pixel that happens to hold the same grey in both is "still", and so
    is the ring around it, which changed only once (at the cut). A logo over a moving picture
    sees its ring change at nearly every sample.
    """
    x, y, w, h = box
    hh, ww = crops.shape[1:3]
    x0, y0 = max(0, x - RING_PX), max(0, y - RING_PX)
    x1, y1 = min(ww, x + w + RING_PX), min(hh, y + h + RING_PX)
    ring = np.ones((y1 - y0, x1 - x0), bool)
    ring[y - y0 : y - y0 + h, x - x0 : x - x0 + w] = False
    if not ring.any():
        return 0
    around = crops[:, y0:y1, x0:x1][:, ring]
    return int((np.abs(np.diff(around, axis=0)).mean(axis=1) > RING_CHANGE).sum())


def merge_boxes(
    boxes: tuple[tuple[int, int, int, int], ...], gap_px: int = MERGE_GAP_PX
) -> tuple[tuple[int, int, int, int], ...]:
    """Boxes (x, y, w, h) joined while any two lie within ``gap_px`` of each other."""
    out = [list(b) for b in boxes]
    merged = True
    while merged:
        merged = False
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                (ax, ay, aw, ah), (bx, by, bw, bh) = out[i], out[j]
                if (bx <= ax + aw + gap_px and ax <= bx + bw + gap_px
                        and by <= ay + ah + gap_px and ay <= by + bh + gap_px):  # fmt: skip
                    x0, y0 = min(ax, bx), min(ay, by)
                    x1, y1 = max(ax + aw, bx + bw), max(ay + ah, by + bh)
                    out[i] = [x0, y0, x1 - x0, y1 - y0]
                    del out[j]
                    merged = True
                    break
            if merged:
                break
    return tuple(sorted(tuple(b) for b in out))  # type: ignore[misc]


def _scaled(progress: ProgressFn | None, top: float) -> ProgressFn | None:
    if progress is None:
        return None
    return lambda fraction, message: progress(fraction * top, message)


def index_ranges(indices: tuple[int, ...] | list[int]) -> str:
    """``3, 7-9, 12``: sorted frame indices with runs shortened ("none" when empty)."""
    if not indices:
        return "none"
    out, items = [], sorted(indices)
    start = prev = items[0]
    for i in items[1:] + [None]:  # type: ignore[list-item]
        if i is not None and i == prev + 1:
            prev = i
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if i is not None:
            start = prev = i
    return ", ".join(out)
