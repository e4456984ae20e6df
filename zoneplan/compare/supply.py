"""Land until exhaustion: supply per group and year projected until the remaining land runs out.

The method is described in :mod:`zoneplan.compare` (actual history up to ``start_year``, then
``max(scheduled, rate)`` per year, never more than what is left).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from zoneplan._memo import follows_data
from zoneplan.errors import InputError
from zoneplan.plan import Plan
from zoneplan.scenario import supply_rates_of
from zoneplan.settings import settings

if TYPE_CHECKING:
    from zoneplan.analysis.grouping import Level

__all__ = ["DEFAULT_HORIZON_YEARS", "EXHAUSTION_COLUMNS", "TIMELINE_COLUMNS", "exhaustion_years", "supply_timeline"]

TIMELINE_COLUMNS = ["scenario", "level", "group_id", "year", "kind", "new_construction_mu", "cumulative_mu", "remaining_mu"]
EXHAUSTION_COLUMNS = ["scenario", "level", "group_id", "start_year", "remaining_mu", "annual_supply_mu", "rate_source", "exhaustion_year", "years_left"]
#: How far :func:`supply_timeline` projects when land does not run out earlier.
DEFAULT_HORIZON_YEARS = 50


def _default_start_year(plan: Plan) -> int:
    """The last year of actual supply (parcels now built or supplied), else this year."""
    from zoneplan.analysis.timeline import supply_year

    status = plan.parcels["status"].astype("string") if "status" in plan.parcels.columns else pd.Series(pd.NA, index=plan.parcels.index, dtype="string")
    actual = supply_year(plan)[status.isin(["built", "supplied"]).fillna(False).to_numpy(dtype=bool)].dropna()
    return int(actual.max()) if len(actual) else datetime.date.today().year


@follows_data
def supply_timeline(
    plan: Plan,
    *,
    by: Level = "zone",
    start_year: int | None = None,
    horizon_years: int = DEFAULT_HORIZON_YEARS,
    scenario: str = "base",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Land consumption and remaining land per group and year, until the land runs out.

    Parameters
    ----------
    plan
        The (scenario) plan.
    by
        Grouping level (``zone``, ``district``, ``park``, ``phase``).
    start_year
        Last year of actual history; projection starts the year after. Default: the plan's
        ``meta["as_of_year"]`` when set, else the last supply year of parcels that are built or
        supplied (actual history; a future ``supplied_year`` of a ``ready`` parcel is a schedule).
    horizon_years
        Project at most this many years after ``start_year``.
    scenario
        Name written into the ``scenario`` column.

    Returns
    -------
    timeline, exhaustion
        ``timeline``: :data:`TIMELINE_COLUMNS`, one row per group and year from the first year of
        supply to the exhaustion year (or the horizon); ``kind`` is ``actual`` (≤ start year),
        ``scheduled`` (a future supply year given in the plan decides the year) or ``projected``
        (the rate decides). ``exhaustion``: :data:`EXHAUSTION_COLUMNS`, one row per group.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> consumption, remaining = supply_timeline(datasets.load("linqing"), start_year=2025, horizon_years=5)
    >>> int(consumption["year"].min()), int(consumption["year"].max())  # recorded years, then five projected ones
    (1995, 2030)
    >>> remaining[["group_id", "start_year"]].values.tolist()
    [['linqing', 2025]]
    """
    from zoneplan.analysis.consumption import land_consumption
    from zoneplan.analysis.remaining import remaining_land

    if horizon_years < 1:
        raise InputError(f"horizon_years must be ≥ 1, got {horizon_years}", rule="timeline")
    consumption = land_consumption(plan, by=by)
    consumption = consumption[consumption["group_id"].notna()]
    if start_year is None:
        as_of = plan.meta.get("as_of_year")
        start_year = int(as_of) if as_of else _default_start_year(plan)
    remaining = remaining_land(plan, by=by).reset_index(drop=True)
    remaining = remaining[remaining["group_id"].notna()]
    groups = pd.Index(remaining["group_id"].astype(str)).union(pd.Index(consumption["group_id"].astype(str))).unique()
    left0 = (
        pd.to_numeric(remaining.set_index(remaining["group_id"].astype(str))["remaining_suppliable_mu"], errors="coerce")
        .reindex(groups)
        .fillna(0.0)
        .clip(lower=0)
    )
    rate, source = _rates(plan, remaining, groups)

    first = int(consumption["year"].min()) if len(consumption) else start_year + 1
    years = np.arange(min(first, start_year + 1), start_year + horizon_years + 1)
    grid = pd.MultiIndex.from_product([groups, years], names=["group_id", "year"])
    supplied = (
        consumption.assign(group_id=consumption["group_id"].astype(str))
        .groupby(["group_id", "year"])["new_construction_mu"]
        .sum()
        .reindex(grid, fill_value=0.0)
    )
    frame = supplied.rename("recorded").reset_index()
    future = frame["year"].to_numpy() > start_year
    r = frame["group_id"].map(rate).to_numpy(dtype=float)
    want = np.where(future, np.maximum(frame["recorded"].to_numpy(), r), 0.0)
    # what is left at the end of each projected year: clip the running supply at the stock
    cum_want = pd.Series(want).groupby(frame["group_id"].to_numpy()).cumsum().to_numpy()
    stock = frame["group_id"].map(left0).to_numpy(dtype=float)
    cum_take = np.minimum(cum_want, stock)
    take = cum_take - np.r_[0.0, cum_take[:-1]]
    start_of_group = np.r_[True, frame["group_id"].to_numpy()[1:] != frame["group_id"].to_numpy()[:-1]]
    take = np.where(start_of_group, cum_take, take)
    new = np.where(future, take, frame["recorded"].to_numpy())
    # remaining before the start year: add back what was supplied after that year, up to start
    actual = np.where(future, 0.0, frame["recorded"].to_numpy())
    actual_after = pd.Series(actual[::-1]).groupby(frame["group_id"].to_numpy()[::-1]).cumsum().to_numpy()[::-1] - actual
    remaining_mu = np.where(future, stock - cum_take, stock + actual_after)
    recorded = frame["recorded"].to_numpy()
    kind = np.where(~future, "actual", np.where((recorded > settings.supply_eps_mu) & (recorded >= r - settings.supply_eps_mu), "scheduled", "projected"))
    timeline = pd.DataFrame(
        {
            "scenario": scenario,
            "level": by,
            "group_id": frame["group_id"].astype("string"),
            "year": frame["year"].astype("int64"),
            "kind": kind,
            "new_construction_mu": new,
            "remaining_mu": np.where(np.abs(remaining_mu) < settings.supply_eps_mu, 0.0, remaining_mu),
        }
    )
    timeline["cumulative_mu"] = timeline.groupby("group_id")["new_construction_mu"].cumsum()
    exhausted = timeline[(timeline["year"] > start_year) & (timeline["remaining_mu"] <= settings.supply_eps_mu)].groupby("group_id")["year"].min()
    # keep rows up to the exhaustion year of each group (or the horizon), from the first supply on
    stop = timeline["group_id"].astype(str).map(exhausted.rename(index=str)).fillna(years[-1]).to_numpy()
    has_any = timeline.groupby("group_id")["new_construction_mu"].transform(lambda s: s.cumsum() > 0).to_numpy(dtype=bool) | (
        timeline["year"].to_numpy() > start_year
    )
    timeline = timeline[(timeline["year"].to_numpy() <= stop) & has_any].reset_index(drop=True)
    exhaustion = pd.DataFrame(
        {
            "scenario": scenario,
            "level": by,
            "group_id": pd.array(groups, dtype="string"),
            "start_year": start_year,
            "remaining_mu": left0.to_numpy(),
            "annual_supply_mu": rate.reindex(groups).to_numpy(),
            "rate_source": source.reindex(groups).to_numpy(),
            "exhaustion_year": pd.array(exhausted.reindex(groups).to_numpy(), dtype="Int64"),
        }
    )
    exhaustion["years_left"] = (exhaustion["exhaustion_year"] - start_year).astype("Int64")
    return timeline[TIMELINE_COLUMNS], exhaustion[EXHAUSTION_COLUMNS]


def _rates(plan: Plan, remaining: pd.DataFrame, groups: pd.Index) -> tuple[pd.Series, pd.Series]:
    """Annual supply rate per group (mu/year) and where it comes from.

    The rate is the ``annual_supply_mu`` of :func:`remaining_land` (the three-year mean, or the
    plan's ``supply_rates`` row for the group); a ``supply_rates`` row with scope ``*`` applies to
    every group without a row of its own.
    """
    set_rates = supply_rates_of(plan)
    by_group = remaining.set_index(remaining["group_id"].astype(str))
    rate = pd.to_numeric(by_group["annual_supply_mu"], errors="coerce").reindex(groups).fillna(0.0)
    source = pd.Series(np.where(rate > 0, "mean annual supply of the last three years", "no supply in the last three years"), index=groups, dtype=object)
    specific = set_rates.index.intersection(groups)
    if "*" in set_rates.index:
        others = groups.difference(specific)
        rate[others] = float(set_rates["*"])
        source[others] = "scenario supply rate (all groups)"
    rate[specific] = set_rates[specific].to_numpy()
    source[specific] = "scenario supply rate"
    return rate, source


def exhaustion_years(plan: Plan, *, by: Level = "zone", start_year: int | None = None) -> pd.Series:
    """Year the remaining land of each group runs out (``Int64``, ``<NA>`` beyond the horizon).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> exhaustion_years(datasets.load("linqing"), by="district", start_year=2025).to_dict()  # Yandian's land outlasts the 50-year horizon
    {'linqing-city': 2062.0, 'linqing-yandian': nan}
    """
    _, exhaustion = supply_timeline(plan, by=by, start_year=start_year)
    return pd.Series(exhaustion["exhaustion_year"].to_numpy(), index=pd.Index(exhaustion["group_id"], name="group_id"), name="exhaustion_year")
