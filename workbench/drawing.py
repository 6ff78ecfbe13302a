"""One lock for matplotlib, held by every figure the workbench draws.

Matplotlib is not thread-safe: its documentation says that if you use it from threads you
must implement the locking yourself. Its font cache and text layout are shared by all
figures, and the workbench draws in worker threads (the Sun and Descent panels, the report,
the CLI), at times two at once. ``agg_figure`` holds the lock from the figure's creation to
its last pixel and clears the figure before letting go, so that no half-drawn figure is left
for another thread's garbage collector to tear down.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_LOCK = threading.RLock()


@contextmanager
def agg_figure(**figure_kwargs: Any) -> Iterator[tuple[Any, Any]]:
    """A matplotlib Figure on an Agg canvas, used under the lock: ``(figure, canvas)``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with _LOCK:
        fig = Figure(**figure_kwargs)
        canvas = FigureCanvasAgg(fig)
        try:
            yield fig, canvas
        finally:
            fig.clear()
