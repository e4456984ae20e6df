"""Offline basemaps from local files (issue #20): MBTiles and PMTiles read the same way, written
here as their own tools write them (an MBTiles 1.3 SQLite file with TMS rows; a PMTiles 3 file from
the ``pmtiles`` writer, with run-length entries and leaf directories), refused with one line when
they cannot be drawn."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from pmtiles.tile import TileType

from tests.basemaps import write_mbtiles, write_pmtiles
from zoneplan.errors import InputError
from zoneplan.serve._tiles import MBTiles, PMTiles, open_basemap


def _tiles() -> dict[tuple[int, int, int], bytes]:
    """Scattered distinct tiles of random sizes at zoom 14 (too many for the root directory: leaf
    directories), and a run of equal tiles at zoom 13 (one run-length entry)."""
    rng = random.Random(20)
    cells = rng.sample([(x, y) for x in range(13_300, 13_700) for y in range(6_400, 6_800)], 12_000)
    distinct = {(14, x, y): rng.randbytes(rng.randint(20, 200)) for x, y in cells}
    same = {(13, 6_650 + i, 3_200): b"sea" for i in range(20)}
    return distinct | same


def test_pmtiles_and_mbtiles_give_the_same_tiles(tmp_path: Path) -> None:
    tiles = _tiles()
    pm = open_basemap(write_pmtiles(tmp_path / "base.pmtiles", tiles))
    mb = open_basemap(write_mbtiles(tmp_path / "base.mbtiles", tiles))
    assert isinstance(pm, PMTiles) and isinstance(mb, MBTiles)
    assert pm.header["leaf_directory_length"] > 0  # 12,000 scattered entries do not fit the root directory
    for key in tiles:
        assert pm.tile(*key) == mb.tile(*key) == tiles[key]
    absent = [(14, x, y) for x in range(13_300, 13_310) for y in range(6_400, 6_410) if (14, x, y) not in tiles]
    assert absent
    for missing in [*absent, (14, 13_299, 6_400), (14, 13_700, 6_400), (13, 6_670, 3_200), (12, 0, 0), (15, 1, 1), (14, -1, 5), (14, 1 << 14, 0)]:
        assert pm.tile(*missing) is None and mb.tile(*missing) is None
    assert pm.config() == mb.config() == {"url": "/tiles/{z}/{x}/{y}", "name": "test basemap", "attribution": "© test tiles", "min_zoom": 13, "max_zoom": 14}
    assert pm.media_type == mb.media_type == "image/png"


def test_files_that_cannot_be_drawn_are_refused(tmp_path: Path) -> None:
    vector = write_pmtiles(tmp_path / "vector.pmtiles", {(10, 1, 1): b"\x1a\x00"}, tile_type=TileType.MVT)
    with pytest.raises(InputError, match=r"PMTiles of vector \(MVT\) tiles cannot be drawn as a basemap"):
        open_basemap(vector)
    junk = tmp_path / "junk.pmtiles"
    junk.write_bytes(b"PMTiles\x02" + b"\x00" * 200)
    with pytest.raises(InputError, match="not a PMTiles 3 file"):
        open_basemap(junk)
    other = tmp_path / "photo.png"
    other.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with pytest.raises(InputError, match=r"not a basemap file: expected MBTiles \(SQLite\) or PMTiles 3"):
        open_basemap(other)


def test_serve_refuses_a_bad_basemap_before_it_starts(tmp_path: Path, run) -> None:
    from zoneplan import datasets

    vector = write_pmtiles(tmp_path / "vector.pmtiles", {(10, 1, 1): b"\x1a\x00"}, tile_type=TileType.MVT)
    r = run("serve", datasets.get_path("zhangdian"), "--basemap", vector)
    assert r.returncode == 2 and "vector (MVT) tiles cannot be drawn" in r.stderr and "vector.pmtiles" in r.stderr
    assert "Traceback" not in r.stderr
