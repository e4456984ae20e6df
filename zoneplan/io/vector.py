"""Import vector data into plan layers: GeoPackage, Shapefile, GeoJSON, FlatGeobuf and DXF.

What a planner really has: a GeoPackage from QGIS, a shapefile from the bureau in GBK with no
``.cpg``, a GeoJSON in lon-lat or in GCJ-02 from a web map, a DXF from a design institute. Each
is read into a GeoDataFrame in the plan's Gauss–Krüger CRS with zoneplan's column names.

* **Encoding** — a shapefile without ``.cpg`` is decoded as strict UTF-8 if that works, else as
  GB18030 (a superset of GBK); the result says which. ``encoding=`` overrides.
* **Columns** — common Chinese field names (地块编号, 用地代码/DLBM, 用地性质, 容积率, 建筑面积 …)
  are recognised; ``column_map`` adds or overrides (``{"地块编号": "parcel_id"}``).
* **Land use** — ``landuse_code`` is normalised to the 2023 classification (GB 50137-2011 and
  三调 codes and Chinese names accepted); the original is kept in ``landuse_code_source``.
* **DXF** — closed polylines (LWPOLYLINE, POLYLINE) and hatches become polygons, with their CAD
  layer in ``cad_layer``; a text (TEXT/MTEXT) inside a polygon becomes its ``label``; attributes
  come from a sidecar table (``NAME.csv`` or ``NAME.xlsx`` beside ``NAME.dxf``) joined on
  ``label``. DXF carries no CRS: name it.
"""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pyproj
import shapely

from zoneplan.crs import to_working_crs
from zoneplan.errors import CRSError, InputError
from zoneplan.io._read import read_layer
from zoneplan.landuse import normalise_codes
from zoneplan.measure import reconcile_official_area

__all__ = ["ImportResult", "read_vector", "KNOWN_FIELDS", "SUPPORTED_SUFFIXES", "detect_dbf_encoding"]

SUPPORTED_SUFFIXES = (".gpkg", ".shp", ".geojson", ".json", ".fgb", ".dxf", ".zip")

#: Field names found in Chinese planning data → zoneplan column names (matched case-insensitively).
KNOWN_FIELDS: dict[str, str] = {
    "地块编号": "parcel_id",
    "地块编码": "parcel_id",
    "DKBH": "parcel_id",
    "BSM": "parcel_id",
    "用地代码": "landuse_code",
    "用地编码": "landuse_code",
    "地类编码": "landuse_code",
    "用地用海代码": "landuse_code",
    "DLBM": "landuse_code",
    "YDDM": "landuse_code",
    "YDYHDM": "landuse_code",
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
    """The imported layer and how it was read."""

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


def _read_dxf(path: Path, *, cad_layer: str | None) -> gpd.GeoDataFrame:
    import ezdxf
    from ezdxf import recover

    try:
        doc, _ = recover.readfile(str(path))
    except (OSError, ezdxf.DXFStructureError) as exc:
        raise InputError(f"cannot read DXF: {exc}", file=path) from None
    msp = doc.modelspace()
    geoms, layers, labels_pts, labels_txt = [], [], [], []
    for e in msp:
        kind = e.dxftype()
        layer = e.dxf.layer
        if cad_layer is not None and layer != cad_layer:
            continue
        if kind == "LWPOLYLINE" and e.closed:
            pts = [(p[0], p[1]) for p in e.get_points("xy")]
        elif kind == "POLYLINE" and e.is_closed:
            pts = [(v.dxf.location.x, v.dxf.location.y) for v in e.vertices]
        elif kind == "HATCH":
            for p in e.paths:
                verts = getattr(p, "vertices", None)
                if verts:
                    geoms.append(shapely.Polygon([(v[0], v[1]) for v in verts]))
                    layers.append(layer)
            continue
        elif kind in ("TEXT", "MTEXT"):
            ins = e.dxf.insert
            labels_pts.append(shapely.Point(ins.x, ins.y))
            labels_txt.append(e.plain_text() if kind == "MTEXT" else e.dxf.text)
            continue
        else:
            continue
        if len(pts) >= 3:
            geoms.append(shapely.Polygon(pts))
            layers.append(layer)
    if not geoms:
        where = f" on CAD layer {cad_layer!r}" if cad_layer else ""
        raise InputError(f"no closed polylines or hatches{where}", file=path)
    gdf = gpd.GeoDataFrame({"cad_layer": layers}, geometry=geoms)
    if labels_txt:
        pts = gpd.GeoDataFrame({"label": labels_txt}, geometry=labels_pts)
        joined = gpd.sjoin(pts, gdf[["geometry"]], predicate="within", how="inner")
        first = joined.drop_duplicates("index_right").set_index("index_right")["label"]
        gdf["label"] = first.reindex(gdf.index).astype("string")
    sidecar = next((p for p in (path.with_suffix(".csv"), path.with_suffix(".xlsx")) if p.exists()), None)
    if sidecar is not None and "label" in gdf.columns:
        table = pd.read_csv(sidecar, dtype=str, encoding="utf-8-sig") if sidecar.suffix == ".csv" else pd.read_excel(sidecar, dtype=str)
        key = "label" if "label" in table.columns else table.columns[0]
        table = table.rename(columns={key: "label"})
        gdf = gdf.merge(table, on="label", how="left")
    return gdf


def _rename(gdf: gpd.GeoDataFrame, column_map: dict[str, str] | None) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    lookup = {k.upper(): v for k, v in KNOWN_FIELDS.items()}
    renamed: dict[str, str] = {}
    for col in gdf.columns:
        if col == gdf.geometry.name:
            continue
        if column_map and col in column_map:
            renamed[col] = column_map[col]
        elif col.upper() in lookup and lookup[col.upper()] not in gdf.columns:
            renamed[col] = lookup[col.upper()]
    if column_map:
        missing = [c for c in column_map if c not in gdf.columns]
        if missing:
            raise InputError(f"--map names column(s) {missing} that the data does not have; it has {[c for c in gdf.columns if c != gdf.geometry.name]}", rule="column-map")
    targets = pd.Series(list(renamed.values()))
    if targets.duplicated().any():
        raise InputError(f"several columns map to {sorted(set(targets[targets.duplicated()]))}; choose one with --map", rule="column-map")
    return gdf.rename(columns=renamed), renamed


def _derive(gdf: gpd.GeoDataFrame, notes: list[str], landuse_scheme: str) -> gpd.GeoDataFrame:
    """Unit conversions and derived columns after renaming (万元 → yuan, FAR → floor area)."""
    for wan, yuan in (("investment_wan", "investment_yuan"), ("tax_wan", "tax_yuan")):
        if wan in gdf.columns and yuan not in gdf.columns:
            gdf[yuan] = pd.to_numeric(gdf[wan], errors="coerce") * 1e4
            notes.append(f"{wan} (万元) converted to {yuan}")
    if "landuse_code" not in gdf.columns and "landuse_name" in gdf.columns:
        gdf["landuse_code"] = gdf["landuse_name"]
        notes.append("land-use code taken from the land-use name column")
    if "landuse_code" in gdf.columns:
        source = gdf["landuse_code"].astype("string").str.strip()
        code = normalise_codes(source, scheme=landuse_scheme)
        changed = (source != code).fillna(False) & code.notna()
        if changed.any():
            notes.append(f"{int(changed.sum())} land-use codes mapped to the 2023 classification")
        unknown = source.notna() & code.isna()
        if unknown.any():
            notes.append(f"{int(unknown.sum())} unknown land-use codes kept for validation: {sorted(source[unknown].unique())[:10]}")
        gdf["landuse_code_source"] = source
        gdf["landuse_code"] = code.fillna(source)
    return gdf


def _feature_name(gdf: gpd.GeoDataFrame, label: object, column_map: dict[str, str] | None) -> str:
    """A feature as a user finds it in the file: its id (地块编号, BSM, …) and its row (1-based)."""
    row = gdf.index.get_loc(label)
    ids = {k.upper() for k, v in (KNOWN_FIELDS | (column_map or {})).items() if v == "parcel_id" or v.endswith("_id")}
    id_col = next((c for c in gdf.columns if c != gdf.geometry.name and (c.upper() in ids or c.endswith("_id"))), None)
    value = None if id_col is None else gdf[id_col].iloc[row]
    return f"row {row + 1}" if value is None or pd.isna(value) else f"{value} (row {row + 1})"


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
) -> ImportResult:
    """Read a vector file into a GeoDataFrame in a Gauss–Krüger CRS with zoneplan's column names.

    Parameters
    ----------
    path
        A ``.gpkg``, ``.shp``, ``.geojson``/``.json``, ``.fgb`` or ``.dxf`` file.
    layer
        Layer to read from a multi-layer source (GeoPackage layer, or CAD layer of a DXF).
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
        How to read land-use codes: ``"auto"`` (2023 codes, GB 50137-2011 codes and Chinese names),
        ``"2023"``, ``"gb50137"`` or ``"sandiao"`` (三调 DLBM codes; see :mod:`zoneplan.landuse`).

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
        if suffix == ".dxf":
            gdf = _read_dxf(path, cad_layer=layer)
        else:
            if suffix == ".shp":
                enc, detected = _shapefile_encoding(path, encoding)
                if detected:
                    notes.append(f"no .cpg file: text decoded as {enc} (detected); use --encoding to override")
            kwargs = {"encoding": enc} if enc else {}
            if suffix == ".fgb":
                kwargs["use_arrow"] = False  # keep file order
            gdf, curves = read_layer(path, layer, **kwargs)
            if curves:
                notes.append(curves)
    except InputError:
        raise
    except Exception as exc:  # GDAL/pyogrio errors carry their own text
        raise InputError(f"cannot read: {exc}", file=path, layer=layer) from None
    if gdf.geometry.isna().all():
        raise InputError("no geometry in the data", file=path, layer=layer)
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
    gdf, renamed = _rename(gdf, column_map)
    gdf = _derive(gdf, notes, landuse_scheme)
    if gcj02:
        notes.append("coordinates converted from GCJ-02 with the iterative inverse (< 1 mm)")
    gdf = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)] if len(gdf) else gdf
    if "far" in gdf.columns and "floor_area_m2" not in gdf.columns:
        gdf["floor_area_m2"] = pd.to_numeric(gdf["far"], errors="coerce") * gdf.geometry.area
        notes.append("floor_area_m2 derived from 容积率 × parcel area")
    gdf = gdf.reset_index(drop=True)
    reconciliation = reconcile_official_area(gdf, ids=gdf["parcel_id"] if "parcel_id" in gdf.columns else None)
    return ImportResult(gdf, path, enc, detected, source_crs, renamed, notes, reconciliation)


