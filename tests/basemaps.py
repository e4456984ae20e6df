"""Basemap files as their own tools write them, for the tests: MBTiles 1.3 (SQLite, TMS rows, the
unique tile index every writer creates) and PMTiles 3 (the ``pmtiles`` package's writer)."""

from __future__ import annotations

import io
import math
import sqlite3
from pathlib import Path

import numpy as np
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer


def write_pmtiles(path: Path, tiles: dict[tuple[int, int, int], bytes], *, tile_type: TileType = TileType.PNG, meta: dict | None = None) -> Path:
    """A PMTiles 3 file of ``tiles`` {(z, x, y): bytes}, as the pmtiles writer makes it."""
    with path.open("wb") as f:
        writer = Writer(f)
        for (z, x, y), data in sorted(tiles.items(), key=lambda item: zxy_to_tileid(*item[0])):
            writer.write_tile(zxy_to_tileid(z, x, y), data)
        zooms = [z for z, _, _ in tiles]
        writer.finalize(
            {
                "tile_type": tile_type,
                "tile_compression": Compression.NONE,
                "min_zoom": min(zooms),
                "max_zoom": max(zooms),
                "min_lon_e7": 1150000000,
                "min_lat_e7": 360000000,
                "max_lon_e7": 1170000000,
                "max_lat_e7": 370000000,
                "center_zoom": min(zooms),
                "center_lon_e7": 1160000000,
                "center_lat_e7": 365000000,
            },
            meta if meta is not None else {"name": "test basemap", "attribution": "© test tiles"},
        )
    return path


def write_mbtiles(path: Path, tiles: dict[tuple[int, int, int], bytes]) -> Path:
    """An MBTiles 1.3 file of ``tiles`` {(z, x, y): bytes} (rows stored from the south, TMS)."""
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE metadata (name text, value text)")
        con.execute("CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob)")
        con.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
        zooms = [z for z, _, _ in tiles]
        con.executemany(
            "INSERT INTO metadata VALUES (?, ?)",
            [("name", "test basemap"), ("format", "png"), ("minzoom", str(min(zooms))), ("maxzoom", str(max(zooms))), ("attribution", "© test tiles")],
        )
        con.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)", [(z, x, (1 << z) - 1 - y, data) for (z, x, y), data in tiles.items()])
    return path


def solid_tiles(lon: float, lat: float, zoom: int, rgb: tuple[int, int, int]) -> dict[tuple[int, int, int], bytes]:
    """7 × 7 solid-colour PNG tiles around lon-lat at ``zoom`` (XYZ)."""
    from matplotlib.image import imsave

    buf = io.BytesIO()
    imsave(buf, np.tile(np.array(rgb, dtype=np.uint8), (256, 256, 1)), format="png")
    n = 1 << zoom
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return {(zoom, x + dx, y + dy): buf.getvalue() for dx in range(-3, 4) for dy in range(-3, 4)}
