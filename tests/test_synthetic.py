"""The synthetic province generator: contract, determinism and internal consistency."""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from benchmarks.synthetic import PITCH_M, make_plan
from zoneplan.layers import CONTROL_LINE_KINDS, PARCEL_STATUSES
from zoneplan.units import M2_PER_MU


def test_counts_layers_and_crs() -> None:
    plan = make_plan(1_001, n_zones=4, n_control_polygons=30, seed=3)
    assert len(plan.parcels) == 1_001
    # parcels split as evenly as possible: 251, 250, 250, 250
    assert plan.parcels["zone_id"].value_counts().sort_index().tolist() == [251, 250, 250, 250]
    assert len(plan.zones) == 4 and len(plan.districts) == 8 and len(plan.parks) == 16 and len(plan.phases) == 12
    assert len(plan.control_lines) == 30
    # 4 boundaries (one per zone), the other 26 split 13/13
    assert plan.control_lines["kind"].value_counts().to_dict() == {"basic_farmland": 13, "ecological_redline": 13, "urban_development_boundary": 4}
    assert set(plan.control_lines["kind"]) <= set(CONTROL_LINE_KINDS)
    assert plan.crs.to_epsg() == 4548
    assert plan.parcels["parcel_id"].is_unique
    assert set(plan.parcels["status"]) <= set(PARCEL_STATUSES)
    assert set(plan.tables) == {"targets", "quotas"}


def test_geometry_is_consistent() -> None:
    plan = make_plan(900, n_zones=4, n_control_polygons=8)
    parcels, zones = plan.parcels, plan.zones
    # every parcel is inside its own zone and parcels never overlap (60–90 m wide in a 100 m grid)
    zone_geom = zones.set_index("zone_id").geometry.reindex(parcels["zone_id"]).to_numpy()
    assert shapely.within(parcels.geometry.to_numpy(), zone_geom).all()
    left, _right = parcels.sindex.query(parcels.geometry, predicate="overlaps")
    assert len(left) == 0
    area = parcels.area
    assert area.min() >= (0.6 * PITCH_M) ** 2 - 1e-6 and area.max() <= (0.9 * PITCH_M) ** 2 + 1e-6
    # 225 parcels per zone → a 15×15 grid plus a 4-cell margin → 23 × 100 m = 2300 m square
    assert np.allclose(zones.area, 2300.0**2)
    assert np.allclose(zones["approved_area_mu"], 2300.0**2 / M2_PER_MU)
    # districts, parks and phases tile each zone exactly
    for layer in ("districts", "parks", "phases"):
        assert np.isclose(plan[layer].area.sum(), zones.area.sum())


def test_attributes_follow_status() -> None:
    p = make_plan(3_000, n_zones=3, n_control_polygons=10).parcels
    built = p["status"] == "built"
    assert p.loc[built, "built_year"].notna().all()
    assert (p.loc[built, "built_year"] >= p.loc[built, "supplied_year"]).all()
    assert p.loc[~built, "built_year"].isna().all()
    assert p.loc[p["status"] == "supplied", "supplied_year"].notna().all()
    assert p.loc[p["status"].isin(["ready", "unready", "unbuildable"]), "supplied_year"].isna().all()
    assert (p.loc[p["landuse_code"] == "1704", "status"] == "unbuildable").all()
    assert p.loc[~built, "floor_area_m2"].isna().all()
    assert p.loc[~built, "tax_yuan"].isna().all()
    assert p["planned_year"].dropna().between(2025, 2035).all()


def test_deterministic_per_seed() -> None:
    a = make_plan(500, n_zones=2, n_control_polygons=6, seed=1)
    b = make_plan(500, n_zones=2, n_control_polygons=6, seed=1)
    c = make_plan(500, n_zones=2, n_control_polygons=6, seed=2)
    pd.testing.assert_frame_equal(a.parcels.drop(columns="geometry"), b.parcels.drop(columns="geometry"))
    assert a.parcels.geometry.geom_equals_exact(b.parcels.geometry, tolerance=0).all()
    assert not a.parcels["landuse_code"].equals(c.parcels["landuse_code"])
