"""Intensive land-use evaluation of development zones (开发区土地集约利用评价).

Indicators follow standards.md §1.3 (2014 trial indicator system as implemented in practice;
formula tags there: most [P], supply/built/industrial ratios and FAR [C] in the Anhui slides).
Rates are **fractions** (0.356, not 35.6 %); money per land in 万元/亩 (× 15 for the
evaluation's 万元/公顷).

Land-status letters from parcels (status and code in the evaluation year, see
:mod:`zoneplan.analysis.timeline`)
-----------------------------------------------------------------------------------------------
A   已建成城镇建设用地 — status ``built`` and urban construction land (landuse flag
    ``urban_construction``) or mining land (1002: the evaluation's A2 工矿仓储 includes 采矿, so
    it is counted in A to keep A2 ⊂ A) — and not village land: a parcel whose 城镇村属性码
    places it in a village (``czcsxm`` 203/203A, the state's ``village`` column) is never A,
    whatever its class (standards.md §1.2 and §2.1.3: the survey tables separate 已建成城镇建设用地
    A from 已建成农村建设用地 B11/B12 by 城镇 versus 村庄).
A1  住宅用地 — A on 0701/0702 (urban housing and its community facilities).
A2  已建成工矿仓储用地 — A on industrial (1001xx), mining (1002) or storage (11xx) land.
B1  (B11 + B12) 已建成农村建设用地 — status ``built`` but not A (rural homesteads 0703,
    regional roads 1202, village land of any class …).
B11 已建成农村工矿仓储用地 — B1 on industrial, storage or mining land (a village factory: 三调
    0601 with CZCSXM 203); B12 = B1 − B11.
B21 已达到供地条件的其他土地 — status ``ready``, and ``supplied`` (supplied but not built:
    supplied land has necessarily reached the supply conditions; counting it here keeps the
    supply rate ≤ 1).
B22 未达到供地条件的其他土地 — status ``unready``.
B   B1 + B21 + B22.
C   不可建设土地 — status ``unbuildable`` (excluded from every rate).
D   已供应国有建设用地 — ``supplied`` parcels plus A (built urban land was supplied first).
G   闲置土地 — supplied parcels judged idle on 31 December of the year by the No. 53 order
    (:func:`zoneplan.analysis.idle.idle_land`).

Indicators (:data:`INDICATORS`)
-------------------------------
======================================  ====================================  ==============
name                                    formula                               unit
======================================  ====================================  ==============
``land_development_rate`` 土地开发率     (A + B21) / (A + B)                   fraction
``land_supply_rate`` 土地供应率          D / (A + B21)                         fraction
``land_built_rate`` 土地建成率           A / D                                 fraction
``industrial_land_ratio`` 工业用地率     A2 / A                                fraction
``composite_far`` 综合容积率             Σ floor area on A / A                 ratio
``building_density`` 建筑密度            Σ footprint on A / A                  fraction
``industrial_far`` 工业用地综合容积率    Σ floor area on A2 / A2               ratio
``industrial_building_coefficient``      Σ footprint on A2 / A2 (footprint     fraction
工业用地建筑系数                         must include open storage and yards)
``investment_intensity_wan_per_mu``      Σ investment on A2 / A2               万元/亩
工业用地固定资产投入强度
``tax_per_mu_wan`` 工业用地地均税收      Σ tax on A2 / A2                      万元/亩
``composite_tax_per_mu_wan`` 综合地均税收 Σ tax on A / A                       万元/亩
``population_density_per_ha`` 人口密度   group ``population`` / A              persons/ha
``idle_land_rate`` 土地闲置率            G / D                                 fraction
======================================  ====================================  ==============

Identity: ``land_development_rate × land_supply_rate × land_built_rate = A / (A + B)``, the
built share of the buildable land. Sums skip missing values (a parcel without floor area adds
nothing); an indicator is NaN when its denominator is zero or all its inputs are missing.

Zone type (工业主导型 / 产城融合型, §1.4 [P]) and the 集约度分值 (§1.5–1.6) come from a profile
file (:func:`load_profile`; default ``zoneplan/data/intensity_profile_example.toml`` — a local
example, not an official table). Standardisation ``S = min(X / T, 1) × 100``, reversed for the
idle rate, is **[U]**: the official text was not found. Scores are aggregated indicator →
sub-goal → goal with the profile's weights; weights are renormalised over the indicators (and
sub-goals) available, so an indicator the profile marks ``optional`` (population density: few
zones have population data) neither scores 0 nor blocks the score. Every other indicator is
required: where one is missing (no floor area, investment or tax) there is no score — the
partial score over what is available and the list of what is missing are given beside it
(:func:`score_parts`), so a zone with only its land-use rates never scores a perfect 100. Only the main area (主区) is scored: zoneplan has no
"direction-of-expansion area" (发展方向区), so the 0.8 / 0.2 main/direction weighting is not applied.

Potentials (潜力, mu; §1.7 [P], formulas are zoneplan's)
--------------------------------------------------------
``expansion_potential_mu``   remaining suppliable land (尚可供应土地, :mod:`.remaining`).
``structure_potential_mu``   (ideal industrial-land ratio − actual) × A, when positive:
                             industrial land the structure could still gain (industry-led only).
``intensity_potential_mu``   A × (1 − composite FAR / ideal FAR), when positive: land that
                             reaching the ideal FAR would free.
``management_potential_mu``  idle land G.
"""

from __future__ import annotations

import datetime as _dt
import tomllib
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zoneplan._memo import follows_data, memo
from zoneplan.analysis._frame import group_sum, parcel_frame
from zoneplan.analysis.grouping import LAYER_OF, Level, group_layer
from zoneplan.analysis.idle import idle_land
from zoneplan.analysis.timeline import BUILT, READY, SUPPLIED, UNBUILDABLE, UNREADY
from zoneplan.errors import InputError
from zoneplan.plan import Plan
from zoneplan.units import M2_PER_HA, M2_PER_MU, YUAN_PER_WAN

__all__ = [
    "DEFAULT_PROFILE",
    "INDICATORS",
    "ZONE_TYPES",
    "as_of_date",
    "evaluation_indicators",
    "intensity_score",
    "load_profile",
    "potentials",
    "score_parts",
    "status_areas",
    "zone_type",
]

#: Indicator name → (Chinese name, unit).
INDICATORS: dict[str, tuple[str, str]] = {
    "land_development_rate": ("土地开发率", "fraction"),
    "land_supply_rate": ("土地供应率", "fraction"),
    "land_built_rate": ("土地建成率", "fraction"),
    "industrial_land_ratio": ("工业用地率", "fraction"),
    "composite_far": ("综合容积率", "ratio"),
    "building_density": ("建筑密度", "fraction"),
    "industrial_far": ("工业用地综合容积率", "ratio"),
    "industrial_building_coefficient": ("工业用地建筑系数", "fraction"),
    "investment_intensity_wan_per_mu": ("工业用地固定资产投入强度", "万元/亩"),
    "tax_per_mu_wan": ("工业用地地均税收", "万元/亩"),
    "composite_tax_per_mu_wan": ("综合地均税收", "万元/亩"),
    "population_density_per_ha": ("人口密度", "persons/ha"),
    "idle_land_rate": ("土地闲置率", "fraction"),
}
#: Zone types: profile key → label.
ZONE_TYPES: dict[str, str] = {"industry_led": "工业主导型", "industry_city": "产城融合型", "other": "其他类型"}
DEFAULT_PROFILE = files("zoneplan") / "data" / "intensity_profile_example.toml"

_AREA_COLUMNS = ["A_m2", "A1_m2", "A2_m2", "B1_m2", "B11_m2", "B21_m2", "B22_m2", "C_m2", "D_m2", "G_m2", "unknown_m2"]
_SUM_COLUMNS = ["floor_A_m2", "footprint_A_m2", "floor_A2_m2", "footprint_A2_m2", "investment_A2_yuan", "tax_A2_yuan", "tax_A_yuan"]


def load_profile(path: str | Path | None = None) -> dict[str, Any]:
    """Read a scoring profile (TOML); ``None`` reads the bundled local example.

    Raises
    ------
    zoneplan.errors.InputError
        If the file is missing, not TOML, or lacks the ``industry_led`` / ``industry_city`` sets.

    Examples
    --------
    >>> profile = load_profile()  # the bundled local example
    >>> sorted(profile), sorted(profile["zone_type"])[:2]
    (['industry_city', 'industry_led', 'profile', 'zone_type'], ['forced_industry_led', 'industrial_storage_share_min'])
    """
    try:
        text = DEFAULT_PROFILE.read_text(encoding="utf-8") if path is None else Path(path).read_text(encoding="utf-8")
        profile = tomllib.loads(text)
    except OSError as exc:
        raise InputError(f"cannot read the scoring profile: {exc.strerror}", file=path, rule="profile") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"scoring profile is not valid TOML: {exc}", file=path, rule="profile") from None
    for key in ("industry_led", "industry_city"):
        body = profile.get(key, {})
        if not isinstance(body, Mapping) or not {"goals", "subgoals", "indicators"} <= set(body):
            raise InputError(f"scoring profile lacks [{key}.goals], [{key}.subgoals] or [{key}.indicators]", file=path or str(DEFAULT_PROFILE), rule="profile")
        for name, spec in body["indicators"].items():
            if spec.get("subgoal") not in body["subgoals"]:
                raise InputError(f"indicator {name} names unknown sub-goal {spec.get('subgoal')!r}", file=path, layer=key, rule="profile")
            if spec.get("direction", "higher") not in ("higher", "lower"):
                raise InputError(f"indicator {name}: direction must be 'higher' or 'lower'", file=path, layer=key, rule="profile")
    return profile


def as_of_date(plan: Plan, year: int | None) -> _dt.date:
    """Judgement date: 31 December of ``year``; without a year the plan's ``meta['as_of']``, else today.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("linqing")
    >>> as_of_date(plan, 2023), as_of_date(plan, None)  # a year ends on 31 December; else the plan's as_of
    (datetime.date(2023, 12, 31), datetime.date(2024, 6, 30))
    """
    if year is not None:
        return _dt.date(int(year), 12, 31)
    if "as_of" in plan.meta:
        try:
            return _dt.date.fromisoformat(str(plan.meta["as_of"])[:10])
        except ValueError:
            raise InputError(f"plan metadata as_of is {plan.meta['as_of']!r}, not a date", rule="as_of") from None
    return _dt.date.today()


def _idle(plan: Plan, as_of: _dt.date) -> np.ndarray:
    return idle_land(plan, as_of=as_of)["idle"].to_numpy(dtype=bool)


@follows_data
def status_areas(plan: Plan, *, by: Level = "zone", year: int | None = None, as_of: _dt.date | None = None) -> pd.DataFrame:
    """Areas of the evaluation's land-status letters and the sums behind the indicators.

    Parameters
    ----------
    plan
        The plan.
    by
        Grouping level.
    year
        Evaluation year (statuses and codes in that year); ``None`` for the plan as it stands.
    as_of
        Date of the idle-land judgement; default :func:`as_of_date`.

    Returns
    -------
    pandas.DataFrame
        Indexed by group id (``string``; parcels in no group are left out), columns ``A_m2``,
        ``A1_m2``, ``A2_m2``, ``B1_m2``, ``B11_m2`` (part of B1), ``B21_m2``, ``B22_m2``, ``C_m2``, ``D_m2``, ``G_m2``,
        ``unknown_m2`` (no or unknown status) and the sums ``floor_A_m2``, ``footprint_A_m2``,
        ``floor_A2_m2``, ``footprint_A2_m2``, ``investment_A2_yuan``, ``tax_A2_yuan``,
        ``tax_A_yuan`` (NaN when every input is missing). Letters as in the module docstring;
        ``A + B1 + B21 + B22 + C + unknown`` is the group's parcel area.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> areas = status_areas(datasets.load("linqing"))
    >>> row = areas.iloc[0]
    >>> round(float(row["A_m2"]) / 1e6, 2), round(float(row["A1_m2"] + row["A2_m2"]) / 1e6, 2)  # km² of A (construction land) and its A1 + A2
    (24.8, 14.18)
    """
    when = as_of or as_of_date(plan, year)
    key = ("status_areas", by, year, when)

    def build() -> pd.DataFrame:
        f = parcel_frame(plan, year)
        area = f["area_m2"].to_numpy()
        st = f["st"].to_numpy()
        built = st == BUILT
        a = built & ~f["village"].to_numpy() & (f["urban_construction"].to_numpy() | f["mining"].to_numpy())
        a2 = a & f["industrial_storage"].to_numpy()
        supplied = st == SUPPLIED
        known = st >= 0
        g = supplied & _idle(plan, when)
        masks = {
            "A_m2": a,
            "A1_m2": a & f["residential"].to_numpy(),
            "A2_m2": a2,
            "B1_m2": built & ~a,
            "B11_m2": built & ~a & f["industrial_storage"].to_numpy(),
            "B21_m2": supplied | (st == READY),
            "B22_m2": st == UNREADY,
            "C_m2": st == UNBUILDABLE,
            "D_m2": supplied | a,
            "G_m2": g,
            "unknown_m2": ~known,
        }
        data = {k: np.where(m, area, 0.0) for k, m in masks.items()}
        sums = {
            "floor_A_m2": np.where(a, f["floor_area_m2"], np.nan),
            "footprint_A_m2": np.where(a, f["footprint_m2"], np.nan),
            "floor_A2_m2": np.where(a2, f["floor_area_m2"], np.nan),
            "footprint_A2_m2": np.where(a2, f["footprint_m2"], np.nan),
            "investment_A2_yuan": np.where(a2, f["investment_yuan"], np.nan),
            "tax_A2_yuan": np.where(a2, f["tax_yuan"], np.nan),
            "tax_A_yuan": np.where(a, f["tax_yuan"], np.nan),
        }
        out = pd.concat([group_sum(plan, by, data), group_sum(plan, by, sums, skipna_min_count=True)], axis=1)
        return out

    return memo(plan, key, build)


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    return (num / den.where(den > 0)).astype(float)


def _population(plan: Plan, by: Level, index: pd.Index) -> pd.Series:
    layer = plan[LAYER_OF[by]]
    if "population" not in layer.columns:
        return pd.Series(np.nan, index=index)
    pop = pd.to_numeric(layer["population"], errors="coerce")
    return pd.Series(pop.to_numpy(), index=group_layer(plan, by)["group_id"].astype(str).to_numpy()).groupby(level=0).sum(min_count=1).reindex(index)


@follows_data
def evaluation_indicators(plan: Plan, *, by: Level = "zone", year: int | None = None, as_of: _dt.date | None = None) -> pd.DataFrame:
    """The evaluation's indicators per group (definitions in the module docstring).

    Parameters
    ----------
    plan
        The plan.
    by
        Grouping level.
    year
        Evaluation year; ``None`` for the plan as it stands.
    as_of
        Date of the idle-land judgement; default 31 December of ``year``.

    Returns
    -------
    pandas.DataFrame
        Indexed by group id, one column per name in :data:`INDICATORS`.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> table = evaluation_indicators(datasets.load("linqing"), by="district")
    >>> table[["land_development_rate", "composite_far"]].round(3).to_dict("index")
    {'linqing-city': {'land_development_rate': 0.771, 'composite_far': 0.365}, 'linqing-yandian': {'land_development_rate': 0.807, 'composite_far': 0.174}}
    """
    when = as_of or as_of_date(plan, year)
    return memo(plan, ("evaluation_indicators", by, year, when), lambda: _evaluation_indicators(plan, by, year, when)).copy()


def _evaluation_indicators(plan: Plan, by: Level, year: int | None, as_of: _dt.date) -> pd.DataFrame:
    """The work of :func:`evaluation_indicators` (cached per plan, level, year and date)."""
    s = status_areas(plan, by=by, year=year, as_of=as_of)
    a, a2 = s["A_m2"], s["A2_m2"]
    b = s["B1_m2"] + s["B21_m2"] + s["B22_m2"]
    out = pd.DataFrame(
        {
            "land_development_rate": _ratio(a + s["B21_m2"], a + b),
            "land_supply_rate": _ratio(s["D_m2"], a + s["B21_m2"]),
            "land_built_rate": _ratio(a, s["D_m2"]),
            "industrial_land_ratio": _ratio(a2, a),
            "composite_far": _ratio(s["floor_A_m2"], a),
            "building_density": _ratio(s["footprint_A_m2"], a),
            "industrial_far": _ratio(s["floor_A2_m2"], a2),
            "industrial_building_coefficient": _ratio(s["footprint_A2_m2"], a2),
            "investment_intensity_wan_per_mu": _ratio(s["investment_A2_yuan"] / YUAN_PER_WAN, a2 / M2_PER_MU),
            "tax_per_mu_wan": _ratio(s["tax_A2_yuan"] / YUAN_PER_WAN, a2 / M2_PER_MU),
            "composite_tax_per_mu_wan": _ratio(s["tax_A_yuan"] / YUAN_PER_WAN, a / M2_PER_MU),
            "population_density_per_ha": _ratio(_population(plan, by, s.index), a / M2_PER_HA),
            "idle_land_rate": _ratio(s["G_m2"], s["D_m2"]),
        },
        index=s.index,
    )
    return out[list(INDICATORS)]


@follows_data
def zone_type(plan: Plan, *, by: Level = "zone", year: int | None = None, profile: Mapping[str, Any] | None = None) -> pd.Series:
    """工业主导型 / 产城融合型 / other per group, by the profile's ``[zone_type]`` rule (§1.4 [P]).

    Returns
    -------
    pandas.Series
        ``"industry_led"``, ``"industry_city"`` or ``"other"`` per group id (``other`` also when the
        group has no built urban construction land).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> zone_type(datasets.load("linqing"), by="district").to_dict()
    {'linqing-city': 'industry_led', 'linqing-yandian': 'industry_city'}
    """
    rule: dict[str, Any] = {"industrial_storage_share_min": 0.30, "residential_share_max": 0.25, "forced_industry_led": []}
    rule.update((profile or load_profile()).get("zone_type", {}))
    s = status_areas(plan, by=by, year=year)
    industrial = _ratio(s["A2_m2"], s["A_m2"])
    residential = _ratio(s["A1_m2"], s["A_m2"])
    hi, lo = float(rule["industrial_storage_share_min"]), float(rule["residential_share_max"])
    kind = np.select(
        [(industrial > hi) & (residential < lo), (industrial <= hi) & (residential >= lo)],
        ["industry_led", "industry_city"],
        default="other",
    )
    out = pd.Series(kind, index=s.index, name="zone_type", dtype=object)
    layer = plan[LAYER_OF[by]]
    if "zone_kind" in layer.columns and rule["forced_industry_led"]:
        forced = group_layer(plan, by)["group_id"].astype(str)[
            layer["zone_kind"].astype("string").isin(list(rule["forced_industry_led"])).fillna(False).to_numpy()
        ]
        out[out.index.isin(forced)] = "industry_led"
    return out


def _standardise(x: pd.Series, ideal: float, direction: str) -> pd.Series:
    if direction == "lower":
        s = np.where(x <= ideal, 100.0, ideal / x * 100.0) if ideal > 0 else np.clip((1.0 - x) * 100.0, 0.0, 100.0)
    else:
        s = np.clip(x / ideal * 100.0, None, 100.0) if ideal > 0 else np.where(x >= 0, 100.0, np.nan)
    return pd.Series(np.where(x.isna(), np.nan, s), index=x.index)


def score_parts(indicators: pd.DataFrame, types: pd.Series, *, profile: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """集约度分值 per group, with what it rests on: the full score, a partial one and the missing inputs.

    Parameters
    ----------
    indicators
        Output of :func:`evaluation_indicators`.
    types
        Output of :func:`zone_type` (same index).
    profile
        Parsed profile (:func:`load_profile`); default the bundled local example.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``indicators``: ``intensity_score`` (0–100; NaN unless every indicator of the
        type's set that the profile does not mark ``optional`` is available — a score never rests
        on the land-use rates alone when floor area, investment or tax are missing),
        ``intensity_score_partial`` (the score over the indicators available, weights renormalised;
        NaN when none is) and ``intensity_score_missing`` (the indicators of the set that are
        missing, comma-separated; empty when none).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("linqing")
    >>> ind = evaluation_indicators(plan, by="park")
    >>> parts = score_parts(ind, zone_type(plan, by="park"))
    >>> bool(np.isnan(parts.loc["eco-health", "intensity_score"])), parts.loc["eco-health", "intensity_score_missing"].split(", ")[:2]
    (True, ['composite_far', 'building_density'])
    >>> round(float(parts.loc["textiles", "intensity_score"]), 2) == round(float(parts.loc["textiles", "intensity_score_partial"]), 2)
    True
    """
    profile = profile or load_profile()
    other_as = profile.get("zone_type", {}).get("other_scored_as", "industry_city")
    partial = pd.Series(np.nan, index=indicators.index, name="intensity_score_partial")
    complete = pd.Series(True, index=indicators.index)
    missing = pd.Series("", index=indicators.index, dtype=object)
    for kind in ("industry_led", "industry_city"):
        rows = types.reindex(indicators.index).replace("other", other_as) == kind
        if not rows.any():
            continue
        body = profile[kind]
        ind = indicators.loc[rows.to_numpy()]
        sub_scores: dict[str, pd.Series] = {}
        absent = pd.DataFrame(index=ind.index)
        for sub in body["subgoals"]:
            total = pd.Series(0.0, index=ind.index)
            weight = pd.Series(0.0, index=ind.index)
            for name, spec in body["indicators"].items():
                if spec["subgoal"] != sub:
                    continue
                x = ind[name] if name in ind.columns else pd.Series(np.nan, index=ind.index)
                s = _standardise(x.astype(float), float(spec["ideal"]), spec.get("direction", "higher"))
                w = float(spec["weight"])
                total += s.fillna(0.0) * w
                weight += np.where(s.notna(), w, 0.0)
                absent[name] = s.isna()
                if not spec.get("optional", False):
                    complete.loc[ind.index] &= s.notna()
            sub_scores[sub] = total / weight.where(weight > 0)
        goal_total = pd.Series(0.0, index=ind.index)
        goal_weight = pd.Series(0.0, index=ind.index)
        for goal, gw in body["goals"].items():
            total = pd.Series(0.0, index=ind.index)
            weight = pd.Series(0.0, index=ind.index)
            for sub, spec in body["subgoals"].items():
                if spec["goal"] != goal:
                    continue
                s = sub_scores[sub]
                total += s.fillna(0.0) * float(spec["weight"])
                weight += np.where(s.notna(), float(spec["weight"]), 0.0)
            g = total / weight.where(weight > 0)
            goal_total += g.fillna(0.0) * float(gw)
            goal_weight += np.where(g.notna(), float(gw), 0.0)
        partial.loc[ind.index] = (goal_total / goal_weight.where(goal_weight > 0)).to_numpy()
        names = np.asarray(absent.columns, dtype=object)
        missing.loc[ind.index] = [", ".join(names[row]) for row in absent.to_numpy(dtype=bool)]
    scored = types.reindex(indicators.index).notna()
    return pd.DataFrame(
        {
            "intensity_score": partial.where(complete & scored),
            "intensity_score_partial": partial,
            "intensity_score_missing": missing.where(scored, ""),
        },
        index=indicators.index,
    )


def intensity_score(indicators: pd.DataFrame, types: pd.Series, *, profile: Mapping[str, Any] | None = None) -> pd.Series:
    """集约度分值 (0–100) per group: the ``intensity_score`` column of :func:`score_parts`.

    NaN where an indicator the profile needs is missing (:func:`score_parts` gives the partial
    score and names what is missing).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("linqing")
    >>> round(float(intensity_score(evaluation_indicators(plan), zone_type(plan)).iloc[0]), 2)
    70.94
    """
    return score_parts(indicators, types, profile=profile)["intensity_score"]


@follows_data
def potentials(plan: Plan, *, by: Level = "zone", year: int | None = None, profile: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """Expansion, structure, intensity and management potential in mu (module docstring).

    Returns
    -------
    pandas.DataFrame
        Indexed by group id: ``expansion_potential_mu``, ``structure_potential_mu``,
        ``intensity_potential_mu``, ``management_potential_mu``.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> table = potentials(datasets.load("linqing"), by="district")
    >>> table.round(1).to_dict("index")["linqing-city"]
    {'expansion_potential_mu': 12734.3, 'structure_potential_mu': 1718.7, 'intensity_potential_mu': 17977.9, 'management_potential_mu': 199.6}
    """
    from zoneplan.analysis.remaining import remaining_land

    profile = profile or load_profile()
    s = status_areas(plan, by=by, year=year)
    ind = evaluation_indicators(plan, by=by, year=year)
    types = zone_type(plan, by=by, year=year, profile=profile)
    rem = remaining_land(plan, by=by, year=year).set_index("group_id")["remaining_suppliable_mu"]
    rem.index = rem.index.astype(str)
    ideal_ratio = float(profile["industry_led"]["indicators"].get("industrial_land_ratio", {}).get("ideal", np.nan))
    a_mu = s["A_m2"] / M2_PER_MU
    structure = ((ideal_ratio - ind["industrial_land_ratio"]).clip(lower=0) * a_mu).where(types == "industry_led", 0.0)
    far_ideal = pd.Series(
        np.where(
            types.replace("other", profile.get("zone_type", {}).get("other_scored_as", "industry_city")) == "industry_led",
            float(profile["industry_led"]["indicators"]["composite_far"]["ideal"]),
            float(profile["industry_city"]["indicators"]["composite_far"]["ideal"]),
        ),
        index=s.index,
    )
    intensity = (1 - ind["composite_far"] / far_ideal).clip(lower=0) * a_mu
    return pd.DataFrame(
        {
            "expansion_potential_mu": rem.reindex(s.index).to_numpy(),
            "structure_potential_mu": structure.to_numpy(),
            "intensity_potential_mu": intensity.to_numpy(),
            "management_potential_mu": (s["G_m2"] / M2_PER_MU).to_numpy(),
        },
        index=s.index,
    )
