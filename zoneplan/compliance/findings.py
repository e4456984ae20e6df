"""The result of a compliance check: violations with their conflict geometry, and what cannot be judged."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from zoneplan.compliance._base import CANNOT_JUDGE_COLUMNS, VIOLATION_COLUMNS
from zoneplan.jsonable import to_jsonable

__all__ = ["Findings"]

#: Keys of each violation in ``check --json``.
#: Title of each rule for people (Chinese, then English); ``rule_title`` falls back to the id.
RULE_TITLES: dict[str, str] = {
    "ecological_redline_overlap": "占用生态保护红线 On the ecological red line",
    "basic_farmland_overlap": "占用永久基本农田 On permanent basic farmland",
    "outside_urban_development_boundary": "超出城镇开发边界 Outside the urban development boundary",
    "quota_exceeded": "超出新增建设用地指标 New construction land over quota",
    "parcel_min_far": "容积率低于下限 Plot ratio below the minimum",
    "parcel_min_investment_intensity_wan_per_mu": "投资强度低于下限 Investment intensity below the minimum",
    "parcel_min_building_coefficient": "建筑系数低于下限 Building coefficient below the minimum",
    "parcel_max_office_share": "行政办公及生活服务设施用地超标 Office/living land above the maximum",
    "parcel_max_green_ratio": "绿地率超标 Green ratio above the maximum",
    "env_adjacency": "环境风险项目邻近敏感用地 High-risk industry near sensitive land",
    "phase_outside_zone": "分期超出开发区 Phase outside the zone",
    "phase_area": "分期面积与目标不符 Phase area off its target",
    "phase_schedule": "分期逾期 Phase behind schedule",
    "idle_land": "闲置土地 Idle land",
}


def rule_title(rule: str) -> str:
    """People's title of ``rule`` (``RULE_TITLES``), or the id itself for a rule without one."""
    return RULE_TITLES.get(rule, rule)


JSON_VIOLATION_KEYS = ["rule", "layer", "feature_id", "other_id", "year", "measured", "limit", "unit", "area_mu", "message"]


def _empty_violations(crs: object = None) -> gpd.GeoDataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="float64" if c in ("measured", "limit", "area_m2", "area_mu") else "string") for c in VIOLATION_COLUMNS})
    frame["year"] = frame["year"].astype("Int64")
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def _empty_cannot_judge() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in CANNOT_JUDGE_COLUMNS})


#: The reason a rule family gives when the rules switched it off (the user's choice, not a gap).
SWITCHED_OFF = "switched off by the rules"


@dataclass(frozen=True)
class Findings:
    """What a compliance check found.

    Attributes
    ----------
    violations
        GeoDataFrame, one row per violation: ``rule, layer, feature_id, other_id, year,
        measured, limit, unit, area_m2, area_mu, message`` and ``geometry`` — the conflict
        geometry (the overlapping part, the part outside the boundary, the offending parcel, the
        shortest line between a polluter and a sensitive parcel; empty for quotas).
    cannot_judge
        DataFrame ``rule, layer, feature_id, missing, message``: features a rule applies to whose
        data are missing. They are never counted as compliant.
    checked
        The rules that were run (a rule with no violations is listed in :attr:`summary` with 0).
    not_checked
        Rule family → why it was not run (switched off, no data such as no quotas table).
    tables
        Detail tables by name (``quota_balance``: quota, use, excess and cumulative balance per
        zone and year).
    settings
        The tolerances and limits used (:meth:`zoneplan.compliance.rules.Rules.as_dict`).
    year
        The year judged, or None for the plan as planned.
    area_basis
        The area basis of every area (``"planar"`` | ``"ellipsoidal"``,
        :func:`zoneplan.measure.plan_area_basis`); None for findings of one family alone
        (:meth:`basis_of` then says ``"planar"``).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.compliance import check
    >>> findings = check(datasets.load("zhangdian"))
    >>> findings.compliant, findings.year, findings.area_basis
    (False, None, 'planar')
    >>> findings.summary.set_index("rule").loc["parcel_min_far", ["count", "cannot_judge"]].tolist()
    [4, 0]
    >>> findings.violations[["feature_id", "measured", "limit"]].head(2).to_numpy().tolist()  # plot ratio below the 2.0 of 张政办字〔2022〕3号
    [['ZD-0021', 1.99, 2.0], ['ZD-0200', 1.8, 2.0]]
    >>> findings.not_checked["quota_exceeded"]
    'the plan has no quotas table'
    """

    violations: gpd.GeoDataFrame = field(default_factory=_empty_violations)
    cannot_judge: pd.DataFrame = field(default_factory=_empty_cannot_judge)
    checked: tuple[str, ...] = ()
    not_checked: Mapping[str, str] = field(default_factory=dict)
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)
    year: int | None = None
    area_basis: str | None = None

    def basis_of(self, name: str) -> str:
        """The area basis of the areas of rule or detail table ``name``: the findings' :attr:`area_basis`, else planar."""
        return self.area_basis or "planar"

    @classmethod
    def combine(
        cls,
        parts: Iterable[Findings],
        *,
        settings: Mapping[str, Any] | None = None,
        year: int | None = None,
        crs: object = None,
        area_basis: str | None = None,
    ) -> Findings:
        """Concatenate the findings of several rule families into one (``area_basis``: the plan's, else the parts')."""
        parts = list(parts)
        area_basis = area_basis or next((p.area_basis for p in parts if p.area_basis), None)
        violations = [p.violations for p in parts if len(p.violations)]
        cannot = [p.cannot_judge for p in parts if len(p.cannot_judge)]
        crs = crs if crs is not None else next((v.crs for v in violations if v.crs is not None), None)
        return cls(
            violations=(
                gpd.GeoDataFrame(pd.concat([v.to_crs(crs) if crs and v.crs and v.crs != crs else v for v in violations], ignore_index=True), crs=crs)
                if violations
                else _empty_violations(crs)
            ),
            cannot_judge=pd.concat(cannot, ignore_index=True) if cannot else _empty_cannot_judge(),
            checked=tuple(dict.fromkeys(r for p in parts for r in p.checked)),
            not_checked={k: v for p in parts for k, v in p.not_checked.items()},
            tables={k: v for p in parts for k, v in p.tables.items()},
            settings=dict(settings or {}),
            year=year,
            area_basis=area_basis,
        )

    @property
    def unchecked(self) -> dict[str, str]:
        """Rule family → why it could not be checked (missing layer, table or rule), switched-off ones left out."""
        return {family: reason for family, reason in self.not_checked.items() if reason != SWITCHED_OFF}

    @property
    def compliant(self) -> bool:
        """True when no rule is violated, nothing a rule applies to is left unjudged and every rule could be checked.

        A plan is never called compliant on a rule that was not checked: a plan without control
        lines, quotas, per-parcel rules or phases is "not proven compliant" (:attr:`unchecked`
        says what is missing). Rules switched off in the rules file do not count against it.
        """
        return self.violations.empty and self.cannot_judge.empty and not self.unchecked

    @property
    def summary(self) -> pd.DataFrame:
        """Per rule run: ``rule, count`` (violations), ``area_mu`` (area in conflict) and ``cannot_judge``."""
        rules = list(dict.fromkeys([*self.checked, *self.violations["rule"].astype(str), *self.cannot_judge["rule"].astype(str)]))
        v = self.violations.groupby(self.violations["rule"].astype(str))
        count = v.size().reindex(rules, fill_value=0)
        area = v["area_mu"].sum(min_count=1).reindex(rules).fillna(0.0)
        cannot = self.cannot_judge.groupby(self.cannot_judge["rule"].astype(str)).size().reindex(rules, fill_value=0)
        return pd.DataFrame(
            {"rule": rules, "count": count.to_numpy(dtype="int64"), "area_mu": area.to_numpy(dtype="float64"), "cannot_judge": cannot.to_numpy(dtype="int64")}
        )

    def to_json(self) -> dict[str, Any]:
        """The ``zoneplan check --json`` form.

        Returns
        -------
        dict
            ``{"compliant", "year", "area_basis", "violations": [{rule, layer, feature_id, other_id, year,
            measured, limit, unit, area_mu, message}], "cannot_judge": [{rule, layer, feature_id,
            missing, message}], "summary": {rule: {count, area_mu, cannot_judge}}, "not_checked":
            {family: reason}, "settings": {...}}`` with NaN as null.
        """
        violations = pd.DataFrame(self.violations[JSON_VIOLATION_KEYS]).astype(object).where(lambda d: d.notna(), None)
        cannot = self.cannot_judge[CANNOT_JUDGE_COLUMNS].astype(object).where(lambda d: d.notna(), None)
        return to_jsonable(
            {
                "compliant": self.compliant,
                "year": self.year,
                "area_basis": self.area_basis,
                "violations": violations.to_dict("records"),
                "cannot_judge": cannot.to_dict("records"),
                "summary": {
                    r.rule: {"count": int(r.count), "area_mu": float(r.area_mu), "cannot_judge": int(r.cannot_judge)} for r in self.summary.itertuples()
                },
                "not_checked": dict(self.not_checked),
                "could_not_check": sorted(self.unchecked),
                "settings": dict(self.settings),
            }
        )

    def write_evidence(self, path: str | Path) -> Path:
        """Write the conflict geometries as a GeoPackage for QGIS (see :func:`zoneplan.compliance.evidence.write_evidence`)."""
        from zoneplan.compliance.evidence import write_evidence

        return write_evidence(self, path)

    def to_excel(self, path: str | Path) -> Path:
        """Write the findings as a workbook, one sheet per rule (see :func:`zoneplan.compliance.evidence.write_excel`)."""
        from zoneplan.compliance.evidence import write_excel

        return write_excel(self, path)

    def __repr__(self) -> str:
        state = (
            "compliant"
            if self.compliant
            else f"{len(self.violations)} violation(s), {len(self.cannot_judge)} cannot judge, {len(self.unchecked)} not checkable"
        )
        return f"<Findings {state}; rules run: {len(self.checked)}>"
