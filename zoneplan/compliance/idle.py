"""Idle land (闲置土地) by the No. 53 order, reported as compliance findings.

The judgement itself is :func:`zoneplan.analysis.idle.idle_land` (standards reference §6): land
supplied and not started one year past the agreed start date, or started with less than a third
developed or less than 25 % invested and suspended for a year. This module only turns its table
into findings: rule ``idle_land``, measured = years idle, limit = 1 year, area = the parcel,
message = the reason and the sanction (20 % idle fee from one year, recovery without compensation
from two); parcels the order applies to but whose dates are missing are "cannot judge".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from zoneplan._memo import follows_data
from zoneplan._text import either, sentences, written
from zoneplan.compliance._base import cannot_judge_frame, feature_ids, violations_frame
from zoneplan.compliance.findings import SWITCHED_OFF, Findings
from zoneplan.compliance.rules import Rules, resolve_rules
from zoneplan.measure import plan_area_basis
from zoneplan.plan import Plan
from zoneplan.state import parcel_areas

__all__ = ["IDLE_RULE", "idle_findings"]

IDLE_RULE = "idle_land"


@follows_data
def idle_findings(plan: Plan, *, year: int | None = None, rules: Mapping[str, Any] | Rules | None = None) -> Findings:
    """Idle parcels as findings.

    Parameters
    ----------
    plan
        The plan.
    year
        The year judged: idle status as of Dec 31 of that year (unless the rules give
        ``idle_as_of``); None judges as of the plan's ``meta['as_of']``, else today.
    rules
        Rules mapping or :class:`~zoneplan.compliance.rules.Rules`.

    Returns
    -------
    Findings
        ``idle_land`` violations and cannot-judge rows.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> found = idle_findings(datasets.load("linqing"))
    >>> found.violations["rule"].value_counts().to_dict()
    {'idle_land': 3}
    """
    rules = resolve_rules(plan, rules, year=year)
    if not rules.idle:
        return Findings(not_checked={IDLE_RULE: SWITCHED_OFF})
    from zoneplan.analysis.idle import idle_land
    from zoneplan.analysis.intensity import as_of_date

    as_of = rules.idle_as_of or as_of_date(plan, year)
    table = idle_land(plan, as_of=as_of)
    parcels = plan.parcels
    ids = feature_ids(parcels, "parcels")
    idle = table["idle"].fillna(False).to_numpy(dtype=bool)
    unknown = table["cannot_judge"].fillna(False).to_numpy(dtype=bool) & ~idle
    years = pd.to_numeric(table["idle_years"], errors="coerce").to_numpy(dtype="float64")
    reason = table["reason"].astype("string").fillna("")
    sanction = table["sanction"].astype("string")
    violations = violations_frame(
        IDLE_RULE,
        "parcels",
        ids[idle],
        year=year,
        measured=years[idle],
        limit=1.0,
        unit="year",
        area_m2=parcel_areas(plan, plan_area_basis(plan))[idle],
        message=sentences(
            "idle ",
            written(years[idle], ".1f"),
            f" years as of {as_of.isoformat()}: ",
            written(reason[idle]),
            either(sanction[idle].notna().to_numpy(dtype=bool), sentences("; sanction: ", written(sanction[idle]))),
        ),
        geometry=parcels.geometry.values[idle],
        crs=plan.crs,
    )
    cannot = cannot_judge_frame(
        IDLE_RULE,
        "parcels",
        ids[unknown],
        missing=np.where(reason[unknown].str.len() > 0, reason[unknown], "dates"),
        message=sentences(f"idle status cannot be judged as of {as_of.isoformat()}: ", written(reason[unknown].replace("", "dates missing"))),
    )
    return Findings(
        violations=violations,
        cannot_judge=cannot,
        checked=(IDLE_RULE,),
        settings={"idle_as_of": as_of.isoformat()},
        year=year,
        area_basis=plan_area_basis(plan),
    )
