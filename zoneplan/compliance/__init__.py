"""Compliance of a plan with hard rules — the answer, the evidence and an exit code.

:func:`check` runs every configured rule family and returns :class:`Findings`: violations with
their conflict geometry, what cannot be judged for lack of data, a summary per rule, JSON for a
review pipeline, a GeoPackage of evidence for QGIS and an Excel workbook (one sheet per rule).

Rule families (one module each; each also callable on its own and returning :class:`Findings`)

===========================  =========================================================================
module / function            rules
===========================  =========================================================================
:mod:`.control_lines`        ``ecological_redline_overlap``, ``basic_farmland_overlap``,
``control_line_conflicts``   ``outside_urban_development_boundary``
:mod:`.quotas`               ``quota_exceeded`` (+ ``quota_balance`` table)
``quota_violations``
:mod:`.parcel_rules`         ``parcel_min_far``, ``parcel_min_investment_intensity_wan_per_mu``,
``parcel_rule_violations``   ``parcel_min_building_coefficient``, ``parcel_max_office_share``,
                             ``parcel_max_green_ratio``
:mod:`.adjacency`            ``env_adjacency``
``env_adjacency``
:mod:`.phases`               ``phase_outside_zone``, ``phase_area``, ``phase_schedule``
``phase_findings``
:mod:`.idle`                 ``idle_land`` (via :func:`zoneplan.analysis.idle.idle_land`)
``idle_findings``
===========================  =========================================================================

Settings, defaults and their sources: :mod:`zoneplan.compliance.rules`.

Examples
--------
>>> from zoneplan import datasets
>>> findings = check(datasets.load("linqing"))
>>> findings.compliant
False
>>> findings.summary.set_index("rule")["count"].to_dict()  # the violations planted in the sample plan
{'ecological_redline_overlap': 1, 'basic_farmland_overlap': 2, 'outside_urban_development_boundary': 4, 'quota_exceeded': 1, 'parcel_min_investment_intensity_wan_per_mu': 3, 'env_adjacency': 1, 'idle_land': 3}
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from zoneplan._memo import follows_data
from zoneplan._threads import run_all
from zoneplan.compliance.adjacency import env_adjacency
from zoneplan.compliance.control_lines import control_line_conflicts
from zoneplan.compliance.findings import Findings
from zoneplan.compliance.idle import idle_findings
from zoneplan.compliance.parcel_rules import parcel_rule_violations
from zoneplan.compliance.phases import phase_findings
from zoneplan.compliance.quotas import quota_violations
from zoneplan.compliance.rules import Rules, load_rules_file, resolve_rules
from zoneplan.measure import plan_area_basis
from zoneplan.plan import Plan

__all__ = [
    "RULE_FAMILIES",
    "Findings",
    "Rules",
    "check",
    "control_line_conflicts",
    "env_adjacency",
    "idle_findings",
    "load_rules_file",
    "parcel_rule_violations",
    "phase_findings",
    "quota_violations",
    "resolve_rules",
]

#: Rule families in the order :func:`check` reports them.
RULE_FAMILIES = {
    "control_lines": control_line_conflicts,
    "quotas": quota_violations,
    "parcel_rules": parcel_rule_violations,
    "env_adjacency": env_adjacency,
    "phases": phase_findings,
    "idle": idle_findings,
}

#: The order :func:`check` starts the families in when they run side by side: longest first
#: (at a province's scale phases, adjacency and control lines take the longest; the control lines'
#: three rules share out among the threads still free at the end), so the threads end together.
_LONGEST_FIRST = ("phases", "env_adjacency", "control_lines", "parcel_rules", "idle", "quotas")


@follows_data
def check(plan: Plan, *, year: int | None = None, rules: Mapping[str, Any] | Rules | None = None) -> Findings:
    """Run every configured compliance rule on ``plan``.

    Parameters
    ----------
    plan
        The plan.
    year
        Judge the plan as it stands in this year (land use in force, quotas up to this year,
        parcel rules in force, idle land as of Dec 31); None judges the plan as planned.
    rules
        Overrides of the defaults and of the plan's targets, in the rules-file form of
        :mod:`zoneplan.compliance.rules`, or a resolved :class:`Rules`.

    Returns
    -------
    Findings
        All violations and cannot-judge rows; ``findings.compliant`` is True only when there are
        neither.

    Raises
    ------
    zoneplan.errors.InputError
        Bad rules (unknown setting, unknown scope) or unusable data, naming file/layer/rule.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> findings = check(datasets.load("linqing"))
    >>> findings.violations["rule"].value_counts().sort_index().to_dict()
    {'basic_farmland_overlap': 2, 'ecological_redline_overlap': 1, 'env_adjacency': 1, 'idle_land': 3, 'outside_urban_development_boundary': 4, 'parcel_min_investment_intensity_wan_per_mu': 3, 'quota_exceeded': 1}
    """
    resolved = resolve_rules(plan, rules, year=year)

    def family_findings(family: str, run: Callable[..., Findings]) -> Findings:
        try:
            return run(plan, year=year, rules=resolved)
        except ModuleNotFoundError as exc:
            if not (exc.name or "").startswith("zoneplan.analysis"):
                raise
            return Findings(not_checked={family: f"needs {exc.name}, which is not installed"})

    calls = {family: functools.partial(family_findings, family, run) for family, run in RULE_FAMILIES.items()}
    parts = run_all(list(calls.values()), start=[list(calls).index(f) for f in _LONGEST_FIRST if f in calls])
    return Findings.combine(parts, settings=resolved.as_dict(), year=year, crs=plan.crs, area_basis=plan_area_basis(plan))
