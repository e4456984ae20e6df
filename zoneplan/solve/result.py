"""The answer of a solve: chosen options as a :class:`~zoneplan.scenario.Scenario`, and what it reaches.

The edits use the scenario language, so the answer is reviewed, stored, compared and reported
like any other scenario:

* ``landuse`` (:class:`~zoneplan.scenario.ChangeLanduse`) — one edit per new code, naming the
  parcels; a withdrawn parcel goes back to its ``base_landuse_code``;
* ``status`` (:class:`~zoneplan.scenario.ChangeStatus`) — one edit per development year setting
  ``planned_year`` (and, with a schedule, ``supplied_year``, the year the supply counts against
  the quota); withdrawn parcels have both years cleared;
* ``set`` (:class:`~zoneplan.scenario.SetAttributes`) — investment raised to the per-parcel
  minimum intensity on parcels that become (or stay) industrial land, with ``project = "new"``
  where the plan records project types and the parcel has none (so the per-parcel rule judges it);
  ``floor_area_m2`` set where the solve densifies a parcel (``max_far``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from zoneplan.errors import PlanError
from zoneplan.plan import Plan
from zoneplan.scenario import ChangeLanduse, ChangeStatus, Edit, Scenario, SetAttributes
from zoneplan.solve.model import _NEVER, Model
from zoneplan.units import M2_PER_MU

__all__ = ["CHANGE_COLUMNS", "SolveResult", "applied", "changes_of", "scenario_of", "with_base_conflicts"]

#: Columns of :attr:`SolveResult.changes`.
CHANGE_COLUMNS = [
    "parcel_id",
    "change",
    "from_code",
    "to_code",
    "from_year",
    "to_year",
    "supplied_year",
    "area_m2",
    "area_mu",
    "investment_yuan",
    "floor_area_m2",
    "floor_added_m2",
]
_TINY_FLOOR_M2 = 1e-6  # floor area added below a millionth of a square metre is solver noise


@dataclass
class SolveResult:
    """What a solve found.

    Attributes
    ----------
    status
        ``"optimal"``, ``"infeasible"`` or ``"time_limit"`` (a feasible, not proven optimal answer).
    objective
        The objective's name; ``objective_value`` its value (mu, parcels or mu·years).
    scenario
        The answer as a scenario (None when infeasible).
    changes
        One row per parcel the scenario touches (:data:`CHANGE_COLUMNS`); ``change`` is
        ``landuse``, ``withdraw``, ``schedule`` (years only), ``investment`` or ``floor_area``
        (floor area only); ``floor_area_m2`` is the new floor area where the solve adds some
        (``floor_added_m2``), else NaN.
    targets
        The solved targets on the edited plan, from :func:`zoneplan.analysis.target_status`
        (or, when infeasible, on the least-relaxed plan).
    schedule
        New construction land per zone and year on the edited plan against the quotas
        (:func:`zoneplan.compliance.quotas.quota_balance`).
    conflicts
        When infeasible: the targets and quotas that cannot all hold and the smallest relaxation
        of each (:mod:`zoneplan.solve.conflicts`).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.solve import solve
    >>> result = solve(datasets.load("linqing"), years=[2035])
    >>> result.changed_parcels, round(result.changed_area_mu, 1), result.added_floor_area_m2
    (21, 734.5, 0.0)
    >>> result.edits[0]["kind"], len(result.edits) == len(result.scenario.edits)
    ('landuse', True)
    >>> document = result.to_json()
    >>> document["status"], document["changed_parcels"], len(document["edits"]) == len(result.edits)
    ('optimal', 21, True)
    """

    status: str
    objective: str
    objective_value: float | None
    scenario: Scenario | None
    changes: pd.DataFrame
    targets: pd.DataFrame
    schedule: pd.DataFrame
    conflicts: pd.DataFrame
    not_modelled: pd.DataFrame
    fixed_violations: pd.DataFrame
    years: tuple[int, ...]
    start_year: int
    horizon: int
    seconds: float
    size: dict[str, float]
    binding: pd.DataFrame = field(default_factory=pd.DataFrame)
    area_basis: str = "planar"

    @classmethod
    def of(
        cls,
        model: Model,
        *,
        status: str,
        objective: str,
        objective_value: float | None,
        scenario: Scenario | None,
        changes: pd.DataFrame,
        targets: pd.DataFrame,
        schedule: pd.DataFrame,
        conflicts: pd.DataFrame,
        fixed_violations: pd.DataFrame,
        seconds: float,
        size: dict[str, float],
        binding: pd.DataFrame | None = None,
    ) -> SolveResult:
        """A result of ``model``: the years, horizon and unmodelled targets from the model; the
        changes without their internal columns.

        Examples
        --------
        >>> import pandas as pd
        >>> from zoneplan import datasets
        >>> from zoneplan.solve import build_model
        >>> model = build_model(datasets.load("linqing"), years=[2035])
        >>> empty = pd.DataFrame(columns=CHANGE_COLUMNS)
        >>> r = SolveResult.of(model, status="optimal", objective="least-area", objective_value=0.0, scenario=None, changes=empty,
        ...                    targets=empty, schedule=empty, conflicts=empty, fixed_violations=empty, seconds=0.0, size={})
        >>> r.years, r.horizon, r.edits
        ((2035,), 2035, [])
        """
        return cls(
            status=status,
            objective=objective,
            objective_value=objective_value,
            scenario=scenario,
            changes=changes.drop(columns=[c for c in changes.columns if c.startswith("_")]),
            targets=targets,
            schedule=schedule,
            conflicts=conflicts,
            not_modelled=model.not_modelled,
            fixed_violations=fixed_violations,
            years=model.years,
            start_year=model.start_year,
            horizon=model.horizon,
            seconds=seconds,
            size=size,
            binding=binding if binding is not None else pd.DataFrame(),
            area_basis=model.area_basis,
        )

    @property
    def changed_area_mu(self) -> float:
        """Area of the parcels whose land use changes (incl. withdrawn), mu."""
        ch = self.changes
        return float(ch.loc[ch["change"].isin(["landuse", "withdraw"]), "area_mu"].sum()) if len(ch) else 0.0

    @property
    def changed_parcels(self) -> int:
        """Number of parcels whose land use changes (incl. withdrawn)."""
        ch = self.changes
        return int(ch["change"].isin(["landuse", "withdraw"]).sum()) if len(ch) else 0

    @property
    def added_floor_area_m2(self) -> float:
        """Floor area the answer adds (densified parcels), m²."""
        ch = self.changes
        return float(ch["floor_added_m2"].sum()) if len(ch) and "floor_added_m2" in ch else 0.0

    @property
    def edits(self) -> list[dict[str, Any]]:
        """The scenario's edits as plain data."""
        return [e.to_dict() for e in self.scenario.edits] if self.scenario else []

    def to_json(self) -> dict[str, Any]:
        """The ``zoneplan solve --json`` document."""
        from zoneplan.compare import records

        return {
            "status": self.status,
            "objective": self.objective,
            "objective_value": self.objective_value,
            "area_basis": self.area_basis,
            "years": list(self.years),
            "start_year": self.start_year,
            "changed_area_mu": self.changed_area_mu,
            "changed_parcels": self.changed_parcels,
            "added_floor_area_m2": self.added_floor_area_m2,
            "scenario": self.scenario.name if self.scenario else None,
            "edits": self.edits,
            "changes": records(self.changes),
            "targets": records(self.targets),
            "schedule": records(self.schedule),
            "conflicts": records(self.conflicts),
            "binding": records(self.binding),
            "not_modelled": records(self.not_modelled),
            "fixed_violations": records(self.fixed_violations),
            "seconds": self.seconds,
            "size": self.size,
        }


def _year(v: int) -> int | None:
    return None if v == _NEVER or v < 0 else int(v)


def changes_of(model: Model, chosen: np.ndarray, floor: np.ndarray | None = None) -> pd.DataFrame:
    """The parcels the chosen options (one per parcel with options) and the floor area added
    (m² per floor-area column of the model) change, vs the plan.

    Returns
    -------
    pandas.DataFrame
        :data:`CHANGE_COLUMNS` and internal ``_pos``, ``_supply_changed``, ``_planned_changed``;
        parcels the answer leaves as they are are left out.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.solve import build_model
    >>> from zoneplan.solve.solver import criteria, lexicographic
    >>> model = build_model(datasets.load("linqing"), years=[2035])
    >>> answer = lexicographic(model, [criteria(model)["area"]])
    >>> changes = changes_of(model, answer.x, answer.floor)
    >>> round(float(changes.loc[changes["change"].isin(["landuse", "withdraw"]), "area_mu"].sum()), 1)  # the least area
    734.5
    """
    plan = model.plan
    parcels = plan.parcels
    opts = model.options.iloc[np.flatnonzero(chosen)]
    pos = opts["parcel"].to_numpy()
    own_code = parcels["landuse_code"].astype("string").to_numpy(dtype=object, na_value=None)[pos]
    own_planned = (
        pd.to_numeric(parcels["planned_year"], errors="coerce").fillna(_NEVER).to_numpy(dtype=np.int64)[pos]
        if "planned_year" in parcels.columns
        else np.full(len(pos), _NEVER)
    )
    own_supplied = (
        pd.to_numeric(parcels["supplied_year"], errors="coerce").fillna(_NEVER).to_numpy(dtype=np.int64)[pos]
        if "supplied_year" in parcels.columns
        else np.full(len(pos), _NEVER)
    )
    own_inv = (
        pd.to_numeric(parcels["investment_yuan"], errors="coerce").to_numpy(dtype=float)[pos]
        if "investment_yuan" in parcels.columns
        else np.full(len(pos), np.nan)
    )
    kind = opts["kind"].to_numpy()
    year = opts["year"].to_numpy()
    built_kind = np.isin(kind, ["keep_built", "redevelop"])
    later = kind == "later"
    new_planned = np.where(built_kind | later, own_planned, year)
    new_supplied = np.where(built_kind | later, own_supplied, np.where(kind == "withdraw", _NEVER, year if model.schedule else own_supplied))
    inv = opts["investment_yuan"].to_numpy(dtype=float)
    raised = ~np.isnan(inv) & ~(np.nan_to_num(own_inv, nan=-1.0) >= inv)
    code = opts["code"].to_numpy(dtype=object)
    change = np.where(
        kind == "withdraw",
        "withdraw",
        np.where(
            code != own_code, "landuse", np.where((new_planned != own_planned) | (new_supplied != own_supplied), "schedule", np.where(raised, "investment", ""))
        ),
    )
    out = pd.DataFrame(
        {
            "parcel_id": opts["parcel_id"].to_numpy(),
            "change": change,
            "from_code": own_code,
            "to_code": code,
            "from_year": pd.array([_year(v) for v in own_planned], dtype="Int64"),
            "to_year": pd.array([_year(v) for v in new_planned], dtype="Int64"),
            "supplied_year": pd.array([_year(v) for v in new_supplied], dtype="Int64"),
            "area_m2": opts["area_m2"].to_numpy(),
            "area_mu": opts["area_m2"].to_numpy() / M2_PER_MU,
            "investment_yuan": np.where(raised, inv, np.nan),
            "floor_area_m2": np.nan,
            "floor_added_m2": np.nan,
            "_pos": pos,
            "_supply_changed": new_supplied != own_supplied,
            "_planned_changed": new_planned != own_planned,
        }
    )
    if floor is not None and len(model.floor):
        f = model.floor.assign(added=floor)
        f = f[f["added"] > _TINY_FLOOR_M2]
        added = pd.Series(f["added"].to_numpy(), index=f["parcel"].to_numpy()).groupby(level=0).sum()
        now = pd.Series(f["floor_area_m2"].to_numpy(dtype=float), index=f["parcel"].to_numpy()).groupby(level=0).first()
        on = out["_pos"].isin(added.index).to_numpy()
        out.loc[on, "floor_added_m2"] = added.reindex(out.loc[on, "_pos"]).to_numpy()
        out.loc[on, "floor_area_m2"] = (now + added).reindex(out.loc[on, "_pos"]).to_numpy()
        out.loc[on & (out["change"] == "").to_numpy(), "change"] = "floor_area"
        rest = added.index[~added.index.isin(out["_pos"])].to_numpy(dtype=np.int64)  # fixed parcels densified
        if len(rest):
            own = parcels["landuse_code"].astype("string").to_numpy(dtype=object, na_value=None)[rest]
            years = pd.to_numeric(parcels["planned_year"], errors="coerce").astype("Int64").to_numpy()[rest] if "planned_year" in parcels.columns else pd.NA
            supplied = (
                pd.to_numeric(parcels["supplied_year"], errors="coerce").astype("Int64").to_numpy()[rest] if "supplied_year" in parcels.columns else pd.NA
            )
            named = model.floor.drop_duplicates("parcel").set_index("parcel").loc[rest]
            m2 = _parcel_area_m2(model)[rest]
            extra = pd.DataFrame(
                {
                    "parcel_id": named["parcel_id"].to_numpy(),
                    "change": "floor_area",
                    "from_code": own,
                    "to_code": own,
                    "from_year": pd.array(years, dtype="Int64"),
                    "to_year": pd.array(years, dtype="Int64"),
                    "supplied_year": pd.array(supplied, dtype="Int64"),
                    "area_m2": m2,
                    "area_mu": m2 / M2_PER_MU,
                    "investment_yuan": np.nan,
                    "floor_area_m2": (now + added).loc[rest].to_numpy(),
                    "floor_added_m2": added.loc[rest].to_numpy(),
                    "_pos": rest,
                    "_supply_changed": False,
                    "_planned_changed": False,
                }
            )
            out = pd.concat([out, extra], ignore_index=True)
    return out[out["change"] != ""].reset_index(drop=True)


def _parcel_area_m2(model: Model) -> np.ndarray:
    """Area of every parcel of the model's plan, m² on the model's basis (the analyses' areas)."""
    from zoneplan.analysis._frame import parcel_frame

    return parcel_frame(model.plan, None)["area_m2"].to_numpy(dtype=float)


def scenario_of(model: Model, changes: pd.DataFrame, *, name: str, description: str) -> Scenario:
    """The edits that turn the plan into the chosen options (see the module docstring).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.solve import build_model
    >>> from zoneplan.solve.solver import criteria, lexicographic
    >>> model = build_model(datasets.load("linqing"), years=[2035])
    >>> answer = lexicographic(model, [criteria(model)["area"]])
    >>> scenario = scenario_of(model, changes_of(model, answer.x), name="meet-2035", description="least land-use change")
    >>> scenario.name, sorted({e.kind for e in scenario.edits})
    ('meet-2035', ['landuse', 'set', 'status'])
    """
    edits: list[Edit] = []
    note = "zoneplan solve"
    lu = changes[changes["change"].isin(["landuse", "withdraw"])]
    for code, rows in lu.groupby("to_code", sort=True):
        edits.append(ChangeLanduse(parcels=tuple(rows["parcel_id"]), landuse_code=str(code), note=f"{note}: land use"))
    gone = changes[(changes["change"] == "withdraw") & (changes["_planned_changed"] | changes["_supply_changed"])]
    if len(gone):
        edits.append(ChangeStatus(parcels=tuple(gone["parcel_id"]), clear=("planned_year", "supplied_year"), note=f"{note}: withdrawn, not developed"))
    timed = changes[(changes["change"] != "withdraw") & (changes["_planned_changed"] | changes["_supply_changed"])]
    for (planned, supplied), rows in timed.groupby([timed["to_year"].fillna(_NEVER), timed["supplied_year"].fillna(_NEVER)], sort=True):
        kw: dict[str, Any] = {}
        if planned != _NEVER:
            kw["planned_year"] = int(planned)
        if supplied != _NEVER and model.schedule:
            kw["supplied_year"] = int(supplied)
        if kw:
            edits.append(ChangeStatus(parcels=tuple(rows["parcel_id"]), **kw, note=f"{note}: {'supply and ' if 'supplied_year' in kw else ''}development year"))
    money = changes[changes["investment_yuan"].notna()]
    parcels = model.plan.parcels
    records_project = "project" in parcels.columns and parcels["project"].notna().any()
    for pid, amount, pos in zip(money["parcel_id"], money["investment_yuan"], money["_pos"]):
        values: dict[str, Any] = {"investment_yuan": float(amount)}
        if records_project and pd.isna(parcels["project"].iloc[int(pos)]):
            values["project"] = "new"
        edits.append(SetAttributes(layer="parcels", ids=(str(pid),), values=values, note=f"{note}: investment at the minimum intensity"))
    denser = changes[changes["floor_added_m2"].notna()] if "floor_added_m2" in changes else changes.iloc[:0]
    for pid, amount in zip(denser["parcel_id"], denser["floor_area_m2"]):
        edits.append(
            SetAttributes(layer="parcels", ids=(str(pid),), values={"floor_area_m2": float(amount)}, note=f"{note}: floor area within the maximum plot ratio")
        )
    return Scenario(name, tuple(edits), description)


def applied(plan: Plan, scenario: Scenario) -> Plan:
    """``scenario`` applied to ``plan``, validated once at the end (the solve's edits touch
    parcel attributes only, so one validation judges them all).

    Raises
    ------
    PlanError
        The edited plan has a validation problem the plan did not have.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.analysis import target_status
    >>> from zoneplan.solve import solve
    >>> plan = datasets.load("linqing")
    >>> edited = applied(plan, solve(plan, years=[2035]).scenario)
    >>> bool(target_status(edited).query("year == 2035")["met"].all())
    True
    """
    from zoneplan.validate import validate

    def keys(problems: pd.DataFrame) -> set[tuple[str, str, str]]:
        return set(zip(problems["layer"].astype(str), problems["feature_id"].astype(str), problems["rule"].astype(str))) if len(problems) else set()

    edited = scenario.apply(plan, validate=False)
    new = keys(validate(edited)) - keys(validate(plan))
    if new:
        layer, feature, rule = sorted(new)[0]
        raise PlanError(f"scenario {scenario.name!r} makes the plan invalid ({len(new)} problem(s))", layer=layer, feature=feature, rule=rule)
    return edited


def with_base_conflicts(model: Model, chosen: np.ndarray) -> pd.DataFrame:
    """The model's fixed violations plus chosen withdrawals whose base land breaks a control line.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.solve import build_model
    >>> from zoneplan.solve.solver import criteria, lexicographic
    >>> model = build_model(datasets.load("linqing"), years=[2035])
    >>> found = with_base_conflicts(model, lexicographic(model, [criteria(model)["area"]]).x)
    >>> list(found.columns), len(found) >= len(model.fixed_violations)
    (['rule', 'parcel_id'], True)
    """
    picked = model.options.iloc[np.flatnonzero(chosen)]
    extra = picked[picked["base_conflict"].notna()]
    rows = pd.DataFrame({"rule": extra["base_conflict"].astype(str).to_numpy(), "parcel_id": extra["parcel_id"].astype(str).to_numpy()})
    return pd.concat([model.fixed_violations, rows], ignore_index=True).drop_duplicates(ignore_index=True)
