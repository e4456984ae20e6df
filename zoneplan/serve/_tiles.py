"""An offline basemap for the workbench: tiles read from a local MBTiles or PMTiles file.

:func:`open_basemap` opens either, told apart by the file's own signature (SQLite or ``PMTiles``),
and both are served as ``/tiles/{z}/{x}/{y}`` (XYZ, rows from the north), so the map needs
nothing but the file.

MBTiles 1.3: table ``tiles(zoom_level, tile_column, tile_row, tile_data)`` with rows counted
from the south (TMS), and ``metadata(name, value)`` naming the ``format`` (``png``, ``jpg``,
``webp``; vector ``pbf`` tiles are refused: the page draws raster tiles), ``minzoom``/``maxzoom``
and ``attribution``.

PMTiles 3 (one file of Hilbert-ordered tiles, read with the ``pmtiles`` package, BSD-3-Clause):
the header gives the tile type (PNG, JPEG or WebP raster tiles; vector MVT tiles are refused
as for MBTiles), the zoom range and the bounds; the JSON metadata the ``name`` and
``attribution``. Directories are read once and kept; each tile is one read of its bytes.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from zoneplan.errors import InputError

__all__ = ["MBTiles", "PMTiles", "open_basemap"]

_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}


def _config(path: Path, meta: dict[str, Any], min_zoom: int, max_zoom: int) -> dict[str, Any]:
    """The page's view of a basemap file (both formats): served as ``/tiles/{z}/{x}/{y}``."""
    return {
        "url": "/tiles/{z}/{x}/{y}",
        "name": str(meta.get("name", path.stem)),
        "attribution": str(meta.get("attribution", "")),
        "min_zoom": min_zoom,
        "max_zoom": max_zoom,
    }


@dataclass
class MBTiles:
    """A read-only MBTiles file.

    Examples
    --------
    >>> MBTiles.open("missing.mbtiles")
    Traceback (most recent call last):
    ...
    zoneplan.errors.InputError: basemap file not found (file missing.mbtiles, rule basemap)
    """

    path: Path
    meta: dict[str, str]
    _local: threading.local = field(default_factory=threading.local, repr=False)

    @classmethod
    def open(cls, path: str | Path) -> MBTiles:
        """Open ``path``, checking it is an MBTiles file of raster tiles."""
        path = Path(path)
        if not path.exists():
            raise InputError("basemap file not found", file=path, rule="basemap")
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
                meta = dict(con.execute("SELECT name, value FROM metadata").fetchall())
                con.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles LIMIT 1").fetchall()
        except sqlite3.DatabaseError as exc:
            raise InputError(f"not an MBTiles file: {exc}", file=path, rule="basemap") from None
        fmt = str(meta.get("format", "png")).lower()
        if fmt not in _TYPES:
            raise InputError(f"MBTiles format {fmt!r} cannot be drawn as a basemap; use raster tiles ({', '.join(_TYPES)})", file=path, rule="basemap")
        return cls(path, meta)

    @property
    def media_type(self) -> str:
        """MIME type of the tiles."""
        return _TYPES[str(self.meta.get("format", "png")).lower()]

    def config(self) -> dict[str, Any]:
        """What the page needs: URL template, zoom range, attribution, name."""
        return _config(self.path, self.meta, int(self.meta.get("minzoom", 0)), int(self.meta.get("maxzoom", 18)))

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile at XYZ ``z/x/y``, or None."""
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        row = con.execute("SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?", (z, x, (1 << z) - 1 - y)).fetchone()
        return None if row is None else bytes(row[0])


#: PMTiles tile types that the page can draw, as MIME types (pmtiles.tile.TileType values).
_PMTILES_TYPES = {2: "image/png", 3: "image/jpeg", 4: "image/webp"}
_PMTILES_TYPE_NAMES = {0: "unknown", 1: "vector (MVT)", 5: "AVIF", 6: "vector (MLT)"}


@dataclass
class PMTiles:
    """A read-only PMTiles 3 file of raster tiles.

    Examples
    --------
    >>> PMTiles.open("missing.pmtiles")
    Traceback (most recent call last):
    ...
    zoneplan.errors.InputError: basemap file not found (file missing.pmtiles, rule basemap)
    """

    path: Path
    header: dict[str, Any]
    meta: dict[str, Any]

    @classmethod
    def open(cls, path: str | Path) -> PMTiles:
        """Open ``path``, checking it is a PMTiles 3 file of raster tiles."""
        from pmtiles.tile import Compression, deserialize_header

        path = Path(path)
        if not path.exists():
            raise InputError("basemap file not found", file=path, rule="basemap")
        try:
            with path.open("rb") as f:
                header: dict[str, Any] = dict(deserialize_header(f.read(127)))
                f.seek(header["metadata_offset"])
                raw = f.read(header["metadata_length"])
        except Exception as exc:  # the reader raises its own classes for a wrong magic number or version
            raise InputError(f"not a PMTiles 3 file: {type(exc).__name__} {exc}".strip(), file=path, rule="basemap") from None
        internal = Compression(header["internal_compression"])
        if internal != Compression.GZIP:  # what every writer uses; the reader decodes gzip directories only
            raise InputError(
                f"PMTiles directories stored as {internal.name.lower()} cannot be read here; write them gzip-compressed", file=path, rule="basemap"
            )
        tile_type = int(getattr(header["tile_type"], "value", header["tile_type"]))
        if tile_type not in _PMTILES_TYPES:
            what = _PMTILES_TYPE_NAMES.get(tile_type, str(tile_type))
            raise InputError(f"PMTiles of {what} tiles cannot be drawn as a basemap; use raster tiles (png, jpg, webp)", file=path, rule="basemap")
        try:
            meta = json.loads(gzip.decompress(raw)) if raw else {}
        except (OSError, ValueError) as exc:
            raise InputError(f"PMTiles metadata cannot be read: {exc}", file=path, rule="basemap") from None
        return cls(path, header, meta if isinstance(meta, dict) else {})

    @property
    def media_type(self) -> str:
        """MIME type of the tiles."""
        return _PMTILES_TYPES[int(getattr(self.header["tile_type"], "value", self.header["tile_type"]))]

    def config(self) -> dict[str, Any]:
        """What the page needs: URL template, zoom range, attribution, name."""
        return _config(self.path, self.meta, int(self.header["min_zoom"]), int(self.header["max_zoom"]))

    def _read(self, offset: int, length: int) -> bytes:
        with self.path.open("rb") as f:
            f.seek(offset)
            return f.read(length)

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile at XYZ ``z/x/y``, or None."""
        from pmtiles.tile import Compression, find_tile, zxy_to_tileid

        if not (int(self.header["min_zoom"]) <= z <= int(self.header["max_zoom"])) or not (0 <= x < (1 << z) and 0 <= y < (1 << z)):
            return None
        tile_id = zxy_to_tileid(z, x, y)
        offset, length = self.header["root_offset"], self.header["root_length"]
        for _ in range(4):  # the root and at most three levels of leaf directories
            entry = find_tile(self._directory(offset, length), tile_id)
            if entry is None:
                return None
            if entry.run_length == 0:
                offset, length = self.header["leaf_directory_offset"] + entry.offset, entry.length
                continue
            data = self._read(self.header["tile_data_offset"] + entry.offset, entry.length)
            return gzip.decompress(data) if Compression(self.header["tile_compression"]) == Compression.GZIP else data
        return None

    def _directory(self, offset: int, length: int) -> list[Any]:
        return _directory(self.path, self.path.stat().st_mtime_ns, offset, length)


@lru_cache(maxsize=256)
def _directory(path: Path, mtime_ns: int, offset: int, length: int) -> list[Any]:
    """A PMTiles directory, read and decoded once per file version (``mtime_ns``), offset and length."""
    from pmtiles.tile import deserialize_directory

    with path.open("rb") as f:
        f.seek(offset)
        return list(deserialize_directory(f.read(length)))


def open_basemap(path: str | Path) -> MBTiles | PMTiles:
    """Open a local basemap file: MBTiles or PMTiles, told apart by the file's own signature.

    Examples
    --------
    >>> open_basemap("missing.pmtiles")
    Traceback (most recent call last):
    ...
    zoneplan.errors.InputError: basemap file not found (file missing.pmtiles, rule basemap)
    """
    path = Path(path)
    if not path.exists():
        raise InputError("basemap file not found", file=path, rule="basemap")
    with path.open("rb") as f:
        magic = f.read(16)
    if magic.startswith(b"PMTiles"):
        return PMTiles.open(path)
    if magic.startswith(b"SQLite format 3"):
        return MBTiles.open(path)
    raise InputError("not a basemap file: expected MBTiles (SQLite) or PMTiles 3", file=path, rule="basemap")
