"""Compare scenarios: one tidy table of indicators, differences from the base, land until exhaustion.

=====================  ==========================================================================
module                 what changes there
=====================  ==========================================================================
:mod:`.comparison`     :func:`compare` and :class:`Comparison`: which tables, how they are joined
:mod:`.supply`         :func:`supply_timeline`: projecting supply until the land runs out
:mod:`.plot`           :func:`plot_timeline`: the chart
=====================  ==========================================================================

:func:`compare` runs the analysis (:func:`zoneplan.analysis.indicators`,
:func:`~zoneplan.analysis.target_status`) and the compliance check
(:func:`zoneplan.compliance.check`) on every scenario plan and returns a :class:`Comparison`:

* ``indicators`` — tidy: ``scenario, level, group_id, year, indicator, value``;
* ``differences`` — the same rows with ``base_value`` and ``difference`` (scenario − base);
* ``targets`` — every target per scenario and year: ``target, actual, met, gap``;
* ``findings`` — compliance findings per scenario, year and rule: ``count, area_mu``;
* ``consumption`` — construction land newly supplied per scenario, group and year
  (:func:`zoneplan.analysis.consumption.land_consumption`), and ``consumption_differences``;
* ``timeline`` / ``exhaustion`` — :func:`supply_timeline` per scenario.

Land until exhaustion (:func:`supply_timeline`)
------------------------------------------------
Per group (zone, district, park or phase) and year:

* up to ``start_year`` the **actual** new construction land of
  :func:`zoneplan.analysis.consumption.land_consumption`;
* after it, each year supplies ``max(scheduled, rate)`` mu, never more than what is left:
  *scheduled* is land the plan gives a future ``supplied_year``; *rate* is the annual supply rate
  set by a :class:`zoneplan.scenario.SupplyRate` edit (scope = the group id, else ``*``), else
  the rate :func:`zoneplan.analysis.remaining.remaining_land` assumes for its years of supply left
  (``annual_supply_mu``: the mean annual supply of the last three years). A rate of zero and no schedule never exhausts the land.
* ``remaining_mu`` starts from ``remaining_suppliable_mu`` of :func:`remaining_land` (the plan as
  it stands, i.e. at ``start_year``); years before it add back what was supplied since.
* the **exhaustion year** is the first year in which nothing is left (``<NA>`` when land lasts
  beyond the horizon).

Examples
--------
What if Linqing's textile park turns to logistics? The city block's 2025 industrial share falls
by 12 percentage points:

>>> from zoneplan import datasets
>>> from zoneplan.scenario import ChangeLanduse, Scenario
>>> plan = datasets.load("linqing")
>>> logistics = Scenario("textiles-to-logistics", [ChangeLanduse(where={"park_id": "textiles"},
...     landuse_code="110101", from_codes=("100101", "100102", "100103"))])
>>> comparison = compare({"base": plan, logistics.name: logistics.apply(plan)}, years=[2025], by="district", check=False)
>>> d = comparison.differences.query("indicator == 'industrial_share' and scenario != 'base'")
>>> d[["group_id", "base_value", "value", "difference"]].round(3).to_string(index=False).splitlines()
['       group_id  base_value  value  difference', '   linqing-city       0.356  0.234      -0.121', 'linqing-yandian       0.176  0.176       0.000']
"""

from __future__ import annotations

from zoneplan.compare.comparison import INDICATOR_COLUMNS, Comparison, compare, indicator_table
from zoneplan.compare.plot import plot_timeline
from zoneplan.compare.supply import DEFAULT_HORIZON_YEARS, EXHAUSTION_COLUMNS, TIMELINE_COLUMNS, exhaustion_years, supply_timeline
from zoneplan.jsonable import records
from zoneplan.plotting import use_cjk_font

__all__ = [
    "DEFAULT_HORIZON_YEARS",
    "EXHAUSTION_COLUMNS",
    "INDICATOR_COLUMNS",
    "TIMELINE_COLUMNS",
    "Comparison",
    "compare",
    "exhaustion_years",
    "indicator_table",
    "plot_timeline",
    "records",
    "supply_timeline",
    "use_cjk_font",
]
