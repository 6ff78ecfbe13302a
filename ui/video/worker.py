"""Decoding for the viewer on a dedicated thread, and the timeline's thumbnail strip.

``FrameDecoder`` (GUI side) owns one decoder thread, the only one that ever touches its
analysis.video.decode.VideoReader (which is not thread-safe). Requests coalesce: ``request(i)`` only
replaces the pending index, so when the user holds Right the thread decodes the latest
requested frame next and skips the ones it was asked for meanwhile. Results reach the GUI
thread by queued signals.
Display enhancements are applied on the same thread; the GUI thread receives a ready QImage.

``timeline_thumbnails`` (run by the JobRunner) decodes small pictures for the strip with its
own reader and caches them as PNGs in ``derived/thumbs/<sha256>/``.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

from analysis.errors import MediaError
from analysis.jobs import CancelToken, ProgressFn, check, report
from analysis.video.decode import Frame, VideoReader
from analysis.video.enhance import Enhancements, apply_enhancements
from analysis.video.table import FrameTable
from ui.gui_gc import collect_on_gui_thread
from ui.qimage import rgb_to_qimage

_TIME_RE = re.compile(r"^(?:(\d+):)?(?:(\d+):)?(\d+(?:\.\d*)?)s?$")


@dataclass(frozen=True)
class DecodedFrame:
    """A frame for display: the exact decoded frame and the picture shown (enhanced)."""

    frame: Frame
    shown: QImage
    enhancements: Enhancements
    generation: int  # which open() it belongs to
    thread_id: int  # the thread that decoded it (never the GUI thread)
    sequential_only: tuple[tuple[int, int], ...] = ()  # stretches where seeking failed


def display_qimage(rgb: np.ndarray) -> QImage:
    """An RGB uint8 picture as a QImage in the screen's native 32-bit format.

    Converting here, on the decoder thread, leaves ``QPixmap.fromImage`` on the GUI thread a
    plain copy (about 1 ms instead of 14 ms for a 1080p RGB888 image, measured offscreen).
    """
    import cv2

    if sys.byteorder != "little":
        return rgb_to_qimage(rgb).convertToFormat(QImage.Format.Format_RGB32)
    bgra = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGRA)  # 0xffRRGGBB words in little-endian memory
    h, w = bgra.shape[:2]
    return QImage(bgra.data, w, h, 4 * w, QImage.Format.Format_RGB32).copy()


class _State:
    """What the GUI asked for, shared with the decoder thread under one condition."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.open: tuple[Path, FrameTable] | None = None
        self.close = False
        self.pending: int | None = None
        self.redo_enhance = False
        self.enhancements = Enhancements()
        self.generation = 0
        self.busy = False
        self.stop = False

    def has_work(self) -> bool:
        return (
            self.stop
            or self.close
            or self.open is not None
            or (self.pending is not None or self.redo_enhance)
        )


class FrameDecoder(QObject):
    """GUI-side handle of the decoder thread (see the module docstring).

    The thread is a daemon Python thread, so that a window closed without ``shutdown`` can
    never hold the process open; it stops when the decoder object is destroyed.
    """

    frame_ready = Signal(object)  # DecodedFrame
    failed = Signal(int, str)  # frame index (-1: opening), message
    opened = Signal(int)  # frame count

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        collect_on_gui_thread()  # the decoder thread must never finalise a Qt object
        self.decode_threads: set[int] = set()  # thread idents that decoded (for tests)
        self._state = state = _State()
        self._thread = threading.Thread(
            target=_run,
            args=(state, self, self.decode_threads),
            name="frame-decoder",
            daemon=True,
        )
        self.destroyed.connect(lambda *_: _stop(state))
        self._thread.start()

    def open(self, path: Path, table: FrameTable) -> None:
        with self._state.cond:
            self._state.generation += 1
            self._state.open = (Path(path), table)
            self._state.pending = None
            self._state.cond.notify()

    def close(self) -> None:
        with self._state.cond:
            self._state.generation += 1
            self._state.open, self._state.pending, self._state.close = None, None, True
            self._state.cond.notify()

    def request(self, index: int) -> None:
        """Ask for frame ``index``; only the latest request still pending gets decoded."""
        with self._state.cond:
            self._state.pending = index
            self._state.cond.notify()

    def set_enhancements(self, enh: Enhancements) -> None:
        """Apply new display enhancements to the frame shown (on the decoder thread)."""
        with self._state.cond:
            self._state.enhancements = enh
            self._state.redo_enhance = True
            self._state.cond.notify()

    @property
    def enhancements(self) -> Enhancements:
        return self._state.enhancements

    @property
    def busy(self) -> bool:
        """True while a request is pending or being decoded."""
        with self._state.cond:
            return self._state.busy or self._state.has_work()

    @property
    def generation(self) -> int:
        return self._state.generation

    def shutdown(self, timeout_s: float = 10.0) -> None:
        """Stop the thread, closing the reader there first."""
        _stop(self._state)
        self._thread.join(timeout_s)


def _stop(state: _State) -> None:
    with state.cond:
        state.stop = True
        state.cond.notify()


def _emit(signal_owner: FrameDecoder, name: str, *args: object) -> bool:
    """Emit a signal of the GUI-side object; False when it no longer exists."""
    try:
        getattr(signal_owner, name).emit(*args)
    except RuntimeError:  # the C++ object was deleted: the panel is gone
        return False
    return True


def _run(state: _State, owner: FrameDecoder, threads: set[int]) -> None:
    """The decoder thread's body: the only code that ever touches the VideoReader."""
    loop = _DecoderLoop(state, owner, threads)
    try:
        loop.run()
    finally:
        loop.close_reader()


class _DecoderLoop:
    """Takes the latest requests, decodes, delivers; reads one frame ahead when idle."""

    def __init__(self, state: _State, owner: FrameDecoder, threads: set[int]) -> None:
        self.state, self.owner, self.threads = state, owner, threads
        self.reader: VideoReader | None = None
        self.last: Frame | None = None
        self.step = 1  # direction of the last move, for reading ahead
        self.me = threading.get_ident()

    def close_reader(self) -> None:
        if self.reader is not None:
            self.reader.close()
        self.reader, self.last = None, None

    def run(self) -> None:
        st = self.state
        while True:
            with st.cond:
                while not st.has_work():
                    st.busy = False
                    st.cond.wait()
                if st.stop:
                    return
                st.busy = True
                job_open, st.open = st.open, None
                job_close, st.close = st.close, False
                index, st.pending = st.pending, None
                redo, st.redo_enhance = st.redo_enhance, False
                enh, generation = st.enhancements, st.generation
            if job_close or job_open is not None:
                self.close_reader()
            if job_open is not None and not self._open(*job_open):
                return
            if self.reader is None or (index is None and not redo):
                continue
            if index is not None and not self._decode(index):
                return
            if self.last is not None and not self._deliver(enh, generation):
                return
            self._read_ahead()

    def _open(self, path: Path, table: FrameTable) -> bool:
        self.threads.add(self.me)
        try:
            self.reader = VideoReader(path, table)
        except MediaError as exc:
            return _emit(self.owner, "failed", -1, str(exc))
        return _emit(self.owner, "opened", len(self.reader))

    def _decode(self, index: int) -> bool:
        if self.last is not None and self.last.index == index:
            return True
        self.threads.add(self.me)
        try:
            frame = self.reader.frame_at(index)
        except MediaError as exc:
            return _emit(self.owner, "failed", index, str(exc))
        if self.last is not None:
            self.step = 1 if index >= self.last.index else -1
        self.last = frame
        return True

    def _deliver(self, enh: Enhancements, generation: int) -> bool:
        shown = display_qimage(apply_enhancements(self.last.image, enh))
        unsafe = tuple(self.reader.sequential_only)
        decoded = DecodedFrame(self.last, shown, enh, generation, self.me, unsafe)
        return _emit(self.owner, "frame_ready", decoded)

    def _read_ahead(self) -> None:
        """Decode the next frame in the direction of travel into the reader's cache."""
        nxt = self.last.index + self.step
        with self.state.cond:
            if self.state.has_work() or not 0 <= nxt < len(self.reader):
                return
        try:
            self.reader.native_frame_at(nxt)
        except MediaError:
            return  # only a guess: the real request for this frame reports the error


# -- thumbnail strip --------------------------------------------------------------------------
GRAPHIC_STRIP_BLUR = 0.1  # Gaussian sigma of a graphic video's strip, in thumbnail heights


def thumbnail_frames(table: FrameTable, count: int) -> list[int]:
    """``count`` frame indices spread over the video, snapped to a keyframe when one lies in
    the slot (a keyframe decodes without its predecessors), else the slot's middle frame."""
    n = len(table)
    if n == 0 or count <= 0:
        return []
    keys = np.array(table.keyframe_indices or (0,))
    out: list[int] = []
    for k in range(min(count, n)):
        lo, hi = k * n // min(count, n), (k + 1) * n // min(count, n) - 1
        mid = (lo + hi) // 2
        inside = keys[(keys >= lo) & (keys <= hi)]
        pick = int(inside[np.argmin(np.abs(inside - mid))]) if len(inside) else mid
        if not out or out[-1] != pick:
            out.append(pick)
    return out


def timeline_thumbnails(
    video: Path,
    table: FrameTable,
    cache_dir: Path,
    indices: list[int],
    height_px: int = 54,
    *,
    blur: bool = False,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
) -> list[tuple[int, QImage]]:
    """Thumbnails (upright, ``height_px`` high) of frames ``indices``, cached as PNGs.

    Cache files are ``<cache_dir>/f<index>_h<height>.png``, written via a temporary file and
    ``os.replace``; they are regenerable (derived/) and never evidence. ``blur`` (graphic
    evidence not yet revealed) blurs what is returned, never the cache.
    """
    import cv2

    cache_dir.mkdir(parents=True, exist_ok=True)
    out: list[tuple[int, QImage]] = []
    reader: VideoReader | None = None
    try:
        for k, index in enumerate(indices):
            check(cancel)
            target = cache_dir / f"f{index}_h{height_px}.png"
            cached = None
            if target.is_file():  # imdecode: cv2.imread fails on non-ASCII paths on Windows
                cached = cv2.imdecode(np.fromfile(target, np.uint8), cv2.IMREAD_COLOR)
            if cached is not None:
                small = np.ascontiguousarray(cached[..., ::-1])
            else:
                reader = reader or VideoReader(video, table)
                rgb = reader.frame_at(index).image
                width = max(1, round(rgb.shape[1] * height_px / rgb.shape[0]))
                small = cv2.resize(rgb, (width, height_px), interpolation=cv2.INTER_AREA)
                # unique per writer: a second strip job may write the same frame meanwhile
                tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
                rgb_to_qimage(small).save(str(tmp), "PNG")
                os.replace(tmp, target)
            if blur:
                small = cv2.GaussianBlur(small, (0, 0), GRAPHIC_STRIP_BLUR * height_px)
            out.append((index, rgb_to_qimage(small)))
            report(progress, (k + 1) / len(indices), f"thumbnail {k + 1} of {len(indices)}")
    finally:
        if reader is not None:
            reader.close()
    return out


def parse_position(text: str, table: FrameTable) -> int | None:
    """A frame index from "123" (frame) or a time "[[HH:]MM:]SS[.mmm]"/"12.5s" after frame 0."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    m = _TIME_RE.match(text)
    if not m or ("." not in text and ":" not in text and not text.endswith("s")):
        return None
    parts = [p for p in m.groups() if p is not None]
    seconds = 0.0
    for p in parts:
        seconds = seconds * 60 + float(p)
    return table.index_at_time(seconds)
