"""Data shaped the way bureaus deliver it, written by the tests themselves.

* :func:`dltb` — a 三调 地类图斑 layer (DLTB) with the standard fields, 三调 DLBM codes (some of
  which are also 2023 codes with another meaning), 城镇村属性码 and deductions (KCXS/KCMJ/TBDLMJ).
* :func:`run` — a fixture running the CLI in-process, Python warnings as errors.
* :func:`write_gbk_shapefile` — a GBK shapefile without ``.cpg``, optionally without ``.prj``,
  coordinates with the 3° zone number in the easting (EPSG:4527).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import pyogrio
import pytest

from tests.conftest import box
from zoneplan.cli import main

#: DLBM of the five 图斑, their 2023 reading and their 三调 reading.
DLTB_CODES = ["0601", "1101", "08H2", "1004", "05H1"]
DLTB_AS_2023 = ["1001", "1701", "08", "1207", "0704"]  # 05H1 in a village (CZCSXM 203) → 0704
DLTB_KCXS = [0.0, 0.0, 0.0, 0.0, 0.1]


def dltb(*, older: bool = False) -> gpd.GeoDataFrame:
    """Five 100 m × 100 m 图斑 (10 000 m² each) in EPSG:4548, fields as in a 三调 DLTB."""
    tbmj = [10_000.0] * 5
    data = {
        "BSM": [f"3715812022{i:06d}" for i in range(1, 6)],
        "TBBH": [str(i) for i in range(1, 6)],
        "DLBM": DLTB_CODES,
        "DLMC": ["工业用地", "河流水面", "科教文卫用地", "城镇村道路用地", "商业服务业设施用地"],
        "QSDWMC": ["临清市先锋街道办事处", "临清市", "临清市先锋街道办事处", "临清市", "烟店镇刘庄村"],
        "ZLDWMC": ["先锋街道", "先锋街道", "先锋街道", "先锋街道", "烟店镇刘庄村"],
        "TBMJ": tbmj,
        "CZCSXM": ["201", "201", "201", "201", "203"],
        "SJNF": [2022] * 5,
    }
    if older:  # the 二调 variant: deductions as separate areas
        data |= {"XZDWMJ": [0.0, 0.0, 120.0, 0.0, 0.0], "LXDWMJ": [0.0] * 5, "TKMJ": [0.0, 0.0, 0.0, 0.0, 1000.0]}
    else:
        kcmj = [t * k for t, k in zip(tbmj, DLTB_KCXS)]
        data |= {"KCDLBM": ["", "", "", "", "1203"], "KCXS": DLTB_KCXS, "KCMJ": kcmj, "TBDLMJ": [t - k for t, k in zip(tbmj, kcmj)]}
    return gpd.GeoDataFrame(data, geometry=[box(120 * i, 0, 100, 100) for i in range(5)], crs=4548)


def write_gbk_shapefile(gdf: gpd.GeoDataFrame, path: Path, *, prj: bool = True, zone_numbered: bool = True) -> Path:
    """Write ``gdf`` as a GBK shapefile without ``.cpg`` (and without ``.prj`` unless asked)."""
    out = gdf.to_crs(4527) if zone_numbered else gdf
    pyogrio.write_dataframe(out, path, encoding="GBK")
    path.with_suffix(".cpg").unlink(missing_ok=True)
    if not prj:
        path.with_suffix(".prj").unlink()
    assert "先锋街道".encode("gbk") in path.with_suffix(".dbf").read_bytes() or "先锋街道" not in str(gdf.to_dict())
    return path


@pytest.fixture
def run(capsys):
    """Run the CLI in-process; a Python warning reaching the user fails the command.

    Output is compared with single spaces (rich wraps long lines at the console width); ``raw``
    keeps standard output as printed (for ``--json``).
    """

    def _run(*args):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                main([str(a) for a in args])
                code = 0
            except SystemExit as exc:
                code = exc.code
        out, err = capsys.readouterr()
        return SimpleNamespace(returncode=code, stdout=re.sub(r"\s+", " ", out), stderr=re.sub(r"\s+", " ", err), raw=out)

    return _run
