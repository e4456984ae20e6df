"""``zoneplan analyze``: the intensive-use indicators, remaining land and targets of a plan."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from zoneplan.analysis import INDICATOR_DISPLAY_UNITS, INDICATOR_NAMES, INDICATOR_TITLES, INDICATOR_UNITS, analyze
from zoneplan.analysis.grouping import as_level
from zoneplan.analysis.intensity import load_profile
from zoneplan.cli import app
from zoneplan.cli._common import console, emit_json, header, load_plan, table_of
from zoneplan.cli._tables import quantity

#: Indicator title and unit for the human table (rates shown in %).
_HEADERS = {k: (INDICATOR_TITLES[k], INDICATOR_DISPLAY_UNITS[k]) for k in INDICATOR_NAMES}
_TYPES = {"industry_led": "工业主导型", "industry_city": "产城融合型", "other": "其他类型"}
_PER_TABLE = 4
_PERCENT = {k for k in INDICATOR_NAMES if INDICATOR_UNITS.get(k) == "fraction"}


@app.command("analyze")
def analyze_cmd(
    plan_path: Annotated[str, typer.Argument(metavar="PLAN", help="Plan GeoPackage or postgresql:// URI.")],
    year: Annotated[int | None, typer.Option("--year", help="Evaluation year (statuses, codes, idle land on 31 Dec). Default: the plan as it stands.")] = None,
    by: Annotated[str, typer.Option("--by", help="Group by zone, district, park or phase.")] = "zone",
    profile: Annotated[
        Path | None, typer.Option("--profile", help="Scoring profile TOML (ideal values and weights). Default: the bundled local example.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines instead of tables.")] = False,
    dask: Annotated[bool, typer.Option("--dask", help="Run partitioned by zone on dask: a local cluster on all cores.")] = False,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", metavar="ADDRESS", help="Run on an existing dask cluster (tcp://host:8786); implies --dask.")
    ] = None,
) -> None:
    """Intensive land-use indicators, remaining land, years of supply left and targets, per group.
    \f

    Examples
    --------
    >>> import json
    >>> from typer.testing import CliRunner
    >>> from zoneplan import datasets
    >>> from zoneplan.cli import app
    >>> done = CliRunner().invoke(app, ["analyze", str(datasets.get_path("zhangdian")), "--by", "phase", "--json"])
    >>> report = json.loads(done.stdout)
    >>> done.exit_code, [(g["id"], g["name"]) for g in report["groups"]]
    (0, [('zhangdian-phase-1', '一期'), ('zhangdian-phase-2', '二期'), ('zhangdian-phase-3', '三期')])
    >>> "land_supply_rate" in report["groups"][0]["indicators"]
    True
    """
    level = as_level(by, what="--by")
    prof = load_profile(profile)
    plan = load_plan(plan_path)
    if dask or scheduler:
        from zoneplan import distributed

        result = distributed.analyze(plan, year=year, by=level, profile=prof, scheduler=scheduler)
    else:
        result = analyze(plan, year=year, by=level, profile=prof)
    if as_json:
        emit_json(result)
        return
    title = plan.meta.get("title", plan.name)
    when = f"year {year}" if year is not None else "as the plan stands"
    header(str(title), f" — {when}, by {by}; idle land judged on {result['as_of']}; score profile: {result['profile']}", basis=result["area_basis"])
    groups = result["groups"]
    if not groups:
        console.print("no groups")
    for start in range(0, len(groups), _PER_TABLE):
        chunk = groups[start : start + _PER_TABLE]
        rows: dict[str, list[Any]] = {"indicator": [_HEADERS[k][0] for k in INDICATOR_NAMES], "unit": [_HEADERS[k][1] for k in INDICATOR_NAMES]}
        for g in chunk:
            values = [g["indicators"][k] for k in INDICATOR_NAMES]
            rows[g["id"]] = [float("nan") if v is None else (v * 100 if k in _PERCENT else v) for k, v in zip(INDICATOR_NAMES, values)]
        frame = pd.DataFrame(rows)
        names = "; ".join(f"{g['id']} {g['name'] or ''} {_TYPES.get(g['zone_type'], g['zone_type'])}" for g in chunk)
        console.print(table_of(frame, title=f"Indicators by {by}: {names}"))
        for g in chunk:
            if g["score_missing"]:
                missing = ", ".join(g["score_missing"])
                said = (
                    f"no intensity score — missing {missing}" if g["indicators"]["intensity_score"] is None else f"intensity score without {missing} (optional)"
                )
                console.print(f"  {g['id']}: {said}", markup=False)
    targets = pd.DataFrame(result["targets"])
    if len(targets):
        shown, notes = _targets_for_people(targets)
        console.print(table_of(shown, title="Targets (gap = actual − target)"))
        for note in notes:
            console.print(f"  {note}", markup=False)


_OP_SIGNS = {">=": "≥", "<=": "≤", "=": "=", ">": ">", "<": "<"}


def _met(row: pd.Series) -> str:
    """yes / no / cannot tell, and "within tolerance" when the value meets the target only by its tolerance."""
    if row["met"] is None or pd.isna(row["met"]):
        return "cannot tell" + (f" ({row['note']})" if row.get("note") else "")
    if not row["met"]:
        return "no"
    strictly = {">=": row["actual"] >= row["target"], "<=": row["actual"] <= row["target"], "=": row["actual"] == row["target"]}.get(row["op"], True)
    return "yes" if strictly else "yes, within tolerance"


def _targets_for_people(targets: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The targets as people read them: rounded values with units, the gap in the unit and in mu, met explained."""
    gap = [
        " · ".join(p for p in (quantity(r.gap_pp, "pp") if r.unit == "fraction" else quantity(r.gap, r.unit), quantity(r.gap_mu, "mu")) if p)
        for r in targets.itertuples()
    ]
    shown = pd.DataFrame(
        {
            "scope": targets["scope"],
            "metric": targets["metric"],
            "year": targets["year"].map(lambda y: "" if y is None or pd.isna(y) else str(int(y))),
            "target": [f"{_OP_SIGNS.get(r.op, r.op)} {quantity(r.target, r.unit)}" for r in targets.itertuples()],
            "actual": [quantity(r.actual, r.unit) for r in targets.itertuples()],
            "gap": gap,
            "met": targets.apply(_met, axis=1),
        }
    )
    tolerances = targets.loc[shown["met"] == "yes, within tolerance", "tolerance"].dropna().unique()
    notes = [
        f"within tolerance: misses the target by less than {tol:.2%} of its value — the rounding of figures quoted in the plan"
        " (a `tolerance` column in the targets table overrides it)"
        for tol in sorted(tolerances)
    ]
    return shown, notes
