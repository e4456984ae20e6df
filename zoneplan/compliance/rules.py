"""Rule configuration of a compliance check: documented defaults, the plan's targets, a rules file.

Precedence (later wins), resolved here only (:func:`resolve_rules`, used by ``check``, ``compare``,
``report`` and the compliance map): the defaults below → the plan's ``targets`` rows with
``parcel_*`` / ``env_*`` metrics → the overrides stored in the plan's metadata (``meta["rules"]``,
JSON in the rules-file form; scenario edits of kind ``rules`` write them) → a rules mapping given
to the call (``check(plan, rules=...)``, ``zoneplan check --rules FILE``).

Defaults and their source
=========================  ===========  ============================================================
setting                    default      source
=========================  ===========  ============================================================
``overlap_tolerance_m2``   1.0          survey slivers; the same tolerance as ``zoneplan validate``
                                        (``zoneplan.settings.settings.area_tolerance_m2``). The law
                                        (厅字〔2019〕48号, 土地管理法 Art. 35) allows **zero** overlap of
                                        construction land with the red line and permanent farmland;
                                        the tolerance only absorbs digitising error and is reported.
``boundary_tolerance_m2``  1.0          as above, for area outside the urban development boundary
                                        (自然资发〔2023〕193号: no 开发区 outside the boundary).
``quota_tolerance_mu``     0.0          a quota is a hard ceiling (新增建设用地计划指标).
``parcel_projects``        new,         Zhangdian 张政办字〔2022〕3号: FAR ≥ 2.0 "for new and renovated
                           renovated    projects"; 国土资发〔2008〕24号 controls apply to projects being
                                        approved, not to existing enterprises.
``ratio_rel_tolerance``    1e-9         floating point only: FAR = floor area / parcel area, so
                                        a floor area of exactly 2 × area must read as 2.0 (a plot
                                        ratio of 1.99 still fails 2.0 by 0.5 %).
``env_min_distance_m``     100.0        [U] the Linqing plan (临政办字〔2022〕22号) forbids class IV+
                                        risk projects on industrial land *adjacent* to housing,
                                        school/research or hospital land, without a distance;
                                        100 m treats parcels across a road corridor (20–60 m) as
                                        adjacent. Set ``env_min_distance_m`` per plan.
``env_risk_min_class``     4            Linqing: "environmental-risk class IV and above".
``env_source_codes``       100103       三类工业用地 (heavy-pollution industry, 2023 用地用海).
``phase_area_tolerance``   0.01         1 %: phase areas in plan documents are "about" (约) figures.
``idle_as_of``             Dec 31 of    :func:`zoneplan.analysis.intensity.as_of_date`: Dec 31 of the
                           the year     year judged; without a year the plan's ``meta['as_of']``,
                                        else today.
=========================  ===========  ============================================================

Per-parcel controls of industrial land are **off** unless switched on, because each plan adopts
its own (Zhangdian: plot ratio ≥ 2.0; Linqing: investment intensity ≥ 280 万元/亩 by 2025). A rule
is switched on by a ``targets`` row whose ``metric`` is one of :data:`PARCEL_METRICS`, or by the
rules mapping. The value ``true`` in a rules file takes the national figure of
《工业项目建设用地控制指标》(国土资发〔2008〕24号) where there is one (:data:`NATIONAL_VALUES`:
building coefficient ≥ 30 %, office/living share ≤ 7 %, green ratio ≤ 20 %); plot ratio and
investment intensity depend on industry and region and always need a value.

A parcel rule's ``scope`` is a zone, district, park or phase id (or ``*``/empty for every parcel);
the most specific scope wins (phase > park > district > zone > all). A rule with a ``year`` applies
when the plan is judged in that year or later, and always when it is judged as planned (no year).

Rules mapping / file (TOML or JSON), every key optional::

    overlap_tolerance_m2 = 1.0
    boundary_tolerance_m2 = 1.0
    quota_tolerance_mu = 0.0
    parcel_projects = ["new", "renovated"]     # [] judges every industrial parcel
    ratio_rel_tolerance = 1e-9
    env_min_distance_m = 100
    env_risk_min_class = 4
    env_source_codes = ["100103"]
    phase_area_tolerance = 0.01
    idle_as_of = "2025-12-31"
    control_lines = true                       # switch a rule family off with false
    quotas = true
    parcel_rules = true
    env_adjacency = true
    phases = true
    idle = true
    parcel_min_far = 2.0                       # all parcels
    parcel_min_building_coefficient = true     # the national 30 %
    parcel_max_green_ratio = false             # off, even where the plan's targets switch it on
    parcel_min_investment_intensity_wan_per_mu = [{value = 280, scope = "linqing", year = 2025}]
"""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import pandas as pd

from zoneplan.errors import InputError, PlanError
from zoneplan.plan import Plan
from zoneplan.settings import settings

__all__ = [
    "NATIONAL_VALUES",
    "PARCEL_METRICS",
    "RULES_META_KEY",
    "ParcelRule",
    "Rules",
    "load_rules_file",
    "resolve_rules",
    "rules_of",
]

#: Per-parcel metric → (comparison, measure column of :func:`zoneplan.compliance.parcel_rules.parcel_measures`, unit).
PARCEL_METRICS: dict[str, tuple[str, str, str]] = {
    "parcel_min_far": (">=", "far", "ratio"),
    "parcel_min_investment_intensity_wan_per_mu": (">=", "investment_intensity_wan_per_mu", "万元/亩"),
    "parcel_min_building_coefficient": (">=", "building_coefficient", "fraction"),
    "parcel_max_office_share": ("<=", "office_share", "fraction"),
    "parcel_max_green_ratio": ("<=", "green_ratio", "fraction"),
}

#: National values of 《工业项目建设用地控制指标》(国土资发〔2008〕24号), taken when a rule is ``true``.
NATIONAL_VALUES: dict[str, float] = {
    "parcel_min_building_coefficient": 0.30,
    "parcel_max_office_share": 0.07,
    "parcel_max_green_ratio": 0.20,
}

#: Key of ``plan.meta`` holding rule overrides (JSON in the rules-file form).
RULES_META_KEY = "rules"

_OPS = {">=": ">=", "≥": ">=", "<=": "<=", "≤": "<=", "=": "=", "==": "="}
_FAMILIES = ("control_lines", "quotas", "parcel_rules", "env_adjacency", "phases", "idle")
_ALL_SCOPES = {"", "*", "all"}


@dataclass(frozen=True)
class ParcelRule:
    """One per-parcel control: ``measure op value`` for industrial parcels in ``scope`` from ``year``.

    Attributes
    ----------
    metric
        One of :data:`PARCEL_METRICS`.
    op
        ``">="`` (minimum) or ``"<="`` (maximum).
    value
        The limit, in the metric's unit.
    scope
        Zone/district/park/phase id, or ``None`` for every parcel.
    year
        First year the rule applies, or ``None`` (always).
    source
        Where the rule comes from (the target's source, the rules file …).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> rule = resolve_rules(datasets.load("linqing")).parcel[0]  # from the plan's targets
    >>> rule.metric, rule.op, rule.value, rule.scope, rule.year
    ('parcel_min_investment_intensity_wan_per_mu', '>=', 280.0, 'linqing', 2025)
    >>> rule.source.split(":")[0]
    'targets'
    """

    metric: str
    op: str
    value: float
    scope: str | None = None
    year: int | None = None
    source: str = ""


@dataclass(frozen=True)
class Rules:
    """The settings of one compliance check (see the module docstring for defaults and sources).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> rules = resolve_rules(datasets.load("linqing"), {"env_min_distance_m": 150})
    >>> rules.env_min_distance_m, rules.overlap_tolerance_m2, rules.provenance
    (150.0, 1.0, {'parcel_min_investment_intensity_wan_per_mu': 'plan targets', 'env_min_distance_m': 'rules'})
    >>> len(rules.for_year(2024)), len(rules.for_year(2025))  # the 280 万元/亩 rule applies from 2025
    (0, 1)
    >>> rules.as_dict()["parcel_projects"]
    ['new', 'renovated']
    """

    control_lines: bool = True
    quotas: bool = True
    parcel_rules: bool = True
    env_adjacency: bool = True
    phases: bool = True
    idle: bool = True
    overlap_tolerance_m2: float = field(default_factory=lambda: settings.area_tolerance_m2)
    boundary_tolerance_m2: float = field(default_factory=lambda: settings.area_tolerance_m2)
    quota_tolerance_mu: float = 0.0
    parcel: tuple[ParcelRule, ...] = ()
    parcel_projects: tuple[str, ...] = ("new", "renovated")
    ratio_rel_tolerance: float = 1e-9
    env_min_distance_m: float = 100.0
    env_risk_min_class: int = 4
    env_source_codes: tuple[str, ...] = ("100103",)
    phase_area_tolerance: float = 0.01
    idle_as_of: datetime.date | None = None
    provenance: Mapping[str, str] = field(default_factory=dict)

    def for_year(self, year: int | None) -> tuple[ParcelRule, ...]:
        """The parcel rules in force when judging ``year`` (all of them when ``year`` is None)."""
        return tuple(r for r in self.parcel if year is None or r.year is None or r.year <= year)

    def as_dict(self) -> dict[str, Any]:
        """Settings as plain values, for reports (``check --json`` ``settings``)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "parcel":
                value = [dict(vars(r)) for r in value]
            elif f.name == "provenance":
                value = dict(value)
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, datetime.date):
                value = value.isoformat()
            out[f.name] = value
        return out


def load_rules_file(path: str | Path) -> dict[str, Any]:
    """Read a rules file (``.toml`` or ``.json``) into a mapping for :func:`resolve_rules`.

    Raises
    ------
    zoneplan.errors.InputError
        The file is missing or not valid TOML/JSON.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "rules.toml"
    >>> _ = path.write_text("parcel_min_far = 1.2", encoding="utf-8")
    >>> rules = load_rules_file(path)
    >>> rules["parcel_min_far"], rules["__file__"] == str(path)  # the file is named in what it sets
    (1.2, True)
    """
    path = Path(path)
    if not path.exists():
        raise InputError("rules file not found", file=path)
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import tomllib

            data = tomllib.loads(text)
    except (ValueError, ImportError) as exc:  # tomllib.TOMLDecodeError and JSONDecodeError are ValueErrors
        raise InputError(f"cannot read rules: {exc}", file=path) from None
    if not isinstance(data, dict):
        raise InputError("a rules file must hold a table of settings", file=path)
    return {**data, "__file__": str(path)}


def rules_of(plan: Plan) -> dict[str, Any]:
    """The rule overrides stored in ``plan.meta["rules"]`` (``{}`` when none).

    Raises
    ------
    zoneplan.errors.PlanError
        The stored text is not JSON.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("linqing")
    >>> rules_of(plan), rules_of(plan.with_meta(rules='{"min_far": 1.0}'))
    ({}, {'min_far': 1.0})
    """
    text = plan.meta.get(RULES_META_KEY)
    if not text:
        return {}
    try:
        rules = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PlanError(f"plan meta {RULES_META_KEY!r} is not JSON: {exc}", rule="scenario") from None
    return rules if isinstance(rules, dict) else {}


def _number(value: object, key: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(float(value)):
        raise InputError(f"{key} must be a number, got {value!r}", file=where, rule=key)
    return float(value)


def _targets_rules(plan: Plan) -> tuple[list[ParcelRule], dict[str, float]]:
    targets = plan.targets
    if targets.empty or "metric" not in targets.columns:
        return [], {}
    parcel: list[ParcelRule] = []
    env: dict[str, float] = {}
    for row in targets[targets["metric"].astype("string").str.startswith(("parcel_", "env_"), na=False)].itertuples(index=False):
        metric = str(row.metric)
        value = getattr(row, "value", None)
        if value is None or pd.isna(value):
            raise InputError("target has no value", layer="targets", feature=f"{row.scope}/{metric}", rule=metric)
        if metric == "env_min_distance_m":
            env[metric] = max(float(value), env.get(metric, 0.0))  # the strictest distance of the plan
            continue
        if metric not in PARCEL_METRICS:
            raise InputError(f"unknown per-parcel metric {metric!r}; known: {sorted(PARCEL_METRICS)}", layer="targets", rule=metric)
        op = _op(getattr(row, "op", None), metric, "targets")
        year = getattr(row, "year", None)
        scope = getattr(row, "scope", None)
        parcel.append(
            ParcelRule(
                metric,
                op,
                float(value),
                None if scope is None or pd.isna(scope) or str(scope).strip().lower() in _ALL_SCOPES else str(scope),
                None if year is None or pd.isna(year) else int(year),
                f"targets: {getattr(row, 'source', '') if not pd.isna(getattr(row, 'source', None)) else ''}".rstrip(": "),
            )
        )
    return parcel, env


def _op(op: object, metric: str, where: str) -> str:
    expected = PARCEL_METRICS[metric][0]
    if op is None or (not isinstance(op, str) and pd.isna(op)):
        return expected
    norm = _OPS.get(str(op).strip())
    if norm != expected:
        raise InputError(
            f"{metric} needs op {expected!r}, got {op!r}",
            file=where if where != "targets" else None,
            layer="targets" if where == "targets" else None,
            rule=metric,
        )
    return norm


def _file_parcel_rules(metric: str, value: object, where: str) -> list[ParcelRule]:
    if value is False:
        return []
    if value is True:
        if metric not in NATIONAL_VALUES:
            raise InputError(f"{metric} has no national value; give a number", file=where, rule=metric)
        return [ParcelRule(metric, PARCEL_METRICS[metric][0], NATIONAL_VALUES[metric], source="国土资发〔2008〕24号")]
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if not isinstance(item, Mapping):
            item = {"value": item}
        unknown = set(item) - {"value", "scope", "year", "op", "source"}
        if unknown:
            raise InputError(f"unknown key(s) {sorted(unknown)} in {metric}", file=where, rule=metric)
        if "value" not in item:
            raise InputError(f"{metric} needs a value", file=where, rule=metric)
        scope = item.get("scope")
        year = item.get("year")
        out.append(
            ParcelRule(
                metric,
                _op(item.get("op"), metric, where),
                _number(item["value"], metric, where),
                None if scope is None or str(scope).strip().lower() in _ALL_SCOPES else str(scope),
                None if year is None else int(_number(year, f"{metric}.year", where)),
                str(item.get("source", f"rules {where}")),
            )
        )
    return out


def resolve_rules(plan: Plan, rules: Mapping[str, Any] | Rules | None = None, *, year: int | None = None) -> Rules:
    """The settings of a check of ``plan``: defaults, the plan's targets, the plan's stored overrides, then ``rules``.

    Parameters
    ----------
    plan
        The plan; its ``targets`` rows with ``parcel_*`` / ``env_*`` metrics switch rules on and
        its ``meta["rules"]`` (:func:`rules_of`) overrides them.
    rules
        A mapping in the rules-file form (module docstring), a :class:`Rules` (used as is), or
        None.
    year
        The year judged (reserved: settings do not depend on it today).

    Returns
    -------
    Rules

    Raises
    ------
    zoneplan.errors.InputError
        An unknown key, a wrong type, an unknown metric or a wrong comparison, naming the file or
        the targets row.

    Examples
    --------
    >>> from zoneplan.plan import Plan
    >>> r = resolve_rules(Plan(), {"parcel_min_far": 2.0, "overlap_tolerance_m2": 0.5})
    >>> r.parcel[0].metric, r.parcel[0].value, r.overlap_tolerance_m2
    ('parcel_min_far', 2.0, 0.5)
    """
    if isinstance(rules, Rules):
        return rules
    provenance: dict[str, str] = {}
    parcel, env = _targets_rules(plan)
    settings: dict[str, Any] = {}
    if parcel:
        provenance.update({r.metric: "plan targets" for r in parcel})
    if "env_min_distance_m" in env:
        settings["env_min_distance_m"] = env["env_min_distance_m"]
        provenance["env_min_distance_m"] = "plan targets"
    scalar = {f.name: f for f in fields(Rules) if f.name not in ("parcel", "provenance")}
    by_metric: dict[str, list[ParcelRule]] = {}
    for r in parcel:
        by_metric.setdefault(r.metric, []).append(r)
    for source, default_where in ((rules_of(plan), "plan metadata rules"), (dict(rules or {}), "rules")):
        given = dict(source)
        where = str(given.pop("__file__", default_where))
        _apply(given, where, scalar, settings, by_metric, provenance)
    flat = tuple(r for metric in PARCEL_METRICS for r in by_metric.get(metric, ()))
    return replace(Rules(), **settings, parcel=flat, provenance=provenance)


def _apply(
    given: Mapping[str, Any],
    where: str,
    scalar: Mapping[str, Any],
    settings: dict[str, Any],
    by_metric: dict[str, list[ParcelRule]],
    provenance: dict[str, str],
) -> None:
    """Apply one rules mapping (from ``where``) over what earlier sources set."""
    for key, value in given.items():
        if key in PARCEL_METRICS:
            by_metric[key] = _file_parcel_rules(key, value, where)
        elif key in _FAMILIES:
            if not isinstance(value, bool):
                raise InputError(f"{key} must be true or false, got {value!r}", file=where, rule=key)
            settings[key] = value
        elif key in ("parcel_projects", "env_source_codes"):
            if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
                raise InputError(f"{key} must be a list of text values", file=where, rule=key)
            settings[key] = tuple(str(v) for v in value)
        elif key == "idle_as_of":
            try:
                settings[key] = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))
            except ValueError:
                raise InputError(f"idle_as_of must be a date YYYY-MM-DD, got {value!r}", file=where, rule=key) from None
        elif key == "env_risk_min_class":
            settings[key] = int(_number(value, key, where))
        elif key in scalar:
            settings[key] = _number(value, key, where)
            if settings[key] < 0:
                raise InputError(f"{key} must not be negative", file=where, rule=key)
        else:
            raise InputError(f"unknown rule setting {key!r}", file=where, rule=key)
        provenance[key] = where
