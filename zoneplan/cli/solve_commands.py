"""``zoneplan solve``: the least change that meets the plan's own targets, quotas and rules.

Examples::

    zoneplan solve layers/linqing.gpkg --year 2035
    zoneplan solve plan.gpkg --year 2035 --objective least-parcels --pin LQC-0042 --save meet-2035
    zoneplan solve plan.gpkg --json        # status, objective, changed_area_mu, edits, conflicts …

Exit status: 0 an optimal answer, 1 no plan can meet the targets (the conflicts are listed),
2 bad input.
"""

from __future__ import annotations

import contextlib
from typing import Annotated

import typer

from zoneplan.cli import app
from zoneplan.cli._common import EXIT_FOUND, console, emit_json, header, load_plan, styled, table_of
from zoneplan.errors import InputError
from zoneplan.io import is_database_uri
from zoneplan.progress import quiet
from zoneplan.scenario import with_scenario
from zoneplan.solve import OBJECTIVES, solve
from zoneplan.solve.result import applied

_SHOWN = 60  # changed parcels listed in the human output; --json carries all


@app.command("solve")
def solve_cmd(
    plan_path: Annotated[str, typer.Argument(metavar="PLAN", help="Plan GeoPackage or postgresql:// URI.")],
    year: Annotated[list[int] | None, typer.Option("--year", help="Solve for the targets of this year (repeatable; default every target year).")] = None,
    objective: Annotated[str, typer.Option("--objective", help=f"What a change costs: {' | '.join(OBJECTIVES)}.")] = "least-area",
    pin: Annotated[list[str] | None, typer.Option("--pin", metavar="ID", help="Parcel that must stay as it is (repeatable).")] = None,
    allow_built: Annotated[list[str] | None, typer.Option("--allow-built", metavar="ID", help="Built parcel that may change land use (repeatable).")] = None,
    classes: Annotated[
        list[str] | None,
        typer.Option(
            "--class",
            metavar="CODE",
            help="2023 code a free parcel may take (repeatable; default the parcels' allowed_codes, else the plan's main industrial code).",
        ),
    ] = None,
    start_year: Annotated[int | None, typer.Option("--start-year", help="First year a parcel can be developed (default: the plan's as_of year).")] = None,
    schedule: Annotated[
        bool | None,
        typer.Option("--schedule/--no-schedule", help="Give developed parcels a supply year counted against the quotas (default: when the plan has quotas)."),
    ] = None,
    time_limit: Annotated[float | None, typer.Option("--time-limit", help="Seconds HiGHS may spend per stage.")] = None,
    save: Annotated[str | None, typer.Option("--save", metavar="NAME", help="Store the answer as scenario NAME in the plan GeoPackage.")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Replace a stored scenario of the same name.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines instead of tables.")] = False,
) -> None:
    """Find the least change of PLAN that meets its targets, quotas, control lines and adjacency rules.
    \f

    Examples
    --------
    >>> import json
    >>> from typer.testing import CliRunner
    >>> from zoneplan import datasets
    >>> from zoneplan.cli import app
    >>> done = CliRunner().invoke(app, ["solve", str(datasets.get_path("linqing")), "--year", "2035", "--json"])
    >>> answer = json.loads(done.stdout)
    >>> done.exit_code, answer["status"], answer["changed_parcels"], round(answer["changed_area_mu"]), answer["conflicts"]
    (0, 'optimal', 21, 735, [])
    """
    if objective not in OBJECTIVES:
        raise InputError(f"--objective must be one of {', '.join(OBJECTIVES)}, not {objective!r}", rule="solve")
    if save and is_database_uri(plan_path):
        raise InputError("scenarios are stored in a plan GeoPackage; export the plan first", file=plan_path, rule="scenario")
    plan = load_plan(plan_path)
    with quiet() if as_json else contextlib.nullcontext():
        result = solve(
            plan,
            years=year or None,
            objective=objective,
            pins=pin or (),
            allow_built=allow_built or (),
            classes=classes or None,
            schedule=schedule,
            start_year=start_year,
            name=save,
            time_limit=time_limit,
        )
    saved = None
    if save and result.status != "infeasible" and result.scenario is not None:
        applied(plan, result.scenario)  # validated once; the stored copy need not be re-applied edit by edit
        with_scenario(plan, result.scenario, replace=replace, validate=False).write(plan_path)
        saved = result.scenario.name
    if as_json:
        emit_json({**result.to_json(), "saved": saved})
    else:
        _print(result, plan_path, saved, save)
    if result.status == "infeasible":
        raise typer.Exit(EXIT_FOUND)


def _print(result, plan_path: str, saved: str | None, wanted: str | None) -> None:
    years = ", ".join(map(str, result.years))
    header(str(plan_path), f" — targets of {years}, objective {result.objective} (first free year {result.start_year}); areas in mu", basis=result.area_basis)
    if result.status == "infeasible":
        console.print(styled(("infeasible", "red"), ": no plan meets every target and quota; the least relaxation:"))
        console.print(table_of(result.conflicts.drop(columns=["label"]), title="Conflicts"))
        if len(result.binding):
            console.print(table_of(result.binding, title="Hard rules that make it worse"))
        if wanted:
            console.print(f"  not saved: scenario {wanted} would not meet the targets", markup=False)
    else:
        word = "optimal" if result.status == "optimal" else "feasible (time limit, not proven optimal)"
        console.print(
            styled(
                (word, "green"),
                f": {result.changed_parcels} parcel(s), {result.changed_area_mu:,.2f} mu change land use; objective {result.objective_value:,.4f}",
            )
        )
    changes = result.changes
    if len(changes):
        order = changes["change"].map({"landuse": 0, "withdraw": 1, "schedule": 2, "investment": 3})
        shown = (
            changes.assign(_o=order)
            .sort_values(["_o", "area_mu"], ascending=[True, False])
            .head(_SHOWN)[["parcel_id", "change", "from_code", "to_code", "from_year", "to_year", "area_mu"]]
        )
        console.print(table_of(shown, title=f"Changes ({len(changes)} parcel(s){', first ' + str(_SHOWN) if len(changes) > _SHOWN else ''})"))
    if len(result.targets):
        console.print(
            table_of(result.targets[["scope", "metric", "year", "op", "target", "actual", "met"]], title="Targets on the edited plan", floatfmt="{:,.4f}")
        )
    if len(result.schedule):
        console.print(
            table_of(result.schedule[["zone_id", "year", "quota_mu", "used_mu", "balance_mu", "status"]], title="New construction land against the quotas (mu)")
        )
    for row in result.not_modelled.itertuples(index=False):
        console.print(f"  not solved for: {row.scope} {row.metric} {row.year} — {row.reason}", markup=False)
    for row in result.fixed_violations.itertuples(index=False):
        console.print(f"  cannot fix: {row.rule} on fixed parcel {row.parcel_id}", markup=False)
    if saved:
        console.print(f"  saved as scenario {saved}: zoneplan scenario {plan_path} show {saved}", markup=False)
