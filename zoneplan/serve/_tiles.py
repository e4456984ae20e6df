"""An offline basemap for the workbench: tiles read from a local MBTiles file (SQLite).

MBTiles 1.3: table ``tiles(zoom_level, tile_column, tile_row, tile_data)`` with rows counted
from the south (TMS), and ``metadata(name, value)`` naming the ``format`` (``png``, ``jpg``,
``webp``; vector ``pbf`` tiles are refused: the page draws raster tiles), ``minzoom``/``maxzoom``
and ``attribution``. Served as ``/tiles/{z}/{x}/{y}`` (XYZ, rows from the north), so the map
needs nothing but the file.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zoneplan.errors import InputError

__all__ = ["MBTiles"]

_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}


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
        return {
            "url": "/tiles/{z}/{x}/{y}",
            "name": self.meta.get("name", self.path.stem),
            "attribution": self.meta.get("attribution", ""),
            "min_zoom": int(self.meta.get("minzoom", 0)),
            "max_zoom": int(self.meta.get("maxzoom", 18)),
        }

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile at XYZ ``z/x/y``, or None."""
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        row = con.execute("SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?", (z, x, (1 << z) - 1 - y)).fetchone()
        return None if row is None else bytes(row[0])
