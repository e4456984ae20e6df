"""Import vector data into plan layers: GeoPackage, Shapefile, GeoJSON, FlatGeobuf and DXF.

What a planner really has: a GeoPackage from QGIS, a shapefile from the bureau in GBK with no
``.cpg``, a GeoJSON in lon-lat or in GCJ-02 from a web map, a DXF from a design institute. Each
is read into a GeoDataFrame in the plan's Gauss–Krüger CRS with zoneplan's column names.

* **Encoding** — a shapefile without ``.cpg`` is decoded as strict UTF-8 if that works, else as
  GB18030 (a superset of GBK); the result says which. ``encoding=`` overrides.
* **Columns** — common Chinese field names (地块编号, 用地代码/DLBM, 用地性质, 容积率, 建筑面积 …)
  are recognised; ``column_map`` adds or overrides (``{"地块编号": "parcel_id"}``).
* **Standard schemas** — the 三调 地类图斑 (DLTB: BSM, DLBM, DLMC, TBMJ, KCMJ, TBDLMJ, CZCSXM …,
  and the older XZDWMJ/LXDWMJ/TKMJ variant) and the 国土空间规划 database (YDYHFLDM/YDYHFLMC,
  JQDLBM, GHDLBM) are recognised without ``column_map``. ``landuse_area_m2`` is the 图斑地类面积
  (TBDLMJ, or TBMJ net of its deductions), the area the evaluation counts as land of that class.
* **Shapefile names** — GDAL cuts field names at 10 characters (``landuse_co``, ``floor_area``);
  zoneplan's own column names are mapped back.
* **Land use** — one classification per code column, detected and reported (2023 用地用海, 三调
  or GB 50137-2011; see :func:`zoneplan.landuse.detect_scheme`) or named with
  ``landuse_scheme``, or any classification mapped with a table (``landuse_map``). A column
  mixing classifications, holding unknown codes or integers is refused, never guessed. The
  original is kept in ``landuse_code_source``.
* **DXF** — read by :mod:`zoneplan.io.dxf`: arcs kept, labels and block attributes matched,
  open polylines reported, the drawing frame left out, units honoured. DXF carries no CRS: name it.
"""

from __future__ import annotations

import codecs
import os
import warnings
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyproj

from zoneplan._numbers import column_unit, parse_numbers
from zoneplan.crs import to_working_crs
from zoneplan.errors import CRSError, InputError
from zoneplan.io._read import read_layer
from zoneplan.landuse import (
    SCHEME_TITLES,
    apply_landuse_map,
    detect_scheme,
    flags,
    is_village,
    normalise_codes,
    read_landuse_map,
    refine_sandiao,
)
from zoneplan.measure import basis_area_m2, reconcile_official_area
from zoneplan.settings import settings

__all__ = ["KNOWN_FIELDS", "SUPPORTED_SUFFIXES", "ImportResult", "detect_dbf_encoding", "read_vector"]

SUPPORTED_SUFFIXES = (".gpkg", ".gdb", ".shp", ".geojson", ".json", ".fgb", ".dxf", ".zip")

#: Field names found in Chinese planning data → zoneplan column names (matched case-insensitively).
KNOWN_FIELDS: dict[str, str] = {
    "地块编号": "parcel_id",
    "地块编码": "parcel_id",
    "DKBH": "parcel_id",
    "BSM": "parcel_id",
    "标识码": "parcel_id",
    "用地代码": "landuse_code",
    "用地编码": "landuse_code",
    "地类编码": "landuse_code",
    "用地用海代码": "landuse_code",
    "DLBM": "landuse_code",
    "YDDM": "landuse_code",
    "YDYHDM": "landuse_code",
    # 国土空间规划 database: 用地用海分类代码/名称, 规划地类, 基期地类
    "YDYHFLDM": "landuse_code",
    "用地用海分类代码": "landuse_code",
    "YDYHFLMC": "landuse_name",
    "用地用海分类名称": "landuse_name",
    "GHDLBM": "landuse_code",
    "规划地类编码": "landuse_code",
    "GHDLMC": "landuse_name",
    "JQDLBM": "base_landuse_code",
    "基期地类编码": "base_landuse_code",
    "JQDLMC": "base_landuse_name",
    # 三调 地类图斑 (DLTB)
    "TBBH": "tbbh",
    "图斑编号": "tbbh",
    "QSDWMC": "owner_unit",
    "权属单位名称": "owner_unit",
    "ZLDWMC": "location_unit",
    "坐落单位名称": "location_unit",
    "TBMJ": "survey_area_m2",
    "图斑面积": "survey_area_m2",
    "KCDLBM": "deduction_code",
    "KCXS": "deduction_ratio",
    "扣除地类系数": "deduction_ratio",
    "KCMJ": "deduction_area_m2",
    "扣除地类面积": "deduction_area_m2",
    "TBDLMJ": "landuse_area_m2",
    "图斑地类面积": "landuse_area_m2",
    "XZDWMJ": "linear_feature_area_m2",
    "LXDWMJ": "minor_feature_area_m2",
    "TKMJ": "ridge_area_m2",
    "CZCSXM": "czcsxm",
    "城镇村属性码": "czcsxm",
    "SJNF": "survey_year",
    "数据年份": "survey_year",
    "用地性质": "landuse_name",
    "地类名称": "landuse_name",
    "用地名称": "landuse_name",
    "DLMC": "landuse_name",
    "YDXZ": "landuse_name",
    "容积率": "far",
    "RJL": "far",
    "建筑面积": "floor_area_m2",
    "JZMJ": "floor_area_m2",
    "基底面积": "footprint_m2",
    "建筑基底面积": "footprint_m2",
    "JDMJ": "footprint_m2",
    "企业名称": "enterprise",
    "QYMC": "enterprise",
    "权利人": "enterprise",
    "QLR": "enterprise",
    "状态": "status",
    "供地年份": "supplied_year",
    "建成年份": "built_year",
    "开发区编号": "zone_id",
    "园区编号": "park_id",
    "分期": "phase_no",
    "期次": "phase_no",
    "名称": "name",
    "MC": "name",
    "固定资产投资万元": "investment_wan",
    "投资额万元": "investment_wan",
    "税收万元": "tax_wan",
}


@dataclass
class ImportResult:
    """The imported layer and how it was read.

    Examples
    --------
    >>> import tempfile
    >>> from zoneplan import datasets
    >>> path = Path(tempfile.mkdtemp()) / "parcels.geojson"
    >>> survey = datasets.load("linqing").parcels.head(5)[["parcel_id", "landuse_code", "geometry"]].to_crs(4490)  # lon-lat, Chinese field names
    >>> survey.rename(columns={"parcel_id": "地块编号", "landuse_code": "用地代码"}).to_file(path)
    >>> result = read_vector(path)
    >>> result.source_crs, result.data.crs.to_epsg(), result.renamed
    ('EPSG:4490', 4548, {'地块编号': 'parcel_id', '用地代码': 'landuse_code'})
    >>> result.landuse_scheme, result.data["parcel_id"].tolist() == datasets.load("linqing").parcels["parcel_id"].head(5).tolist()
    ('2023', True)
    """

    data: gpd.GeoDataFrame
    source: Path
    encoding: str | None = None
    encoding_detected: bool = False
    source_crs: str | None = None
    renamed: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: The source's official area field against zoneplan's ellipsoidal area
    #: (:func:`zoneplan.measure.reconcile_official_area`); None without such a field.
    area_reconciliation: dict | None = None
    landuse_scheme: str | None = None
    landuse_reason: str | None = None


def _dbf_chunks(raw: bytes, *, max_records: int) -> list[bytes]:
    """Field names and field values of a dBASE file, each as its own byte string."""
    header_len = int.from_bytes(raw[8:10], "little")
    record_len = int.from_bytes(raw[10:12], "little")
    n_records = int.from_bytes(raw[4:8], "little")
    names, widths = [], []
    for pos in range(32, header_len - 1, 32):
        if raw[pos] == 0x0D:
            break
        names.append(raw[pos : pos + 11].split(b"\0", 1)[0])
        widths.append(raw[pos + 16])
    chunks = list(names)
    for r in range(min(n_records, max_records)):
        pos = header_len + r * record_len + 1  # skip the deletion flag
        for width in widths:
            chunks.append(raw[pos : pos + width].rstrip(b" \0"))
            pos += width
    return chunks


def detect_dbf_encoding(dbf: Path, *, max_records: int = 10_000) -> str:
    """``"UTF-8"`` when the .dbf's field names and values decode as strict UTF-8, else ``"GB18030"``.

    Each field is decoded on its own and may end in an incomplete UTF-8 sequence: dBASE cuts
    field names at 10 bytes and values at the field width, often in the middle of a Chinese
    character. Pure ASCII files count as UTF-8.

    Examples
    --------
    >>> import tempfile
    >>> import pyogrio
    >>> from zoneplan import datasets
    >>> folder = Path(tempfile.mkdtemp())
    >>> parks = datasets.load("linqing").parks[["park_id", "name", "geometry"]]
    >>> pyogrio.write_dataframe(parks, folder / "parks.shp", encoding="GBK")  # a bureau's shapefile, without a .cpg
    >>> (folder / "parks.cpg").unlink(missing_ok=True)
    >>> detect_dbf_encoding(folder / "parks.dbf")
    'GB18030'
    >>> pyogrio.write_dataframe(parks, folder / "parks_utf8.shp", encoding="UTF-8")
    >>> detect_dbf_encoding(folder / "parks_utf8.dbf")
    'UTF-8'
    """
    raw = Path(dbf).read_bytes()
    if len(raw) < 33:
        raise InputError("not a dBASE file (too short)", file=dbf)
    for chunk in _dbf_chunks(raw, max_records=max_records):
        try:
            codecs.getincrementaldecoder("utf-8")(errors="strict").decode(chunk, final=False)
        except UnicodeDecodeError:
            return "GB18030"
    return "UTF-8"


def _shapefile_encoding(path: Path, encoding: str | None) -> tuple[str | None, bool]:
    if encoding:
        return encoding, False
    if path.with_suffix(".cpg").exists() or path.with_suffix(".CPG").exists():
        return None, False  # GDAL honours the .cpg
    dbf = next((p for p in (path.with_suffix(".dbf"), path.with_suffix(".DBF")) if p.exists()), None)
    if dbf is None:
        return None, False
    return detect_dbf_encoding(dbf), True


@cache
def _dbf_names() -> dict[str, str]:
    """GDAL's 10-character shapefile field names of zoneplan's columns → the columns.

    GDAL truncates a long name to 10 characters and, where two truncate alike, writes the second
    as its first 8 characters + ``_1`` (``landuse_code``, ``landuse_code_source`` →
    ``landuse_co``, ``landuse__1``), in the order zoneplan writes its columns.
    """
    from zoneplan.layers import LAYERS

    columns = [c for spec in LAYERS.values() for c in spec.dtypes] + ["landuse_code_source", *KNOWN_FIELDS.values()]
    groups: dict[str, list[str]] = {}
    for c in dict.fromkeys(columns):
        if len(c) > 10:
            groups.setdefault(c[:10], []).append(c)
    return {(cut if i == 0 else f"{cut[:8]}_{i}"): c for cut, members in groups.items() for i, c in enumerate(members)}


def _rename(gdf: gpd.GeoDataFrame, column_map: dict[str, str] | None, *, shapefile: bool = False) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    lookup = {k.upper(): v for k, v in KNOWN_FIELDS.items()}
    cut = _dbf_names() if shapefile else {}
    renamed: dict[str, str] = {}
    for col in gdf.columns:
        if col == gdf.geometry.name:
            continue
        if column_map and col in column_map:
            renamed[col] = column_map[col]
        elif col in cut and cut[col] not in gdf.columns:
            renamed[col] = cut[col]
        elif col.upper() in lookup and lookup[col.upper()] not in gdf.columns:
            renamed[col] = lookup[col.upper()]
    if column_map:
        missing = [c for c in column_map if c not in gdf.columns]
        if missing:
            raise InputError(
                f"--map names column(s) {missing} that the data does not have; it has {[c for c in gdf.columns if c != gdf.geometry.name]}", rule="column-map"
            )
    for target in {t for t in renamed.values() if list(renamed.values()).count(t) > 1}:
        sources = [c for c, t in renamed.items() if t == target and not (column_map and c in column_map)]
        if len(sources) > 1 and all(gdf[c].astype("string").equals(gdf[sources[0]].astype("string")) for c in sources[1:]):
            for c in sources[1:]:  # the same values under two standard names (YDYHFLDM and GHDLBM): keep the first
                del renamed[c]
    targets = pd.Series(list(renamed.values()))
    if targets.duplicated().any():
        raise InputError(f"several columns map to {sorted(set(targets[targets.duplicated()]))}; choose one with --map", rule="column-map")
    return gdf.rename(columns=renamed), renamed


def _feature_of(gdf: pd.DataFrame, mask: pd.Series) -> str:
    first = mask[mask].index[0]
    return str(gdf.at[first, "parcel_id"]) if "parcel_id" in gdf.columns else f"row {gdf.index.get_loc(first) + 1}"


def _landuse(
    gdf: gpd.GeoDataFrame, notes: list[str], *, scheme: str, landuse_map: str | os.PathLike | None, fields: dict[str, str]
) -> tuple[str | None, str | None]:
    """Read the code columns in one classification each; returns the scheme of ``landuse_code`` and why."""
    if "landuse_code" not in gdf.columns:
        for alt, what in (("landuse_name", "land-use name"), ("base_landuse_code", "base-year (基期) code")):
            if alt in gdf.columns:
                gdf["landuse_code"] = gdf[alt]
                fields["landuse_code"] = fields.get(alt, alt)
                notes.append(f"land-use code taken from the {what} column {fields['landuse_code']}")
                break
    table = read_landuse_map(landuse_map) if landuse_map is not None else None
    used = reason = None
    for column, names in (("landuse_code", "landuse_name"), ("base_landuse_code", "base_landuse_name")):
        if column not in gdf.columns:
            continue
        raw = gdf[column]
        field = fields.get(column, column)
        if table is not None:
            code = apply_landuse_map(raw, table, data=gdf)
            col_scheme, why = "map", f"mapped with the table {landuse_map}"
        else:
            if scheme == "auto":
                found = detect_scheme(raw, field=field, names=gdf[names] if names in gdf.columns else None)
                col_scheme, why = found.scheme, found.reason
            else:
                col_scheme, why = scheme, "named with --landuse-scheme"
            code = normalise_codes(raw, scheme=col_scheme)  # type: ignore[arg-type]
            source = raw.astype("string").str.strip()
            unknown = source.notna() & (source != "") & code.isna()
            if unknown.any():
                values = sorted(source[unknown].unique())
                raise InputError(
                    f"land-use column {field}: {int(unknown.sum())} value(s) with no 2023 class when read as "
                    f"{SCHEME_TITLES[col_scheme]}: {', '.join(values[:12])}; map them with --landuse-map FILE.csv",
                    feature=_feature_of(gdf, unknown),
                    rule="landuse-scheme",
                )
            if pd.api.types.is_numeric_dtype(raw):
                notes.append(
                    f"{field}: numbers read as {SCHEME_TITLES[col_scheme]} codes, leading zeros restored (e.g. {source.dropna().iloc[0]} → {code.dropna().iloc[0]})"
                )
            if col_scheme == "sandiao" and "czcsxm" in gdf.columns:
                refined = refine_sandiao(raw, code, gdf["czcsxm"])
                village = (refined != code).fillna(False)
                if village.any():
                    notes.append(f"{int(village.sum())} village (CZCSXM 203) service parcels read as 0704 农村社区服务设施用地")
                code = refined
        title = "a mapping table" if col_scheme == "map" else SCHEME_TITLES[col_scheme]
        notes.append(f"{field} read as {title}: {why}")
        if column == "landuse_code":
            gdf["landuse_code_source"] = raw.astype("string").str.strip()
            used, reason = col_scheme, why
            if "czcsxm" in gdf.columns:
                _village_note(code, gdf["czcsxm"], notes)
        gdf[column] = code
    return used, reason


def _village_note(code: pd.Series, czcsxm: pd.Series, notes: list[str]) -> None:
    """Say how many construction 图斑 the 城镇村属性码 places in a village (counted as 村庄, never 城镇建设用地)."""
    table = flags(code)
    village = is_village(czcsxm).to_numpy() & table["construction"].to_numpy(dtype=bool)
    if not village.any():
        return
    industrial = village & (table["industrial"] | table["storage"] | table["mining"]).to_numpy(dtype=bool)
    of_which = f", {int(industrial.sum())} of them industrial/storage (B11 农村工矿仓储用地)" if industrial.any() else ""
    notes.append(
        f"{int(village.sum())} construction 图斑 with CZCSXM 203 (村庄) are village construction land: "
        f"the evaluation counts them (once built) as 已建成农村建设用地 B1{of_which}, never as 城镇建设用地 A"
    )


def _landuse_area(gdf: gpd.GeoDataFrame, notes: list[str]) -> None:
    """图斑地类面积: TBDLMJ as given, else TBMJ net of its deductions (KCMJ, KCXS, or the 二调 XZDWMJ/LXDWMJ/TKMJ)."""
    if "survey_area_m2" not in gdf.columns:
        return
    tbmj = pd.to_numeric(gdf["survey_area_m2"], errors="coerce")
    old = [c for c in ("linear_feature_area_m2", "minor_feature_area_m2", "ridge_area_m2") if c in gdf.columns]
    if "deduction_area_m2" in gdf.columns:
        net, how = tbmj - pd.to_numeric(gdf["deduction_area_m2"], errors="coerce").fillna(0), "TBMJ − KCMJ"
    elif "deduction_ratio" in gdf.columns:
        net, how = tbmj * (1 - pd.to_numeric(gdf["deduction_ratio"], errors="coerce").fillna(0)), "TBMJ × (1 − KCXS)"
    elif old:
        net, how = tbmj - gdf[old].apply(pd.to_numeric, errors="coerce").fillna(0).sum(axis=1), "TBMJ − " + " − ".join(c.upper() for c in old)
    else:
        net, how = tbmj, "TBMJ (no deductions recorded)"
    if "landuse_area_m2" in gdf.columns:
        given = pd.to_numeric(gdf["landuse_area_m2"], errors="coerce")
        off = (given - net).abs() > 0.01
        if off.any() and how != "TBMJ (no deductions recorded)":
            notes.append(f"{int(off.sum())} 图斑 whose TBDLMJ differs from {how} by more than 0.01 m² (TBDLMJ kept), e.g. {_feature_of(gdf, off)}")
        return
    gdf["landuse_area_m2"] = net
    notes.append(f"landuse_area_m2 (图斑地类面积) = {how}")


#: Columns read as numbers on import beside the layers' numeric columns: the values that are converted or derived.
_NUMERIC_INPUTS = (
    "investment_wan",
    "tax_wan",
    "far",
    "survey_area_m2",
    "deduction_ratio",
    "deduction_area_m2",
    "landuse_area_m2",
    "linear_feature_area_m2",
    "minor_feature_area_m2",
    "ridge_area_m2",
    "survey_year",
)


@cache
def _numeric_columns() -> frozenset[str]:
    from zoneplan.layers import LAYERS

    return frozenset([c for spec in LAYERS.values() for c, t in spec.dtypes.items() if t != "string"] + list(_NUMERIC_INPUTS))


def _read_numbers(gdf: gpd.GeoDataFrame, notes: list[str], *, fields: dict[str, str], column_map: dict[str, str] | None, file: Path, layer: str | None) -> None:
    """Numbers written as text (``12,000``, ``2019年``, ``二〇一九``) read in place; a value that is no number is refused."""
    for col in sorted(_numeric_columns().intersection(gdf.columns)):
        values = gdf[col]
        numbers, unreadable = parse_numbers(values, unit=column_unit(col))
        field_name = fields.get(col, col)
        if unreadable.any():
            label = gdf.index[unreadable.to_numpy().argmax()]
            count = int(unreadable.sum())
            more = f"; {count - 1} more value(s) of the column cannot be read either" if count > 1 else ""
            raise InputError(
                f"{field_name} is {values.loc[label]!r}, not a number{more}",
                file=file,
                layer=layer,
                feature=_feature_name(gdf, label, column_map),
                rule="not-a-number",
            )
        if not pd.api.types.is_numeric_dtype(values.dtype):
            text = values.astype("string").str.strip()
            changed = text.notna() & numbers.notna() & pd.to_numeric(text, errors="coerce").isna()
            if changed.any():
                first = changed.to_numpy().argmax()
                notes.append(
                    f"{field_name}: {int(changed.sum())} value(s) written as text read as numbers (e.g. {text.iloc[first]!r} → {numbers.iloc[first]:g})"
                )
            gdf[col] = numbers


def _derive(gdf: gpd.GeoDataFrame, notes: list[str]) -> gpd.GeoDataFrame:
    """Unit conversions and derived columns after renaming (万元 → yuan, FAR → floor area)."""
    for wan, yuan in (("investment_wan", "investment_yuan"), ("tax_wan", "tax_yuan")):
        if wan in gdf.columns and yuan not in gdf.columns:
            gdf[yuan] = pd.to_numeric(gdf[wan], errors="coerce") * 1e4
            notes.append(f"{wan} (万元) converted to {yuan}")
    _landuse_area(gdf, notes)
    return gdf


def _feature_name(gdf: gpd.GeoDataFrame, label: object, column_map: dict[str, str] | None) -> str:
    """A feature as a user finds it in the file: its id (地块编号, BSM, …) and its row (1-based)."""
    row = gdf.index.get_loc(label)
    ids = {k.upper() for k, v in (KNOWN_FIELDS | (column_map or {})).items() if v == "parcel_id" or v.endswith("_id")}
    id_col = next((c for c in gdf.columns if c != gdf.geometry.name and (c.upper() in ids or c.endswith("_id"))), None)
    value = None if id_col is None else gdf[id_col].iloc[row]
    return f"row {row + 1}" if value is None or pd.isna(value) else f"{value} (row {row + 1})"


def _without_empty(
    gdf: gpd.GeoDataFrame, notes: list[str], *, drop: bool, column_map: dict[str, str] | None, file: Path, layer: str | None
) -> gpd.GeoDataFrame:
    """``gdf`` without its NULL and empty geometries when ``drop`` (noted, naming them); else refuse them."""
    empty = (gdf.geometry.isna() | gdf.geometry.is_empty).to_numpy(dtype=bool)
    count = int(empty.sum())
    if not count:
        return gdf
    named = [_feature_name(gdf, label, column_map) for label in gdf.index[empty][:5]]
    shown = ", ".join(named) + (f" and {count - 5} more" if count > 5 else "")
    if not drop:
        raise InputError(
            f"{count} feature(s) with no geometry (NULL or empty): {shown}; fix them in the source, or leave them out with --drop-empty",
            file=file,
            layer=layer,
            feature=named[0],
            rule="empty-geometry",
        )
    notes.append(f"left out {count} feature(s) with no geometry (--drop-empty): {shown}")
    return gdf[~empty]


def read_vector(
    path: str | os.PathLike,
    *,
    layer: str | None = None,
    encoding: str | None = None,
    crs: str | int | None = None,
    crs_override: bool = False,
    target_crs: str | int | None = None,
    gcj02: bool = False,
    column_map: dict[str, str] | None = None,
    landuse_scheme: str = "auto",
    landuse_map: str | os.PathLike | None = None,
    label_layer: str | None = None,
    close_gaps: float | None = None,
    drop_empty: bool = False,
) -> ImportResult:
    """Read a vector file into a GeoDataFrame in a Gauss–Krüger CRS with zoneplan's column names.

    Parameters
    ----------
    path
        A ``.gpkg``, ``.gdb`` (File Geodatabase), ``.shp``, ``.geojson``/``.json``, ``.fgb`` or
        ``.dxf`` file.
    layer
        Layer to read from a multi-layer source (GeoPackage or File Geodatabase layer, or CAD
        layer of a DXF); a File Geodatabase of several layers needs it.
    encoding
        Text encoding of a shapefile's .dbf (default: the .cpg, else detected).
    crs
        The CRS the data is in, when the file does not say (always needed for DXF). A file with
        its own, different CRS is refused unless ``crs_override``; a file with none is refused
        naming the CRS its coordinates look like (:func:`zoneplan.crs.to_working_crs`).
    crs_override
        Use ``crs`` although the file names another one (its .prj is wrong).
    target_crs
        Working CRS; default: the CGCS2000 3° Gauss–Krüger zone covering the data, whatever the
        input CRS. Impossible coordinates are refused naming the feature
        (:func:`zoneplan.crs.check_coordinates`).
    gcj02
        Coordinates are GCJ-02 lon-lat (AMap/Gaode, Tencent); converted back exactly.
    column_map
        Source column → zoneplan column, on top of :data:`KNOWN_FIELDS`.
    landuse_scheme
        How to read land-use codes: ``"auto"`` (detect one of 2023 用地用海, 三调 or GB 50137-2011
        per column and say why; see :func:`zoneplan.landuse.detect_scheme`), or name it:
        ``"2023"``, ``"gb50137"`` or ``"sandiao"`` (三调 DLBM codes).
    landuse_map
        A mapping table ``from,to[,note]`` (CSV path, or a shipped table such as ``"euluc"``)
        for any other classification; every value must be mapped.
    label_layer, close_gaps
        DXF only: read labels from this CAD layer only; close open polylines whose ends are at
        most this many metres apart (see :func:`zoneplan.io.dxf.read_dxf`).
    drop_empty
        Leave out features with no geometry (NULL or empty), with a note naming them; without it
        such features are refused (a parcel with no shape cannot be judged, and dropping it
        silently would lose it).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> r = read_vector(datasets.get_path("zhangdian"), layer="phases")
    >>> r.data.crs.to_epsg()
    4548
    """
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(f"unsupported format {suffix!r}; expected one of {SUPPORTED_SUFFIXES}", file=path)
    notes: list[str] = []
    enc, detected = (None, False)
    try:
        if suffix == ".gdb":
            from zoneplan.io.gdb import describe_layers, list_layers

            names = list(list_layers(path)["layer"])
            if (layer is None and len(names) > 1) or (layer is not None and layer not in names):
                what = "holds several layers" if layer is None else f"has no layer {layer!r}"
                raise InputError(f"the File Geodatabase {what}: {describe_layers(path)}; choose one with --source-layer", file=path, rule="source-layer")
        if suffix == ".dxf":
            from zoneplan.io.dxf import read_dxf

            gdf, cad_notes = read_dxf(path, cad_layer=layer, label_layer=label_layer, close_gaps=close_gaps)
            notes.extend(cad_notes)
        else:
            if suffix == ".shp":
                enc, detected = _shapefile_encoding(path, encoding)
                if detected:
                    notes.append(f"no .cpg file: text decoded as {enc} (detected); use --encoding to override")
            kwargs: dict[str, str | bool] = {"encoding": enc} if enc else {}
            if suffix == ".fgb":
                kwargs["use_arrow"] = False  # keep file order
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                gdf, curves = read_layer(path, layer, **kwargs)
            notes.extend(f"reader: {w.message}" for w in caught)
            if curves:
                notes.append(curves)
    except InputError:
        raise
    except Exception as exc:  # GDAL/pyogrio errors carry their own text
        raise InputError(f"cannot read: {exc}", file=path, layer=layer) from None
    if gdf.geometry.isna().all():
        raise InputError("no geometry in the data", file=path, layer=layer)
    gdf = _without_empty(gdf, notes, drop=drop_empty, column_map=column_map, file=path, layer=layer)
    source_crs = gdf.crs.to_string() if gdf.crs is not None else None
    if suffix == ".dxf" and crs is None:
        raise CRSError("DXF files carry no CRS; name it (--crs EPSG:4548)", file=path, rule="crs")
    try:
        gdf = to_working_crs(gdf, crs=crs, crs_override=crs_override, target=target_crs, gcj02=gcj02, notes=notes)
    except CRSError as exc:
        feature = None if exc.feature is None else _feature_name(gdf, exc.feature, column_map)
        raise CRSError(exc.message, file=path, layer=layer, feature=feature, rule=exc.rule) from None
    except pyproj.exceptions.CRSError as exc:
        raise CRSError(f"unknown CRS: {exc}", file=path, layer=layer, rule="crs") from None
    gdf, renamed = _rename(gdf, column_map, shapefile=suffix in (".shp", ".zip"))
    cut = {old: new for old, new in renamed.items() if _dbf_names().get(old) == new}
    if cut:
        notes.append(f"shapefile field names cut at 10 characters mapped back: {', '.join(f'{o} → {n}' for o, n in cut.items())}")
    fields = {new: old for old, new in renamed.items()}
    _read_numbers(gdf, notes, fields=fields, column_map=column_map, file=path, layer=layer)
    try:
        scheme, reason = _landuse(gdf, notes, scheme=landuse_scheme, landuse_map=landuse_map, fields=fields)
    except InputError as exc:
        raise InputError(exc.message, file=path, layer=layer, feature=exc.feature, rule=exc.rule) from None
    gdf = _derive(gdf, notes)
    if gcj02:
        notes.append("coordinates converted from GCJ-02 with the iterative inverse (< 1 mm)")
    if "far" in gdf.columns and "floor_area_m2" not in gdf.columns:
        basis = settings.area_basis  # the basis a new plan records (zoneplan import), so FAR reads back exactly
        gdf["floor_area_m2"] = pd.to_numeric(gdf["far"], errors="coerce") * basis_area_m2(gdf, basis)
        notes.append(f"floor_area_m2 derived from 容积率 × parcel area ({basis})")
    gdf = gdf.reset_index(drop=True)
    reconciliation = reconcile_official_area(gdf, ids=gdf["parcel_id"] if "parcel_id" in gdf.columns else None)
    return ImportResult(gdf, path, enc, detected, source_crs, renamed, notes, reconciliation, scheme, reason)
