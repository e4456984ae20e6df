"""Built-up change between two rasters, set against the plan's records: planted mismatches."""

from __future__ import annotations

from pathlib import Path

import pytest
import rasterio

from tests.conftest import box
from tests.plans_raster import make_change_case
from zoneplan.errors import InputError
from zoneplan.plan import Plan
from zoneplan.raster.change import built_change, compare, mismatches, parcel_change, recorded_built

MU = 10000 / 15


@pytest.fixture
def change_case(tmp_path: Path) -> tuple[Plan, Path, Path]:
    """See :func:`tests.plans_raster.make_change_case`: P2 and P3 are the planted mismatches."""
    return make_change_case(tmp_path)


def test_recorded_built_uses_history_not_plan(change_case: tuple[Plan, Path, Path]) -> None:
    plan, _, _ = change_case
    assert recorded_built(plan, 2023).tolist() == [True, True, False, False, True, False, True, False]
    # in 2021, P5 (built 2022) is not yet built; P4's planned_year 2021 is no record
    assert recorded_built(plan, 2021).tolist() == [True, True, False, False, False, False, True, False]


def test_change_finds_exactly_the_planted_parcels(change_case: tuple[Plan, Path, Path]) -> None:
    plan, old, new = change_case
    table = parcel_change(plan, old, new)
    found = table.loc[table["mismatch"].notna(), ["parcel_id", "mismatch"]]
    assert found.values.tolist() == [["P2", "recorded_built_looks_bare"], ["P3", "unauthorised_construction"]]
    p = table.set_index("parcel_id")
    assert p.loc["P3", "new_built_mu"] == pytest.approx(6000 / MU)
    assert p.loc["P3", "new_built_share"] == pytest.approx(0.6)
    assert p.loc["P4", "built_old_share"] == 1.0 and p.loc["P4", "new_built_mu"] == 0.0
    assert p.loc["P6", "new_built_share"] == pytest.approx(0.2)
    assert p.loc["P2", "built_new_share"] == 0.0 and p.loc["P2", "built_old_share"] == 0.0
    # P7 is a built park: green, yet no mismatch; P8 is fully newly built-up but only 4 cells
    assert p.loc["P7", "built_new_share"] == 0.0 and bool(p.loc["P7", "judged"])
    assert p.loc["P8", "new_built_share"] == 1.0 and not bool(p.loc["P8", "judged"])


def test_group_change_and_evidence(change_case: tuple[Plan, Path, Path]) -> None:
    plan, old, new = change_case
    result = compare(plan, old, new, by="zone")
    assert (result.old_year, result.new_year) == (2020, 2023)
    z = result.groups.iloc[0]
    assert z["group_id"] == "Z1"
    # 2020: P1 + P4 + corner = 30000 m²; 2023: P1 + P4 + P3(6000) + P5 + P6(2000) + P8(400) + 5000
    assert z["built_old_mu"] == pytest.approx(30000 / MU)
    assert z["built_new_mu"] == pytest.approx((10000 + 10000 + 6000 + 10000 + 2000 + 400 + 5000) / MU)
    assert z["new_built_mu"] == pytest.approx((6000 + 10000 + 2000 + 400 + 5000) / MU)
    assert z["lost_built_mu"] == pytest.approx(10000 / MU)
    # recorded new construction 2021–2023: P2 (built 2021) and P5 (built 2022)
    assert z["recorded_new_built_mu"] == pytest.approx(20000 / MU)
    assert z["unrecorded_new_built_mu"] == pytest.approx(3400 / MU)
    assert (z["unauthorised_count"], z["looks_bare_count"]) == (1, 1)
    assert z["unauthorised_mu"] == pytest.approx(15.0) and z["looks_bare_mu"] == pytest.approx(15.0)
    ev = result.evidence.set_index("parcel_id")
    assert list(ev.index) == ["P2", "P3"]
    assert ev.loc["P3", "geometry"].symmetric_difference(box(400, 0, 100, 60)).area < 1e-6
    assert ev.loc["P3", "evidence_mu"] == pytest.approx(6000 / MU)
    assert ev.loc["P2", "evidence_mu"] == pytest.approx(15.0)
    assert "P3" in ev.loc["P3", "message"] and ev.crs == plan.crs
    assert result.to_json()["mismatches"][1]["parcel_id"] == "P3"
    assert mismatches(plan, old, new, bare_below=0.0)["parcel_id"].tolist() == ["P3"]  # nothing is below 0 % built-up


def test_new_raster_on_another_grid_and_crs(change_case: tuple[Plan, Path, Path], tmp_path: Path) -> None:
    """The newer raster in UTM 50N: it is read on the older grid, and the planted parcels are still found."""
    plan, old, new = change_case
    with rasterio.open(new) as src:
        from rasterio.warp import Resampling, calculate_default_transform, reproject

        transform, w, h = calculate_default_transform(src.crs, "EPSG:32650", src.width, src.height, *src.bounds, resolution=5.0)
        utm = tmp_path / "lc_utm_2023.tif"
        with rasterio.open(utm, "w", driver="GTiff", width=w, height=h, count=1, dtype="uint8", crs="EPSG:32650", transform=transform, nodata=0) as dst:
            reproject(rasterio.band(src, 1), rasterio.band(dst, 1), resampling=Resampling.nearest)
    table = parcel_change(plan, old, utm)
    assert table.loc[table["mismatch"].notna(), "parcel_id"].tolist() == ["P2", "P3"]
    assert table.set_index("parcel_id").loc["P3", "new_built_share"] == pytest.approx(0.6, abs=0.03)


def test_years_must_be_known_and_ordered(change_case: tuple[Plan, Path, Path], tmp_path: Path) -> None:
    plan, old, new = change_case
    with pytest.raises(InputError, match="earlier year"):
        built_change(plan, new, old)
    with pytest.raises(InputError, match="which year"):
        built_change(plan, old.rename(tmp_path / "untagged.tif"), new)
    assert built_change(plan, tmp_path / "untagged.tif", new, old_year=2019)["old_year"].tolist() == [2019]
