"""Land quotas (新增建设用地计划指标): new construction land per zone and year against the quota.

Rule ``quota_exceeded``: in a year, the construction land newly supplied in a zone (from
:func:`zoneplan.analysis.consumption.land_consumption`) must not exceed the zone's quota for that
year in the plan's ``quotas`` table (``zone_id, year, new_construction_mu``). Each finding gives
the year, the quota, the use and the excess in mu; :func:`quota_balance` also carries the
cumulative balance (quota granted minus land used since the first quota year), which the check
returns as the ``quota_balance`` detail table.

A zone-year with new construction land but no quota row — within the span of years the quotas
table covers — cannot be judged and is reported as such.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from zoneplan._memo import follows_data
from zoneplan.compliance._base import cannot_judge_frame, violations_frame
from zoneplan.compliance.findings import SWITCHED_OFF, Findings
from zoneplan.compliance.rules import Rules, resolve_rules
from zoneplan.errors import InputError
from zoneplan.plan import Plan
from zoneplan.units import M2_PER_MU

__all__ = ["BALANCE_COLUMNS", "QUOTA_RULE", "quota_balance", "quota_violations"]

QUOTA_RULE = "quota_exceeded"
BALANCE_COLUMNS = [
    "zone_id",
    "year",
    "quota_mu",
    "used_mu",
    "excess_mu",
    "cumulative_quota_mu",
    "cumulative_used_mu",
    "balance_mu",
    "status",
]


def quota_balance(consumption: pd.DataFrame, quotas: pd.DataFrame, *, year: int | None = None, tolerance_mu: float = 0.0) -> pd.DataFrame:
    """Quota, use, excess and cumulative balance per zone and year.

    Parameters
    ----------
    consumption
        New construction land per zone and year: columns ``group_id``, ``year``,
        ``new_construction_mu`` (the form of :func:`zoneplan.analysis.consumption.land_consumption`
        with ``by="zone"``; a ``zone_id`` column may stand for ``group_id``).
    quotas
        The plan's quotas table: ``zone_id``, ``year``, ``new_construction_mu``.
    year
        Judge only years up to this one.
    tolerance_mu
        Excess of this many mu or less is not counted as exceeding.

    Returns
    -------
    pandas.DataFrame
        :data:`BALANCE_COLUMNS`, sorted by zone and year, one row per zone-year with a quota or
        with use inside the years the quotas cover. ``status`` is ``"exceeded"``, ``"within"``
        or ``"no_quota"``; cumulative columns run over the years with a quota.

    Examples
    --------
    >>> use = pd.DataFrame({"group_id": ["Z", "Z"], "year": [2021, 2022], "new_construction_mu": [120.0, 80.0]})
    >>> quota = pd.DataFrame({"zone_id": ["Z", "Z"], "year": [2021, 2022], "new_construction_mu": [100.0, 100.0]})
    >>> quota_balance(use, quota)[["year", "excess_mu", "balance_mu", "status"]].to_dict("list")
    {'year': [2021, 2022], 'excess_mu': [20.0, -20.0], 'balance_mu': [-20.0, 0.0], 'status': ['exceeded', 'within']}
    """
    zone_col = "group_id" if "group_id" in consumption.columns else "zone_id"
    for frame, cols, what in (
        (consumption, (zone_col, "year", "new_construction_mu"), "consumption"),
        (quotas, ("zone_id", "year", "new_construction_mu"), "quotas"),
    ):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise InputError(f"{what} table lacks column(s) {missing}", layer=what, rule=QUOTA_RULE)
    used = (
        pd.DataFrame(
            {
                "zone_id": consumption[zone_col].astype("string"),
                "year": pd.to_numeric(consumption["year"]).astype("Int64"),
                "used_mu": pd.to_numeric(consumption["new_construction_mu"], errors="coerce"),
            }
        )
        .dropna(subset=["zone_id", "year"])
        .groupby(["zone_id", "year"], as_index=False)["used_mu"]
        .sum()
    )
    quota = (
        pd.DataFrame(
            {
                "zone_id": quotas["zone_id"].astype("string"),
                "year": pd.to_numeric(quotas["year"]).astype("Int64"),
                "quota_mu": pd.to_numeric(quotas["new_construction_mu"], errors="coerce"),
            }
        )
        .dropna(subset=["zone_id", "year"])
        .groupby(["zone_id", "year"], as_index=False)["quota_mu"]
        .sum(min_count=1)
    )
    table = used.merge(quota, on=["zone_id", "year"], how="outer")
    if year is not None:
        table = table[table["year"] <= year]
    # Judge use only within the span of years the quotas table covers (history before it is not quota-bound).
    span = quota["year"].agg(["min", "max"]) if len(quota) else pd.Series({"min": pd.NA, "max": pd.NA})
    in_span = (table["year"] >= span["min"]) & (table["year"] <= span["max"]) if len(quota) else pd.Series(False, index=table.index)
    table = table[in_span.fillna(False).to_numpy(dtype=bool) | table["quota_mu"].notna().to_numpy()].copy()
    table["used_mu"] = table["used_mu"].fillna(0.0)
    table = table[table["quota_mu"].notna() | (table["used_mu"] > 0)].sort_values(["zone_id", "year"], ignore_index=True)
    has_quota = table["quota_mu"].notna()
    table["excess_mu"] = table["used_mu"] - table["quota_mu"]
    judged = table[has_quota]
    table["cumulative_quota_mu"] = judged.groupby("zone_id")["quota_mu"].cumsum()
    table["cumulative_used_mu"] = judged.groupby("zone_id")["used_mu"].cumsum()
    table["balance_mu"] = table["cumulative_quota_mu"] - table["cumulative_used_mu"]
    table["status"] = np.where(~has_quota, "no_quota", np.where(table["excess_mu"] > tolerance_mu, "exceeded", "within"))
    table["year"] = table["year"].astype("int64")
    table["zone_id"] = table["zone_id"].astype(str)
    return table[BALANCE_COLUMNS]


@follows_data
def quota_violations(plan: Plan, *, year: int | None = None, rules: Mapping[str, Any] | Rules | None = None) -> Findings:
    """Check new construction land per zone and year against the plan's quotas.

    Parameters
    ----------
    plan
        The plan (its ``quotas`` table and what :func:`land_consumption` needs).
    year
        Judge years up to this one; None judges every year.
    rules
        Rules mapping or :class:`~zoneplan.compliance.rules.Rules` (``quota_tolerance_mu``).

    Returns
    -------
    Findings
        ``quota_exceeded`` violations (layer ``quotas``, feature_id = zone id, measured = use in
        mu, limit = quota in mu, area = the excess), ``cannot_judge`` rows for zone-years used
        without a quota, and the ``quota_balance`` detail table.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> found = quota_violations(datasets.load("linqing"))
    >>> found.violations[["rule", "year"]].values.tolist()
    [['quota_exceeded', 2022]]
    """
    rules = resolve_rules(plan, rules, year=year)
    if not rules.quotas:
        return Findings(not_checked={QUOTA_RULE: SWITCHED_OFF})
    quotas = plan.quotas
    if quotas.empty:
        return Findings(not_checked={QUOTA_RULE: "the plan has no quotas table"})
    from zoneplan.analysis.consumption import land_consumption
    from zoneplan.measure import plan_area_basis

    consumption = land_consumption(plan, by="zone")
    return judge_quotas(consumption, quotas, year=year, tolerance_mu=rules.quota_tolerance_mu, area_basis=plan_area_basis(plan))


def judge_quotas(
    consumption: pd.DataFrame, quotas: pd.DataFrame, *, year: int | None = None, tolerance_mu: float = 0.0, area_basis: str | None = None
) -> Findings:
    """Findings of :data:`QUOTA_RULE` from a consumption table and a quotas table (see :func:`quota_balance`).

    ``area_basis`` is the basis the consumption's areas were measured on (the plan's,
    :func:`zoneplan.measure.plan_area_basis`); the findings carry it for the rule and its table.
    """
    balance = quota_balance(consumption, quotas, year=year, tolerance_mu=tolerance_mu)
    over = balance[balance["status"] == "exceeded"]
    none = balance[balance["status"] == "no_quota"]
    violations = violations_frame(
        QUOTA_RULE,
        "quotas",
        over["zone_id"],
        year=over["year"],
        measured=over["used_mu"],
        limit=over["quota_mu"],
        unit="mu",
        area_m2=over["excess_mu"].to_numpy() * M2_PER_MU,
        message=[
            f"zone {z} took {u:,.2f} mu of new construction land in {y} against a quota of {q:,.2f} mu: {e:,.2f} mu over; cumulative balance {b:+,.2f} mu"
            for z, y, u, q, e, b in zip(over["zone_id"], over["year"], over["used_mu"], over["quota_mu"], over["excess_mu"], over["balance_mu"])
        ],
        geometry=None,
    )
    cannot = cannot_judge_frame(
        QUOTA_RULE,
        "quotas",
        none["zone_id"],
        missing=[f"quota {y}" for y in none["year"]],
        message=[
            f"zone {z} took {u:,.2f} mu of new construction land in {y} but has no quota for that year"
            for z, y, u in zip(none["zone_id"], none["year"], none["used_mu"])
        ],
    )
    return Findings(
        violations=violations,
        cannot_judge=cannot,
        checked=(QUOTA_RULE,),
        tables={"quota_balance": balance},
        settings={"quota_tolerance_mu": tolerance_mu},
        area_basis=area_basis,
        year=year,
    )
