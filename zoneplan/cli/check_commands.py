"""``zoneplan check``: compliance with control lines, quotas, parcel controls, adjacency, phases, idle land."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zoneplan.cli import app
from zoneplan.cli._common import EXIT_FOUND, console, emit_json, header, load_plan, styled, table_of
from zoneplan.compliance import check, load_rules_file
from zoneplan.compliance.findings import rule_title

_SHOWN = 200  # violations listed in the human output; --json, --evidence and --excel carry all


@app.command("check")
def check_cmd(
    plan_path: Annotated[str, typer.Argument(metavar="PLAN", help="Plan GeoPackage or postgresql:// URI.")],
    year: Annotated[int | None, typer.Option("--year", help="Judge the plan as it stands in this year (default: as planned).")] = None,
    rules: Annotated[Path | None, typer.Option("--rules", help="Rules file (TOML or JSON) overriding defaults and the plan's targets.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines instead of tables.")] = False,
    evidence: Annotated[Path | None, typer.Option("--evidence", help="Write the conflict geometries to this GeoPackage (for QGIS).")] = None,
    excel: Annotated[Path | None, typer.Option("--excel", help="Write the findings to this Excel workbook, one sheet per rule.")] = None,
    dask: Annotated[bool, typer.Option("--dask", help="Run partitioned by zone on dask: a local cluster on all cores.")] = False,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", metavar="ADDRESS", help="Run on an existing dask cluster (tcp://host:8786); implies --dask.")
    ] = None,
) -> None:
    """Check a plan against its hard rules. Exit 0 compliant, 1 violations, unjudgeable features or rules that could not be checked, 2 bad input.
    \f

    Examples
    --------
    >>> import json
    >>> from typer.testing import CliRunner
    >>> from zoneplan import datasets
    >>> from zoneplan.cli import app
    >>> done = CliRunner().invoke(app, ["check", str(datasets.get_path("zhangdian")), "--json"])
    >>> report = json.loads(done.stdout)
    >>> done.exit_code, report["compliant"], [(v["rule"], v["feature_id"]) for v in report["violations"]]  # exit 1: violations
    (1, False, [('parcel_min_far', 'ZD-0021'), ('parcel_min_far', 'ZD-0200'), ('parcel_min_far', 'ZD-0198'), ('parcel_min_far', 'ZD-0138')])
    >>> report["not_checked"]["quota_exceeded"]
    'the plan has no quotas table'
    """
    settings = load_rules_file(rules) if rules else None
    plan = load_plan(plan_path)
    if dask or scheduler:
        from zoneplan import distributed

        findings = distributed.check(plan, year=year, rules=settings, scheduler=scheduler)
    else:
        findings = check(plan, year=year, rules=settings)
    if evidence:
        findings.write_evidence(evidence)
    if excel:
        findings.to_excel(excel)
    if as_json:
        emit_json(findings.to_json())
    else:
        when = f" in {year}" if year is not None else " as planned"
        header(str(plan.meta.get("title", plan.name)), f" — compliance{when}; areas in mu", basis=findings.area_basis or None, plan=plan)
        summary = findings.summary.rename(columns={"area_mu": "area mu", "cannot_judge": "cannot judge"})
        summary["rule"] = summary["rule"].map(rule_title)
        console.print(table_of(summary, title=f"Compliance of {plan_path}{when}"))
        for family, reason in findings.not_checked.items():
            console.print(f"  {'switched off' if family not in findings.unchecked else 'could not check'}: {family} — {reason}", markup=False)
        if len(findings.violations):
            console.print(styled((f"{len(findings.violations)} violation(s)", "bold"), f" (first {_SHOWN})" if len(findings.violations) > _SHOWN else ""))
            for rule, rows in findings.violations.head(_SHOWN).groupby("rule", sort=False):
                console.print(styled("  ", (rule_title(rule), "bold"), f" ({rule})"))
                for row in rows.itertuples():
                    pair = f" ~ {row.other_id}" if isinstance(row.other_id, str) else ""
                    console.print(f"    {row.layer} {row.feature_id}{pair}: {row.message}", markup=False, soft_wrap=True)
        if len(findings.cannot_judge):
            counts = findings.cannot_judge.groupby(["rule", "missing"]).size().rename("parcels").reset_index()
            console.print(table_of(counts, title=f"{len(findings.cannot_judge)} feature(s) cannot be judged (never counted as compliant)"))
        for label, target in (("evidence", evidence), ("workbook", excel)):
            if target:
                console.print(f"  {label}: {target}", markup=False)
        if findings.compliant:
            verdict = ("compliant", "green")
        elif findings.violations.empty and findings.cannot_judge.empty:
            verdict = ("not proven compliant", "yellow")
        else:
            verdict = ("not compliant", "red")
        could_not = f"; could not check: {', '.join(findings.unchecked)}" if findings.unchecked else ""
        console.print(styled(verdict, f": {len(findings.violations)} violation(s), {len(findings.cannot_judge)} cannot judge{could_not}"), soft_wrap=True)
    if not findings.compliant:
        raise typer.Exit(EXIT_FOUND)
