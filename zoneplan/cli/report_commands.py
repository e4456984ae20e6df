"""``zoneplan report PLAN [--scenario NAME ...] -o report.html|report.xlsx`` — reports for decision makers."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from zoneplan.analysis.grouping import as_level
from zoneplan.cli import app
from zoneplan.cli._common import console, emit_json, header, load_plan
from zoneplan.errors import InputError
from zoneplan.progress import quiet
from zoneplan.report import REPORT_MAP_KINDS, write_report


@app.command("report")
def report(
    plan_path: Annotated[str, typer.Argument(metavar="PLAN", help="Plan GeoPackage or postgresql:// URI.")],
    out: Annotated[Path, typer.Option("-o", "--out", help="report.html (self-contained, offline) or report.xlsx (one sheet per table).")],
    scenario: Annotated[list[str] | None, typer.Option("--scenario", help="Stored scenario to include (repeatable).")] = None,
    year: Annotated[list[int] | None, typer.Option("--year", help="Year to judge (repeatable; default: the plan as it stands).")] = None,
    by: Annotated[str, typer.Option("--by", help="Group by zone, district, park or phase.")] = "zone",
    no_maps: Annotated[bool, typer.Option("--no-maps", help="Leave the maps out of the HTML report.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Also print the report's tables as JSON (the numbers of the workbook).")] = False,
    tables: Annotated[
        str | None,
        typer.Option(
            "--tables", help="Write standard tables instead of the report: evaluation (开发区土地集约利用评价 statistical tables E.3, E.4, E.7 …, .xlsx)."
        ),
    ] = None,
) -> None:
    """Write an HTML or Excel report of the plan and the chosen scenarios, or the evaluation's statistical tables.
    \f

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import openpyxl
    >>> from typer.testing import CliRunner
    >>> from zoneplan import datasets
    >>> from zoneplan.cli import app
    >>> xlsx = Path(tempfile.mkdtemp()) / "linqing-report.xlsx"
    >>> done = CliRunner().invoke(app, ["report", str(datasets.get_path("linqing")), "-o", str(xlsx)])
    >>> done.exit_code, openpyxl.load_workbook(xlsx, read_only=True).sheetnames[:4]
    (0, ['indicators', 'targets', 'differences', 'compliance'])
    """
    plan = load_plan(plan_path)
    if tables is not None:
        _tables(plan, out, kind=tables, by=by, year=year, as_json=as_json)
        return
    with quiet() if as_json else contextlib.nullcontext():
        data = write_report(
            plan,
            out,
            scenarios=scenario or [],
            years=year or None,
            by=as_level(by, what="--by"),
            maps=() if no_maps else REPORT_MAP_KINDS,
            progress=False if as_json else None,
        )
    if as_json:
        emit_json({"report": str(out), **data})
        return
    sizes = ", ".join(f"{name} ({len(rows)})" for name, rows in data["tables"].items())
    header(str(plan.meta.get("title", plan.name)), " — report; areas in mu", basis=data["area_basis"])
    console.print(f"Wrote {out} ({out.stat().st_size / 1024:,.0f} KiB): {sizes}")


def _tables(plan, out: Path, *, kind: str, by: str, year: list[int] | None, as_json: bool) -> None:
    from zoneplan.io.evaluation_tables import write_evaluation_tables
    from zoneplan.measure import plan_area_basis

    if kind != "evaluation":
        raise InputError(f"--tables {kind!r}: the tables zoneplan writes are: evaluation", rule="tables")
    if out.suffix.lower() != ".xlsx":
        raise InputError("the evaluation tables are an Excel workbook: -o FILE.xlsx", file=out, rule="tables")
    if year and len(year) > 1:
        raise InputError("the evaluation tables are for one year: give --year once", rule="tables")
    sheets = write_evaluation_tables(plan, out, by=by, year=year[0] if year else None)
    if as_json:
        emit_json({"tables": str(out), "area_basis": plan_area_basis(plan), "sheets": sheets})
        return
    header(str(plan.meta.get("title", plan.name)), " — evaluation tables; areas in ha", plan=plan)
    console.print(f"Wrote {out}: " + ", ".join(f"{name} ({rows})" for name, rows in sheets.items()))
