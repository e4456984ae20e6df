"""File Geodatabases (``.gdb``) in and out: the bureau's own databases.

Bureaus hand over Esri File Geodatabases holding the standard 三调 layers (地类图斑 ``DLTB``) and
the 国土空间规划 database (用地用海 layers and the three control lines), and expect the same back.
GDAL's OpenFileGDB driver (bundled with pyogrio, writing since GDAL 3.6) reads and writes them
without Esri software.

Reading
    :func:`zoneplan.io.vector.read_vector` reads one layer of a ``.gdb`` (``layer=``; a database
    with several layers and no ``layer`` is refused with the layers listed, see
    :func:`list_layers`). :func:`read_control_lines` gathers the control-line layers, recognised by
    their standard names (:data:`CONTROL_LINE_LAYERS`), into one ``control_lines`` layer.

Writing
    :func:`write_gdb` writes a plan's layers and tables. ``schema="sandiao"`` writes the parcels as
    a 三调 ``DLTB`` layer (BSM, DLBM, DLMC, TBMJ, TBDLMJ, CZCSXM …), ``schema="guokong"`` as the
    planning database's land-use layer (YDYHFLDM/YDYHFLMC, JQDLBM, GHDLBM) and the control lines
    as ``CZKFBJ``, ``YJJBNTBHTB`` and ``STBHHX``. The database is written beside the target and
    moved over it at the end, so a failed write leaves the previous one intact.

Layer names
    ``CZKFBJ`` (城镇开发边界; some tools write ``CSKFBJ``), ``YJJBNTBHTB`` (永久基本农田保护图斑;
    any name beginning ``YJJBNT``) and ``STBHHX`` (生态保护红线) are the names used by public
    planning-database tools; the Chinese layer names (城镇开发边界, 永久基本农田, 生态保护红线 —
    also 陆域生态保护红线) are recognised as well. ``GHYDYH`` (规划用地用海) and ``KFQFW`` (开发区范围)
    are zoneplan's names where the 规范 gives none for a development zone.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio

from zoneplan.errors import InputError, PlanError
from zoneplan.landuse import class_names, refine_sandiao, to_sandiao
from zoneplan.measure import basis_area_m2

__all__ = ["CONTROL_LINE_LAYERS", "SCHEMAS", "control_line_layers", "list_layers", "read_control_lines", "write_gdb"]

#: Layer-name patterns (regular expressions, matched case-insensitively) → control-line kind.
CONTROL_LINE_LAYERS: dict[str, str] = {
    r"C[ZS]KFBJ\w*|.*城镇开发边界.*": "urban_development_boundary",
    r"YJJBNT\w*|.*永久基本农田.*": "basic_farmland",
    r"STBHHX\w*|.*生态保护红线.*": "ecological_redline",
}

#: Export schemas of :func:`write_gdb`.
SCHEMAS: dict[str, str] = {
    "sandiao": "三调 地类图斑: parcels as DLTB (BSM, DLBM, DLMC, TBMJ, TBDLMJ, CZCSXM …)",
    "guokong": "国土空间规划 database: parcels as GHYDYH (YDYHFLDM, YDYHFLMC, JQDLBM, GHDLBM), control lines as CZKFBJ / YJJBNTBHTB / STBHHX",
}

_GUOKONG_LINES = {"urban_development_boundary": "CZKFBJ", "basic_farmland": "YJJBNTBHTB", "ecological_redline": "STBHHX"}


def list_layers(path: str | os.PathLike) -> pd.DataFrame:
    """The layers of a multi-layer source (``.gdb``, ``.gpkg``): name, geometry type, feature count.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> list_layers(datasets.get_path("zhangdian")).set_index("layer").loc["zones", "features"]
    np.int64(1)
    """
    rows = []
    for name, geometry_type in pyogrio.list_layers(path):
        rows.append({"layer": str(name), "geometry": geometry_type, "features": pyogrio.read_info(path, layer=str(name))["features"]})
    return pd.DataFrame(rows, columns=["layer", "geometry", "features"])


def describe_layers(path: str | os.PathLike) -> str:
    """The layers of ``path`` on one line, for messages (``DLTB (MultiPolygon, 5), …``)."""
    return ", ".join(f"{r.layer} ({r.geometry or 'table'}, {r.features})" for r in list_layers(path).itertuples())


def control_line_layers(path: str | os.PathLike) -> dict[str, str]:
    """Layers of ``path`` whose standard name marks a control line → its kind.

    Examples
    --------
    >>> import tempfile, geopandas as gpd, shapely
    >>> gdb = Path(tempfile.mkdtemp()) / "planning.gdb"
    >>> for name in ("CZKFBJ", "YJJBNTBHTB", "XZQ"):
    ...     gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)], crs=4548).to_file(gdb, layer=name, driver="OpenFileGDB")
    >>> control_line_layers(gdb)
    {'CZKFBJ': 'urban_development_boundary', 'YJJBNTBHTB': 'basic_farmland'}
    """
    out = {}
    for name in list_layers(path)["layer"]:
        for pattern, kind in CONTROL_LINE_LAYERS.items():
            if re.fullmatch(pattern, name, flags=re.IGNORECASE):
                out[name] = kind
                break
    return out


def read_control_lines(path: str | os.PathLike, *, crs: str | int | None = None, target_crs: str | int | None = None):
    """Read every control-line layer of a planning database into one ``control_lines`` layer.

    Each feature gets ``kind`` from its layer name (:data:`CONTROL_LINE_LAYERS`) and ``name``
    from its ``MC``/名称 field, else the layer name; ``source_layer`` keeps the layer.

    Returns
    -------
    zoneplan.io.vector.ImportResult
        The layer, with one note per source layer.

    Raises
    ------
    zoneplan.errors.InputError
        When the database holds no control-line layer (the layers are listed).

    Examples
    --------
    >>> import tempfile
    >>> from zoneplan import datasets
    >>> gdb = Path(tempfile.mkdtemp()) / "linqing.gdb"
    >>> _ = write_gdb(datasets.load("linqing"), gdb, schema="guokong")  # CZKFBJ, YJJBNTBHTB, STBHHX …
    >>> result = read_control_lines(gdb)
    >>> result.data[["kind", "source_layer"]].to_dict("records")
    [{'kind': 'urban_development_boundary', 'source_layer': 'CZKFBJ'}, {'kind': 'basic_farmland', 'source_layer': 'YJJBNTBHTB'}, {'kind': 'ecological_redline', 'source_layer': 'STBHHX'}]
    >>> result.data.crs.to_epsg(), result.notes[0]
    (4548, 'layer CZKFBJ: 1 feature(s) as urban_development_boundary')
    """
    from zoneplan.io.vector import ImportResult, read_vector

    path = Path(path)
    found = control_line_layers(path)
    if not found:
        raise InputError(
            f"no control-line layer (CZKFBJ, YJJBNT…, STBHHX); layers: {describe_layers(path)}; import one with --layer and --source-layer",
            file=path,
            rule="control-lines",
        )
    parts, notes, first = [], [], None
    for name, kind in found.items():
        result = read_vector(path, layer=name, crs=crs, target_crs=target_crs if first is None else first.data.crs)
        first = first or result
        gdf = result.data
        label = gdf["name"].astype("string") if "name" in gdf.columns else pd.Series(name, index=gdf.index, dtype="string")
        parts.append(gpd.GeoDataFrame({"kind": kind, "name": label.fillna(name), "source_layer": name}, geometry=gdf.geometry.to_numpy(), crs=gdf.crs))
        notes.append(f"layer {name}: {len(gdf)} feature(s) as {kind}")
    data = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)
    return ImportResult(data, path, source_crs=first.source_crs if first is not None else None, notes=notes)


def _area(gdf: gpd.GeoDataFrame, column: str | None = None) -> pd.Series:
    """TBMJ / MJ in m² (0.01): the survey's own value in ``column`` where given, else the ellipsoidal area.

    The databases' area fields are ellipsoidal by definition (三调 TBMJ, 国土调查办发〔2008〕32号), whatever
    basis the plan's own figures are on.
    """
    given = pd.to_numeric(gdf[column], errors="coerce") if column is not None and column in gdf.columns else pd.Series(float("nan"), index=gdf.index)
    return given.fillna(basis_area_m2(gdf, "ellipsoidal")).round(2)


def _carry(gdf: gpd.GeoDataFrame, fields: dict[str, str]) -> dict[str, pd.Series]:
    return {std: gdf[col] for std, col in fields.items() if col in gdf.columns}


def _sandiao_parcels(parcels: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    from zoneplan.landuse import class_names, normalise_codes

    code = parcels["landuse_code"].astype("string")
    dlbm = to_sandiao(code)
    if "landuse_code_source" in parcels.columns:  # keep a 三调 source code that reads as this class (0201K, 1104A …)
        source = parcels["landuse_code_source"].astype("string")
        read = normalise_codes(source, scheme="sandiao")
        if "czcsxm" in parcels.columns:
            read = refine_sandiao(source, read, parcels["czcsxm"])
        same = (read == code).fillna(False)
        dlbm = dlbm.mask(same, source)
    missing = code.notna() & dlbm.isna()
    if missing.any():
        raise PlanError(
            f"2023 code(s) with no 三调 class: {', '.join(sorted(code[missing].unique()))}",
            layer="parcels",
            feature=str(parcels.loc[missing, "parcel_id"].iloc[0]),
            rule="schema-sandiao",
        )
    tbmj = _area(parcels, "survey_area_m2")
    out = {
        "BSM": parcels["parcel_id"].astype("string"),
        "DLBM": dlbm,
        "DLMC": class_names(dlbm, scheme="sandiao"),
        **_carry(parcels, {"TBBH": "tbbh", "QSDWMC": "owner_unit", "ZLDWMC": "location_unit"}),
        "TBMJ": tbmj,
        **_carry(parcels, {"KCDLBM": "deduction_code", "KCXS": "deduction_ratio", "KCMJ": "deduction_area_m2"}),
        "TBDLMJ": pd.to_numeric(parcels["landuse_area_m2"], errors="coerce").round(2).fillna(tbmj) if "landuse_area_m2" in parcels.columns else tbmj,
        **_carry(parcels, {"CZCSXM": "czcsxm", "SJNF": "survey_year"}),
    }
    return gpd.GeoDataFrame(out, geometry=parcels.geometry.to_numpy(), crs=parcels.crs)


def _guokong_parcels(parcels: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    code = parcels["landuse_code"].astype("string")
    out = {"BSM": parcels["parcel_id"].astype("string"), "YDYHFLDM": code, "YDYHFLMC": class_names(code)}
    if "base_landuse_code" in parcels.columns:
        base = parcels["base_landuse_code"].astype("string")
        out |= {"JQDLBM": base, "JQDLMC": class_names(base)}
    out |= {"GHDLBM": code, "GHDLMC": out["YDYHFLMC"], "TBMJ": _area(parcels, "survey_area_m2")}
    return gpd.GeoDataFrame(out, geometry=parcels.geometry.to_numpy(), crs=parcels.crs)


def _layers_for(plan, schema: str | None) -> dict[str, pd.DataFrame]:
    if schema is None:
        return {**plan.layers, **plan.tables}
    if schema not in SCHEMAS:
        raise InputError(f"unknown schema {schema!r}; expected one of {sorted(SCHEMAS)}", rule="schema")
    if "parcels" not in plan:
        raise PlanError(f"the {schema} schema needs a parcels layer", rule=f"schema-{schema}")
    if schema == "sandiao":
        return {"DLTB": _sandiao_parcels(plan["parcels"])}
    out: dict[str, pd.DataFrame] = {"GHYDYH": _guokong_parcels(plan["parcels"])}
    if "zones" in plan:
        zones = plan["zones"]
        out["KFQFW"] = gpd.GeoDataFrame(
            {"BSM": zones["zone_id"].astype("string"), "MC": zones.get("name"), "MJ": _area(zones)},
            geometry=zones.geometry.to_numpy(),
            crs=zones.crs,
        )
    if "control_lines" in plan:
        lines = plan["control_lines"]
        for kind, layer in _GUOKONG_LINES.items():
            part = lines[lines["kind"] == kind]
            if len(part):
                out[layer] = gpd.GeoDataFrame({"MC": part.get("name"), "MJ": _area(part)}, geometry=part.geometry.to_numpy(), crs=part.crs)
    return out


def _gdb_ready(df: pd.DataFrame) -> pd.DataFrame:
    """Types the OpenFileGDB driver writes faithfully: nullable integers as 32-bit where they fit."""
    df = df.copy()
    geometry = df.geometry.name if isinstance(df, gpd.GeoDataFrame) else None
    for col in df.columns:
        if col != geometry and pd.api.types.is_integer_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col]):
            values = df[col].dropna()
            if values.empty or (values.abs() < 2**31).all():
                df[col] = df[col].astype("Int32")
    return df


def write_gdb(plan, path: str | os.PathLike, *, schema: str | None = None, overwrite: bool = False) -> dict[str, Any]:
    """Write ``plan`` to a File Geodatabase, in zoneplan's names or a standard schema.

    Parameters
    ----------
    plan
        The plan.
    path
        The ``.gdb`` directory to write.
    schema
        ``None`` (every layer and table under zoneplan's names), ``"sandiao"`` or ``"guokong"``
        (see :data:`SCHEMAS`).
    overwrite
        Replace an existing database.

    Returns
    -------
    dict
        ``layers`` (layer written → feature count) and ``notes``; areas (TBMJ, MJ) are the
        survey's TBMJ where the plan carries it, else ellipsoidal areas (椭球面积, as the databases
        define TBMJ), and the notes say so.

    Examples
    --------
    >>> import tempfile
    >>> from zoneplan import Plan, datasets
    >>> plan = Plan.read(datasets.get_path("linqing"))
    >>> out = Path(tempfile.mkdtemp()) / "linqing.gdb"
    >>> sorted(write_gdb(plan, out, schema="guokong")["layers"])
    ['CZKFBJ', 'GHYDYH', 'KFQFW', 'STBHHX', 'YJJBNTBHTB']
    """
    path = Path(path)
    if path.suffix.lower() != ".gdb":
        raise InputError("a File Geodatabase path ends in .gdb", file=path, rule="gdb")
    if path.exists() and not overwrite:
        raise PlanError("destination exists (use --overwrite)", file=path, rule="exists")
    layers = _layers_for(plan, schema)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.stem}-", suffix=".gdb", dir=path.parent))
    shutil.rmtree(tmp)
    written: dict[str, int] = {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # GDAL's notes on field types (handled in _gdb_ready)
            for name, df in layers.items():
                pyogrio.write_dataframe(_gdb_ready(df), tmp, layer=name, driver="OpenFileGDB", promote_to_multi=isinstance(df, gpd.GeoDataFrame))
                written[name] = len(df)
        if path.exists():
            old = path.with_name(f".{path.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old)
        else:
            os.replace(tmp, path)
    except Exception as exc:  # GDAL errors carry their own text; the target stays intact
        shutil.rmtree(tmp, ignore_errors=True)
        raise InputError(f"cannot write the File Geodatabase: {exc}", file=path, rule="gdb") from None
    notes = []
    if schema is not None and "survey_area_m2" not in plan["parcels"].columns:
        notes.append("TBMJ/MJ are ellipsoidal areas (椭球面积, 国土调查办发〔2008〕32号) of the plan's geometry (no 三调 TBMJ in the plan)")
    return {"layers": written, "notes": notes}
