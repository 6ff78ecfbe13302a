"""Basemap tiles without Qt: the case's basemap choice and the sources that read tiles.

Four basemaps (ARCHITECTURE.md, "Map"): ``none`` (an offline grid drawn in the page, the
default: no tile request at all), ``xyz`` (a URL template such as
``https://tile.example.org/{z}/{x}/{y}.png`` read through an on-disk MBTiles cache; the network
is used only when the user turned ``remote_enabled`` on for the case), ``mbtiles`` (a local
MBTiles 1.3 file) and ``folder`` (a folder of XYZ tiles ``{z}/{x}/{y}.png|jpg|webp``).

Tile numbering is the XYZ ("slippy map") scheme: y = 0 at the north edge. MBTiles stores
rows in the TMS scheme (y = 0 at the south edge), so ``tile_row = 2**z - 1 - y``
(MBTiles 1.3 specification, "tiles" table).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from analysis.errors import WorkbenchError

if TYPE_CHECKING:
    from concurrent.futures import Future

    from workbench.case import Case

BASEMAP_KINDS = ("none", "xyz", "mbtiles", "folder")
SETTING_KEY = "basemap"
CACHE_NAME = "tile_cache.mbtiles"
MAX_ZOOM = 22
USER_AGENT = "geoworkbench/0.1 (offline verification workbench; tile cache)"
FETCH_TIMEOUT_S = 15.0


class TileError(WorkbenchError):
    """A tile source cannot be used: a bad setting, an unreadable MBTiles file or folder."""


@dataclass(frozen=True)
class BasemapConfig:
    """The case's basemap. ``remote_enabled`` must be True before any tile is downloaded."""

    kind: str = "none"
    url_template: str = ""
    path: str = ""
    remote_enabled: bool = False
    attribution: str = ""
    max_zoom: int = 19

    def __post_init__(self) -> None:
        if self.kind not in BASEMAP_KINDS:
            raise TileError(f"basemap kind {self.kind!r} is not one of {', '.join(BASEMAP_KINDS)}")
        if self.kind == "xyz" and not all(k in self.url_template for k in ("{z}", "{x}", "{y}")):
            raise TileError(f"tile URL {self.url_template!r} lacks {{z}}, {{x}} or {{y}}")
        if self.kind == "xyz" and not self.url_template.startswith(("https://", "http://")):
            raise TileError(f"tile URL {self.url_template!r} is not an http(s) URL")
        if self.kind in ("mbtiles", "folder") and not self.path:
            raise TileError(f"a {self.kind} basemap needs a path")
        if not 0 <= self.max_zoom <= MAX_ZOOM:
            raise TileError(f"max zoom {self.max_zoom} is outside 0..{MAX_ZOOM}")

    @property
    def makes_requests(self) -> bool:
        """Whether the page asks for tiles at all (the grid draws itself)."""
        return self.kind != "none"


def load_basemap(conn: sqlite3.Connection) -> BasemapConfig:
    """The case's basemap setting (the offline grid when none was chosen)."""
    row = conn.execute(
        "SELECT value_json FROM case_setting WHERE key = ?", (SETTING_KEY,)
    ).fetchone()
    if row is None:
        return BasemapConfig()
    data = json.loads(row[0])
    known = {k: v for k, v in data.items() if k in BasemapConfig.__dataclass_fields__}
    return BasemapConfig(**known)


def save_basemap(case: Case, config: BasemapConfig) -> Future[BasemapConfig]:
    """Store the basemap choice with an audit row (async: the writer's future)."""

    def do(conn: sqlite3.Connection) -> BasemapConfig:
        old = load_basemap(conn)
        conn.execute(
            "INSERT OR REPLACE INTO case_setting (key, value_json) VALUES (?, ?)",
            (SETTING_KEY, json.dumps(asdict(config), sort_keys=True)),
        )
        case.log(conn, "map.basemap", SETTING_KEY, {"old": asdict(old), "new": asdict(config)})
        return config

    return case.write(do)


def check_tile(z: int, x: int, y: int) -> None:
    """Raise TileError unless (z, x, y) names a tile of the XYZ pyramid."""
    if not 0 <= z <= MAX_ZOOM:
        raise TileError(f"zoom {z} is outside 0..{MAX_ZOOM}")
    n = 1 << z
    if not (0 <= x < n and 0 <= y < n):
        raise TileError(f"tile {z}/{x}/{y} is outside the {n}x{n} grid of zoom {z}")


class TileSource(Protocol):
    def get_tile(self, z: int, x: int, y: int) -> bytes | None:
        """The encoded image of one XYZ tile, or None when there is none."""


class NoTiles:
    """The offline grid: the page draws it, so there are no tiles to serve."""

    def get_tile(self, z: int, x: int, y: int) -> bytes | None:
        check_tile(z, x, y)
        return None


_MBTILES_SCHEMA = """
CREATE TABLE IF NOT EXISTS metadata (name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS tiles (
    zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB,
    PRIMARY KEY (zoom_level, tile_column, tile_row)
);
"""


class MBTilesSource:
    """Tiles from an MBTiles file (sqlite3). Thread-safe: one connection behind a lock."""

    def __init__(self, path: Path, *, writable: bool = False) -> None:
        self.path = Path(path)
        if not writable and not self.path.is_file():
            raise TileError(f"{self.path}: no such MBTiles file")
        uri = f"file:{self.path}?mode={'rwc' if writable else 'ro'}"
        try:
            self._conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            if writable:
                self._conn.executescript(_MBTILES_SCHEMA)
            self._conn.execute("SELECT 1 FROM tiles LIMIT 1").fetchall()
        except sqlite3.Error as exc:
            raise TileError(f"{self.path}: not a usable MBTiles file ({exc})") from exc
        self._lock = threading.Lock()

    def get_tile(self, z: int, x: int, y: int) -> bytes | None:
        check_tile(z, x, y)
        with self._lock:
            row = self._conn.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                (z, x, (1 << z) - 1 - y),
            ).fetchone()
        return bytes(row[0]) if row else None

    def put_tile(self, z: int, x: int, y: int, data: bytes) -> None:
        check_tile(z, x, y)
        with self._lock, self._conn:
            self._conn.execute(
                "INSERT OR REPLACE INTO tiles VALUES (?, ?, ?, ?)",
                (z, x, (1 << z) - 1 - y, sqlite3.Binary(data)),
            )

    def set_metadata(self, **values: str) -> None:
        with self._lock, self._conn:
            self._conn.executemany(
                "INSERT OR REPLACE INTO metadata VALUES (?, ?)", sorted(values.items())
            )

    def close(self) -> None:
        with self._lock:
            self._conn.close()


class FolderSource:
    """Tiles from a folder laid out as ``{z}/{x}/{y}.png`` (or .jpg, .jpeg, .webp)."""

    SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        if not self.root.is_dir():
            raise TileError(f"{self.root}: no such tile folder")

    def get_tile(self, z: int, x: int, y: int) -> bytes | None:
        check_tile(z, x, y)
        base = self.root / str(z) / str(x)
        for suffix in self.SUFFIXES:
            path = base / f"{y}{suffix}"
            if path.is_file():
                return path.read_bytes()
        return None


Fetcher = Callable[[str], bytes]


def http_fetch(url: str) -> bytes:
    """Download one tile (blocking; call it off the GUI thread)."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:  # noqa: S310
            return response.read()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise TileError(f"tile {url}: download failed ({exc})") from exc


class CachedXyzSource:
    """An XYZ URL template read through an MBTiles cache; downloads only when enabled."""

    def __init__(
        self,
        url_template: str,
        cache: MBTilesSource,
        *,
        remote_enabled: bool,
        fetch: Fetcher = http_fetch,
    ) -> None:
        self.url_template = url_template
        self.cache = cache
        self.remote_enabled = remote_enabled
        self._fetch = fetch

    def url_for(self, z: int, x: int, y: int) -> str:
        return (
            self.url_template.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y))
        )

    def get_tile(self, z: int, x: int, y: int) -> bytes | None:
        cached = self.cache.get_tile(z, x, y)
        if cached is not None or not self.remote_enabled:
            return cached
        data = self._fetch(self.url_for(z, x, y))
        self.cache.put_tile(z, x, y, data)
        return data


def open_tile_source(
    config: BasemapConfig, case_dir: Path, *, fetch: Fetcher = http_fetch
) -> TileSource:
    """The tile source for a basemap setting; relative paths are relative to the case."""
    if config.kind == "none":
        return NoTiles()
    if config.kind == "xyz":
        cache = MBTilesSource(Path(case_dir) / "derived" / CACHE_NAME, writable=True)
        cache.set_metadata(name="tile cache", format="png", source=config.url_template)
        return CachedXyzSource(
            config.url_template, cache, remote_enabled=config.remote_enabled, fetch=fetch
        )
    path = Path(config.path)
    if not path.is_absolute():
        path = Path(case_dir) / path
    if config.kind == "mbtiles":
        return MBTilesSource(path)
    return FolderSource(path)


def sniff_mime(data: bytes) -> str:
    """The image MIME type of a tile from its first bytes (PNG, JPEG or WebP)."""
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"
