"""Land consumption measured from the ground: built-up land in two land-cover rasters.

The two rasters (an older and a newer year) are combined cell by cell, window by window, into
four change classes — never built (0), built-up lost (1), **newly built-up** (2) and built-up in
both years (3) — using each raster's class scheme's ``built`` flag. The newer raster is read on
the older one's grid (nearest neighbour through a warped view) when the two grids differ. The
change classes are then summarised exactly like any classified raster (:mod:`zoneplan.raster.zonal`:
exact fractional coverage, any CRS, bounded memory).

Set against the plan's records
    A parcel is **recorded built** in the newer year when its ``built_year`` is not after that
    year, or it has no ``built_year`` and its ``status`` is ``built``. (This is the actual
    history; a ``planned_year`` is the plan's intention and is not a record.) Then:

    ``recorded_built_looks_bare``
        recorded built, with a land use that is built up when built (construction land other
        than 14 绿地与开敞空间 — parks and squares look green, not built-up), yet less than
        ``bare_below`` of the parcel is built-up in the newer raster. Evidence: the parts of the
        parcel that are not built-up.
    ``unauthorised_construction``
        not recorded built, yet at least ``new_built_above`` of the parcel became built-up
        between the two years (未批先建 / 违法占地 to be checked on the ground). Evidence: the
        newly built-up cells inside the parcel.

    Parcels less than ``min_covered`` covered by valid cells in both rasters, or smaller than
    ``min_cells`` raster cells (too small to see at the raster's resolution), are not judged.
    Built-up land present in both years on a parcel recorded unbuilt (old villages, existing
    plants awaiting redevelopment) is not flagged: it is not new construction.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import rasterio.features
import shapely
from rasterio.enums import Resampling
from rasterio.io import DatasetReader
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window, from_bounds

from zoneplan.errors import InputError
from zoneplan.measure import basis_area_m2
from zoneplan.plan import Plan
from zoneplan.raster.classes import ClassScheme, get_scheme, scheme_from_table
from zoneplan.raster.zonal import MAX_CELLS, ClassSource, Level, RasterLike, _Extract, _extract, _wide, cell_areas_geographic, group_polygons, open_raster
from zoneplan.units import M2_PER_MU

__all__ = [
    "CHANGE_SCHEME",
    "MISMATCH_KINDS",
    "ChangeResult",
    "built_change",
    "compare",
    "expected_built_up",
    "mismatches",
    "parcel_change",
    "raster_year",
    "recorded_built",
]

#: The four change classes of the combined raster (bit 0: built-up in the old year, bit 1: in the new).
CHANGE_SCHEME: ClassScheme = scheme_from_table(
    pd.DataFrame(
        {
            "value": [0, 1, 2, 3],
            "name": ["never built-up", "built-up lost", "newly built-up", "built-up in both years"],
            "name_zh": ["未建成", "建成区减少", "新增建成区", "保持建成区"],
            "built": [False, False, True, True],
        }
    ),
    name="change",
)

#: Mismatch kinds and their explanation.
MISMATCH_KINDS: dict[str, str] = {
    "recorded_built_looks_bare": "recorded as built, but the newer raster shows little built-up land (已登记建成但影像未见建设)",
    "unauthorised_construction": "recorded as not built, but new built-up land appeared between the two years (未登记建设，疑似违法用地)",
}


def raster_year(ds: DatasetReader) -> int | None:
    """The year a land-cover raster shows: its ``year`` tag, else a year (1980–2099) in its file name.

    Examples
    --------
    >>> import rasterio
    >>> from zoneplan import datasets
    >>> with rasterio.open(datasets.layers_dir() / "linqing_landcover_2018.tif") as ds:
    ...     print(raster_year(ds))
    2018
    """
    tag = ds.tags().get("year") or ds.tags().get("YEAR")
    if tag and str(tag).strip().isdigit():
        return int(str(tag).strip())
    found = re.findall(r"(?<!\d)(19[89]\d|20\d\d)(?!\d)", Path(ds.name).name)
    return int(found[-1]) if found else None


class _ChangeSource(ClassSource):
    """Change class (0–3) per cell from an old and a new classified raster on the old grid."""

    def __init__(self, old: DatasetReader, new: DatasetReader, old_scheme: ClassScheme, new_scheme: ClassScheme, *, band: int = 1) -> None:
        super().__init__(old, band=band, extra_nodata=old_scheme.nodata, name="change")
        self.new = _on_grid(new, old)
        self.new_nodata = new_scheme.nodata
        self.old_built = np.asarray(old_scheme.built_values)
        self.new_built = np.asarray(new_scheme.built_values)
        self.new_band = band

    def read_window(self, x0: int, y0: int, nx: int, ny: int) -> np.ma.MaskedArray:
        key = (x0, y0, nx, ny)
        if key != self._key or self._arr is None:
            old = super().read_window(x0, y0, nx, ny)
            new = self.new.read(self.new_band, window=Window(x0, y0, nx, ny), masked=True)
            mask = np.ma.getmaskarray(old) | np.ma.getmaskarray(new)
            if self.new_nodata is not None:
                mask |= new.data == self.new_nodata
            code = np.isin(old.data, self.old_built).astype("uint8") + np.uint8(2) * np.isin(new.data, self.new_built)
            self._arr = np.ma.MaskedArray(code, mask=mask)
            self._key = key
        return self._arr


def _on_grid(src: DatasetReader, grid: DatasetReader) -> DatasetReader | WarpedVRT:
    if src.crs == grid.crs and src.transform == grid.transform and src.shape == grid.shape:
        return src
    return WarpedVRT(src, crs=grid.crs, transform=grid.transform, width=grid.width, height=grid.height, resampling=Resampling.nearest)


def recorded_built(plan: Plan, year: int) -> pd.Series:
    """Whether each parcel is recorded as built in ``year`` (rule in the module docstring),
    aligned to ``plan.parcels.index``.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> built = recorded_built(datasets.load("linqing"), 2018)
    >>> str(built.dtype), int(built.sum()) < int(recorded_built(datasets.load("linqing"), 2023).sum())
    ('bool', True)
    """
    parcels = plan.parcels
    built_year = pd.to_numeric(parcels["built_year"], errors="coerce") if "built_year" in parcels else pd.Series(np.nan, index=parcels.index)
    status = parcels["status"].astype("string").str.strip().str.lower() if "status" in parcels else pd.Series(pd.NA, index=parcels.index, dtype="string")
    out = (built_year <= year).fillna(False).to_numpy(dtype=bool) | (built_year.isna().to_numpy() & status.eq("built").fillna(False).to_numpy(dtype=bool))
    return pd.Series(out, index=parcels.index, name="recorded_built")


def _year_shown(ds: DatasetReader, given: int | None, *, which: str) -> int:
    """The year the ``which`` raster shows: ``given``, else its own (:func:`raster_year`); refused when unknown."""
    year = given if given is not None else raster_year(ds)
    if year is None:
        raise InputError(
            f"cannot tell which year the {which} raster shows: give it a 'year' tag, a year in its name, or pass {which}_year", file=ds.name, rule="raster-year"
        )
    return year


class _Pair:
    """Two opened rasters, their schemes and years, and the combined change source."""

    def __init__(
        self, old: DatasetReader, new: DatasetReader, *, old_scheme: ClassScheme, new_scheme: ClassScheme, old_year: int | None, new_year: int | None, band: int
    ) -> None:
        self.old_year = _year_shown(old, old_year, which="old")
        self.new_year = _year_shown(new, new_year, which="new")
        if self.old_year >= self.new_year:
            raise InputError(
                f"the old raster ({self.old_year}) must show an earlier year than the new one ({self.new_year})", file=new.name, rule="raster-year"
            )
        self.source = _ChangeSource(old, new, old_scheme, new_scheme, band=band)


def _change_columns(ex: _Extract, index: pd.Index) -> pd.DataFrame:
    wide = _wide(ex, index, CHANGE_SCHEME)
    covered = pd.Series(ex.covered_m2, index=index)
    area = pd.Series(ex.area_m2, index=index)
    old_m2 = wide[1] + wide[3]
    new_m2 = wide[2] + wide[3]

    def share(m2: pd.Series) -> pd.Series:
        return pd.Series(np.divide(m2.to_numpy(), covered.to_numpy(), out=np.full(len(m2), np.nan), where=covered.to_numpy() > 0), index=index)

    return pd.DataFrame(
        {
            "area_mu": area / M2_PER_MU,
            "covered_share": pd.Series(np.divide(covered.to_numpy(), area.to_numpy(), out=np.zeros(len(area)), where=area.to_numpy() > 0), index=index),
            "built_old_mu": old_m2 / M2_PER_MU,
            "built_new_mu": new_m2 / M2_PER_MU,
            "new_built_mu": wide[2] / M2_PER_MU,
            "lost_built_mu": wide[1] / M2_PER_MU,
            "built_old_share": share(old_m2),
            "built_new_share": share(new_m2),
            "new_built_share": share(wide[2]),
        },
        index=index,
    )


def _cell_m2(ds: DatasetReader) -> float:
    """Area of one cell (m²): planar, or on the ellipsoid at the raster's middle row."""
    t = ds.transform
    if not ds.crs.is_geographic:
        return abs(t.a * t.e)
    mid = t.f + t.e * (ds.height // 2)
    return float(cell_areas_geographic(np.array([mid]), np.array([mid + t.e]), abs(t.a), crs=ds.crs.to_wkt())[0])


def expected_built_up(plan: Plan) -> pd.Series:
    """Whether each parcel's land use is built up once built: construction land other than
    14 绿地与开敞空间; parcels without a known code count as built up.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("linqing")
    >>> built_up = expected_built_up(plan)
    >>> built_up.groupby(plan.parcels["landuse_code"].str[:2]).all().to_dict()  # 14 green space and non-construction land look unbuilt
    {'01': False, '03': False, '05': False, '07': True, '08': True, '09': True, '10': True, '11': True, '12': True, '13': True, '14': False}
    """
    from zoneplan.landuse import flags

    parcels = plan.parcels
    if "landuse_code" not in parcels.columns:
        return pd.Series(True, index=parcels.index, name="expected_built_up")
    f = flags(parcels["landuse_code"].astype("string"))
    known = f["code"].notna().to_numpy()
    level1 = f["code"].astype("string").str[:2].to_numpy(dtype=object, na_value="")
    out = ~known | (f["construction"].to_numpy(dtype=bool) & (level1 != "14"))
    return pd.Series(out, index=parcels.index, name="expected_built_up")


def _parcel_table(
    plan: Plan, pair: _Pair, *, bare_below: float, new_built_above: float, min_covered: float, min_cells: float, max_cells_in_memory: int
) -> pd.DataFrame:
    parcels = plan.parcels
    ex = _extract(parcels, pair.source.ds, pair.source, max_cells_in_memory=max_cells_in_memory, basis=plan)
    out = _change_columns(ex, parcels.index)
    rec = recorded_built(plan, pair.new_year)
    judged = (out["covered_share"] >= min_covered) & (out["area_mu"] * M2_PER_MU >= min_cells * _cell_m2(pair.source.ds))
    bare = judged & rec & expected_built_up(plan) & (out["built_new_share"] < bare_below)
    unauthorised = judged & ~rec & (out["new_built_share"] >= new_built_above)
    mismatch = pd.Series(pd.NA, index=parcels.index, dtype="string")
    mismatch[bare] = "recorded_built_looks_bare"
    mismatch[unauthorised] = "unauthorised_construction"
    ids = parcels["parcel_id"].astype("string") if "parcel_id" in parcels else pd.Series(parcels.index.astype(str), index=parcels.index, dtype="string")
    status = parcels["status"].astype("string") if "status" in parcels else pd.Series(pd.NA, index=parcels.index, dtype="string")
    return pd.concat(
        [pd.DataFrame({"parcel_id": ids, "status": status, "recorded_built": rec, "judged": judged}), out, mismatch.rename("mismatch")],
        axis=1,
    )


def parcel_change(plan: Plan, old: RasterLike, new: RasterLike, **options: Any) -> pd.DataFrame:
    """Built-up land per parcel in two rasters and the parcels whose record the ground contradicts
    (``options`` as in :func:`compare`).

    Returns
    -------
    pandas.DataFrame
        Aligned to ``plan.parcels.index``: ``parcel_id, status, recorded_built, judged, area_mu,
        covered_share, built_old_mu, built_new_mu, new_built_mu, lost_built_mu, built_old_share,
        built_new_share, new_built_share, mismatch`` (a key of :data:`MISMATCH_KINDS` or NA).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan, layers = datasets.load("linqing"), datasets.layers_dir()
    >>> table = parcel_change(plan, layers / "linqing_landcover_2018.tif", layers / "linqing_landcover_2023.tif")
    >>> len(table) == len(plan.parcels), int(table["judged"].sum())
    (True, 1072)
    >>> table.loc[table["mismatch"].notna(), ["parcel_id", "status", "mismatch"]].to_numpy().tolist()
    [['LQC-0142', 'built', 'recorded_built_looks_bare'], ['LQC-0667', 'built', 'recorded_built_looks_bare'], ['LQC-0459', 'unready', 'unauthorised_construction'], ['LQC-0727', 'unbuildable', 'unauthorised_construction'], ['LQY-0099', 'unready', 'unauthorised_construction']]
    """
    return compare(plan, old, new, **{**options, "by": None, "evidence": False}).parcels


def _group_table(plan: Plan, pair: _Pair, parcel_table: pd.DataFrame, by: Level, max_cells_in_memory: int) -> pd.DataFrame:
    from zoneplan.analysis.grouping import assign_groups

    groups = group_polygons(plan, by)
    ex = _extract(groups, pair.source.ds, pair.source, max_cells_in_memory=max_cells_in_memory, basis=plan)
    measured = _change_columns(ex, groups.index).drop(columns=["built_old_share", "built_new_share", "new_built_share"])
    measured.insert(0, "group_id", groups["group_id"].to_numpy())
    parcels = plan.parcels
    built_year = pd.to_numeric(parcels["built_year"], errors="coerce") if "built_year" in parcels else pd.Series(np.nan, index=parcels.index)
    gid = parcel_table["parcel_id"] if by == "parcel" else assign_groups(plan, by)
    pmu = parcel_table["area_mu"]
    newly = ((built_year > pair.old_year) & (built_year <= pair.new_year)).fillna(False)
    rec = pd.DataFrame(
        {
            "group_id": gid.to_numpy(),
            "recorded_new_built_mu": pmu.where(newly, 0.0).to_numpy(),
            "unauthorised_mu": pmu.where(parcel_table["mismatch"].eq("unauthorised_construction").fillna(False), 0.0).to_numpy(),
            "unauthorised_count": parcel_table["mismatch"].eq("unauthorised_construction").fillna(False).to_numpy(dtype=int),
            "looks_bare_mu": pmu.where(parcel_table["mismatch"].eq("recorded_built_looks_bare").fillna(False), 0.0).to_numpy(),
            "looks_bare_count": parcel_table["mismatch"].eq("recorded_built_looks_bare").fillna(False).to_numpy(dtype=int),
        }
    ).dropna(subset=["group_id"])
    rec = rec.groupby("group_id", sort=False).sum()
    out = measured.merge(rec, left_on="group_id", right_index=True, how="left")
    fill = list(rec.columns)
    out[fill] = out[fill].fillna(0)
    out[["unauthorised_count", "looks_bare_count"]] = out[["unauthorised_count", "looks_bare_count"]].astype("int64")
    out["unrecorded_new_built_mu"] = out["new_built_mu"] - out["recorded_new_built_mu"]
    out.insert(0, "level", by)
    out.insert(2, "old_year", pair.old_year)
    out.insert(3, "new_year", pair.new_year)
    return out.reset_index(drop=True)


class ChangeResult:
    """Everything :func:`compare` finds: per-group table, per-parcel table and evidence.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> layers = datasets.layers_dir()
    >>> result = compare(datasets.load("linqing"), layers / "linqing_landcover_2018.tif", layers / "linqing_landcover_2023.tif", evidence=False)
    >>> result.groups["group_id"].tolist(), len(result.mismatched), result.to_json()["old_year"]
    (['linqing'], 5, 2018)
    """

    def __init__(self, groups: pd.DataFrame, parcels: pd.DataFrame, evidence: gpd.GeoDataFrame, old_year: int, new_year: int) -> None:
        self.groups = groups
        self.parcels = parcels
        self.evidence = evidence
        self.old_year = old_year
        self.new_year = new_year

    @property
    def mismatched(self) -> pd.DataFrame:
        """The rows of :attr:`parcels` with a mismatch."""
        return self.parcels[self.parcels["mismatch"].notna()]

    def write_evidence(self, path: str | Path) -> Path:
        """Write the evidence (layer ``raster_mismatches``) and the per-parcel table's mismatched
        rows to a GeoPackage for QGIS, atomically."""
        from zoneplan.io.gpkg import atomic_path

        path = Path(path)
        with atomic_path(path, suffix=".tmp.gpkg") as tmp:
            self.evidence.to_file(tmp, layer="raster_mismatches", driver="GPKG")
        return path

    def to_json(self) -> dict:
        """The ``zoneplan raster change --json`` form."""
        cols = ["parcel_id", "status", "mismatch", "area_mu", "built_old_share", "built_new_share", "new_built_share", "new_built_mu"]
        return {
            "old_year": self.old_year,
            "new_year": self.new_year,
            "groups": self.groups.to_dict("records"),
            "mismatches": self.mismatched[cols].to_dict("records"),
            "evidence_mu": float(self.evidence["evidence_mu"].sum()) if len(self.evidence) else 0.0,
        }


def compare(
    plan: Plan,
    old: RasterLike,
    new: RasterLike,
    *,
    by: Level | None = "zone",
    old_year: int | None = None,
    new_year: int | None = None,
    old_scheme: str | Path | ClassScheme = "worldcover",
    new_scheme: str | Path | ClassScheme | None = None,
    bare_below: float = 0.2,
    new_built_above: float = 0.3,
    min_covered: float = 0.5,
    min_cells: float = 9.0,
    band: int = 1,
    max_cells_in_memory: int = MAX_CELLS,
    evidence: bool = True,
) -> ChangeResult:
    """Per-group change, per-parcel change and evidence geometry in one pass over the rasters.

    Parameters
    ----------
    plan
        The plan (its ``parcels`` with ``status`` and ``built_year``).
    old, new
        Classified rasters of an earlier and a later year (any CRS; the new one is read on the old
        one's grid).
    by
        Grouping level of :attr:`ChangeResult.groups` (``zone``, ``district``, ``park``, ``phase``
        or ``parcel``); None skips the group table.
    old_year, new_year
        Years the rasters show; default: the rasters' ``year`` tag or a year in the file name.
    old_scheme, new_scheme
        Class schemes (``new_scheme`` defaults to ``old_scheme``).
    bare_below
        A recorded-built parcel with a smaller built-up share in the new raster looks bare.
    new_built_above
        A parcel not recorded built with at least this share newly built-up is flagged.
    min_covered
        Parcels with a smaller share of valid cells are not judged.
    min_cells
        Parcels smaller than this many raster cells are not judged.
    band, max_cells_in_memory
        As in :func:`zoneplan.raster.zonal.class_areas`.
    evidence
        Vectorise the evidence geometry of the mismatched parcels.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan, layers = datasets.load("linqing"), datasets.layers_dir()
    >>> result = compare(plan, layers / "linqing_landcover_2018.tif", layers / "linqing_landcover_2023.tif", by="district")
    >>> result.old_year, result.new_year, result.groups["group_id"].tolist()
    (2018, 2023, ['linqing-city', 'linqing-yandian'])
    >>> result.groups[["new_built_mu", "recorded_new_built_mu"]].round().to_numpy().tolist()  # seen on the ground vs recorded, mu
    [[2642.0, 2968.0], [654.0, 813.0]]
    >>> result.mismatched["mismatch"].value_counts().to_dict(), len(result.evidence)
    ({'unauthorised_construction': 3, 'recorded_built_looks_bare': 2}, 5)
    """
    old_s = get_scheme(old_scheme)
    new_s = get_scheme(new_scheme) if new_scheme is not None else old_s
    with open_raster(old) as o, open_raster(new) as n:
        pair = _Pair(o, n, old_scheme=old_s, new_scheme=new_s, old_year=old_year, new_year=new_year, band=band)
        ptable = _parcel_table(
            plan,
            pair,
            bare_below=bare_below,
            new_built_above=new_built_above,
            min_covered=min_covered,
            min_cells=min_cells,
            max_cells_in_memory=max_cells_in_memory,
        )
        gtable = _group_table(plan, pair, ptable, by, max_cells_in_memory) if by is not None else pd.DataFrame()
        ev = _evidence(plan, pair, ptable) if evidence else _empty_evidence(plan)
    return ChangeResult(gtable, ptable, ev, pair.old_year, pair.new_year)


def built_change(plan: Plan, old: RasterLike, new: RasterLike, *, by: Level = "zone", **options: Any) -> pd.DataFrame:
    """Built-up land per group in two years, the new construction seen on the ground, and what
    the plan records for the same years (``options`` as in :func:`compare`).

    Returns
    -------
    pandas.DataFrame
        One row per group: ``level, group_id, old_year, new_year, area_mu, covered_share,
        built_old_mu, built_new_mu, new_built_mu, lost_built_mu`` (measured over the group's
        polygon), ``recorded_new_built_mu`` (parcels whose ``built_year`` lies in
        (old_year, new_year]), ``unauthorised_mu``/``_count`` and ``looks_bare_mu``/``_count``
        (mismatched parcels), and ``unrecorded_new_built_mu`` = measured − recorded new built-up.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan, layers = datasets.load("linqing"), datasets.layers_dir()
    >>> table = built_change(plan, layers / "linqing_landcover_2018.tif", layers / "linqing_landcover_2023.tif", by="district")
    >>> table[["group_id", "old_year", "new_year", "unauthorised_count", "looks_bare_count"]].to_numpy().tolist()
    [['linqing-city', 2018, 2023, 2, 2], ['linqing-yandian', 2018, 2023, 1, 0]]
    >>> table["new_built_mu"].round().tolist()
    [2642.0, 654.0]
    """
    return compare(plan, old, new, **{**options, "by": by, "evidence": False}).groups


def mismatches(plan: Plan, old: RasterLike, new: RasterLike, **options: Any) -> gpd.GeoDataFrame:
    """Evidence of the parcels whose record the rasters contradict (options of :func:`compare`).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per mismatched parcel: ``parcel_id, mismatch, status, area_mu, built_new_share,
        new_built_share, evidence_mu, message`` and the evidence geometry in the plan CRS (newly
        built-up cells for unauthorised construction, the not-built-up part for a bare parcel).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan, layers = datasets.load("linqing"), datasets.layers_dir()
    >>> evidence = mismatches(plan, layers / "linqing_landcover_2018.tif", layers / "linqing_landcover_2023.tif")
    >>> evidence[["parcel_id", "mismatch"]].to_numpy().tolist()[:2], evidence.crs.to_epsg()
    ([['LQC-0142', 'recorded_built_looks_bare'], ['LQC-0667', 'recorded_built_looks_bare']], 4548)
    >>> evidence["evidence_mu"].round(1).tolist()  # the not-built-up part of a bare parcel, the new built-up cells of the others
    [124.5, 34.5, 38.5, 24.3, 70.6]
    >>> print(evidence["message"].iloc[0])
    parcel LQC-0142: recorded as built, but the newer raster shows little built-up land (已登记建成但影像未见建设); built-up 1% in 2023, newly built-up since 2018: 0%
    """
    return compare(plan, old, new, **{**options, "by": None}).evidence


def _empty_evidence(plan: Plan) -> gpd.GeoDataFrame:
    cols = {
        "parcel_id": "string",
        "mismatch": "string",
        "status": "string",
        "area_mu": "float64",
        "built_new_share": "float64",
        "new_built_share": "float64",
        "evidence_mu": "float64",
        "message": "string",
    }
    return gpd.GeoDataFrame({c: pd.Series([], dtype=t) for c, t in cols.items()}, geometry=gpd.GeoSeries([], crs=plan.crs), crs=plan.crs)


def _evidence(plan: Plan, pair: _Pair, ptable: pd.DataFrame) -> gpd.GeoDataFrame:
    """Vectorise, for each mismatched parcel, the cells that show the mismatch inside the parcel.

    Only the window of each mismatched parcel is read (mismatches are few; the loop is over them,
    not over all parcels)."""
    flagged = ptable[ptable["mismatch"].notna()]
    if flagged.empty:
        return _empty_evidence(plan)
    src = pair.source
    ds = src.ds
    geoms = plan.parcels.geometry.loc[flagged.index]
    in_raster = geoms.to_crs(ds.crs)
    pieces: list[shapely.Geometry] = []
    for (_, row), bounds in zip(flagged.iterrows(), in_raster.bounds.to_numpy()):
        w = from_bounds(*bounds, transform=ds.transform)
        c0, r0 = int(np.floor(w.col_off)), int(np.floor(w.row_off))
        c1, r1 = int(np.ceil(w.col_off + w.width)), int(np.ceil(w.row_off + w.height))
        c0, r0, c1, r1 = max(c0, 0), max(r0, 0), min(c1, ds.width), min(r1, ds.height)
        if c1 <= c0 or r1 <= r0:
            pieces.append(shapely.Polygon())
            continue
        win = Window(c0, r0, c1 - c0, r1 - r0)
        code = src.read_window(int(win.col_off), int(win.row_off), int(win.width), int(win.height))
        wanted = (code.data == 2) if row["mismatch"] == "unauthorised_construction" else (code.data < 2)
        wanted &= ~np.ma.getmaskarray(code)
        shapes = [shapely.geometry.shape(g) for g, _ in rasterio.features.shapes(wanted.astype("uint8"), mask=wanted, transform=ds.window_transform(win))]
        pieces.append(shapely.union_all(shapes) if shapes else shapely.Polygon())
    cells = gpd.GeoSeries(pieces, crs=ds.crs, index=flagged.index).to_crs(plan.crs)
    geometry = cells.intersection(geoms)
    evidence_mu = basis_area_m2(geometry, plan).to_numpy() / M2_PER_MU
    messages = [
        f"parcel {pid}: {MISMATCH_KINDS[kind]}; built-up {bn:.0%} in {pair.new_year}, newly built-up since {pair.old_year}: {nb:.0%}"
        for pid, kind, bn, nb in zip(flagged["parcel_id"], flagged["mismatch"], flagged["built_new_share"], flagged["new_built_share"])
    ]
    return gpd.GeoDataFrame(
        {
            "parcel_id": flagged["parcel_id"].to_numpy(),
            "mismatch": flagged["mismatch"].to_numpy(),
            "status": flagged["status"].to_numpy(),
            "area_mu": flagged["area_mu"].to_numpy(),
            "built_new_share": flagged["built_new_share"].to_numpy(),
            "new_built_share": flagged["new_built_share"].to_numpy(),
            "evidence_mu": evidence_mu,
            "message": messages,
        },
        geometry=geometry.to_numpy(),
        crs=plan.crs,
        index=flagged.index,
    )
