"""Tiles for the map page through ``gwtile://basemap/{z}/{x}/{y}``, and a request guard.

The scheme is registered before the QApplication exists (``ui.environment.register_scheme``,
called by ``prepare_environment``). ``TileSchemeHandler`` answers tile requests from a
``workbench.tiles`` source: local sources (MBTiles, folder, the cache of an XYZ basemap) on the
GUI thread (a small sqlite/file read), downloads in a worker thread and only when the user
turned remote tiles on for the case. ``RequestGuard`` sees every request the page makes and
blocks all but our scheme, qrc: (qwebchannel.js), data:/blob: and the page's own file; it
records each request so tests can prove that nothing left the machine.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QObject, QUrl, Signal
from PySide6.QtWebEngineCore import (
    QWebEngineUrlRequestInterceptor,
    QWebEngineUrlRequestJob,
    QWebEngineUrlSchemeHandler,
)

from analysis.errors import WorkbenchError
from ui.environment import SCHEME
from workbench.tiles import CachedXyzSource, TileSource, sniff_mime

__all__ = ["SCHEME", "RequestGuard", "TileSchemeHandler", "parse_tile_url"]

HOST = "basemap"
ALWAYS_ALLOWED = frozenset({"gwtile", "qrc", "data", "blob", "about"})
log = logging.getLogger(__name__)


def parse_tile_url(url: QUrl) -> tuple[int, int, int] | None:
    """(z, x, y) of ``gwtile://basemap/z/x/y[.ext]``, or None when the URL is not a tile."""
    if url.scheme() != SCHEME.decode() or url.host() != HOST:
        return None
    parts = url.path().strip("/").split("/")
    if len(parts) != 3:
        return None
    parts[2] = parts[2].split(".", 1)[0]
    if not all(p.isdigit() for p in parts):
        return None
    z, x, y = (int(p) for p in parts)
    return z, x, y


class TileSchemeHandler(QWebEngineUrlSchemeHandler):
    """Answers ``gwtile:`` requests from the current tile source (None: every tile 404s)."""

    _fetched = Signal(int, object)  # job key, bytes | None | BaseException

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source: TileSource | None = None
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="tile-fetch")
        self._pending: dict[int, QWebEngineUrlRequestJob] = {}
        self._next_key = 0
        self.served = 0
        self._fetched.connect(self._on_self_fetched)

    def set_source(self, source: TileSource | None) -> None:
        self._source = source

    @property
    def source(self) -> TileSource | None:
        return self._source

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802 (Qt override)
        tile = parse_tile_url(job.requestUrl())
        source = self._source
        if tile is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlInvalid)
            return
        if source is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        if isinstance(source, CachedXyzSource) and source.remote_enabled:
            key = self._next_key
            self._next_key += 1
            self._pending[key] = job
            job.destroyed.connect(lambda *_a, k=key: self._pending.pop(k, None))
            future = self._pool.submit(source.get_tile, *tile)
            future.add_done_callback(lambda f, k=key: self._fetched.emit(k, _outcome(f)))
            return
        try:
            data = source.get_tile(*tile)
        except WorkbenchError as exc:
            log.warning("tile %s/%s/%s: %s", *tile, exc)
            data = None
        self._reply(job, data)

    def _on_self_fetched(self, key: int, outcome: object) -> None:
        job = self._pending.pop(key, None)
        if job is None:
            return  # the page dropped the request (the map moved on)
        if isinstance(outcome, BaseException):
            log.warning("tile download: %s", outcome)
            outcome = None
        self._reply(job, outcome if isinstance(outcome, bytes) else None)

    def _reply(self, job: QWebEngineUrlRequestJob, data: bytes | None) -> None:
        if data is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        buffer = QBuffer(job)
        buffer.setData(QByteArray(data))
        buffer.open(QBuffer.OpenModeFlag.ReadOnly)
        job.reply(sniff_mime(data).encode("ascii"), buffer)
        self.served += 1

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pending.clear()


def _outcome(future: Future) -> object:
    exc = future.exception()
    if exc is not None:
        return exc
    return future.result()


@dataclass(frozen=True)
class SeenRequest:
    """One request the page made, and whether the guard blocked it."""

    url: str
    scheme: str
    blocked: bool


class RequestGuard(QWebEngineUrlRequestInterceptor):
    """Blocks every request but our scheme, qrc:, data:, blob: and the page's own file."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._seen: list[SeenRequest] = []
        self._page_file: str | None = None

    def allow_page(self, path: Path | None) -> None:
        self._page_file = str(Path(path).resolve()) if path is not None else None

    def is_allowed(self, url: QUrl) -> bool:
        scheme = url.scheme()
        if scheme == "file":
            return self._page_file is not None and url.toLocalFile() == self._page_file
        if scheme == SCHEME.decode():
            return url.host() == HOST
        return scheme in ALWAYS_ALLOWED

    def interceptRequest(self, info) -> None:  # noqa: N802 (Qt override)
        url = info.requestUrl()
        allowed = self.is_allowed(url)
        with self._lock:
            self._seen.append(SeenRequest(url.toString(), url.scheme(), not allowed))
        if not allowed:
            info.block(True)

    def seen(self) -> list[SeenRequest]:
        with self._lock:
            return list(self._seen)

    def clear(self) -> None:
        with self._lock:
            self._seen.clear()
