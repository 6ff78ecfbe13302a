"""Basemap settings and tile sources: MBTiles row flip, folders, the XYZ cache that only
downloads when remote tiles are turned on."""

from __future__ import annotations

import io
import sqlite3

import pytest
from PIL import Image

from workbench.case import audit, create_case
from workbench.tiles import (
    BasemapConfig,
    CachedXyzSource,
    FolderSource,
    MBTilesSource,
    NoTiles,
    TileError,
    check_tile,
    load_basemap,
    open_tile_source,
    save_basemap,
    sniff_mime,
)


def png(colour=(255, 0, 0)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(out, "PNG")
    return out.getvalue()


def test_mbtiles_rows_are_tms_flipped(tmp_path):
    path = tmp_path / "t.mbtiles"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE metadata (name TEXT, value TEXT);"
        "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER,"
        " tile_data BLOB);"
    )
    # MBTiles 1.3: zoom 3 has 8 rows; XYZ row y=1 (second from the north) is TMS row 6.
    conn.execute("INSERT INTO tiles VALUES (3, 5, 6, ?)", (b"north-ish",))
    conn.commit()
    conn.close()
    source = MBTilesSource(path)
    assert source.get_tile(3, 5, 1) == b"north-ish"
    assert source.get_tile(3, 5, 6) is None
    source.close()


def test_mbtiles_written_by_us_reads_back(tmp_path):
    store = MBTilesSource(tmp_path / "w.mbtiles", writable=True)
    store.put_tile(2, 3, 0, png())
    assert store.get_tile(2, 3, 0) == png()
    row = store._conn.execute("SELECT tile_row FROM tiles").fetchone()
    assert row == (3,)
    store.close()


def test_not_an_mbtiles_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.mbtiles"
    bad.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(TileError, match="bad.mbtiles"):
        MBTilesSource(bad)
    with pytest.raises(TileError, match="no such MBTiles"):
        MBTilesSource(tmp_path / "missing.mbtiles")


@pytest.mark.parametrize("z,x,y", [(-1, 0, 0), (23, 0, 0), (2, 4, 0), (2, 0, -1), (0, 1, 0)])
def test_tiles_outside_the_pyramid_are_refused(z, x, y):
    with pytest.raises(TileError):
        check_tile(z, x, y)


def test_folder_source_reads_png_and_jpeg(tmp_path):
    (tmp_path / "4" / "9").mkdir(parents=True)
    (tmp_path / "4" / "9" / "6.png").write_bytes(png())
    (tmp_path / "4" / "9" / "7.jpg").write_bytes(b"\xff\xd8jpeg")
    source = FolderSource(tmp_path)
    assert source.get_tile(4, 9, 6) == png()
    assert source.get_tile(4, 9, 7) == b"\xff\xd8jpeg"
    assert source.get_tile(4, 9, 8) is None
    with pytest.raises(TileError):
        FolderSource(tmp_path / "nope")


def test_xyz_cache_never_downloads_unless_turned_on(tmp_path):
    calls: list[str] = []

    def fetch(url: str) -> bytes:
        calls.append(url)
        return png((0, 0, 255))

    template = "https://tiles.example.org/{z}/{x}/{y}.png"
    cache = MBTilesSource(tmp_path / "cache.mbtiles", writable=True)
    off = CachedXyzSource(template, cache, remote_enabled=False, fetch=fetch)
    assert off.get_tile(15, 19712, 13050) is None
    assert calls == []
    on = CachedXyzSource(template, cache, remote_enabled=True, fetch=fetch)
    assert on.get_tile(15, 19712, 13050) == png((0, 0, 255))
    assert calls == ["https://tiles.example.org/15/19712/13050.png"]
    assert on.get_tile(15, 19712, 13050) == png((0, 0, 255))  # from the cache now
    assert off.get_tile(15, 19712, 13050) == png((0, 0, 255))  # cached tiles work offline
    assert len(calls) == 1
    cache.close()


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"kind": "wms"}, "not one of"),
        ({"kind": "xyz", "url_template": "https://t.example.org/{z}/{x}.png"}, "lacks"),
        ({"kind": "xyz", "url_template": "file:///etc/{z}/{x}/{y}"}, "not an http"),
        ({"kind": "mbtiles"}, "needs a path"),
        ({"max_zoom": 30}, "max zoom"),
    ],
)
def test_basemap_config_is_validated(kwargs, message):
    with pytest.raises(TileError, match=message):
        BasemapConfig(**kwargs)


def test_basemap_setting_round_trip_is_logged_and_defaults_to_the_grid(tmp_path):
    with create_case(tmp_path / "b.gwcase") as case:
        default = load_basemap(case.read())
        assert default == BasemapConfig() and default.kind == "none"
        assert not default.makes_requests and default.remote_enabled is False
        assert isinstance(open_tile_source(default, case.path), NoTiles)
        (case.path / "tiles").mkdir()
        chosen = BasemapConfig(kind="folder", path="tiles", max_zoom=18)
        save_basemap(case, chosen).result()
        assert load_basemap(case.read()) == chosen
        assert audit.entries(case.read())[-1].action == "map.basemap"
        source = open_tile_source(chosen, case.path)  # relative to the case folder
        assert isinstance(source, FolderSource) and source.root == case.path / "tiles"
        xyz = BasemapConfig(kind="xyz", url_template="https://t.example.org/{z}/{x}/{y}.png")
        cached = open_tile_source(xyz, case.path)
        assert isinstance(cached, CachedXyzSource) and cached.remote_enabled is False
        assert (case.derived_dir / "tile_cache.mbtiles").is_file()
        cached.cache.close()


def test_sniff_mime():
    assert sniff_mime(png()) == "image/png"
    assert sniff_mime(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert sniff_mime(b"RIFF\0\0\0\0WEBPVP8 ") == "image/webp"
    assert sniff_mime(b"<html>") == "application/octet-stream"
