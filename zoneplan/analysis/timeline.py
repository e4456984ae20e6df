"""The plan over time: which land-use code and which land status each parcel has in a year.

A plan holds actual history (``supplied_year``, ``built_year``) and the plan's intention
(``planned_year`` for parcels not yet built, ``base_landuse_code`` for what is there before
development). Every analysis that takes a ``year`` reads the parcels through these two functions,
so one rule decides what "the zone in 2025" means everywhere.

Rules
-----
Land use (:func:`landuse_at`, the cross-team contract)
    A parcel has its ``landuse_code`` in year *Y* when ``built_year <= Y``, or
    ``planned_year <= Y``, or it has neither year and ``status == "built"`` (unless its
    ``supplied_year`` is after *Y*: land supplied later cannot have been built); otherwise it has its
    ``base_landuse_code`` (``<NA>`` when the plan has none — counted as not construction land).
    ``year=None`` means "as the plan stands": the ``landuse_code`` column.
Land status (:func:`status_at`)
    ``built`` when ``built_year <= Y``, or ``planned_year <= Y`` (the plan's expectation: a
    parcel planned for *Y* is counted as built from *Y* on, so planned years describe the plan's
    target state), or the parcel is ``built`` with neither year (and no supply year after *Y*);
    ``supplied`` when not built and ``supplied_year <= Y`` or the parcel is ``supplied`` with no
    supply year; a parcel that is ``built`` or ``supplied`` today but whose years lie after *Y*
    was **not yet supplied** in *Y* and is counted as ``ready`` (已达到供地条件 — it was supplied
    later, so the assumption is that it could be); ``ready``, ``unready`` and ``unbuildable``
    parcels keep their status. ``year=None`` returns the ``status`` column.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from zoneplan.plan import Plan

__all__ = ["BUILT", "READY", "STATUS_ORDER", "SUPPLIED", "UNBUILDABLE", "UNREADY", "landuse_at", "status_at", "status_codes", "supply_year"]


def _int_col(parcels: pd.DataFrame, name: str) -> pd.Series:
    if name in parcels.columns:
        return pd.to_numeric(parcels[name], errors="coerce").astype("Int64")
    return pd.Series(pd.NA, index=parcels.index, dtype="Int64")


def _text_col(parcels: pd.DataFrame, name: str) -> pd.Series:
    if name in parcels.columns:
        return parcels[name].astype("string")
    return pd.Series(pd.NA, index=parcels.index, dtype="string")


def _reached(years: pd.Series, year: int) -> np.ndarray:
    """True where ``years <= year`` (False where the year is missing)."""
    return (years <= year).fillna(False).to_numpy(dtype=bool)


def landuse_at(plan: Plan, year: int | None) -> pd.Series:
    """The 2023 land-use code of every parcel in ``year``.

    Parameters
    ----------
    plan
        The plan.
    year
        Calendar year; ``None`` for the plan as it stands (the ``landuse_code`` column).

    Returns
    -------
    pandas.Series
        ``string`` codes aligned to ``plan.parcels.index``, named ``landuse_code``; ``<NA>`` where
        the parcel is not yet developed in ``year`` and the plan has no ``base_landuse_code``.

    Examples
    --------
    A parcel built in 2019 from farmland (``0103``) is industrial from 2019 on:

    >>> import geopandas as gpd, shapely
    >>> parcels = gpd.GeoDataFrame({"parcel_id": ["a"], "landuse_code": ["100101"],
    ...     "base_landuse_code": ["0103"], "built_year": [2019]},
    ...     geometry=[shapely.box(0, 0, 10, 10)], crs=4548)
    >>> plan = Plan({"parcels": parcels})
    >>> landuse_at(plan, 2018).tolist(), landuse_at(plan, 2019).tolist()
    (['0103'], ['100101'])
    """
    parcels = plan.parcels
    code = _text_col(parcels, "landuse_code").rename("landuse_code")
    if year is None:
        return code
    built = _int_col(parcels, "built_year")
    planned = _int_col(parcels, "planned_year")
    status = _text_col(parcels, "status")
    current = _reached(built, year) | _reached(planned, year)
    supplied = _int_col(parcels, "supplied_year")
    undated = (built.isna() & planned.isna() & (status == "built") & ~(supplied > year).fillna(False)).fillna(False)
    current |= undated.to_numpy(dtype=bool)
    base = _text_col(parcels, "base_landuse_code")
    return code.where(current, base)


#: Land statuses in code order (:func:`status_codes`); −1 is "unknown".
STATUS_ORDER: tuple[str, ...] = ("built", "supplied", "ready", "unready", "unbuildable")
BUILT, SUPPLIED, READY, UNREADY, UNBUILDABLE = range(5)


def _current_codes(parcels: pd.DataFrame) -> np.ndarray:
    """The ``status`` column as codes of :data:`STATUS_ORDER` (cleaned once per distinct value)."""
    if "status" not in parcels.columns:
        return np.full(len(parcels), -1, dtype=np.int8)
    codes, uniques = parcels["status"].astype("string").factorize(use_na_sentinel=True)
    cleaned = pd.Series(np.asarray(uniques, dtype=object), dtype="string").str.strip().str.lower()
    lookup = np.array([STATUS_ORDER.index(v) if v in STATUS_ORDER else -1 for v in cleaned.fillna("")], dtype=np.int8)
    return np.where(codes >= 0, lookup[np.maximum(codes, 0)] if len(lookup) else -1, -1).astype(np.int8)


def status_codes(plan: Plan, year: int | None) -> np.ndarray:
    """Status of every parcel in ``year`` as ``int8`` codes of :data:`STATUS_ORDER` (−1 unknown).

    The fast form of :func:`status_at` (same rules), used by the analyses.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("linqing")
    >>> codes = status_codes(plan, 2020)
    >>> codes.dtype, (STATUS_ORDER[codes[0]] == status_at(plan, 2020).iloc[0])
    (dtype('int8'), True)
    """
    parcels = plan.parcels
    current = _current_codes(parcels)
    if year is None:
        return current
    built_y = _int_col(parcels, "built_year")
    planned_y = _int_col(parcels, "planned_year")
    supplied_y = _int_col(parcels, "supplied_year")
    no_built_y, no_planned_y, no_supplied_y = built_y.isna().to_numpy(), planned_y.isna().to_numpy(), supplied_y.isna().to_numpy()
    is_built = current == BUILT
    is_supplied = current == SUPPLIED
    no_years = no_built_y & no_planned_y
    not_after = ~(supplied_y > year).fillna(False).to_numpy(dtype=bool)
    built = _reached(built_y, year) | _reached(planned_y, year) | (is_built & no_years & not_after)
    supplied = ~built & (_reached(supplied_y, year) | ((is_built | is_supplied) & no_supplied_y & no_years))
    later = ~built & ~supplied & (is_built | is_supplied | ~no_built_y | ~no_supplied_y)
    out = current.copy()
    out[later] = READY
    out[supplied] = SUPPLIED
    out[built] = BUILT
    return out


def status_at(plan: Plan, year: int | None) -> pd.Series:
    """The land status (built, supplied, ready, unready, unbuildable) of every parcel in ``year``.

    Parameters
    ----------
    plan
        The plan.
    year
        Calendar year; ``None`` for the ``status`` column as it stands.

    Returns
    -------
    pandas.Series
        ``string`` statuses aligned to ``plan.parcels.index``, named ``status`` (rules in the module
        docstring; statuses are stripped and lower-cased); ``<NA>`` where the status is missing or
        not one of the five.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("linqing")
    >>> status_at(plan, 2020).value_counts().to_dict()
    {'built': 680, 'unready': 164, 'unbuildable': 141, 'ready': 102}
    """
    codes = status_codes(plan, year)
    values = pd.Categorical.from_codes(codes.astype(np.int64), categories=list(STATUS_ORDER))
    return pd.Series(values, index=plan.parcels.index, name="status").astype("string")


def supply_year(plan: Plan) -> pd.Series:
    """Year each parcel became construction land: ``supplied_year``, else ``built_year`` (``Int64``).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> years = supply_year(datasets.load("linqing"))
    >>> str(years.dtype), int(years.min()), int(years.max())
    ('Int64', 1995, 2024)
    """
    parcels = plan.parcels
    return _int_col(parcels, "supplied_year").fillna(_int_col(parcels, "built_year")).rename("supply_year")
