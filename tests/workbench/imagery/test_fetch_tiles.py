"""Remote tile fetching: only when turned on, rate-limited, cached tiles not asked again,
cancellable; and the mosaic of the fetched tiles."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from analysis.jobs import CancelToken, JobCancelled
from workbench.imagery.fetch import fetch_tiles
from workbench.imagery.reference import tile_mosaic
from workbench.tiles import CachedXyzSource, MBTilesSource, TileError

BBOX = (60.400, 22.460, 60.404, 22.468)


class FakeNet:
    def __init__(self):
        self.urls = []
        self.now = 0.0
        self.sleeps = []

    def fetch(self, url):
        self.urls.append(url)
        ok, buf = cv2.imencode(".png", np.full((256, 256, 3), len(self.urls), np.uint8))
        return buf.tobytes()

    def clock(self):
        return self.now

    def sleep(self, s):
        self.sleeps.append(s)
        self.now += s


def source(tmp_path, net, enabled=True):
    cache = MBTilesSource(tmp_path / "cache.mbtiles", writable=True)
    return CachedXyzSource("https://t.example/{z}/{x}/{y}.png", cache, remote_enabled=enabled,
                           fetch=net.fetch)  # fmt: skip


def test_fetch_is_rate_limited_and_cached(tmp_path):
    net = FakeNet()
    src = source(tmp_path, net)
    fetched, cached = fetch_tiles(src, BBOX, 17, min_interval_s=0.5, clock=net.clock,
                                  sleep=net.sleep)  # fmt: skip
    assert fetched == len(net.urls) > 1 and cached == 0
    assert net.sleeps == [pytest.approx(0.5)] * (fetched - 1)
    again = fetch_tiles(src, BBOX, 17, clock=net.clock, sleep=net.sleep)
    assert again == (0, fetched) and len(net.urls) == fetched
    m = tile_mosaic(src, BBOX, 17)
    assert m.image.shape[0] > 10 and m.image.max() > 0


def test_fetch_refused_when_off_and_cancel(tmp_path):
    net = FakeNet()
    with pytest.raises(TileError, match="remote tiles are off"):
        fetch_tiles(source(tmp_path, net, enabled=False), BBOX, 17)
    assert net.urls == []
    token = CancelToken()
    token.cancel()
    with pytest.raises(JobCancelled):
        fetch_tiles(source(tmp_path, net), BBOX, 17, cancel=token)
    with pytest.raises(TileError, match="lower zoom"):
        fetch_tiles(source(tmp_path, net), (59, 21, 61, 24), 18)
