"""Moving whole plans between GeoPackage files and PostGIS: ``copy``, ``export``, ``plans``.

``zoneplan copy SRC DST`` reads a whole plan (every layer, table and metadata) from a GeoPackage
path or a ``postgresql://…#PLAN`` URI and writes it to the other (or the same kind); ``export`` is
the same with ``--to``. The copy is lossless: column types, missing values, layer order, layer and
plan metadata all survive a GeoPackage → PostGIS → GeoPackage round trip.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from zoneplan.cli import app
from zoneplan.cli._common import console, emit_json, load_plan, table_of
from zoneplan.errors import PlanError
from zoneplan.io import is_database_uri
from zoneplan.plan import Plan

__all__ = ["copy", "copy_plan", "export", "plans"]

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines instead of tables.")]
OverwriteOpt = Annotated[bool, typer.Option("--overwrite", help="Replace DST when it exists.")]


def copy_plan(src: str, dst: str, *, overwrite: bool = False) -> dict:
    """Copy a whole plan from ``src`` to ``dst`` (GeoPackage paths or ``postgresql://…#PLAN`` URIs).

    Parameters
    ----------
    src, dst
        Plan locations.
    overwrite
        Replace ``dst`` when it exists; otherwise an existing ``dst`` is an error.

    Returns
    -------
    dict
        ``source``, ``destination``, ``layers`` (name → feature count), ``tables`` (name → rows)
        and ``revision`` (the PostGIS revision written, or None for a file).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from zoneplan import datasets
    >>> from zoneplan.io import postgis
    >>> uri = f"{database}#zhangdian_copy"  # database: e.g. "postgresql://planner@db.bureau/plans"
    >>> summary = copy_plan(str(datasets.get_path("zhangdian")), uri)
    >>> summary["layers"]["parcels"], summary["revision"]
    (369, 1)
    >>> back = Path(tempfile.mkdtemp()) / "zhangdian.gpkg"
    >>> copy_plan(uri, str(back))["revision"] is None, len(datasets.load("zhangdian").parcels) == len(Plan.read(back).parcels)
    (True, True)
    >>> copy_plan(uri, str(back))
    Traceback (most recent call last):
    ...
    zoneplan.errors.PlanError: destination exists (use --overwrite) (file ..., rule exists)
    >>> postgis.drop_plan(uri)
    """
    from zoneplan.io import postgis

    plan = load_plan(src)
    revision = None
    if is_database_uri(dst):
        # A plan read from the database keeps its revision only when written back to itself.
        if not (is_database_uri(src) and postgis.parse_uri(src) == postgis.parse_uri(dst)):
            plan = _without_revision(plan)
        revision = postgis.write_plan(plan, dst, overwrite=overwrite)
    else:
        if Path(dst).exists() and not overwrite:
            raise PlanError("destination exists (use --overwrite)", file=dst, rule="exists")
        _without_revision(plan).write(dst)
    return {
        "source": str(src) if not is_database_uri(src) else str(postgis.parse_uri(src)),
        "destination": str(dst) if not is_database_uri(dst) else str(postgis.parse_uri(dst)),
        "layers": {name: len(gdf) for name, gdf in plan.layers.items()},
        "tables": {name: len(df) for name, df in plan.tables.items()},
        "revision": revision,
    }


def _without_revision(plan: Plan) -> Plan:
    from zoneplan.io.postgis import REVISION_META_KEY

    meta = {k: v for k, v in plan.meta.items() if k != REVISION_META_KEY}
    return Plan(plan.layers, plan.tables, crs=plan.crs, meta=meta, layer_meta=plan.layer_meta)


def _report(summary: dict, as_json: bool) -> None:
    if as_json:
        emit_json(summary)
        return
    rev = f" (revision {summary['revision']})" if summary["revision"] is not None else ""
    console.print(f"Copied {summary['source']} → {summary['destination']}{rev}")
    rows = [{"name": n, "kind": "layer", "rows": c} for n, c in summary["layers"].items()]
    rows += [{"name": n, "kind": "table", "rows": c} for n, c in summary["tables"].items()]
    console.print(table_of(pd.DataFrame(rows, columns=["name", "kind", "rows"])))


@app.command("copy")
def copy(
    src: Annotated[str, typer.Argument(help="Plan GeoPackage or postgresql://USER@HOST:PORT/DB#PLAN.")],
    dst: Annotated[str, typer.Argument(help="Destination GeoPackage or postgresql://…#PLAN.")],
    overwrite: OverwriteOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Copy a whole plan between GeoPackage and PostGIS (lossless; one transaction in PostGIS).
    \f

    Examples
    --------
    >>> import json
    >>> from typer.testing import CliRunner
    >>> from zoneplan import datasets
    >>> from zoneplan.cli import app
    >>> from zoneplan.io import postgis
    >>> uri = f"{database}#linqing_copy"  # database: e.g. "postgresql://planner@db.bureau/plans"
    >>> done = CliRunner().invoke(app, ["copy", str(datasets.get_path("linqing")), uri, "--json"])
    >>> done.exit_code, json.loads(done.stdout)["layers"]["parcels"]
    (0, 1087)
    >>> from zoneplan.cli import main
    >>> try:  # the plan exists now: "zoneplan: error: … use --overwrite" on standard error
    ...     main(["copy", str(datasets.get_path("linqing")), uri])
    ... except SystemExit as exited:
    ...     print(exited.code)
    2
    >>> postgis.drop_plan(uri)
    """
    _report(copy_plan(src, dst, overwrite=overwrite), as_json)


@app.command("export")
def export(
    plan: Annotated[str, typer.Argument(metavar="PLAN", help="Plan GeoPackage or postgresql://…#PLAN.")],
    to: Annotated[str, typer.Option("--to", help="Destination GeoPackage path, File Geodatabase (.gdb) or postgresql://…#PLAN.")],
    schema: Annotated[
        str | None,
        typer.Option(
            "--schema",
            help="For a .gdb: sandiao (parcels as 三调 DLTB) or guokong (planning database: GHYDYH, CZKFBJ, YJJBNTBHTB, STBHHX); default zoneplan's names.",
        ),
    ] = None,
    overwrite: OverwriteOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Export a whole plan to a GeoPackage, a File Geodatabase or a PostGIS database (same as ``copy PLAN TO``).
    \f

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> from typer.testing import CliRunner
    >>> from zoneplan import datasets
    >>> from zoneplan.cli import app
    >>> gdb = Path(tempfile.mkdtemp()) / "zhangdian.gdb"
    >>> done = CliRunner().invoke(app, ["export", str(datasets.get_path("zhangdian")), "--to", str(gdb), "--schema", "guokong", "--json"])
    >>> done.exit_code, json.loads(done.stdout)["layers"]  # parcels as 规划用地 GHYDYH, the zone's extent as KFQFW
    (0, {'GHYDYH': 369, 'KFQFW': 1})
    """
    if to.lower().rstrip("/").endswith(".gdb"):
        from zoneplan.io.gdb import write_gdb

        summary = write_gdb(load_plan(plan), to, schema=schema, overwrite=overwrite)
        if as_json:
            emit_json({"source": plan, "destination": to, "schema": schema, **summary})
            return
        console.print(f"Wrote {to}" + (f" in the {schema} schema" if schema else ""))
        console.print(table_of(pd.DataFrame([{"layer": n, "rows": c} for n, c in summary["layers"].items()], columns=["layer", "rows"])))
        for note in summary["notes"]:
            console.print(f"  note: {note}")
        return
    if schema is not None:
        raise PlanError("--schema applies to a File Geodatabase (.gdb) destination", file=to, rule="schema")
    _report(copy_plan(plan, to, overwrite=overwrite), as_json)


@app.command("plans")
def plans(
    database: Annotated[str, typer.Argument(help="postgresql://USER@HOST:PORT/DB")],
    as_json: JsonOpt = False,
) -> None:
    """List the plans stored in a PostGIS database, with their revision.
    \f

    Examples
    --------
    >>> import json
    >>> from typer.testing import CliRunner
    >>> from zoneplan import datasets
    >>> from zoneplan.cli import app
    >>> from zoneplan.io import postgis
    >>> postgis.write_plan(datasets.load("liaocheng"), f"{database}#liaocheng_plans")  # database: e.g. "postgresql://planner@db.bureau/plans"
    1
    >>> done = CliRunner().invoke(app, ["plans", database, "--json"])
    >>> done.exit_code, {"name": "liaocheng_plans", "revision": 1} in json.loads(done.stdout)["plans"]
    (0, True)
    >>> postgis.drop_plan(f"{database}#liaocheng_plans")
    """
    from zoneplan.io import postgis

    names = postgis.list_plans(database)
    base = database.split("#", 1)[0]
    revisions = {n: postgis.plan_revision(f"{base}#{n}") for n in names}
    if as_json:
        emit_json({"plans": [{"name": n, "revision": r} for n, r in revisions.items()]})
        return
    for n, r in revisions.items():
        console.print(f"{n}  (revision {r})")
    if not names:
        console.print("no plans")
