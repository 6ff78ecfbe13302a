"""Cited frames: each (evidence, frame) the report refers to, decoded once, shown as a figure
with its provenance line, and given the commands that let anyone check it.

A video frame is decoded exactly as ``geoworkbench frame`` decodes it (the same upright RGB
picture, the same PNG bytes), so the CLI line in the methods section gives the figure's hash
again, and ``ffmpeg -f framemd5`` gives its frame md5 with stock tools. A still image is shown
as decoded by Pillow (EXIF orientation applied), its evidence hash the provenance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageOps

from analysis.jobs import check
from workbench import provenance
from workbench.annotations import list_annotations
from workbench.annotations.burn import burn_in, overlay_operation
from workbench.case.evidence import Evidence
from workbench.frame_table_store import cached_frame_table
from workbench.report.context import ReportContext
from workbench.report.figures import StoredFigure, figure_html, png_bytes
from workbench.report.markup import code, esc, text
from workbench.report.model import MethodStep


@dataclass(frozen=True)
class CitedFrame:
    """A frame shown in the report, with what identifies it."""

    evidence: Evidence
    frame_index: int | None  # None: a still image
    pts: int | None
    pts_s: float | None
    frame_md5: str | None
    record: provenance.Provenance
    figure: StoredFigure
    why: str
    clean_sha256: str | None = None  # annotations burned in: the PNG of the clean frame

    @property
    def anchor(self) -> str:
        suffix = "" if self.frame_index is None else f"-f{self.frame_index}"
        return f"frame-e{self.evidence.id}{suffix}"


def evidence_path_in_case(e: Evidence) -> str:
    """The evidence file as a path relative to the case folder (where the commands run)."""
    return f"evidence/{e.stored_name}"


def framemd5_command(e: Evidence) -> str:
    """The stock-tools check of every frame's md5 of a video evidence."""
    return provenance.FRAME_MD5_CHECK.replace("VIDEO", evidence_path_in_case(e))


def frame_command(ctx: ReportContext, e: Evidence, index: int) -> str:
    """The CLI line that decodes the frame again into the same PNG bytes."""
    return (
        f"geoworkbench frame {evidence_path_in_case(e)} --index {index} "
        f"-o frame_{e.sha256[:12]}_{index}.png --as-of {ctx.head.at_utc}"
    )


class FrameCiter:
    """Decodes each cited frame once (one reader per video) and keeps it for the report."""

    def __init__(self, ctx: ReportContext) -> None:
        self._ctx = ctx
        self._cited: dict[tuple[int, int | None], CitedFrame] = {}
        self._readers: dict[int, Any] = {}  # one open reader per video, closed by close()
        self.failed: list[str] = []  # frames that could not be shown, and why
        self._failed_keys: set[tuple[int, int | None]] = set()

    def close(self) -> None:
        for reader in self._readers.values():
            reader.close()
        self._readers.clear()

    def __enter__(self) -> FrameCiter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _reader(self, e: Evidence) -> Any:
        from analysis.video.decode import VideoReader

        if e.id not in self._readers:
            table = cached_frame_table(self._ctx.case.read(), e.id)
            self._readers[e.id] = VideoReader(self._ctx.case.evidence_dir / e.stored_name, table)
        return self._readers[e.id]

    @property
    def cited(self) -> list[CitedFrame]:
        return [self._cited[k] for k in sorted(self._cited, key=lambda k: (k[0], k[1] or 0))]

    def cite(self, evidence_id: int, frame_index: int | None, why: str) -> CitedFrame | None:
        """The frame's figure (decoded on first use); None when the evidence is not in the
        case at the quoted head or the file is missing or unreadable (verify says which)."""
        check(self._ctx.cancel)
        e = self._ctx.evidence.get(evidence_id)
        if e is None:
            return None
        if e.kind != "video":
            frame_index = None
        key = (evidence_id, frame_index)
        if key in self._failed_keys:
            return None
        if key not in self._cited:
            path = self._ctx.case.evidence_dir / e.stored_name
            made = None
            if e.id in self._ctx.altered:
                why = f"{why}; not shown: the file fails verify"
            elif path.is_file():
                made = (
                    self._video(e, frame_index, why) if e.kind == "video" else self._still(e, why)
                )
            if made is None:
                what = "" if frame_index is None else f", frame {frame_index}"
                self.failed.append(f"evidence {e.id} ({e.original_name}){what}: {why}")
                self._failed_keys.add(key)
                return None
            self._cited[key] = made
        return self._cited[key]

    def pixels_bgr(self, c: CitedFrame) -> Any:
        """The clean picture of a cited frame as a BGR array, as ``geoworkbench match`` reads
        the PNG that the frame line writes (a still: the evidence file itself).

        Raises:
            MediaError: the file no longer decodes.
        """
        import cv2

        from analysis.matching.io import read_image

        if c.frame_index is None:
            return read_image(self._ctx.case.evidence_dir / c.evidence.stored_name)
        frame = self._reader(c.evidence).frame_at(c.frame_index)
        return cv2.cvtColor(frame.image, cv2.COLOR_RGB2BGR)

    def _video(self, e: Evidence, index: int | None, why: str) -> CitedFrame | None:
        from analysis.errors import WorkbenchError

        if index is None:
            return None
        try:
            reader = self._reader(e)
            frame = reader.frame_at(index)
            table = reader.table
        except (WorkbenchError, IndexError):
            return None  # an altered or truncated file: verify names it on the first page
        clean = png_bytes(frame.image)
        png, steps, details = clean, [], {}
        shapes = self._annotations(e, frame)
        if shapes:  # burned in as a frame export with --annotations does; the clean hash kept
            records = [a.record() for a in shapes]
            h, w = frame.image.shape[:2]
            png = png_bytes(burn_in(frame.image, [a.shape for a in shapes]))
            steps = [overlay_operation(records, w, h)]
            details = {"clean_png_sha256": provenance.bytes_sha256(clean)}
        record = provenance.frame_provenance(
            as_of=self._ctx.head.at_utc,
            source_sha256=e.sha256,
            source_name=e.original_name,
            frame=frame,
            table=table,
            png_name=f"frame_{e.sha256[:12]}_{index}.png",
            png_sha256=provenance.bytes_sha256(png),
            enhancement_steps=steps,
            audit_head=self._ctx.head,
            details=details,
        )
        fig = self._ctx.figures.add(png, graphic=e.is_graphic)
        self._method(e, index, record)
        return CitedFrame(e, frame.index, frame.pts, frame.pts_s, frame.md5, record, fig, why,
                          details.get("clean_png_sha256"))  # fmt: skip

    def _annotations(self, e: Evidence, frame: Any) -> list[Any]:
        """The frame's annotations at the quoted head that were drawn on this very picture."""
        if not self._ctx.table_exists("annotation"):
            return []
        return [a for a in list_annotations(self._ctx.conn, e.id, frame.index)
                if a.frame_md5 == frame.md5]  # fmt: skip

    def _still(self, e: Evidence, why: str) -> CitedFrame | None:
        path = self._ctx.case.evidence_dir / e.stored_name
        try:
            with Image.open(path) as im:
                image = ImageOps.exif_transpose(im).convert("RGB")
        except OSError:
            return None
        image.thumbnail((1600, 1600))
        png = png_bytes(image)
        record = provenance.build(
            as_of=self._ctx.head.at_utc,
            software=provenance.software({"pillow": Image.__version__}),
            audit_head=self._ctx.head,
            sources=[provenance.SourceFrame(e.sha256, e.original_name)],
            operations=[
                provenance.Operation("decode", {"decoder": "Pillow"}),
                provenance.Operation("exif_transpose", {}),
                provenance.Operation("thumbnail", {"max_px": 1600}),
            ],
        )
        fig = self._ctx.figures.add(png, graphic=e.is_graphic)
        return CitedFrame(e, None, None, None, None, record, fig, why)

    def _method(self, e: Evidence, index: int, record: provenance.Provenance) -> None:
        self._ctx.methods.append(
            MethodStep(
                what=f"frame {index} of evidence {e.id} ({e.original_name})",
                algorithm="full sequential decode of the first video stream (FFmpeg via PyAV), "
                "upright RGB; frame md5 of the native picture as ffmpeg -f framemd5 prints it",
                version=f"{record.software.name} {record.software.version}",
                params={"frame_index": index, "operations": [o.op for o in record.operations]},
                inputs=(e.sha256,),
                commands=(frame_command(self._ctx, e, index), framemd5_command(e)),
            )
        )


def provenance_line(c: CitedFrame) -> str:
    """Evidence sha256, frame index, pts, frame md5, operations, software: one line."""
    r = c.record
    ops = ", ".join(o.op for o in r.operations)
    libs = ", ".join(f"{k} {v}" for k, v in sorted(r.software.libraries.items()))
    parts = [f'evidence sha256 <span class="hash">{esc(c.evidence.sha256)}</span>']
    if c.frame_index is not None:
        parts += [
            f"frame index {c.frame_index}",
            f"pts {esc(c.pts)} ({esc(c.pts_s)} s)",
            f'frame md5 <span class="hash">{esc(c.frame_md5)}</span>',
        ]
    parts += [f"operations: {esc(ops)}", f"software: {esc(r.software.name)} "
              f"{esc(r.software.version)} ({esc(libs)})"]  # fmt: skip
    return " · ".join(parts)


def cited_frame_html(c: CitedFrame) -> str:
    what = "still image" if c.frame_index is None else f"frame {c.frame_index}"
    caption = f"Evidence {c.evidence.id} {text(c.evidence.original_name)}, {what}: {text(c.why)}"
    attrs = (
        f' data-source-sha256="{esc(c.evidence.sha256)}"'
        f' data-frame-index="{"" if c.frame_index is None else c.frame_index}"'
        f' data-frame-md5="{esc(c.frame_md5 or "")}"'
        + (f' data-clean-sha256="{c.clean_sha256}"' if c.clean_sha256 else "")
    )
    html = figure_html(c.figure, caption, provenance_line(c), ident=c.anchor)
    return html.replace("<figure ", f"<figure{attrs} ", 1)


def check_lines(ctx: ReportContext, c: CitedFrame) -> str:
    """The commands printed under a cited video frame."""
    if c.frame_index is None:
        return ""
    clean = (
        f" (the clean frame, before the annotations were burned in: PNG sha256 "
        f'<span class="hash">{c.clean_sha256}</span>)'
        if c.clean_sha256
        else ""
    )
    return (
        f'<p class="frame-check">Check with stock tools: {code(framemd5_command(c.evidence))} '
        f"(its data line {c.frame_index + 1}, after the # header, is this frame); decode it "
        f"again: {code(frame_command(ctx, c.evidence, c.frame_index))}{clean}</p>"
    )
