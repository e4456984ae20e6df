"""Reconciliation of official area fields (三调 TBMJ …) with zoneplan's ellipsoidal area on import."""

import json

import geopandas as gpd
import numpy as np
import pyogrio
import pyproj
import pytest
import shapely

from tests.test_import_crs import ESRI_ZONE_39
from zoneplan.cli import main
from zoneplan.io.vector import read_vector
from zoneplan.measure import RECONCILE_REL_TOL, reconcile_official_area
from zoneplan.units import M2_PER_MU

GEOD = pyproj.Geod(a=6_378_137.0, rf=298.257222101)  # CGCS2000


def _dltb(n: int = 12) -> gpd.GeoDataFrame:
    """A 三调 地类图斑 layer as the bureau delivers it: zone 39 with zone number, ~1.3° west of CM 117°E.

    TBMJ is computed independently of zoneplan (pyproj.Geod on the 1 m-densified outline), rounded to
    0.01 m² as the database stores it; KCMJ = TBMJ × KCXS, TBDLMJ = TBMJ − KCMJ.
    """
    rng = np.random.default_rng(12)
    x0, y0 = pyproj.Transformer.from_crs(4490, 4527, always_xy=True).transform(115.70, 36.84)
    geoms = []
    for i in range(n):
        cx, cy = x0 + (i % 4) * 400.0, y0 + (i // 4) * 400.0
        theta = np.sort(rng.uniform(0, 2 * np.pi, 9))
        r = rng.uniform(80, 180, 9)
        geoms.append(shapely.Polygon(np.column_stack([cx + r * np.cos(theta), cy + r * np.sin(theta)])))
    geoms[5] = geoms[5].difference(shapely.Point(x0 + 400, y0 + 400).buffer(25))  # a 图斑 with an enclave
    gdf = gpd.GeoDataFrame(
        {
            "BSM": [f"3715812110000{i:04d}" for i in range(n)],
            "TBBH": [str(100 + i) for i in range(n)],
            "DLBM": ["0103", "0601", "0702", "1001"] * (n // 4),
            "DLMC": ["旱地", "工业用地", "农村宅基地", "铁路用地"] * (n // 4),
            "KCXS": [0.08, 0, 0, 0] * (n // 4),
        },
        geometry=geoms,
        crs=4527,
    )
    lonlat = gpd.GeoSeries(shapely.segmentize(gdf.geometry.values, 1.0), crs=4527).to_crs(4490)
    gdf["TBMJ"] = np.round([abs(GEOD.geometry_area_perimeter(g)[0]) for g in lonlat], 2)
    gdf["KCMJ"] = np.round(gdf["TBMJ"] * gdf["KCXS"], 2)
    gdf["TBDLMJ"] = np.round(gdf["TBMJ"] - gdf["KCMJ"], 2)
    return gdf


def _write(tmp_path, gdf: gpd.GeoDataFrame):
    path = tmp_path / "DLTB.shp"
    pyogrio.write_dataframe(gdf, path, encoding="GBK")
    path.with_suffix(".prj").write_text(ESRI_ZONE_39)
    path.with_suffix(".cpg").unlink(missing_ok=True)
    return path


def test_one_tbmj_altered_by_one_percent_is_flagged_the_others_not(tmp_path, capsys):
    gdf = _dltb()
    gdf.loc[7, "TBMJ"] = round(gdf.loc[7, "TBMJ"] * 1.01, 2)
    path = _write(tmp_path, gdf)
    with pytest.raises(SystemExit) as exit_:
        main(["import", str(path), "--into", str(tmp_path / "plan.gpkg"), "--layer", "parcels", "--json"])
    assert exit_.value.code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["area_basis"] == "planar"
    # both areas of the layer; the official TBMJ (ellipsoidal, altered one aside) sums to the ellipsoidal figure
    assert summary["ellipsoidal_area_mu"] < summary["area_mu"]
    assert summary["ellipsoidal_area_mu"] * M2_PER_MU == pytest.approx(_dltb()["TBMJ"].sum(), abs=0.1)
    rec = summary["area_reconciliation"]
    assert rec["field"] == "TBMJ" and rec["compared"] == 12 and rec["basis"] == "ellipsoidal"
    assert rec["flagged"] == ["37158121100000007"]  # BSM is the 图斑's id
    assert rec["max_rel_diff"] == pytest.approx(0.01, rel=1e-3)
    assert rec["max_abs_diff_m2"] == pytest.approx(gdf.loc[7, "TBMJ"] - gdf.loc[7, "TBMJ"] / 1.01, rel=1e-3)
    # the unaltered 图斑 agree far inside the tolerance
    r = read_vector(path)
    others = reconcile_official_area(r.data.drop(index=7).set_geometry("geometry"))
    assert others["flagged"] == [] and others["max_rel_diff"] < RECONCILE_REL_TOL / 10


def test_human_output_summarises_and_lists_the_flagged(tmp_path, capsys):
    gdf = _dltb()
    gdf.loc[2, "TBMJ"] = round(gdf.loc[2, "TBMJ"] * 0.99, 2)
    path = _write(tmp_path, gdf)
    with pytest.raises(SystemExit) as exit_:
        main(["import", str(path), "--into", str(tmp_path / "plan.gpkg"), "--layer", "parcels"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "official area TBMJ against ellipsoidal area: 12 compared" in out
    assert "1 beyond 0.01% and 0.1 m²: 37158121100000002" in out


def test_plane_areas_given_as_tbmj_are_all_flagged(tmp_path):
    """1.3° from the central meridian the plane area is 0.034 % larger: the tolerance sits below that gap."""
    gdf = _dltb()
    gdf["TBMJ"] = gdf.geometry.area.round(2)
    rec = read_vector(_write(tmp_path, gdf)).area_reconciliation
    assert len(rec["flagged"]) == 12
    assert 3.0e-4 < rec["max_rel_diff"] < 4.0e-4


def test_tbdlmj_plus_kcmj_is_used_without_tbmj(tmp_path):
    gdf = _dltb().drop(columns="TBMJ")
    gdf.loc[4, "KCMJ"] = gdf.loc[4, "KCMJ"] + 500.0  # a wrong deduction
    rec = read_vector(_write(tmp_path, gdf)).area_reconciliation
    assert rec["field"] == "TBDLMJ+KCMJ" and rec["compared"] == 12
    assert rec["flagged"] == ["37158121100000004"]


def test_no_official_area_field_no_reconciliation(tmp_path):
    rec = read_vector(_write(tmp_path, _dltb().drop(columns=["TBMJ", "TBDLMJ", "KCMJ"]))).area_reconciliation
    assert rec is None
