"""Fetching remote tiles into the case's cache: a job with progress, cancel and a rate limit.

Runs only when the analyst turned remote tiles on for the case (``BasemapConfig.
remote_enabled``; ARCHITECTURE.md, "Map": a tile request tells a provider where the
investigator looks). Tiles already cached are not asked for again. Between two downloads at
least ``min_interval_s`` pass (default 0.5 s: two requests a second, within the OpenStreetMap
tile usage policy's "no heavy use" for a single user).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from analysis.imagery.mosaic import tile_range
from analysis.jobs import CancelToken, ProgressFn, check, report
from workbench.tiles import CachedXyzSource, TileError

DEFAULT_INTERVAL_S = 0.5
MAX_TILES = 2500


def fetch_tiles(
    source: CachedXyzSource,
    bbox: tuple[float, float, float, float],
    zoom: int,
    *,
    min_interval_s: float = DEFAULT_INTERVAL_S,
    progress: ProgressFn | None = None,
    cancel: CancelToken | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[int, int]:
    """Download the tiles of ``bbox`` at ``zoom`` that the cache lacks.

    Returns:
        (downloaded, already cached).

    Raises:
        TileError: remote tiles are off for the case, or the box needs over MAX_TILES tiles.
        JobCancelled: on cancel (tiles fetched so far stay cached).
    """
    if not source.remote_enabled:
        raise TileError("remote tiles are off for this case: turn them on to fetch tiles")
    x0, y0, x1, y1 = tile_range(*bbox, zoom)
    count = (x1 - x0 + 1) * (y1 - y0 + 1)
    if count > MAX_TILES:
        raise TileError(f"{count} tiles at zoom {zoom}: over {MAX_TILES}, choose a lower zoom")
    cells = [(x, y) for y in range(y0, y1 + 1) for x in range(x0, x1 + 1)]
    fetched = cached = 0
    last = None
    for i, (x, y) in enumerate(cells):
        check(cancel)
        if source.cache.get_tile(zoom, x, y) is not None:
            cached += 1
        else:
            if last is not None:
                wait = min_interval_s - (clock() - last)
                if wait > 0:
                    sleep(wait)
            last = clock()
            source.get_tile(zoom, x, y)
            fetched += 1
        report(progress, (i + 1) / len(cells), f"tile {zoom}/{x}/{y}")
    return fetched, cached
