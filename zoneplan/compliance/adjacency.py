"""Environmental adjacency: polluting industry next to housing, schools, hospitals and welfare land.

Rule ``env_adjacency`` (Linqing, 临政办字〔2022〕22号: no environmental-risk class IV+ project on
industrial land adjacent to residential, school/research or hospital land): a **source** parcel —
class-3 industrial land (100103, ``env_source_codes``) or a parcel whose ``env_risk_class`` is at
least ``env_risk_min_class`` (default 4 = class IV) — must not lie within ``env_min_distance_m``
(default 100 m; the plan's ``env_min_distance_m`` target; 0 means touching) of a **sensitive
receptor** parcel (:func:`zoneplan.landuse.flags` ``sensitive_receptor``: housing, research,
education, health and welfare land).

Each pair is one finding: feature_id = the source parcel, other_id = the receptor, measured = the
distance in m (0 when they touch), limit = the minimum distance, geometry = the shortest line
between the two parcels. Pairs come from the spatial index (envelopes grown by the distance, then
:func:`shapely.dwithin`), never from all pairs.

An industrial parcel of **unknown sub-class** — its code is a coarser class that holds a source
code (1001 工业用地 or 10 工矿用地 above 100103) and it gives no ``env_risk_class`` — may be a
source or not. Where such a parcel lies within the distance of a receptor it is "cannot judge"
(one row per parcel, naming the nearest receptor), never passed as compliant.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoneplan._memo import follows_data
from zoneplan._text import either, sentences, written
from zoneplan.compliance._base import cannot_judge_frame, feature_ids, parcel_flags, usable, violations_frame
from zoneplan.compliance.findings import SWITCHED_OFF, Findings
from zoneplan.compliance.rules import Rules, resolve_rules
from zoneplan.plan import Plan

__all__ = ["ENV_RULE", "adjacency_pairs", "env_adjacency", "env_sources", "unknown_subclass"]

ENV_RULE = "env_adjacency"


def adjacency_pairs(sources: gpd.GeoSeries, receptors: gpd.GeoSeries, *, distance_m: float) -> pd.DataFrame:
    """Pairs of (source, receptor) geometries no farther apart than ``distance_m``.

    Parameters
    ----------
    sources, receptors
        Polygons in the same projected CRS (metres).
    distance_m
        Maximum distance; 0 finds touching or overlapping pairs.

    Returns
    -------
    pandas.DataFrame
        ``source`` and ``receptor`` (index labels of the inputs), ``distance_m`` and ``line`` (the
        shortest line between them), sorted by source then distance.

    Examples
    --------
    >>> import shapely
    >>> a = gpd.GeoSeries([shapely.box(0, 0, 10, 10)], crs=4548)
    >>> b = gpd.GeoSeries([shapely.box(60, 0, 70, 10), shapely.box(200, 0, 210, 10)], index=[7, 8], crs=4548)
    >>> adjacency_pairs(a, b, distance_m=100)[["source", "receptor", "distance_m"]].to_dict("records")
    [{'source': 0, 'receptor': 7, 'distance_m': 50.0}]
    """
    s_ok = np.flatnonzero(usable(sources))
    r_ok = np.flatnonzero(usable(receptors))
    sg, rg = (
        np.asarray(sources.values, dtype=object)[s_ok],
        np.asarray(receptors.values, dtype=object)[r_ok],
    )  # shapely on a GeometryArray goes through pandas' ufunc dispatch
    # The pairs of ``STRtree(rg).query(sg, predicate="dwithin")`` in its order, without the
    # predicate query preparing every source: the index proposes the receptors whose envelope
    # meets the source's envelope grown by the distance, and one vectorised call tests them.
    b = shapely.bounds(sg)
    grown = shapely.box(b[:, 0] - distance_m, b[:, 1] - distance_m, b[:, 2] + distance_m, b[:, 3] + distance_m)
    s_idx, r_idx = shapely.STRtree(rg).query(grown)
    close = shapely.dwithin(sg[s_idx], rg[r_idx], distance_m)
    s_idx, r_idx = s_idx[close], r_idx[close]
    line = shapely.shortest_line(sg[s_idx], rg[r_idx])
    out = pd.DataFrame(
        {
            "source": sources.index[s_ok[s_idx]],
            "receptor": receptors.index[r_ok[r_idx]],
            "distance_m": shapely.length(line),  # the shortest line is as long as the distance: one GEOS distance pass, not two
            "line": line,
        }
    )
    return out.sort_values(["source", "distance_m"], kind="stable", ignore_index=True)


def env_sources(plan: Plan, *, year: int | None = None, rules: Rules) -> pd.Series:
    """True for the parcels that are pollution sources (class-3 industry or high risk), aligned to the parcels.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.compliance.rules import resolve_rules
    >>> plan = datasets.load("linqing")
    >>> sources = env_sources(plan, rules=resolve_rules(plan))
    >>> len(sources) == len(plan.parcels), int(sources.sum())
    (True, 5)
    """
    parcels = plan.parcels
    code = parcel_flags(plan, year)["code"].astype("string")
    source = code.isin(list(rules.env_source_codes)).fillna(False)
    if "env_risk_class" in parcels.columns:
        risk = pd.to_numeric(parcels["env_risk_class"], errors="coerce")
        # A risk class describes a project: it counts where the parcel is construction land in the year judged.
        built = parcel_flags(plan, year)["construction"]
        source |= ((risk >= rules.env_risk_min_class) & built).fillna(False)
    return source.astype(bool).rename("env_source")


def _risk_class(parcels: gpd.GeoDataFrame) -> pd.Series:
    """The parcels' ``env_risk_class`` as numbers (NaN where missing or the column is absent)."""
    if "env_risk_class" not in parcels.columns:
        return pd.Series(np.nan, index=parcels.index, dtype="float64")
    return pd.to_numeric(parcels["env_risk_class"], errors="coerce").astype("float64")


def unknown_subclass(plan: Plan, *, year: int | None = None, rules: Rules) -> pd.Series:
    """True for parcels that may or may not be pollution sources: their sub-class is not known.

    A parcel's code is a strict ancestor of a source code (1001 工业用地 and 10 工矿用地 hold
    100103 三类工业用地) and the parcel gives no ``env_risk_class``.

    Parameters
    ----------
    plan
        The plan.
    year
        Judge the codes in force in this year; None judges the plan as planned.
    rules
        Resolved rules (``env_source_codes``).

    Returns
    -------
    pandas.Series
        Boolean, aligned to the parcels.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.compliance.rules import resolve_rules
    >>> plan = datasets.load("linqing")
    >>> rules = resolve_rules(plan, None)
    >>> int(unknown_subclass(plan, rules=rules).sum()), int(unknown_subclass(plan.with_layer("parcels", plan.parcels.assign(landuse_code="1001")), rules=rules).sum()) > 0
    (0, True)
    """
    code = parcel_flags(plan, year)["code"].astype("string")
    sources = [str(c) for c in rules.env_source_codes]
    coarse = pd.Series(False, index=code.index)
    for source in sources:  # a handful of rule codes, not features
        ancestors = [source[:n] for n in range(2, len(source), 2)]
        coarse |= code.isin(ancestors).fillna(False)
    return (coarse & _risk_class(plan.parcels).isna()).astype(bool).rename("unknown_subclass")


def _unknown_near(plan: Plan, unknown: np.ndarray, receptor: np.ndarray, *, year: int | None, rules: Rules) -> pd.DataFrame:
    """Cannot-judge rows: parcels of unknown sub-class within the distance of a receptor, one per parcel."""
    parcels = plan.parcels
    pairs = adjacency_pairs(parcels.geometry[unknown], parcels.geometry[receptor], distance_m=rules.env_min_distance_m)
    nearest = pairs.drop_duplicates("source", keep="first")  # pairs are sorted by source, then distance
    count = pairs.groupby("source").size().reindex(nearest["source"]).to_numpy()
    ids = feature_ids(parcels, "parcels")
    fl = parcel_flags(plan, year)
    return cannot_judge_frame(
        ENV_RULE,
        "parcels",
        ids.loc[nearest["source"]],
        missing="industrial sub-class",
        message=sentences(
            "industrial parcel of unknown sub-class (",
            written(fl["code"].loc[nearest["source"]]),
            ") is ",
            written(nearest["distance_m"].to_numpy(), ",.1f"),
            " m from sensitive parcel ",
            written(ids.loc[nearest["receptor"]]),
            " (",
            written(fl["name_zh"].loc[nearest["receptor"]]),
            ")",
            either(count > 1, sentences(" and ", written(count - 1), " more")),
            f"; minimum {rules.env_min_distance_m:g} m for class-3 or risk class {rules.env_risk_min_class}+ industry: give its sub-class code or env_risk_class",
        ),
    )


@follows_data
def env_adjacency(plan: Plan, *, year: int | None = None, rules: Mapping[str, Any] | Rules | None = None) -> Findings:
    """Find polluting parcels within the minimum distance of sensitive-receptor parcels.

    Parameters
    ----------
    plan
        The plan.
    year
        Judge the codes in force in this year; None judges the plan as planned.
    rules
        Rules mapping or :class:`~zoneplan.compliance.rules.Rules` (``env_min_distance_m``,
        ``env_risk_min_class``, ``env_source_codes``).

    Returns
    -------
    Findings
        One ``env_adjacency`` violation per (source, receptor) pair, and one cannot-judge row per
        industrial parcel of unknown sub-class within the distance of a receptor.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> found = env_adjacency(datasets.load("linqing"))
    >>> found.violations["rule"].tolist()  # the one planted pair: an emission source beside a sensitive receptor
    ['env_adjacency']
    """
    rules = resolve_rules(plan, rules, year=year)
    settings = {
        "env_min_distance_m": rules.env_min_distance_m,
        "env_risk_min_class": rules.env_risk_min_class,
        "env_source_codes": list(rules.env_source_codes),
    }
    if not rules.env_adjacency:
        return Findings(not_checked={ENV_RULE: SWITCHED_OFF})
    parcels = plan.parcels
    fl = parcel_flags(plan, year)
    source = env_sources(plan, year=year, rules=rules).to_numpy()
    unknown = unknown_subclass(plan, year=year, rules=rules).to_numpy() & ~source
    receptor = fl["sensitive_receptor"].to_numpy(dtype=bool) & ~source & ~unknown
    pairs = adjacency_pairs(parcels.geometry[source], parcels.geometry[receptor], distance_m=rules.env_min_distance_m)
    ids = feature_ids(parcels, "parcels")
    code = fl["code"].astype("string").fillna("?")
    risk = _risk_class(parcels)
    source_code, receptor_id = code.loc[pairs["source"]], ids.loc[pairs["receptor"]]
    what = either(
        source_code.isin(list(rules.env_source_codes)).to_numpy(dtype=bool),
        sentences("class-3 industrial parcel (", written(source_code), ")"),
        sentences("risk class ", written(risk.loc[pairs["source"]].fillna(0).to_numpy(dtype=np.int64)), " project (", written(source_code), ")"),
    )
    violations = violations_frame(
        ENV_RULE,
        "parcels",
        ids.loc[pairs["source"]],
        other_id=receptor_id,
        year=year,
        measured=pairs["distance_m"],
        limit=rules.env_min_distance_m,
        unit="m",
        message=sentences(
            what,
            " is ",
            written(pairs["distance_m"].to_numpy(), ",.1f"),
            " m from sensitive parcel ",
            written(receptor_id),
            " (",
            written(fl["name_zh"].loc[pairs["receptor"]]),
            f"); minimum {rules.env_min_distance_m:g} m",
        ),
        geometry=pairs["line"].to_numpy(),
        crs=plan.crs,
    )
    cannot = _unknown_near(plan, unknown, receptor, year=year, rules=rules)
    return Findings(violations=violations, cannot_judge=cannot, checked=(ENV_RULE,), settings=settings, year=year)
