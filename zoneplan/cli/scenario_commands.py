"""``zoneplan scenario PLAN add|list|show|remove|compare`` — what-if scenarios stored in the plan.

Examples::

    zoneplan scenario plan.gpkg add phase3-late --edits phase3-late.toml
    zoneplan scenario plan.gpkg list
    zoneplan scenario plan.gpkg compare phase3-late logistics --year 2025 --year 2035 --json
"""

from __future__ import annotations

import contextlib
import sys
from typing import Annotated

import typer

from zoneplan.analysis.grouping import as_level
from zoneplan.cli import app
from zoneplan.cli._common import console, emit_json, header, load_plan, say, styled, table_of
from zoneplan.compare import DEFAULT_HORIZON_YEARS, compare
from zoneplan.errors import InputError
from zoneplan.io import is_database_uri, locked
from zoneplan.progress import quiet
from zoneplan.scenario import apply_scenarios, read_edits_file, scenarios_of, with_scenario, without_scenario

scenario_app = typer.Typer(help="What-if scenarios: named, ordered edits of a plan, stored in its GeoPackage.", no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines instead of tables.")]


@scenario_app.callback()
def _plan(ctx: typer.Context, plan: Annotated[str, typer.Argument(metavar="PLAN", help="Plan GeoPackage holding the scenarios.")]) -> None:
    """What-if scenarios stored in PLAN (table ``scenarios``)."""
    ctx.obj = plan


@scenario_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Scenario name.")],
    edits: Annotated[str, typer.Option("--edits", help="TOML or JSON file with the edits (a scenario or a list of edits).")],
    description: Annotated[str | None, typer.Option("--description", help="What the scenario asks (default: from the file).")] = None,
    replace: Annotated[bool, typer.Option("--replace", help="Replace a stored scenario of the same name.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Store scenario NAME from an edits file; it is applied once and must leave the plan valid.
    \f

    Examples
    --------
    >>> import json, shutil, tempfile
    >>> from pathlib import Path
    >>> from typer.testing import CliRunner
    >>> from zoneplan import datasets
    >>> from zoneplan.cli import app
    >>> folder = Path(tempfile.mkdtemp())
    >>> plan = str(shutil.copy(datasets.get_path("linqing"), folder))
    >>> edits = {"description": "高端纺织服装产业园转为物流",  # an edits file in JSON (or TOML)
    ...          "edits": [{"kind": "landuse", "where": {"park_id": "textiles"}, "from_codes": ["1001"], "landuse_code": "1101"}]}
    >>> _ = (folder / "textiles.json").write_text(json.dumps(edits, ensure_ascii=False), encoding="utf-8")
    >>> done = CliRunner().invoke(app, ["scenario", plan, "add", "textiles-to-logistics", "--edits", str(folder / "textiles.json"), "--json"])
    >>> done.exit_code, json.loads(done.stdout)["stored"]
    (0, ['textiles-to-logistics'])
    """
    path = ctx.obj
    if is_database_uri(path):
        raise InputError("scenarios are stored in a plan GeoPackage; export the plan first", file=path, rule="scenario")
    scenario = read_edits_file(edits, name=name)
    if description is not None:
        scenario = type(scenario)(scenario.name, scenario.edits, description)
    with locked(path, on_wait=say):
        plan = with_scenario(load_plan(path), scenario, replace=replace)
        plan.write(path)
    if as_json:
        emit_json({"plan": path, "scenario": scenario.to_dict(), "stored": sorted(scenarios_of(plan))})
        return
    console.print(styled("Stored scenario ", (scenario.name, "bold"), f" ({len(scenario.edits)} edits) in {path}"))
    for number, edit in enumerate(scenario.edits, start=1):
        console.print(f"  {number}. {edit.describe()}", markup=False)


@scenario_app.command("list")
def list_(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List the stored scenarios with their edits.
    \f

    Examples
    --------
    >>> import json, shutil, tempfile
    >>> from typer.testing import CliRunner
    >>> from zoneplan import datasets
    >>> from zoneplan.cli import app
    >>> from zoneplan.scenario import Scenario, SupplyRate, save_scenario
    >>> plan = str(shutil.copy(datasets.get_path("linqing"), tempfile.mkdtemp()))
    >>> _ = save_scenario(plan, Scenario("faster-supply", [SupplyRate(annual_supply_mu=600)], description="每年供地 600 亩"))
    >>> done = CliRunner().invoke(app, ["scenario", plan, "list", "--json"])
    >>> done.exit_code, [(s["name"], s["description"]) for s in json.loads(done.stdout)["scenarios"]]
    (0, [('faster-supply', '每年供地 600 亩')])
    """
    stored = scenarios_of(load_plan(ctx.obj))
    if as_json:
        emit_json({"scenarios": [s.to_dict() for s in stored.values()]})
        return
    if not stored:
        console.print(f"{ctx.obj} has no scenarios; add one with: zoneplan scenario {ctx.obj} add NAME --edits FILE")
        return
    for scenario in stored.values():
        console.print(styled((scenario.name, "bold"), f" — {scenario.description or '(no description)'}"))
        for number, edit in enumerate(scenario.edits, start=1):
            console.print(f"  {number}. {edit.describe()}", markup=False)


@scenario_app.command("show")
def show(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Scenario name.")], as_json: JsonOpt = False) -> None:
    """Print a stored scenario as TOML (or JSON), ready to edit and add again.
    \f

    Examples
    --------
    >>> import shutil, tempfile
    >>> from typer.testing import CliRunner
    >>> from zoneplan import datasets
    >>> from zoneplan.cli import app
    >>> from zoneplan.scenario import Scenario, SupplyRate, save_scenario
    >>> plan = str(shutil.copy(datasets.get_path("linqing"), tempfile.mkdtemp()))
    >>> _ = save_scenario(plan, Scenario("faster-supply", [SupplyRate(annual_supply_mu=600)]))
    >>> text = CliRunner().invoke(app, ["scenario", plan, "show", "faster-supply"]).stdout  # TOML, ready to edit and add again
    >>> import tomllib
    >>> shown = tomllib.loads(text)
    >>> shown["name"], shown["edits"]
    ('faster-supply', [{'kind': 'supply_rate', 'annual_supply_mu': 600}])
    """
    stored = scenarios_of(load_plan(ctx.obj))
    if name not in stored:
        raise InputError(f"no scenario {name!r}; stored: {sorted(stored)}", file=ctx.obj, rule="scenario")
    if as_json:
        emit_json(stored[name].to_dict())
    else:
        sys.stdout.write(stored[name].to_toml())  # verbatim: the console would wrap long lines at its width, splitting TOML strings


@scenario_app.command("remove")
def remove(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Scenario name.")]) -> None:
    """Remove a stored scenario.
    \f

    Examples
    --------
    >>> import shutil, tempfile
    >>> from typer.testing import CliRunner
    >>> from zoneplan import datasets
    >>> from zoneplan.cli import app
    >>> from zoneplan.plan import Plan
    >>> from zoneplan.scenario import Scenario, SupplyRate, save_scenario, scenarios_of
    >>> plan = str(shutil.copy(datasets.get_path("linqing"), tempfile.mkdtemp()))
    >>> _ = save_scenario(plan, Scenario("faster-supply", [SupplyRate(annual_supply_mu=600)]))
    >>> CliRunner().invoke(app, ["scenario", plan, "remove", "faster-supply"]).exit_code, scenarios_of(Plan.read(plan))
    (0, {})
    """
    with locked(ctx.obj, on_wait=say):
        plan = without_scenario(load_plan(ctx.obj), name)
        plan.write(ctx.obj)
    console.print(f"Removed scenario {name} from {ctx.obj}")


@scenario_app.command("compare")
def compare_cmd(
    ctx: typer.Context,
    names: Annotated[list[str], typer.Argument(metavar="NAME...", help="Scenarios to compare with the base.")],
    year: Annotated[list[int] | None, typer.Option("--year", help="Year to judge (repeatable; default: the plan as it stands).")] = None,
    by: Annotated[str, typer.Option("--by", help="Group by zone, district, park or phase.")] = "zone",
    start_year: Annotated[int | None, typer.Option("--start-year", help="Last year of actual history for the projection.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Compare scenarios with the base: indicators, targets, compliance, land until exhaustion.
    \f

    Examples
    --------
    >>> import json, shutil, tempfile
    >>> from typer.testing import CliRunner
    >>> from zoneplan import datasets
    >>> from zoneplan.cli import app
    >>> from zoneplan.scenario import Scenario, SupplyRate, save_scenario
    >>> plan = str(shutil.copy(datasets.get_path("linqing"), tempfile.mkdtemp()))
    >>> _ = save_scenario(plan, Scenario("faster-supply", [SupplyRate(annual_supply_mu=600)]))
    >>> done = CliRunner().invoke(app, ["scenario", plan, "compare", "faster-supply", "--year", "2035", "--json"])
    >>> result = json.loads(done.stdout)
    >>> done.exit_code, result["scenarios"], [row["annual_supply_mu"] for row in result["exhaustion"]][1:]
    (0, ['base', 'faster-supply'], [600.0])
    """
    plan = load_plan(ctx.obj)
    progress = False if as_json else None
    with quiet() if as_json else contextlib.nullcontext():
        plans = apply_scenarios(plan, names, progress=progress)
        result = compare(plans, years=year or None, by=as_level(by, what="--by"), start_year=start_year, progress=progress)
    if as_json:
        emit_json(result.to_json())
        return
    header(str(plan.meta.get("title", plan.name)), f" — scenarios {', '.join(names)} against the base; areas in mu", basis=result.area_basis)
    changed = result.differences[(result.differences["scenario"] != "base") & (result.differences["difference"].fillna(0).abs() > 1e-9)]
    console.print(table_of(changed.drop(columns="level"), title=f"Indicators that differ from the base ({len(changed)})"))
    if len(result.targets) and "met" in result.targets.columns:
        met = (
            result.targets.groupby(["scenario", "judged_year"], dropna=False)["met"]
            .agg(lambda s: f"{int(s.fillna(False).astype(bool).sum())}/{len(s)}")
            .reset_index()
        )
        console.print(table_of(met.rename(columns={"met": "targets met"}), title="Targets"))
    console.print(table_of(result.compliant, title="Compliance"))
    ex = result.exhaustion.astype({"exhaustion_year": object}).rename(
        columns={"remaining_mu": "remaining mu", "annual_supply_mu": "supply mu/yr", "exhaustion_year": "runs out", "years_left": "years left"}
    )
    beyond = result.exhaustion["exhaustion_year"].isna().to_numpy()
    ex.loc[beyond, "runs out"] = [f"after {y + DEFAULT_HORIZON_YEARS}" for y in ex.loc[beyond, "start_year"]]
    console.print(table_of(ex.drop(columns=["level", "rate_source"]), title="Remaining land until exhaustion"))
    for source in dict.fromkeys(result.exhaustion["rate_source"]):
        console.print(f"  supply rate: {source}", markup=False)
