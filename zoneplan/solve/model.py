"""The goal-seeking model: a plan's parcels, targets, quotas and rules as a mixed-integer programme.

Decision (one binary per parcel **option**; exactly one option per free parcel)
    An option is a land-use code and the year the parcel is developed (its ``planned_year``,
    and with a schedule also its ``supplied_year``), or *withdraw* (back to its
    ``base_landuse_code``, never developed), or *later* (as it is, beyond the horizon). Years
    are searched in **buckets**: the years between two consecutive breakpoints (the first free
    year, every year after a target year, every quota year) are alike for every constraint, so
    one option per bucket is exact; its year is the parcel's own year when that lies in the
    bucket, else the bucket year nearest to it (``earliest``: the bucket's first year).

Free and fixed parcels
    ``ready`` and ``unready`` parcels are free. ``built``, ``supplied`` and ``unbuildable``
    parcels, parcels with an unknown status and parcels the user **pins** are fixed: their
    contribution to every row is a constant. Built parcels named in ``allow_built`` may change
    land use (redevelopment, in force from their ``built_year``), not their years.

Floor area (with ``max_far``)
    A parcel the plan may densify has a **continuous** column of floor area added (m²), within
    ``[min FAR × area − floor area, max FAR × area − floor area]`` (at least 0): the maximum plot
    ratio given to the solve, the minimum of the ``parcel_min_far`` rule in force in the horizon
    year (none: 0). A fixed parcel has one such column; a free or redeveloped parcel one per
    option that builds (urban construction or mining land), held to 0 unless that option is
    chosen (``u ≤ upper × x``, ``u ≥ lower × x``). Floor area counts in ``composite_far``
    (Σ floor area on A / A) and ``industrial_far`` (Σ floor area on A2 / A2).

Rows
    * every target of the solved years whose metric is modelled (:data:`MODELLED_METRICS`), on
      the parcels of its scope, with the tolerance :func:`zoneplan.analysis.target_status` uses
      (halved, so a solution is never met by rounding luck): area metrics in m²; ratios as
      ``numerator − value × denominator`` in m² of the denominator's land;
    * quotas (with a schedule): new construction land supplied per zone in each quota year from
      the first free year on — fixed parcels' supply as :func:`zoneplan.analysis.land_consumption`
      counts it, plus the free parcels developed that year — at most the quota (+ the
      ``quota_tolerance_mu`` of the rules);
    * control lines (:func:`zoneplan.compliance.control_lines.overlaps` / ``outside`` with the
      rules' tolerances): no construction option on a parcel overlapping the ecological red line
      or permanent basic farmland, no urban-construction option on a parcel reaching outside the
      urban development boundary (withdrawing is always allowed: it is the land as it is);
    * adjacency (:func:`zoneplan.compliance.adjacency.adjacency_pairs`, the check's distance,
      risk class and source codes): a source option on one parcel and a sensitive-receptor
      option on a parcel within the distance exclude each other;
    * floor: an option's floor-area column held to its bounds when the option is chosen, 0 else.

Coefficients come from the same per-parcel frame the analyses read
(:func:`zoneplan.analysis._frame.parcel_frame`) for fixed parcels and from
:func:`zoneplan.landuse.flags` of each option's code for free ones, so the model's value of a
target is the value :func:`zoneplan.analysis.target_status` computes on the edited plan.
Areas are m² on the plan's area basis (:func:`zoneplan.measure.plan_area_basis`; the per-parcel
frame's ``area_m2``), which the model and its answer carry as ``area_basis``.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from zoneplan.analysis import _OPS, _scope_levels
from zoneplan.analysis._frame import group_index, parcel_frame
from zoneplan.analysis.consumption import land_consumption
from zoneplan.analysis.timeline import BUILT, READY, UNBUILDABLE, UNREADY, status_codes
from zoneplan.compliance._base import feature_ids, usable
from zoneplan.compliance.adjacency import adjacency_pairs
from zoneplan.compliance.control_lines import outside, overlaps
from zoneplan.compliance.parcel_rules import parcel_limits
from zoneplan.compliance.rules import Rules, resolve_rules
from zoneplan.errors import InputError
from zoneplan.landuse import flags
from zoneplan.measure import plan_area_basis
from zoneplan.plan import Plan
from zoneplan.settings import settings
from zoneplan.units import M2_PER_KM2, M2_PER_MU, YUAN_PER_WAN

__all__ = ["FLOOR_COLUMNS", "MODELLED_METRICS", "OBJECTIVES", "Model", "build_model"]

#: Target metrics the model turns into rows (others are reported as not modelled).
MODELLED_METRICS: tuple[str, ...] = (
    "urban_construction_area_km2",
    "industrial_area_km2",
    "industrial_share",
    "industrial_land_ratio",
    "investment_intensity_wan_per_mu",
    "tax_per_mu_wan",
    "composite_far",
    "industrial_far",
)
#: Objectives: what a change costs.
OBJECTIVES: tuple[str, ...] = ("least-area", "least-parcels", "earliest")

_NEVER = -1  # option year: not developed within the horizon
_NO_SLACK_TOL = 0.5  # share of the analysis tolerance the model allows itself
#: Target and quota rows are built in m² and solved in km² (× 1e-6).
ROW_SCALE = 1e-6
#: Columns of :attr:`Model.floor`.
FLOOR_COLUMNS = ["parcel", "parcel_id", "option", "lower", "upper", "floor_area_m2"]


@dataclass
class Model:
    """A built model: options, sparse rows and what each row means.

    Attributes
    ----------
    options
        One row per option: ``parcel`` (position in ``plan.parcels``), ``parcel_id``, ``code``,
        ``year`` (−1: not developed by the horizon), ``kind`` (``keep``, ``change``,
        ``withdraw``, ``later``, ``redevelop``), ``landuse_change`` (bool), ``year_shift``
        (years moved), ``area_m2``, ``investment_yuan`` (the option's investment, NaN = none),
        ``supply_year`` (the year its supply counts against a quota, −1 none).
    A, lb, ub
        Constraint matrix (CSR, one column per option) and row bounds.
    rows
        One row per constraint row: ``kind`` (``assign``, ``target``, ``quota``, ``adjacency``),
        ``label``, and for targets/quotas ``scope``, ``metric``, ``year``, ``op``, ``value``,
        ``constant`` (fixed parcels' part, m²) and ``m2_per_unit`` (m² of land per row unit).
    fixed_violations
        Violations of fixed parcels the solve cannot remove (control lines, adjacency, per-parcel
        rules in the horizon year); the solve adds withdrawn parcels whose base land itself lies
        on a line (a village on farmland stays a village).
    not_modelled
        Targets of the solved years the model has no row for, with the reason.
    area_basis
        Basis of every area of the model (the plan's, :func:`zoneplan.measure.plan_area_basis`).
    floor
        One row per floor-area column (the columns after the options): ``parcel``, ``parcel_id``,
        ``option`` (the option it belongs to, −1 for a fixed parcel), ``lower`` and ``upper``
        (m² of floor area added) and ``floor_area_m2`` (the parcel's floor area now).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> model = build_model(datasets.load("linqing"), years=[2035])
    >>> model.n_columns == model.n_options, int(model.integrality.sum()) == model.n_options
    (True, True)
    >>> bool((model.column_lower == 0).all()), float(model.column_upper.max())
    (True, 1.0)
    """

    plan: Plan
    options: pd.DataFrame
    A: sp.csr_matrix
    lb: np.ndarray
    ub: np.ndarray
    rows: pd.DataFrame
    years: tuple[int, ...]
    start_year: int
    horizon: int
    schedule: bool
    free: np.ndarray
    fixed_violations: pd.DataFrame
    not_modelled: pd.DataFrame
    rules: Rules
    settings: dict[str, object] = field(default_factory=dict)
    area_basis: str = "planar"
    floor: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FLOOR_COLUMNS))

    @property
    def n_options(self) -> int:
        """Option columns (the first columns of ``A``)."""
        return len(self.options)

    @property
    def n_columns(self) -> int:
        """All columns: options, then floor area."""
        return len(self.options) + len(self.floor)

    @property
    def column_lower(self) -> np.ndarray:
        """Lower bound of every column (a fixed parcel's floor area: its minimum)."""
        fixed = self.floor["option"].to_numpy() < 0
        return np.r_[np.zeros(self.n_options), np.where(fixed, self.floor["lower"].to_numpy(dtype=float), 0.0)]

    @property
    def column_upper(self) -> np.ndarray:
        """Upper bound of every column: 0 for a forbidden option, else 1; floor area's maximum."""
        return np.r_[np.where(self.options["forbidden"].to_numpy(dtype=bool), 0.0, 1.0), self.floor["upper"].to_numpy(dtype=float)]

    @property
    def integrality(self) -> np.ndarray:
        """1 for an option (binary), 0 for floor area (continuous)."""
        return np.r_[np.ones(self.n_options), np.zeros(len(self.floor))]


# -- inputs ---------------------------------------------------------------------------------------
def _start_year(plan: Plan, start_year: int | None) -> int:
    if start_year is not None:
        return int(start_year)
    as_of = plan.meta.get("as_of")
    if as_of:
        try:
            return _dt.date.fromisoformat(str(as_of)[:10]).year
        except ValueError:
            raise InputError(f"plan metadata as_of is {as_of!r}, not a date", rule="as_of") from None
    return _dt.date.today().year


def _int_column(parcels: pd.DataFrame, name: str) -> np.ndarray:
    if name not in parcels.columns:
        return np.full(len(parcels), _NEVER, dtype=np.int64)
    values = pd.to_numeric(parcels[name], errors="coerce")
    return values.fillna(_NEVER).to_numpy(dtype=np.int64)


def _ids(ids: Iterable[str] | bool | None, known: pd.Series, what: str) -> np.ndarray:
    """Mask of ``known`` named by ``ids`` (``True``: all); unknown ids are an error."""
    if ids is True:
        return np.ones(len(known), dtype=bool)
    if not ids:
        return np.zeros(len(known), dtype=bool)
    wanted = [str(i) for i in ids]
    unknown = sorted(set(wanted) - set(known.dropna()))
    if unknown:
        raise InputError(f"{what}: unknown parcel id(s) {unknown}", layer="parcels", feature=", ".join(unknown), rule="solve")
    return known.isin(wanted).to_numpy(dtype=bool)


def _targets(plan: Plan, years: Sequence[int] | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Zone-level targets to solve for (years given or all) and those the model cannot express."""
    t = plan.targets
    if t.empty:
        raise InputError("the plan has no targets to solve for", layer="targets", rule="solve")
    t = t[~t["metric"].astype("string").str.startswith(("parcel_", "env_"), na=False)].copy()
    t["year"] = pd.to_numeric(t["year"], errors="coerce").astype("Int64")
    if years:
        t = t[t["year"].isin([int(y) for y in years])]
    if t.empty:
        known = sorted({int(y) for y in plan.targets["year"].dropna()})
        raise InputError(f"the plan has no targets for {list(years or [])}; target years: {known}", layer="targets", rule="solve")
    undated = t["year"].isna().to_numpy()
    modelled = t["metric"].astype(str).isin(MODELLED_METRICS).to_numpy() & ~undated
    reasons = np.where(undated, "target has no year", "metric is not modelled by the solver")
    left = t[~modelled].assign(reason=reasons[~modelled])
    return t[modelled].reset_index(drop=True), left.reset_index(drop=True)


def _buckets(start: int, horizon: int, target_years: Iterable[int], quota_years: Iterable[int]) -> list[tuple[int, int]]:
    """Intervals of years that every constraint treats alike (see the module docstring)."""
    cuts = {start}
    cuts |= {y + 1 for y in target_years}
    cuts |= set(quota_years) | {q + 1 for q in quota_years}
    firsts = sorted(c for c in cuts if start <= c <= horizon)
    return [(a, (firsts[i + 1] - 1) if i + 1 < len(firsts) else horizon) for i, a in enumerate(firsts)]


def _year_in(bucket: tuple[int, int], own: np.ndarray, earliest: bool) -> np.ndarray:
    lo, hi = bucket
    if earliest:
        return np.full(len(own), lo, dtype=np.int64)
    return np.clip(np.where(own == _NEVER, lo, own), lo, hi).astype(np.int64)


# -- options ------------------------------------------------------------------------------------
def _default_classes(plan: Plan, rules: Rules) -> tuple[str, ...]:
    """The plan's most common industrial code that is not a pollution source (one code)."""
    codes = plan.parcels["landuse_code"].astype("string")
    fl = flags(pd.Series(codes.dropna().unique(), dtype="string"))
    ok = fl[fl["industrial"] & ~fl["code"].isin(list(rules.env_source_codes))]["code"]
    if ok.empty:
        return ()
    counts = codes[codes.isin(list(ok))].value_counts()
    return (str(counts.index[0]),)


def _allowed_codes(plan: Plan, classes: Sequence[str] | Mapping[str, Sequence[str]] | None, rules: Rules) -> list[tuple[str, ...]]:
    """Per parcel, the codes it may take besides its own: the ``classes`` given (all parcels or
    per parcel id), else the parcels' ``allowed_codes`` column (``;``-separated), else
    :func:`_default_classes`."""
    parcels = plan.parcels
    n = len(parcels)
    ids = feature_ids(parcels, "parcels")
    if isinstance(classes, Mapping):
        unknown = sorted(set(map(str, classes)) - set(ids))
        if unknown:
            raise InputError(f"classes: unknown parcel id(s) {unknown}", layer="parcels", rule="solve")
        per = [tuple(str(c) for c in classes.get(i, ())) for i in ids]
    elif classes is not None:
        per = [tuple(str(c) for c in classes)] * n
    elif "allowed_codes" in parcels.columns:
        text = parcels["allowed_codes"].astype("string").fillna("")
        per = [tuple(c.strip() for c in s.split(";") if c.strip()) for s in text]
    else:
        per = [_default_classes(plan, rules)] * n
    every = sorted({c for p in per for c in p})
    if every:
        bad = flags(pd.Series(every, dtype="string"))
        unknown = [c for c, name in zip(every, bad["name_en"]) if pd.isna(name)]
        if unknown:
            raise InputError(f"unknown 2023 land-use code(s) {unknown} among the classes to choose from", layer="parcels", rule="solve")
    return per


def _code_flags(codes: pd.Series) -> pd.DataFrame:
    """Flags of each code (NA: no code → nothing), plus ``source_code`` placeholders filled later."""
    pos, uniq = codes.astype("string").factorize(use_na_sentinel=True)
    table = flags(pd.Series([*np.asarray(uniq, dtype=object), pd.NA], dtype="string"))
    return table.take(np.where(pos >= 0, pos, len(table) - 1)).reset_index(drop=True)


def _alternatives(positions: np.ndarray, allowed: list[tuple[str, ...]], code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(parcel position, code) of every allowed code other than the parcel's own."""
    pairs = [(i, c) for i in positions for c in allowed[i] if c != code[i]]
    return np.asarray([p for p, _ in pairs], dtype=np.int64), np.asarray([c for _, c in pairs], dtype=object)


def _options(
    plan: Plan,
    free: np.ndarray,
    redevelop: np.ndarray,
    allowed: list[tuple[str, ...]],
    buckets: list[tuple[int, int]],
    horizon: int,
    earliest: bool,
) -> pd.DataFrame:
    parcels = plan.parcels
    code = parcels["landuse_code"].astype("string").to_numpy(dtype=object, na_value=None)
    base = (
        parcels["base_landuse_code"].astype("string") if "base_landuse_code" in parcels.columns else pd.Series(pd.NA, index=parcels.index, dtype="string")
    ).to_numpy(dtype=object, na_value=None)
    planned = _int_column(parcels, "planned_year")
    supplied = _int_column(parcels, "supplied_year")
    built_year = _int_column(parcels, "built_year")
    ids = feature_ids(parcels, "parcels").to_numpy(dtype=object)
    parts: list[pd.DataFrame] = []

    def add(pos: np.ndarray, codes: np.ndarray, year: np.ndarray, kind: str, supply: np.ndarray) -> None:
        if len(pos):
            parts.append(pd.DataFrame({"parcel": pos, "code": codes, "year": year, "kind": kind, "supply_year": supply}))

    fpos = np.flatnonzero(free)
    own = planned[fpos]
    for _k, bucket in enumerate(buckets):
        y = _year_in(bucket, own, earliest)
        add(fpos, code[fpos], y, "keep", y)
    later = fpos[(own == _NEVER) | (own > horizon)]
    add(later, code[later], np.full(len(later), _NEVER), "later", np.where(supplied[later] > 0, supplied[later], _NEVER))
    withdraw = fpos[np.array([base[i] != code[i] for i in fpos], dtype=bool)]
    add(withdraw, base[withdraw], np.full(len(withdraw), _NEVER), "withdraw", np.full(len(withdraw), _NEVER))
    alt_pos_a, alt_code_a = _alternatives(fpos, allowed, code)
    for bucket in buckets:
        y = _year_in(bucket, planned[alt_pos_a], earliest)
        add(alt_pos_a, alt_code_a, y, "change", y)
    # redevelopment of built parcels: the code changes, the years stay
    rpos = np.flatnonzero(redevelop)
    since = np.where(built_year[rpos] > 0, built_year[rpos], -9999)
    add(rpos, code[rpos], since, "keep_built", np.full(len(rpos), _NEVER))
    r_pos_a, r_code_a = _alternatives(rpos, allowed, code)
    add(r_pos_a, r_code_a, np.where(built_year[r_pos_a] > 0, built_year[r_pos_a], -9999), "redevelop", np.full(len(r_pos_a), _NEVER))
    if not parts:  # every parcel fixed: no options (floor area may still change)
        none = np.zeros(0, dtype=np.int64)
        parts.append(pd.DataFrame({"parcel": none, "code": np.zeros(0, dtype=object), "year": none, "kind": np.zeros(0, dtype=object), "supply_year": none}))
    opts = pd.concat(parts, ignore_index=True)
    opts = opts.drop_duplicates(["parcel", "code", "year", "kind"]).sort_values(["parcel", "kind", "year"], kind="stable", ignore_index=True)
    opts["parcel_id"] = ids[opts["parcel"].to_numpy()]
    own_code = code[opts["parcel"].to_numpy()]
    own_year = planned[opts["parcel"].to_numpy()]
    opts["landuse_change"] = opts["code"].to_numpy(dtype=object) != own_code
    developed = opts["year"].to_numpy() != _NEVER
    own_in = (own_year != _NEVER) & (own_year <= horizon)
    is_built = opts["kind"].isin(["keep_built", "redevelop"]).to_numpy()
    opts["year_shift"] = np.where(
        is_built, 0, np.where(developed & (own_year != _NEVER), np.abs(opts["year"].to_numpy() - own_year), np.where(developed != own_in, 1, 0))
    )
    opts.loc[opts["kind"] == "later", "year_shift"] = 0
    return opts


def _floor_columns(
    plan: Plan,
    opts: pd.DataFrame,
    ofl: pd.DataFrame,
    max_far: float | Mapping[str, float] | None,
    limits: pd.DataFrame,
    area: np.ndarray,
    fixed_ok: np.ndarray,
    ids: pd.Series,
) -> pd.DataFrame:
    """The floor-area columns (:attr:`Model.floor`): per fixed parcel ``max_far`` covers, one;
    per free or redeveloped parcel it covers, one per option that builds."""
    if max_far is None:
        return pd.DataFrame(columns=FLOOR_COLUMNS)
    parcels = plan.parcels
    n = len(parcels)
    if isinstance(max_far, Mapping):
        _ids(list(max_far), ids, "max_far")  # unknown ids are refused
        cap = ids.map({str(k): float(v) for k, v in max_far.items()}).to_numpy(dtype=float)
    else:
        cap = np.full(n, float(max_far))
    low = limits["parcel_min_far"].to_numpy(dtype=float) if "parcel_min_far" in limits.columns else np.full(n, np.nan)
    bad = np.flatnonzero(~np.isnan(cap) & ((cap < 0) | (cap < np.nan_to_num(low))))
    if len(bad):
        names = ", ".join(ids.iloc[bad[:5]])
        raise InputError(f"max_far is below 0 or below the parcel_min_far rule on parcel(s) {names}", layer="parcels", feature=names, rule="max_far")
    now = pd.to_numeric(parcels["floor_area_m2"], errors="coerce").to_numpy(dtype=float) if "floor_area_m2" in parcels.columns else np.full(n, np.nan)
    now = np.nan_to_num(now)
    upper = np.maximum(0.0, cap * area - now)
    lower = np.minimum(upper, np.maximum(0.0, np.nan_to_num(low) * area - now))
    covered = ~np.isnan(cap) & (upper > 0)
    fixed = np.flatnonzero(covered & fixed_ok)
    opt_parcel = opts["parcel"].to_numpy()
    builds = (opts["year"].to_numpy() != _NEVER) & (ofl["urban_construction"].to_numpy(dtype=bool) | ofl["mining"].to_numpy(dtype=bool))
    linked = np.flatnonzero(builds & covered[opt_parcel])
    where = np.r_[fixed, opt_parcel[linked]].astype(np.int64)
    return pd.DataFrame(
        {
            "parcel": where,
            "parcel_id": ids.to_numpy(dtype=object)[where],
            "option": np.r_[np.full(len(fixed), -1), linked].astype(np.int64),
            "lower": lower[where],
            "upper": upper[where],
            "floor_area_m2": now[where],
        },
        columns=FLOOR_COLUMNS,
    )


# -- the model ------------------------------------------------------------------------------------
def build_model(
    plan: Plan,
    *,
    years: Sequence[int] | None = None,
    objective: str = "least-area",
    pins: Iterable[str] = (),
    allow_built: Iterable[str] | bool = (),
    classes: Sequence[str] | Mapping[str, Sequence[str]] | None = None,
    schedule: bool | None = None,
    start_year: int | None = None,
    rules: Mapping[str, object] | Rules | None = None,
    max_far: float | Mapping[str, float] | None = None,
) -> Model:
    """Build the goal-seeking model of ``plan`` (see the module docstring; :func:`zoneplan.solve.solve`
    documents the parameters).

    Returns
    -------
    Model

    Raises
    ------
    zoneplan.errors.InputError
        No parcels or targets to solve for, an unknown pin, class or ``max_far`` parcel, a
        ``max_far`` below the ``parcel_min_far`` rule, or a parcel with no allowed use.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> model = build_model(datasets.load("linqing"), years=[2035])
    >>> model.n_options, model.rows["kind"].value_counts().to_dict()
    (1643, {'assign': 248, 'target': 6, 'quota': 2, 'adjacency': 1})
    >>> denser = build_model(datasets.load("linqing"), years=[2035], max_far=1.5)  # floor area may grow
    >>> denser.n_columns - denser.n_options == len(denser.floor) > 0
    True
    """
    if objective not in OBJECTIVES and objective != "weighted":
        raise InputError(f"objective must be one of {', '.join(OBJECTIVES)}, not {objective!r}", rule="solve")
    parcels = plan.parcels
    if parcels.empty:
        raise InputError("the plan has no parcels to change", layer="parcels", rule="solve")
    if "landuse_code" not in parcels.columns:
        raise InputError("parcels have no landuse_code column", layer="parcels", rule="landuse_code")
    rules = resolve_rules(plan, rules)
    targets, not_modelled = _targets(plan, years)
    start = _start_year(plan, start_year)
    horizon = int(targets["year"].max())
    if horizon < start:
        raise InputError(f"the targets' years end in {horizon}, before the first free year {start}", layer="targets", rule="solve")
    quotas = plan.quotas
    quota_years = sorted({int(y) for y in pd.to_numeric(quotas["year"], errors="coerce").dropna() if start <= int(y) <= horizon}) if not quotas.empty else []
    if schedule is None:
        schedule = bool(quota_years) and rules.quotas
    ids = feature_ids(parcels, "parcels")
    status = status_codes(plan, None)
    pinned = _ids(pins, ids, "pin")
    redevelop = _ids(allow_built, ids, "allow_built") & (status == BUILT) & ~pinned
    free = np.isin(status, [READY, UNREADY]) & ~pinned
    allowed = _allowed_codes(plan, classes, rules)
    buckets = _buckets(start, horizon, targets["year"].astype(int), quota_years if schedule else [])
    opts = _options(plan, free, redevelop, allowed, buckets, horizon, objective == "earliest")
    area = parcel_frame(plan, None)["area_m2"].to_numpy(dtype=float)  # the analyses' areas
    opts["area_m2"] = area[opts["parcel"].to_numpy()]
    fixed = ~(free | redevelop)

    # investment of each option: the parcel's own; industrial options of free parcels are
    # raised to the per-parcel minimum intensity in force in the horizon year (see below)
    invest = (
        pd.to_numeric(parcels["investment_yuan"], errors="coerce").to_numpy(dtype=float)
        if "investment_yuan" in parcels.columns
        else np.full(len(parcels), np.nan)
    )
    tax = pd.to_numeric(parcels["tax_yuan"], errors="coerce").to_numpy(dtype=float) if "tax_yuan" in parcels.columns else np.full(len(parcels), np.nan)
    ofl = _code_flags(opts["code"])
    cur = _code_flags(parcels["landuse_code"].reset_index(drop=True))
    opts["investment_yuan"] = invest[opts["parcel"].to_numpy()]
    limits = parcel_limits(plan, year=horizon, rules=rules) if rules.parcel_rules else pd.DataFrame(index=parcels.index)
    col = "parcel_min_investment_intensity_wan_per_mu"
    if col in limits.columns:
        min_inv = limits[col].to_numpy(dtype=float) * YUAN_PER_WAN / M2_PER_MU * area
        # raised where the per-parcel rule will judge the parcel (a project of a judged type, or a
        # parcel turning industrial, which becomes a new project) or a zone intensity target counts it
        project = (
            parcels["project"].astype("string").str.strip().str.lower()
            if "project" in parcels.columns
            else pd.Series(pd.NA, index=parcels.index, dtype="string")
        )
        judged = project.isin([p.lower() for p in rules.parcel_projects]).fillna(False).to_numpy(dtype=bool)[opts["parcel"].to_numpy()]
        intensity_target = bool(targets["metric"].astype(str).eq("investment_intensity_wan_per_mu").any())
        need = ofl["industrial"].to_numpy(dtype=bool) & ~opts["kind"].isin(["keep_built", "redevelop"]).to_numpy()
        need &= judged | opts["landuse_change"].to_numpy(dtype=bool) | intensity_target
        want = min_inv[opts["parcel"].to_numpy()]
        raise_to = need & ~np.isnan(want) & ~(opts["investment_yuan"].to_numpy() >= want)
        opts.loc[raise_to, "investment_yuan"] = want[raise_to]
    opts["tax_yuan"] = tax[opts["parcel"].to_numpy()]

    n_opt = len(opts)
    floor = _floor_columns(plan, opts, ofl, max_far, limits, area, fixed & ~pinned & (status != UNBUILDABLE), ids)
    n_cols = n_opt + len(floor)
    f_opt = floor["option"].to_numpy(dtype=np.int64)
    f_linked = f_opt >= 0
    f_parcel = floor["parcel"].to_numpy(dtype=np.int64)
    rows: list[dict[str, object]] = []
    coo_r: list[np.ndarray] = []
    coo_c: list[np.ndarray] = []
    coo_v: list[np.ndarray] = []
    lb: list[float] = []
    ub: list[float] = []

    def add_row(cols: np.ndarray, vals: np.ndarray, lo: float, hi: float, meta: dict[str, object]) -> None:
        r = len(lb)
        keep = vals != 0
        coo_r.append(np.full(int(keep.sum()), r, dtype=np.int64))
        coo_c.append(cols[keep])
        coo_v.append(vals[keep])
        lb.append(lo)
        ub.append(hi)
        rows.append(meta)

    # assignment: one option per parcel with options
    opt_parcel = opts["parcel"].to_numpy()
    has = np.unique(opt_parcel)
    r0 = len(lb)
    coo_r.append(r0 + np.searchsorted(has, opt_parcel))
    coo_c.append(np.arange(n_opt))
    coo_v.append(np.ones(n_opt))
    lb.extend([1.0] * len(has))
    ub.extend([1.0] * len(has))
    rows.extend({"kind": "assign", "label": f"parcel {ids.iloc[i]}"} for i in has)
    # floor area of an option only when it is chosen: u/upper − x ≤ 0 and u/upper − (lower/upper)·x ≥ 0
    f_lo, f_hi = floor["lower"].to_numpy(dtype=float), floor["upper"].to_numpy(dtype=float)
    for bound in ("upper", "lower"):
        k = np.flatnonzero(f_linked & ((f_lo > 0) if bound == "lower" else True))
        r = len(lb) + np.arange(len(k))
        coo_r.append(np.repeat(r, 2))
        coo_c.append(np.column_stack([n_opt + k, f_opt[k]]).ravel())
        coo_v.append(np.column_stack([1.0 / f_hi[k], -(f_lo[k] if bound == "lower" else f_hi[k]) / f_hi[k]]).ravel())
        lb.extend([0.0 if bound == "lower" else -math.inf] * len(k))
        ub.extend([math.inf if bound == "lower" else 0.0] * len(k))
        rows.extend({"kind": "floor", "label": f"floor area {bound} {ids.iloc[f_parcel[i]]} option {f_opt[i]}"} for i in k)

    # --- targets
    levels = _scope_levels(plan)
    opt_year = opts["year"].to_numpy()
    base_codes = (
        parcels["base_landuse_code"].astype("string") if "base_landuse_code" in parcels.columns else pd.Series(pd.NA, index=parcels.index, dtype="string")
    ).reset_index(drop=True)
    bfl = _code_flags(base_codes.iloc[opt_parcel].reset_index(drop=True))
    by_level: dict[str, tuple[np.ndarray, pd.Index]] = {}
    by_year: dict[int, pd.DataFrame] = {}
    for t in targets.itertuples(index=False):
        scope, metric, y = str(t.scope), str(t.metric), int(t.year)
        op = _OPS.get(str(t.op).strip())
        level = levels.get(scope)
        if op is None or level is None:
            not_modelled = pd.concat(
                [
                    not_modelled,
                    pd.DataFrame([{**t._asdict(), "reason": f"unknown op {t.op!r}" if op is None else f"scope {scope!r} is no zone, district, park or phase"}]),
                ],
                ignore_index=True,
            )
            continue
        if level not in by_level:  # each call fingerprints the plan: once per level and year
            by_level[level] = group_index(plan, level)
        if y not in by_year:
            by_year[y] = parcel_frame(plan, y)
        codes_g, gids = by_level[level]
        in_scope = codes_g == gids.get_loc(scope) if scope in gids else np.zeros(len(parcels), dtype=bool)
        frame = by_year[y]
        on = opt_year != _NEVER
        on &= opt_year <= y
        eff = {k: np.where(on, ofl[k].to_numpy(dtype=bool), bfl[k].to_numpy(dtype=bool)) for k in ("urban_construction", "industrial", "storage", "mining")}
        a = opts["area_m2"].to_numpy()
        urb = eff["urban_construction"]
        built_a = on & (urb | eff["mining"])
        a2 = built_a & (eff["industrial"] | eff["storage"] | eff["mining"])
        fa = frame["area_m2"].to_numpy()
        f_urb = frame["urban_construction"].to_numpy()
        f_built = (frame["st"].to_numpy() == BUILT) & ~frame["village"].to_numpy() & (f_urb | frame["mining"].to_numpy())  # A of status_areas
        f_a2 = f_built & frame["industrial_storage"].to_numpy()
        sel = fixed & in_scope
        osel = in_scope[opt_parcel]
        added = np.zeros(len(floor), dtype=bool)  # floor-area columns counted in the numerator
        if metric == "urban_construction_area_km2":
            num_o, num_f, den_o, den_f, unit_scale = a * urb, fa * f_urb, None, None, M2_PER_KM2
        elif metric == "industrial_area_km2":
            num_o, num_f, den_o, den_f, unit_scale = a * (urb & eff["industrial"]), fa * (f_urb & frame["industrial"].to_numpy()), None, None, M2_PER_KM2
        elif metric == "industrial_share":
            num_o, num_f, den_o, den_f, unit_scale = a * (urb & eff["industrial"]), fa * (f_urb & frame["industrial"].to_numpy()), a * urb, fa * f_urb, 1.0
        elif metric == "industrial_land_ratio":
            num_o, num_f, den_o, den_f, unit_scale = a * a2, fa * f_a2, a * built_a, fa * f_built, 1.0
        elif metric in ("composite_far", "industrial_far"):  # Σ floor area on A (A2) / A (A2)
            on_o, on_f = (built_a, f_built) if metric == "composite_far" else (a2, f_a2)
            floor_f = np.nan_to_num(frame["floor_area_m2"].to_numpy(dtype=float))
            num_o, num_f, den_o, den_f, unit_scale = floor_f[opt_parcel] * on_o, floor_f * on_f, a * on_o, fa * on_f, 1.0
            added = on_f[f_parcel] & sel[f_parcel]  # a fixed parcel's floor area counts where the parcel does
            added[f_linked] = on_o[f_opt[f_linked]] & osel[f_opt[f_linked]]  # an option's where the option does
        else:  # investment intensity / tax per mu: yuan on A2 against 万元/亩 × A2
            money_o = np.nan_to_num(opts["investment_yuan" if metric.startswith("investment") else "tax_yuan"].to_numpy())
            money_f = np.nan_to_num(frame["investment_yuan" if metric.startswith("investment") else "tax_yuan"].to_numpy())
            per_m2 = YUAN_PER_WAN / M2_PER_MU  # yuan per m² for 1 万元/亩
            num_o, num_f, den_o, den_f, unit_scale = money_o * a2 / per_m2, money_f * f_a2 / per_m2, a * a2, fa * f_a2, 1.0
        value = float(t.value)
        tol_col = getattr(t, "tolerance", None)
        tol = (
            float(tol_col) if tol_col is not None and pd.notna(tol_col) else (settings.target_equal_tolerance if op == "=" else settings.target_bound_tolerance)
        )
        slack = _NO_SLACK_TOL * tol * abs(value)
        lo_v, hi_v = -math.inf, math.inf
        if op in (">=", ">", "="):
            lo_v = value - slack if op != ">" else value * (1 + 1e-9) + 1e-12
        if op in ("<=", "<", "="):
            hi_v = value + slack if op != "<" else value * (1 - 1e-9) - 1e-12
        row = {
            "kind": "target",
            "label": f"{scope} {metric} {y} {op} {value:g}",
            "scope": scope,
            "level": level,
            "metric": metric,
            "year": y,
            "op": op,
            "value": value,
        }
        if den_o is None:  # area metric: Σ area op value × scale
            coef = np.where(osel, num_o, 0.0)
            const = float(num_f[sel].sum())
            lo, hi = lo_v * unit_scale - const, hi_v * unit_scale - const
            add_row(np.arange(n_opt), coef, lo, hi, {**row, "unit_scale": unit_scale, "ratio": False, "constant": const})
        else:  # ratio: num − v × den within bounds, one row per bound
            assert den_f is not None  # a ratio metric has a denominator on both the options and the fixed parcels
            for bound, v in (("lo", lo_v), ("hi", hi_v)):
                if math.isinf(v):
                    continue
                coef = np.r_[np.where(osel, num_o - v * den_o, 0.0), added.astype(float)]
                const = float(num_f[sel].sum() - v * den_f[sel].sum())
                lo, hi = (-const, math.inf) if bound == "lo" else (-math.inf, -const)
                add_row(np.arange(n_cols), coef, lo, hi, {**row, "unit_scale": 1.0, "ratio": True, "bound": bound, "bound_value": v, "constant": const})

    # --- quotas
    if schedule and quota_years:
        q = quotas.assign(
            year=pd.to_numeric(quotas["year"], errors="coerce"), new_construction_mu=pd.to_numeric(quotas["new_construction_mu"], errors="coerce")
        )
        q = q[q["year"].isin(quota_years)].groupby(["zone_id", "year"], as_index=False)["new_construction_mu"].sum(min_count=1).dropna()
        fixed_plan = plan.with_layer("parcels", parcels[fixed | redevelop])
        used = land_consumption(fixed_plan, by="zone").dropna(subset=["group_id"]).set_index(["group_id", "year"])["new_construction_m2"]
        zcodes, zids = group_index(plan, "zone")
        construction_o = ofl["construction"].to_numpy(dtype=bool)
        supply = opts["supply_year"].to_numpy()
        for row in q.itertuples(index=False):
            zone, year, mu = str(row.zone_id), int(row.year), float(row.new_construction_mu)
            in_zone = (zcodes == zids.get_loc(zone)) if zone in zids else np.zeros(len(parcels), dtype=bool)
            coef = np.where(in_zone[opt_parcel] & construction_o & (supply == year), opts["area_m2"].to_numpy(), 0.0)
            const = float(used.get((zone, year), 0.0))
            cap = (mu + rules.quota_tolerance_mu) * M2_PER_MU
            add_row(
                np.arange(n_opt),
                coef,
                -math.inf,
                cap - const,
                {
                    "kind": "quota",
                    "label": f"quota {zone} {year} ≤ {mu:g} mu",
                    "scope": zone,
                    "level": "zone",
                    "metric": "new_construction_mu",
                    "year": year,
                    "op": "<=",
                    "value": mu,
                    "unit_scale": M2_PER_MU,
                    "ratio": False,
                    "constant": const,
                },
            )

    # --- control lines: forbidden options (column upper bound 0)
    forbidden = np.zeros(n_opt, dtype=bool)
    why = np.full(n_opt, "", dtype=object)
    base_conflict = np.full(n_opt, None, dtype=object)  # withdrawing to base land that itself breaks a line
    fixed_found: list[dict[str, object]] = []
    if rules.control_lines and "control_lines" in plan and len(plan.control_lines):
        lines = plan.control_lines
        kind = lines["kind"].astype("string")
        geoms = parcels.geometry
        for line_kind, flag, tol, rule in (
            ("ecological_redline", "construction", rules.overlap_tolerance_m2, "ecological_redline_overlap"),
            ("basic_farmland", "construction", rules.overlap_tolerance_m2, "basic_farmland_overlap"),
        ):
            these = lines[(kind == line_kind).fillna(False).to_numpy()]
            if these.empty:
                continue
            hit = np.zeros(len(parcels), dtype=bool)
            hit[parcels.index.get_indexer(overlaps(geoms, these, tolerance_m2=tol, basis=plan_area_basis(plan)).index)] = True
            on_line = hit[opt_parcel] & ofl[flag].to_numpy(dtype=bool)
            bad = on_line & (opts["kind"] != "withdraw").to_numpy()
            forbidden |= bad
            why[bad] = rule
            base_conflict[on_line & ~bad] = rule
            fixed_found += [{"rule": rule, "parcel_id": ids.iloc[i]} for i in np.flatnonzero(hit & fixed & cur[flag].to_numpy(dtype=bool))]
        boundary = lines[(kind == "urban_development_boundary").fillna(False).to_numpy()]
        if not boundary.empty:
            hit = np.zeros(len(parcels), dtype=bool)
            hit[parcels.index.get_indexer(outside(geoms, boundary, tolerance_m2=rules.boundary_tolerance_m2, basis=plan_area_basis(plan)).index)] = True
            on_line = hit[opt_parcel] & ofl["urban_construction"].to_numpy(dtype=bool)
            bad = on_line & (opts["kind"] != "withdraw").to_numpy()
            forbidden |= bad
            why[bad] = "outside_urban_development_boundary"
            base_conflict[on_line & ~bad] = "outside_urban_development_boundary"
            fixed_found += [
                {"rule": "outside_urban_development_boundary", "parcel_id": ids.iloc[i]}
                for i in np.flatnonzero(hit & fixed & cur["urban_construction"].to_numpy(dtype=bool))
            ]
    opts["forbidden_by"] = np.where(forbidden, why, None)  # type: ignore[call-overload]  # numpy's stubs refuse the None (an object scalar) that np.where takes
    opts["base_conflict"] = base_conflict

    # --- adjacency: a source option and a receptor option within the distance exclude each other
    if rules.env_adjacency:
        risk = (
            pd.to_numeric(parcels["env_risk_class"], errors="coerce").to_numpy(dtype=float)
            if "env_risk_class" in parcels.columns
            else np.full(len(parcels), np.nan)
        )
        o_src = ofl["code"].isin(list(rules.env_source_codes)).to_numpy(dtype=bool) | (
            (risk[opt_parcel] >= rules.env_risk_min_class) & ofl["construction"].to_numpy(dtype=bool)
        )
        o_rec = ofl["sensitive_receptor"].to_numpy(dtype=bool) & ~o_src
        f_src = cur["code"].isin(list(rules.env_source_codes)).to_numpy(dtype=bool) | (
            (risk >= rules.env_risk_min_class) & cur["construction"].to_numpy(dtype=bool)
        )
        f_rec = cur["sensitive_receptor"].to_numpy(dtype=bool) & ~f_src
        can_src = np.zeros(len(parcels), dtype=bool)
        can_rec = np.zeros(len(parcels), dtype=bool)
        np.logical_or.at(can_src, opt_parcel, o_src)
        np.logical_or.at(can_rec, opt_parcel, o_rec)
        can_src |= fixed & f_src
        can_rec |= fixed & f_rec
        geoms = parcels.geometry.reset_index(drop=True)
        ok = usable(geoms)
        pairs = adjacency_pairs(geoms[can_src & ok], geoms[can_rec & ok], distance_m=rules.env_min_distance_m)
        pairs = pairs[pairs["source"] != pairs["receptor"]]
        near_fixed: list[np.ndarray] = []  # options next to a fixed source or receptor
        starts = np.searchsorted(opt_parcel, np.arange(len(parcels)))
        ends = np.searchsorted(opt_parcel, np.arange(len(parcels)), side="right")
        for s, r in zip(pairs["source"].to_numpy(), pairs["receptor"].to_numpy()):
            s_fixed, r_fixed = fixed[s], fixed[r]
            if s_fixed and r_fixed:
                if f_src[s] and f_rec[r]:
                    fixed_found.append({"rule": "env_adjacency", "parcel_id": f"{ids.iloc[s]} ~ {ids.iloc[r]}"})
                continue
            s_cols = np.arange(starts[s], ends[s])[o_src[starts[s] : ends[s]]]
            r_cols = np.arange(starts[r], ends[r])[o_rec[starts[r] : ends[r]]]
            if s_fixed:
                if f_src[s]:
                    near_fixed.append(r_cols)
                continue
            if r_fixed:
                if f_rec[r]:
                    near_fixed.append(s_cols)
                continue
            if len(s_cols) and len(r_cols):
                cols = np.r_[s_cols, r_cols]
                add_row(cols, np.ones(len(cols)), -math.inf, 1.0, {"kind": "adjacency", "label": f"env_adjacency {ids.iloc[s]} ~ {ids.iloc[r]}"})
        if near_fixed:
            hit_cols = np.unique(np.concatenate(near_fixed))
            forbidden[hit_cols] = True
            by = opts["forbidden_by"].to_numpy(dtype=object)
            by[hit_cols] = "env_adjacency"
            opts["forbidden_by"] = by
    # a parcel whose every option is forbidden keeps them all possible only through withdrawing;
    # parcels with no allowed option at all are impossible — name them
    allowed_any = np.zeros(len(parcels), dtype=bool)
    np.logical_or.at(allowed_any, opt_parcel, ~forbidden)
    stuck = np.flatnonzero(~allowed_any & np.isin(np.arange(len(parcels)), has))
    if len(stuck):
        names = ", ".join(ids.iloc[stuck[:5]])
        raise InputError(
            f"parcel(s) {names} have no allowed land use (every option breaks a control line or adjacency rule); pin them or allow other classes",
            layer="parcels",
            feature=names,
            rule="solve",
        )

    A = sp.csr_matrix((np.concatenate(coo_v), (np.concatenate(coo_r), np.concatenate(coo_c))), shape=(len(lb), n_cols))
    # target and quota rows in km² of land: HiGHS proves optimality far faster on rows of unit scale
    row_table = pd.DataFrame(rows)
    scale = np.where(row_table["kind"].isin(["target", "quota"]).to_numpy(), ROW_SCALE, 1.0)
    row_table["m2_per_unit"] = 1.0 / scale
    A = (sp.diags(scale) @ A).tocsr()
    opts["forbidden"] = forbidden
    if rules.parcel_rules:
        from zoneplan.compliance.parcel_rules import parcel_rule_violations

        broken = parcel_rule_violations(plan, year=horizon, rules=rules).violations
        locked = set(ids[fixed])
        fixed_found += [{"rule": r, "parcel_id": f} for r, f in zip(broken["rule"], broken["feature_id"]) if f in locked]
    fixed_v = pd.DataFrame(fixed_found, columns=["rule", "parcel_id"]).drop_duplicates(ignore_index=True)
    return Model(
        plan=plan,
        options=opts,
        A=A,
        lb=np.asarray(lb, dtype=float) * scale,
        ub=np.asarray(ub, dtype=float) * scale,
        rows=row_table,
        years=tuple(sorted({int(y) for y in targets["year"]})),
        start_year=start,
        horizon=horizon,
        schedule=bool(schedule),
        free=free,
        fixed_violations=fixed_v,
        not_modelled=not_modelled,
        rules=rules,
        settings={"buckets": [list(b) for b in buckets], "objective": objective, "pinned": int(pinned.sum()), "redevelop": int(redevelop.sum())},
        area_basis=plan_area_basis(plan),
        floor=floor,
    )
