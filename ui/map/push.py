"""LayerPusher: sends layers to the map page in chunks, a few at a time, so that handing
megabytes of GeoJSON to Chromium never holds the GUI thread for long.

Each chunk is one ``GW.setLayerChunk(id, k, n, json)`` call; the page replaces the layer
when its last chunk arrives. The pusher sends chunks until ``BUDGET_MS`` have gone, then lets
the event loop run (a zero timer) and goes on; ``drained`` says when all were sent.
"""

from __future__ import annotations

import json
import time
from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

BUDGET_MS = 15.0


class LayerPusher(QObject):
    """A queue of layer chunks for the page (module doc)."""

    drained = Signal()

    def __init__(self, run_js: Callable[[str], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._run_js = run_js
        self._queue: deque[str] = deque()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._send)

    def push(self, layer_id: str, chunks: tuple[str, ...]) -> None:
        """Queue one layer: its chunks from ``layers.layer_chunks`` (JavaScript string literals
        of JSON arrays; none for an empty layer)."""
        name = json.dumps(layer_id)
        n = len(chunks)
        if n == 0:
            self._queue.append(f"GW.setLayerChunk({name}, 0, 1, '[]');")
        for k, text in enumerate(chunks):
            self._queue.append(f"GW.setLayerChunk({name}, {k}, {n}, {text});")
        self._timer.start()

    def clear(self) -> None:
        self._queue.clear()
        self._timer.stop()

    @property
    def busy(self) -> bool:
        return bool(self._queue)

    def _send(self) -> None:
        start = time.perf_counter()
        while self._queue and (time.perf_counter() - start) * 1000.0 < BUDGET_MS:
            self._run_js(self._queue.popleft())
        if self._queue:
            self._timer.start()
        else:
            self.drained.emit()
