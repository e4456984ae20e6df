"""The Linqing sample rasters: rebuilt identically, and the change finds exactly the planted parcels."""

from __future__ import annotations

import functools
import operator
import sys
from pathlib import Path

import numpy as np
import pytest
import rasterio

from zoneplan import datasets
from zoneplan.raster import zonal_stats
from zoneplan.raster.change import compare

LAYERS = datasets.layers_dir()
sys.path.insert(0, str(LAYERS))

import build_rasters  # noqa: E402  (layers/build_rasters.py)

OLD = LAYERS / "linqing_landcover_2018.tif"
NEW = LAYERS / "linqing_landcover_2023.tif"
PLANTED = {
    "recorded_built_looks_bare": ["LQC-0142", "LQC-0667"],
    "unauthorised_construction": ["LQC-0459", "LQY-0099", "LQC-0727"],
}


@pytest.fixture(scope="module")
def linqing():
    return datasets.load("linqing")


def test_committed_rasters_rebuild_identically(linqing, tmp_path: Path) -> None:
    assert {k: sorted(v) for k, v in build_rasters.planted(linqing).items()} == {k: sorted(v) for k, v in PLANTED.items()}
    for year, path in build_rasters.build(datasets.get_path("linqing"), tmp_path).items():
        committed = LAYERS / path.name
        assert committed.stat().st_size < 5 * 2**20
        with rasterio.open(path) as new, rasterio.open(committed) as old:
            assert np.array_equal(new.read(1), old.read(1)) and new.transform == old.transform
            assert old.tags()["year"] == str(year)


def test_change_finds_exactly_the_planted_parcels(linqing) -> None:
    result = compare(linqing, OLD, NEW, by="park")
    found: dict[str, list[str]] = {}
    for pid, kind in result.mismatched[["parcel_id", "mismatch"]].itertuples(index=False):
        found.setdefault(kind, []).append(pid)
    assert {k: sorted(v) for k, v in found.items()} == {k: sorted(v) for k, v in PLANTED.items()}
    assert sorted(result.evidence["parcel_id"]) == sorted(functools.reduce(operator.iadd, PLANTED.values(), []))
    # evidence: the newly built-up part of each unauthorised parcel (the lawn speckle stays green)
    ev = result.evidence.set_index("parcel_id")
    share = ev["evidence_mu"] / ev["area_mu"]
    assert share[PLANTED["unauthorised_construction"]].between(0.8, 0.95).all()
    assert share[PLANTED["recorded_built_looks_bare"]].gt(0.95).all()


def test_stats_by_park_cover_every_park(linqing) -> None:
    stats = zonal_stats(linqing, NEW, by="park")
    assert sorted(stats["group_id"].unique()) == sorted(linqing.parks["park_id"])
    per_park = stats.groupby("group_id")[["area_mu", "group_area_mu"]].agg({"area_mu": "sum", "group_area_mu": "first"})
    # the raster covers every park: the classes add up to each park's exact area
    assert np.allclose(per_park["area_mu"], per_park["group_area_mu"], rtol=1e-6)
