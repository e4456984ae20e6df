"""The record of changes: ``history`` (who changed what in a PostGIS plan) and ``diff`` (维护前/维护后).

``zoneplan history postgresql://…#PLAN`` lists every change the database triggers recorded —
from zoneplan, QGIS, psql or any other client — oldest first: revision, time, database user,
client, layer, feature, operation, the attributes changed (old → new) and the area change.

``zoneplan diff A B`` compares two plans: two GeoPackages, a GeoPackage and a PostGIS plan, or two
revisions of one PostGIS plan, written ``postgresql://…#PLAN@REVISION`` (``#PLAN`` alone is its
current revision). It lists the features added, removed and changed per layer with the area
change in mu; areas are planar, in the plan's projected CRS, and the output says so.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from zoneplan.cli import app
from zoneplan.cli._common import console, emit_json, header, load_plan, table_of
from zoneplan.errors import InputError
from zoneplan.io import is_database_uri
from zoneplan.plan import Plan
from zoneplan.plandiff import diff_plans
from zoneplan.units import AREA_UNITS

__all__ = ["diff", "history", "read_version"]

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines instead of tables.")]
_SHOWN_CHANGES = 4


def read_version(location: str) -> Plan:
    """A plan from a GeoPackage path, ``postgresql://…#PLAN`` or ``postgresql://…#PLAN@REVISION``.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.io import postgis
    >>> uri = f"{database}#zhangdian_version"  # database: e.g. "postgresql://planner@db.bureau/plans"
    >>> postgis.write_plan(datasets.load("zhangdian"), uri), postgis.write_plan(datasets.load("zhangdian"), uri)
    (1, 2)
    >>> read_version(f"{uri}@1").meta["postgis_revision"], read_version(uri).meta["postgis_revision"]
    ('zhangdian_version:1', 'zhangdian_version:2')
    >>> len(read_version(str(datasets.get_path("linqing"))).parcels)  # a GeoPackage as it is
    1087
    >>> postgis.drop_plan(uri)
    """
    if is_database_uri(location) and "@" in location.rpartition("#")[2]:
        from zoneplan.io import postgis

        base, _, revision = location.rpartition("@")
        if not revision.isdigit():
            raise InputError(f"revision {revision!r} is not a number: write #PLAN@3", file=base)
        return postgis.read_revision(base, int(revision))
    return load_plan(location)


def _value(v: Any) -> str:
    return "∅" if v is None else str(v)


def _describe(row: Any) -> str:
    if row.op != "UPDATE":
        return ""
    parts = [f"{k}: {_value(old)} → {_value(new)}" for k, (old, new) in list(row.changes.items())[:_SHOWN_CHANGES]]
    if len(row.changes) > _SHOWN_CHANGES:
        parts.append(f"… {len(row.changes) - _SHOWN_CHANGES} more")
    if row.geometry_changed:
        parts.append("geometry")
    return "; ".join(parts)


@app.command("history")
def history(
    plan: Annotated[str, typer.Argument(metavar="URI", help="postgresql://USER@HOST:PORT/DB#PLAN")],
    layer: Annotated[str | None, typer.Option("--layer", help="Only changes of this layer or table.")] = None,
    feature: Annotated[str | None, typer.Option("--feature", help="Only changes of this feature (parcel_id …, or zp_fid).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List every change of a PostGIS plan (全过程留痕): who, when, which feature, old and new values.
    \f

    Examples
    --------
    >>> import json
    >>> from typer.testing import CliRunner
    >>> from zoneplan import datasets
    >>> from zoneplan.cli import app
    >>> from zoneplan.io import postgis
    >>> uri = f"{database}#zhangdian_log"  # database: e.g. "postgresql://planner@db.bureau/plans"
    >>> postgis.write_plan(datasets.load("zhangdian"), uri)
    1
    >>> parcels = postgis.read_layer(uri, "parcels", versions=True)
    >>> edit = parcels.loc[parcels.parcel_id == "ZD-0021", ["parcel_id", "zp_version", "status"]].assign(status="built")
    >>> _ = postgis.update_features(uri, "parcels", edit)
    >>> done = CliRunner().invoke(app, ["history", uri, "--feature", "ZD-0021", "--json"])
    >>> changes = json.loads(done.stdout)["changes"]
    >>> done.exit_code, [(c["revision"], c["op"]) for c in changes], changes[-1]["changes"]
    (0, [(1, 'INSERT'), (2, 'UPDATE')], {'status': ['supplied', 'built']})
    >>> postgis.drop_plan(uri)
    """
    if not is_database_uri(plan):
        raise InputError("a change history is kept for PostGIS plans only; compare two GeoPackages with `zoneplan diff A B`", file=plan, rule="history")
    from zoneplan.io import postgis

    log = postgis.history(plan, layer=layer, feature=feature)
    mu = AREA_UNITS["mu"]
    log = log.assign(area_change_mu=(log["area_after_m2"].fillna(0) - log["area_before_m2"].fillna(0)) / mu)
    if as_json:
        emit_json(
            {
                "plan": str(postgis.parse_uri(plan)),
                "area_basis": "planar",
                "changes": [
                    {
                        **{k: r[k] for k in ("revision", "changed_by", "client", "layer", "feature_id", "zp_fid", "op", "changes", "geometry_changed")},
                        "changed_at": r["changed_at"].isoformat(),
                        "area_change_mu": r["area_change_mu"],
                    }
                    for r in log.to_dict("records")
                ],
            }
        )
        return
    if log.empty:
        console.print("no changes recorded" + (f" for layer {layer}" if layer else "") + (f" for feature {feature}" if feature else ""))
        return
    header(f"history of {postgis.parse_uri(plan).plan}", " — areas in mu (the database's ST_Area)", basis="planar")
    features = log["feature_id"].fillna("#" + log["zp_fid"].astype("string"))
    for row, name in zip(log.itertuples(index=False), features):
        client = f" ({row.client})" if isinstance(row.client, str) and row.client else ""
        area = f"  Δ {row.area_change_mu:+,.2f} mu" if row.geometry_changed else ""
        detail = _describe(row)
        console.print(
            f"r{row.revision}  {row.changed_at:%Y-%m-%d %H:%M:%S%z}  {row.changed_by}{client}  {row.layer} {name}  {row.op}"
            + (f"  {detail}" if detail else "")
            + area,
            markup=False,
            soft_wrap=True,
        )


@app.command("diff")
def diff(
    before: Annotated[str, typer.Argument(metavar="A", help="Plan before (维护前): GeoPackage, postgresql://…#PLAN or …#PLAN@REVISION.")],
    after: Annotated[str, typer.Argument(metavar="B", help="Plan after (维护后), same forms.")],
    as_json: JsonOpt = False,
) -> None:
    """Compare two plans: features added, removed and changed per layer, with the area change in mu.
    \f

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> from typer.testing import CliRunner
    >>> from zoneplan import datasets
    >>> from zoneplan.cli import app
    >>> plan = datasets.load("zhangdian")
    >>> after = Path(tempfile.mkdtemp()) / "after.gpkg"
    >>> plan.parcels.loc[plan.parcels.parcel_id == "ZD-0021", "status"] = "built"
    >>> plan.write(after)
    >>> done = CliRunner().invoke(app, ["diff", str(datasets.get_path("zhangdian")), str(after), "--json"])
    >>> report = json.loads(done.stdout)
    >>> done.exit_code, [(f["layer"], f["feature_id"], f["change"]) for f in report["features"]]
    (0, [('parcels', 'ZD-0021', 'changed')])
    """
    result = diff_plans(read_version(before), read_version(after))
    if as_json:
        summary = result.summary.reset_index()
        emit_json(
            {
                "before": before,
                "after": after,
                "area_basis": result.area_basis,
                "layers": summary.to_dict("records"),
                "features": result.features.to_dict("records"),
            }
        )
        return
    short = {"area_before_mu": "before", "area_after_mu": "after", "area_change_mu": "Δ", "geometry_changed": "geometry"}
    header(f"维护前 {before} → 维护后 {after}", " — areas in mu", basis=result.area_basis)
    console.print(table_of(result.summary.reset_index().drop(columns=["columns_added", "columns_removed"]).rename(columns=short), title="layers"))
    for name, row in result.summary.iterrows():
        for what in ("columns_added", "columns_removed"):
            if row[what]:
                console.print(f"{name}: {what.replace('_', ' ')}: {', '.join(row[what])}")
    if result.features.empty:
        console.print("no feature changed")
        return
    features = result.features.assign(columns=result.features["columns"].map(", ".join)).rename(columns=short)
    console.print(table_of(features, title="features (areas in mu)"))
