"""Province-scale runs on dask: ``analyze`` and ``check`` partitioned by zone.

A province monitors ~170 zones and millions of parcels. Every zoneplan indicator and rule is local
to a zone (a zone's indicators depend on its own parcels, sub-areas, control lines, targets and
quotas), so the plan is split into **partitions of whole zones**, each partition is analysed or
checked by the ordinary single-process functions on a dask worker, and the partial results are
put back together. The answer is the same as the single-process run's (tested).

How a partition is cut (:func:`partition_plan`)
-----------------------------------------------
* Zones are dealt into ``n_partitions`` bins, largest parcel count first onto the lightest bin,
  so the tasks are balanced. A parcel belongs to the zone of
  :func:`zoneplan.analysis.grouping.assign_groups` (its ``zone_id``, else the zone containing it);
  parcels in no zone form a partition of their own.
* ``districts`` / ``parks`` / ``phases`` go with their ``zone_id``; ``quotas`` with their zone;
  ``targets`` with the zone, district, park or phase they are scoped to (plan-wide rows go to every
  partition). ``control_lines`` and any other layer go to every partition whose extent they touch
  (a superset — only intersecting pairs count).
* **Halo**: rules that look across a distance (environmental adjacency, ``env_min_distance_m``)
  need neighbours from other zones; parcels of other zones within that distance of a partition
  are added to it as context, and findings about them are dropped there (they are reported by
  their own partition).

Compliance rules are resolved once on the whole plan (:func:`zoneplan.compliance.rules.resolve_rules`)
and the same resolved rules are used in every partition.

Where it runs
-------------
``client=`` an existing :class:`distributed.Client`; else ``scheduler="tcp://host:8786"`` connects
to an existing cluster; else a :class:`distributed.LocalCluster` with one single-threaded worker
process per core is started for the call and closed afterwards. Partitions are built on the
client from the in-memory plan with vectorised pandas/geopandas (spatial index queries), scattered
to the workers, and the partial results gathered back.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoneplan._geometry import points_within
from zoneplan.errors import InputError
from zoneplan.plan import Plan
from zoneplan.settings import settings

if TYPE_CHECKING:
    from zoneplan.analysis.grouping import Level

__all__ = ["Partition", "analyze", "canonical_findings", "check", "cluster_client", "partition_plan"]

_NO_ZONE = "\x00no-zone"
_SUB_LEVELS = ("district", "park", "phase")


@dataclass(frozen=True)
class Partition:
    """A part of a plan made of whole zones.

    Attributes
    ----------
    zone_ids
        The zones of this partition (``[]`` for the parcels in no zone).
    plan
        The sub-plan: those zones, their parcels (plus halo parcels), sub-areas, control lines,
        targets and quotas.
    home_parcels
        ``parcel`` row labels (index of the full plan's parcels) this partition answers for.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("liaocheng")
    >>> first = partition_plan(plan, n_partitions=3)[0]
    >>> first.zone_ids
    ('liaocheng-eco', 'linqing', 'yanggu', 'liaocheng-hitech')
    >>> first.plan
    Plan('liaocheng', EPSG:4548, zones=4, remaining_land=8, admin_boundaries=4; tables province_stats=2)
    >>> len(first.home_parcels)  # the prefecture plan carries no parcels; Linqing's do
    0
    >>> [(part.zone_ids, len(part.home_parcels), len(part.plan.parcels)) for part in partition_plan(datasets.load("linqing"), n_partitions=2)]
    [(('linqing',), 1087, 1087)]
    """

    zone_ids: tuple[str, ...]
    plan: Plan
    home_parcels: pd.Index


def _zone_of_parcels(plan: Plan) -> pd.Series:
    from zoneplan.analysis.grouping import assign_groups

    return assign_groups(plan, "zone").astype("string").fillna(_NO_ZONE)


def _bins(sizes: pd.Series, n: int) -> list[list[str]]:
    """Deal keys into ``n`` bins, largest first onto the lightest bin (greedy balancing)."""
    n = max(1, min(n, len(sizes)))
    loads = np.zeros(n)
    bins: list[list[str]] = [[] for _ in range(n)]
    for key, size in sizes.sort_values(ascending=False, kind="stable").items():
        i = int(np.argmin(loads))
        bins[i].append(key)
        loads[i] += max(int(size), 1)
    return [b for b in bins if b]


def _by_extent(layer: gpd.GeoDataFrame, boxes: np.ndarray) -> gpd.GeoDataFrame:
    """Features of ``layer`` intersecting any of the rectangles ``boxes`` (in layer order)."""
    if not len(layer) or not len(boxes):
        return layer.iloc[:0]
    hits = np.unique(layer.sindex.query(boxes, predicate="intersects")[1])
    return layer.iloc[hits]


def _zone_column(layer: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> pd.Series:
    """Zone of each feature of a district/park/phase layer: its ``zone_id``, else the zone containing its representative point."""
    given = layer["zone_id"].astype("string") if "zone_id" in layer.columns else pd.Series(pd.NA, index=layer.index, dtype="string")
    missing = given.isna().to_numpy()
    if missing.any() and len(zones):
        pts = layer.geometry.iloc[np.flatnonzero(missing)].representative_point()
        left, right = points_within(pts.to_numpy(), zones.geometry.to_numpy())
        found = pd.Series(zones["zone_id"].astype("string").to_numpy()[right], index=pts.index[left])
        given.loc[found.index[~found.index.duplicated()]] = found[~found.index.duplicated()]
    return given


def _halo(parcels: gpd.GeoDataFrame, zone: pd.Series, boxes: pd.DataFrame, keys: pd.Index, halo_m: float) -> np.ndarray:
    """Positions of parcels outside zones ``keys`` lying within ``halo_m`` of a parcel inside them."""
    grown = shapely.box(boxes["minx"] - halo_m, boxes["miny"] - halo_m, boxes["maxx"] + halo_m, boxes["maxy"] + halo_m)
    candidates = np.unique(parcels.sindex.query(grown, predicate="intersects")[1])
    candidates = candidates[~zone.iloc[candidates].isin(keys).to_numpy()]
    if not len(candidates):
        return candidates
    left, right = parcels.sindex.query(parcels.geometry.iloc[candidates], predicate="dwithin", distance=halo_m)
    inside = zone.iloc[right].isin(keys).to_numpy()
    return np.unique(candidates[left[inside]])


def partition_plan(plan: Plan, *, n_partitions: int, halo_m: float = 0.0) -> list[Partition]:
    """Split ``plan`` into at most ``n_partitions`` partitions of whole zones (see module docstring).

    Parameters
    ----------
    plan
        The whole plan.
    n_partitions
        Upper bound on the number of partitions (fewer when there are fewer zones).
    halo_m
        Parcels of other zones within this distance of a partition's parcels are added to it as
        context (0: none).

    Returns
    -------
    list of Partition

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("liaocheng")  # the prefecture's ten zones
    >>> parts = partition_plan(plan, n_partitions=3)
    >>> len(parts), sorted(len(p.zone_ids) for p in parts), sum(len(p.plan.zones) for p in parts)
    (3, [3, 3, 4], 10)
    """
    if n_partitions < 1:
        raise InputError("n_partitions must be at least 1")
    parcels = plan.parcels
    zone = _zone_of_parcels(plan)
    sizes = zone.value_counts()
    zones = plan.zones
    for zid in zones["zone_id"].astype("string") if "zone_id" in zones.columns else []:
        if zid not in sizes.index:
            sizes.loc[zid] = 0
    sub_zone = {lvl: _zone_column(plan[f"{lvl}s"], zones) for lvl in _SUB_LEVELS}
    scope_zone = pd.concat(
        [pd.Series(zones["zone_id"].astype("string").to_numpy(), index=zones["zone_id"].astype("string").to_numpy())]
        + [
            pd.Series(sub_zone[lvl].to_numpy(), index=plan[f"{lvl}s"][f"{lvl}_id"].astype("string").to_numpy())
            for lvl in _SUB_LEVELS
            if f"{lvl}_id" in plan[f"{lvl}s"].columns
        ]
    )
    scope_zone = scope_zone[~scope_zone.index.duplicated()]
    targets = plan.targets
    target_zone = targets["scope"].astype("string").map(scope_zone) if len(targets) else pd.Series([], dtype="string")
    quotas = plan.quotas
    quota_zone = quotas["zone_id"].astype("string") if len(quotas) else pd.Series([], dtype="string")
    other_layers = [n for n in plan.layers if n not in ("zones", "parcels", "districts", "parks", "phases")]
    lines = plan.control_lines
    udb_rows: np.ndarray | list[int] = np.flatnonzero(lines["kind"].astype(str).to_numpy() == "urban_development_boundary") if "kind" in lines.columns else []
    first_udb = lines.iloc[udb_rows[:1]] if len(udb_rows) else None
    # extent of every zone: its polygon and its parcels (parcels in no zone under their own key)
    zone_boxes = pd.concat(
        [parcels.bounds.set_axis(zone.to_numpy()), zones.bounds.set_axis(zones["zone_id"].astype("string").to_numpy()) if "zone_id" in zones.columns else None]
    )
    zone_boxes = zone_boxes.groupby(level=0).agg({"minx": "min", "miny": "min", "maxx": "max", "maxy": "max"})

    out = []
    for keys in _bins(sizes, n_partitions):
        key_set = pd.Index(keys)
        own = np.flatnonzero(zone.isin(key_set).to_numpy())
        part_parcels = parcels.iloc[own]
        zone_ids = tuple(k for k in keys if k != _NO_ZONE)
        part_zones = zones[zones["zone_id"].astype("string").isin(zone_ids).to_numpy()] if "zone_id" in zones.columns else zones.iloc[:0]
        if halo_m > 0 and len(part_parcels):
            extra = _halo(parcels, zone, zone_boxes.loc[zone_boxes.index.intersection(key_set)], key_set, halo_m)
            part_parcels = parcels.iloc[np.concatenate([own, extra])]
        # one rectangle per zone (its polygon and its parcels) and per halo parcel
        extent = pd.concat([zone_boxes.loc[zone_boxes.index.intersection(key_set)], part_parcels.bounds.iloc[len(own) :]])
        bounds = shapely.box(extent["minx"], extent["miny"], extent["maxx"], extent["maxy"])
        layers = {"zones": part_zones, "parcels": part_parcels}
        for lvl in _SUB_LEVELS:
            name = f"{lvl}s"
            if name in plan.layers:
                layers[name] = plan[name][sub_zone[lvl].isin(zone_ids).fillna(False).to_numpy()]
        for name in other_layers:
            layers[name] = _by_extent(plan[name], bounds)
        if first_udb is not None and not (layers["control_lines"]["kind"].astype(str) == "urban_development_boundary").any():
            # Whether a plan has an urban development boundary at all changes what is forbidden
            # (everything outside it): keep one boundary in every partition.
            layers["control_lines"] = pd.concat([layers["control_lines"], first_udb])
        tables = dict(plan.tables)
        if "targets" in plan.tables:
            # rows scoped to this partition's zones and sub-areas, and plan-wide rows (scope not a group id)
            keep = target_zone.isin(zone_ids).fillna(False) | target_zone.isna()
            tables["targets"] = targets[keep.to_numpy()]
        if "quotas" in plan.tables:
            tables["quotas"] = quotas[quota_zone.isin(zone_ids).fillna(False).to_numpy()]
        layers = {name: layers[name] for name in plan.layers if name in layers}
        sub = Plan(layers, tables, crs=plan.crs, meta=plan.meta, layer_meta=plan.layer_meta)
        out.append(Partition(zone_ids, sub, parcels.index[own]))
    return out


# -- cluster ---------------------------------------------------------------------------------------
@contextlib.contextmanager
def cluster_client(*, client: Any = None, scheduler: str | None = None, n_workers: int | None = None) -> Iterator[Any]:
    """A dask.distributed client: ``client`` as given, a connection to ``scheduler``, or a local cluster on all cores.

    Parameters
    ----------
    client
        An existing :class:`distributed.Client` (used as is, not closed).
    scheduler
        Address of an existing scheduler (``tcp://host:8786``).
    n_workers
        Worker processes of the local cluster (default: one per core, one thread each).

    Examples
    --------
    >>> from distributed import Client
    >>> with Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=":0") as existing:
    ...     with cluster_client(client=existing) as c:  # an existing client is used as is, and left open
    ...         print(c is existing, sum(w["nthreads"] for w in c.scheduler_info()["workers"].values()))
    True 2
    >>> with cluster_client(scheduler="tcp://127.0.0.1:1") as c:  # no scheduler listens there
    ...     pass
    Traceback (most recent call last):
    ...
    zoneplan.errors.InputError: cannot reach the dask scheduler at tcp://127.0.0.1:1: ...
    """
    if client is not None:
        yield client
        return
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            c = Client(scheduler, timeout="5s")
        except OSError as exc:
            raise InputError(f"cannot reach the dask scheduler at {scheduler}: {exc}") from None
        with c:
            yield c
        return
    with (
        LocalCluster(n_workers=n_workers or os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster,
        Client(cluster) as c,
    ):
        c.run(_warm_up)
        yield c


def _warm_up() -> None:
    """Import the analysis and compliance code in a fresh worker (a long-running cluster has it already)."""
    import zoneplan.analysis
    import zoneplan.compliance  # noqa: F401


def _n_partitions(c: Any, n_partitions: int | None) -> int:
    if n_partitions:
        return n_partitions
    return sum(c.nthreads().values()) or 1


def _map(c: Any, func: Callable, plans: Sequence[Plan], **kwargs: Any) -> list:
    """``func(plan, **kwargs)`` for every plan on the cluster; the plans are scattered to the workers first."""
    data = c.scatter(list(plans), hash=False)
    return c.gather(c.map(func, data, pure=False, **kwargs))


# -- analyze -----------------------------------------------------------------------------------------
_ANCHOR = "\x00supply-reference"


def _supply_anchor(plan: Plan) -> gpd.GeoDataFrame | None:
    """One parcel newly supplied in the plan's latest supply year, relabelled into a group of its own.

    Without a year, "years of supply left" averages the supply of the three years up to the
    plan's latest supply year — a plan-wide quantity. Adding this parcel to every partition gives
    each the whole plan's latest year; its own group is dropped from the results.
    """
    from zoneplan.analysis.consumption import land_consumption
    from zoneplan.analysis.timeline import supply_year
    from zoneplan.landuse import flags

    consumption = land_consumption(plan, by="zone")
    if not len(consumption):
        return None
    latest = int(consumption["year"].max())
    parcels = plan.parcels
    hit = (supply_year(plan) == latest).fillna(False).to_numpy(dtype=bool) & flags(parcels["landuse_code"])["construction"].to_numpy(dtype=bool)
    if not hit.any():
        return None
    anchor = parcels.iloc[np.flatnonzero(hit)[:1]].copy()
    for col in ("parcel_id", "zone_id", "district_id", "park_id", "phase_id"):
        anchor[col] = _ANCHOR
    return anchor


def _analyze_part(plan: Plan, *, year: int | None, by: Level, profile: Mapping[str, Any] | None, anchor: gpd.GeoDataFrame | None) -> dict:
    from zoneplan import analysis

    if anchor is not None:
        parcels = pd.concat(
            [plan.parcels, anchor.astype({c: plan.parcels[c].dtype for c in anchor.columns if c in plan.parcels.columns and c != anchor.geometry.name})]
        )
        plan = plan.with_layer("parcels", parcels.reset_index(drop=True))
    with settings.override(threads=1):  # the cluster already runs a part per core
        result = analysis.analyze(plan, year=year, by=by, profile=profile)
    result["groups"] = [g for g in result["groups"] if g.get("id") != _ANCHOR]
    return result


def _group_order(plan: Plan, by: str) -> dict[str, int]:
    from zoneplan.analysis.grouping import LAYER_OF

    layer = plan[LAYER_OF[by]]
    ids = layer[f"{by}_id"].astype(str).tolist() if f"{by}_id" in layer.columns else []
    return {g: i for i, g in enumerate(dict.fromkeys(ids))}


def _plan_wide_scopes(plan: Plan) -> set[str]:
    """Target scopes that name no zone, district, park or phase (judged on the whole plan)."""
    return set(plan.targets["scope"].dropna().astype(str)) - _group_ids(plan) if len(plan.targets) else set()


def analyze(
    plan: Plan,
    *,
    year: int | None = None,
    by: Level = "zone",
    profile: Mapping[str, Any] | None = None,
    client: Any = None,
    scheduler: str | None = None,
    n_partitions: int | None = None,
) -> dict:
    """:func:`zoneplan.analysis.analyze`, partitioned by zone on dask; the same dict as the single-process run.

    Parameters
    ----------
    plan
        The whole plan.
    year, by, profile
        As for :func:`zoneplan.analysis.analyze` (the profile is loaded once, on the client).
    client, scheduler
        Where to run (see :func:`cluster_client`); default a local cluster on all cores.
    n_partitions
        Number of zone partitions (default one per worker thread: every partition pays a fixed
        cost of a few tenths of a second, and the greedy dealing keeps them balanced).

    Returns
    -------
    dict
        ``{"year", "groups", "targets"}`` exactly in the form of ``zoneplan analyze --json``;
        groups in the order of the plan's layer, targets in the order of the plan's targets table.

    Examples
    --------
    >>> from distributed import Client
    >>> from zoneplan import analysis, datasets
    >>> plan = datasets.load("liaocheng")
    >>> with Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=":0") as client:
    ...     result = analyze(plan, client=client, n_partitions=3)
    >>> len(result["groups"]), result["groups"] == analysis.analyze(plan)["groups"]  # the single-process answer
    (10, True)
    """
    from zoneplan import analysis
    from zoneplan.analysis.intensity import load_profile

    profile = profile if profile is not None else load_profile()
    wide = _plan_wide_scopes(plan)
    with cluster_client(client=client, scheduler=scheduler) as c:
        parts = partition_plan(plan, n_partitions=_n_partitions(c, n_partitions))
        results = _map(c, _analyze_part, [p.plan for p in parts], year=year, by=by, profile=profile, anchor=_supply_anchor(plan) if year is None else None)
    order = _group_order(plan, by)
    seen: set[tuple] = set()
    groups = []
    for r in results:
        for g in r["groups"]:
            key = (g.get("level"), g.get("id"))
            if key not in seen:  # a group is answered by exactly one partition; guard against empty repeats
                seen.add(key)
                groups.append(g)
    groups.sort(key=lambda g: (order.get(str(g.get("id")), len(order)), str(g.get("id"))))
    targets = [t for r in results for t in r.get("targets", []) if str(t.get("scope")) not in wide]
    if wide:
        # plan-wide targets (a scope that is no zone/district/park/phase) are judged on the whole plan
        targets_wide = plan.targets[plan.targets["scope"].astype(str).isin(wide).to_numpy()]
        whole = analysis.target_status(plan.with_table("targets", targets_wide), year=year, profile=profile)
        targets += [t for t in whole.to_dict("records") if str(t.get("scope")) in wide]
    targets = _order_targets(plan, targets)
    out = dict(results[0]) if results else {"year": year}
    out.update(groups=groups, targets=targets)
    return out


def _order_targets(plan: Plan, rows: list[dict]) -> list[dict]:
    t = plan.targets
    if not len(t):
        return rows
    pos: dict[tuple[str, str], int] = {}
    for i, r in enumerate(t[["scope", "metric"]].astype(str).itertuples(index=False)):
        pos.setdefault((r.scope, r.metric), i)
    return sorted(rows, key=lambda r: (pos.get((str(r.get("scope")), str(r.get("metric"))), len(pos)), str(r.get("year"))))


# -- check -------------------------------------------------------------------------------------------
def _group_ids(plan: Plan) -> set[str]:
    from zoneplan.analysis.grouping import LAYER_OF

    ids: set[str] = set()
    for level, layer in LAYER_OF.items():
        col = f"{level}_id"
        if col in plan[layer].columns:
            ids |= set(plan[layer][col].dropna().astype(str))
    return ids


def _check_part(plan: Plan, *, year: int | None, rules: Any, home: pd.Index | None) -> Any:
    from dataclasses import replace

    from zoneplan.compliance import check as check_plan

    # parcel rules scoped to groups of other partitions do not apply here
    local = _group_ids(plan)
    rules = replace(rules, parcel=tuple(r for r in rules.parcel if r.scope is None or str(r.scope) in local))
    with settings.override(threads=1):  # the cluster already runs a part per core
        findings = check_plan(plan, year=year, rules=rules)
    if home is None:
        return findings
    return _drop_halo(findings, plan, home)


def _drop_halo(findings: Any, plan: Plan, home: pd.Index) -> Any:
    """Findings about context parcels (added for the halo) are answered by their own partition."""
    from dataclasses import replace

    ids = plan.parcels.loc[home, "parcel_id"].astype(str) if "parcel_id" in plan.parcels.columns else pd.Series(home.astype(str))
    all_ids = set(plan.parcels["parcel_id"].astype(str)) if "parcel_id" in plan.parcels.columns else set()
    foreign = all_ids - set(ids)
    if not foreign:
        return findings
    v = findings.violations
    drop = (v["layer"].astype(str) == "parcels") & v["feature_id"].astype(str).isin(foreign)
    c = findings.cannot_judge
    drop_c = (c["layer"].astype(str) == "parcels") & c["feature_id"].astype(str).isin(foreign)
    return replace(findings, violations=v[~drop.to_numpy()], cannot_judge=c[~drop_c.to_numpy()])


def check(
    plan: Plan,
    *,
    year: int | None = None,
    rules: Mapping[str, Any] | None = None,
    client: Any = None,
    scheduler: str | None = None,
    n_partitions: int | None = None,
) -> Any:
    """:func:`zoneplan.compliance.check`, partitioned by zone on dask; the same findings as the single-process run.

    Parameters
    ----------
    plan
        The whole plan.
    year, rules
        As for :func:`zoneplan.compliance.check`; the rules are resolved once on the whole plan.
    client, scheduler, n_partitions
        As for :func:`analyze`.

    Returns
    -------
    zoneplan.compliance.Findings
        Violations and cannot-judge rows ordered by rule (in the order the rules ran), then by the
        feature's position in its layer.

    Examples
    --------
    >>> from distributed import Client
    >>> from zoneplan import compliance, datasets
    >>> plan = datasets.load("linqing")
    >>> with Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=":0") as client:
    ...     findings = check(plan, client=client)
    >>> single = canonical_findings(compliance.check(plan), plan)
    >>> len(findings.violations), findings.violations[["rule", "feature_id"]].equals(single.violations[["rule", "feature_id"]])
    (15, True)
    """
    from zoneplan.compliance import Findings
    from zoneplan.compliance.rules import resolve_rules

    resolved = resolve_rules(plan, rules, year=year)
    halo = float(getattr(resolved, "env_min_distance_m", 0.0) or 0.0)
    with cluster_client(client=client, scheduler=scheduler) as c:
        parts = partition_plan(plan, n_partitions=_n_partitions(c, n_partitions), halo_m=halo)
        data = c.scatter([p.plan for p in parts], hash=False)
        futures = [c.submit(_check_part, d, year=year, rules=resolved, home=p.home_parcels if halo > 0 else None, pure=False) for d, p in zip(data, parts)]
        results = c.gather(futures)
    return canonical_findings(_combine_findings(Findings, results, settings=resolved.as_dict(), year=year, crs=plan.crs), plan)


def _combine_findings(findings_cls: Any, results: Sequence[Any], **kwargs: Any) -> Any:
    """Findings.combine, with detail tables concatenated across partitions and a rule family
    "not checked" only when no partition checked it."""
    from dataclasses import replace

    combined = findings_cls.combine(results, **kwargs)
    tables = {}
    for name in dict.fromkeys(k for r in results for k in r.tables):
        frames = [r.tables[name] for r in results if name in r.tables and len(r.tables[name])]
        table = pd.concat(frames, ignore_index=True) if frames else next(r.tables[name] for r in results if name in r.tables)
        keys = [c for c in ("zone_id", "year") if c in table.columns]
        tables[name] = table.sort_values(keys, kind="stable").reset_index(drop=True) if keys else table
    not_checked = {k: v for k, v in combined.not_checked.items() if all(k in r.not_checked for r in results)}
    return replace(combined, tables=tables, not_checked=not_checked)


def canonical_findings(findings: Any, plan: Plan) -> Any:
    """``findings`` in a canonical row order: by rule (in the order the rules ran), then by the
    feature's position in its layer, then the other feature's position, then year.

    The distributed :func:`check` returns this order; apply it to a single-process result to
    compare the two row by row (within one feature the single-process order follows spatial-index
    traversal, which depends on how the index was built).

    Examples
    --------
    >>> from zoneplan import compliance, datasets
    >>> plan = datasets.load("linqing")
    >>> findings = canonical_findings(compliance.check(plan), plan)
    >>> rules = findings.violations["rule"].tolist()
    >>> rules == sorted(rules, key=findings.checked.index)  # grouped by rule, in the order the rules ran
    True
    """
    from dataclasses import replace

    from zoneplan.layers import LAYERS

    rules = {r: i for i, r in enumerate(findings.checked)}
    positions: dict[str, pd.Series] = {}
    for name, gdf in plan.layers.items():
        spec = LAYERS.get(name)
        if spec and spec.id_column and spec.id_column in gdf.columns:
            ids = gdf[spec.id_column].astype(str)
            positions[name] = pd.Series(np.arange(len(ids)), index=ids.to_numpy())[lambda s: ~s.index.duplicated()]

    def position(layers: pd.Series, ids: pd.Series) -> np.ndarray:
        out = np.full(len(ids), -1, dtype="int64")
        layers = layers.astype(str).to_numpy()
        ids = ids.astype(str).to_numpy()
        for name in pd.unique(layers):
            if name in positions:
                mask = layers == name
                out[mask] = positions[name].reindex(ids[mask]).fillna(-1).to_numpy(dtype="int64")
        return out

    def ordered(frame: pd.DataFrame) -> pd.DataFrame:
        if not len(frame):
            return frame
        has_other = "other_id" in frame.columns
        key = pd.DataFrame(
            {
                "r": frame["rule"].astype(str).map(lambda r: rules.get(r, len(rules))).to_numpy(),
                "p": position(frame["layer"], frame["feature_id"]),
                "f": frame["feature_id"].astype(str).to_numpy(),
                "q": position(frame["layer"], frame["other_id"]) if has_other else -1,
                "o": frame["other_id"].astype(str).to_numpy() if has_other else "",
                "y": frame["year"].astype("Int64").fillna(-1).to_numpy() if "year" in frame.columns else 0,
            }
        )
        idx = key.sort_values(["r", "p", "f", "q", "o", "y"], kind="stable").index.to_numpy()
        return frame.iloc[idx].reset_index(drop=True)

    return replace(findings, violations=ordered(findings.violations), cannot_judge=ordered(findings.cannot_judge))
