"""Raster commands: ``zoneplan raster stats | change | export``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zoneplan.cli import app
from zoneplan.cli._common import EXIT_FOUND, console, emit_json, header, load_plan, styled, table_of

raster_app = typer.Typer(name="raster", help="Land-cover rasters against the plan; plans as rasters.", no_args_is_help=True)
app.add_typer(raster_app, name="raster")

PlanArg = Annotated[str, typer.Argument(metavar="PLAN", help="Plan GeoPackage or postgresql:// URI.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines instead of tables.")]
ByOpt = Annotated[str, typer.Option("--by", help="Group by zone, district, park, phase or parcel.")]
SchemeOpt = Annotated[str, typer.Option("--scheme", help="Class scheme: worldcover, clcd, landuse or a CSV class table (value,name,built).")]


@raster_app.command("stats")
def stats(
    plan_path: PlanArg,
    raster: Annotated[Path, typer.Argument(metavar="RASTER.tif", help="Classified land-cover raster (any CRS).")],
    by: ByOpt = "zone",
    scheme: SchemeOpt = "worldcover",
    band: Annotated[int, typer.Option("--band", help="1-based band.")] = 1,
    as_json: JsonOpt = False,
) -> None:
    """Area of each land-cover class per group, in mu (exact fractional pixel coverage).
    \f

    Examples
    --------
    >>> import json
    >>> from typer.testing import CliRunner
    >>> from zoneplan import datasets
    >>> from zoneplan.cli import app
    >>> land_cover = datasets.layers_dir() / "linqing_landcover_2023.tif"
    >>> done = CliRunner().invoke(app, ["raster", "stats", str(datasets.get_path("linqing")), str(land_cover), "--by", "district", "--json"])
    >>> rows = json.loads(done.stdout)["rows"]
    >>> done.exit_code, sorted({r["group_id"] for r in rows}), round(sum(r["share"] for r in rows), 6)  # each district's shares add up to 1
    (0, ['linqing-city', 'linqing-yandian'], 2.0)
    """
    from zoneplan.measure import plan_area_basis
    from zoneplan.raster.zonal import as_level, zonal_stats

    plan = load_plan(plan_path)
    table = zonal_stats(plan, raster, by=as_level(by, what="--by"), scheme=scheme, band=band)
    if as_json:
        emit_json({"raster": str(raster), "by": by, "scheme": scheme, "area_basis": plan_area_basis(plan), "rows": table.to_dict("records")})
        return
    header(str(plan.meta.get("title", plan.name)), f" — land cover of {raster.name} by {by}; areas in mu", plan=plan)
    shown = table[["group_id", "value", "class", "name_zh", "built", "area_mu", "share"]].assign(share=lambda d: (100 * d["share"]).round(1))
    console.print(table_of(shown.rename(columns={"area_mu": "area mu", "share": "share %"}), title=f"Land cover by {by}: {raster.name}"))
    built = table[table["built"]].groupby("group_id")["area_mu"].sum()
    for gid, mu in built.items():
        console.print(f"  {gid}: built-up {mu:,.2f} mu")


@raster_app.command("change")
def change(
    plan_path: PlanArg,
    old: Annotated[Path, typer.Argument(metavar="OLD.tif", help="Land cover of the earlier year.")],
    new: Annotated[Path, typer.Argument(metavar="NEW.tif", help="Land cover of the later year.")],
    by: ByOpt = "zone",
    scheme: SchemeOpt = "worldcover",
    new_scheme: Annotated[str | None, typer.Option("--new-scheme", help="Scheme of NEW when it differs from OLD's.")] = None,
    old_year: Annotated[int | None, typer.Option("--old-year", help="Year of OLD (default: its 'year' tag or a year in its name).")] = None,
    new_year: Annotated[int | None, typer.Option("--new-year", help="Year of NEW.")] = None,
    bare_below: Annotated[float, typer.Option("--bare-below", help="Recorded-built parcels with a smaller built-up share look bare.")] = 0.2,
    new_built_above: Annotated[float, typer.Option("--new-built-above", help="Unrecorded parcels with at least this share newly built-up are flagged.")] = 0.3,
    evidence: Annotated[Path | None, typer.Option("--evidence", help="Write the evidence geometry to this GeoPackage.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """New construction land seen on the ground between two years, against the plan's records.

    Exit status 1 when parcels are found whose record the imagery contradicts.
    \f

    Examples
    --------
    >>> import json
    >>> from typer.testing import CliRunner
    >>> from zoneplan import datasets
    >>> from zoneplan.cli import app
    >>> old, new = (str(datasets.layers_dir() / f"linqing_landcover_{year}.tif") for year in (2018, 2023))
    >>> done = CliRunner().invoke(app, ["raster", "change", str(datasets.get_path("linqing")), old, new, "--json"])
    >>> result = json.loads(done.stdout)
    >>> done.exit_code, result["old_year"], result["new_year"], len(result["mismatches"])  # exit 1: records the imagery contradicts
    (1, 2018, 2023, 5)
    """
    from zoneplan.measure import plan_area_basis
    from zoneplan.raster.change import MISMATCH_KINDS, compare
    from zoneplan.raster.zonal import as_level

    plan = load_plan(plan_path)
    result = compare(
        plan,
        old,
        new,
        by=as_level(by, what="--by"),
        old_scheme=scheme,
        new_scheme=new_scheme,
        old_year=old_year,
        new_year=new_year,
        bare_below=bare_below,
        new_built_above=new_built_above,
    )
    if evidence is not None:
        result.write_evidence(evidence)
    mism = result.mismatched
    if as_json:
        payload = {"area_basis": plan_area_basis(plan), **result.to_json()}
        if evidence is not None:
            payload["evidence_file"] = str(evidence)
        emit_json(payload)
    else:
        header(str(plan.meta.get("title", plan.name)), f" — built-up change {result.old_year} → {result.new_year} by {by}; areas in mu", plan=plan)
        cols = [
            "group_id",
            "built_old_mu",
            "built_new_mu",
            "new_built_mu",
            "recorded_new_built_mu",
            "unrecorded_new_built_mu",
            "unauthorised_count",
            "looks_bare_count",
        ]
        console.print(table_of(result.groups[cols], title=f"Built-up land {result.old_year} → {result.new_year} by {by} (mu)"))
        if mism.empty:
            console.print(styled(("no mismatches", "green"), ": the imagery agrees with the recorded status of every judged parcel"))
        else:
            shown = mism[["parcel_id", "status", "mismatch", "area_mu", "built_new_share", "new_built_share"]]
            console.print(table_of(shown, title=f"{len(mism)} parcel(s) whose record the imagery contradicts"))
            for kind, text in MISMATCH_KINDS.items():
                if (mism["mismatch"] == kind).any():
                    console.print(f"  {kind}: {text}")
        if evidence is not None:
            console.print(f"evidence written to {evidence} (layer raster_mismatches)")
    if not mism.empty:
        raise typer.Exit(EXIT_FOUND)


@raster_app.command("export")
def export(
    plan_path: PlanArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="Output GeoTIFF.")],
    layer: Annotated[str, typer.Option("--layer", help="Plan layer to burn.")] = "parcels",
    by: Annotated[str, typer.Option("--by", help="Values: landuse, phase or status.")] = "landuse",
    resolution: Annotated[float, typer.Option("--resolution", help="Cell size in metres.")] = 10.0,
    cog: Annotated[bool, typer.Option("--cog/--no-cog", help="Cloud-Optimised GeoTIFF (default) or plain tiled GeoTIFF.")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Rasterise a plan layer (land use, phase or status) with the standard colour table.
    \f

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> from typer.testing import CliRunner
    >>> from zoneplan import datasets
    >>> from zoneplan.cli import app
    >>> tif = Path(tempfile.mkdtemp()) / "zhangdian-status.tif"
    >>> done = CliRunner().invoke(app, ["raster", "export", str(datasets.get_path("zhangdian")), "-o", str(tif), "--by", "status", "--json"])
    >>> out = json.loads(done.stdout)
    >>> done.exit_code, out["crs"], out["resolution"], [(c["label"], c["count"]) for c in out["classes"]]
    (0, 'EPSG:4548', 10.0, [('built 已建成', 366), ('supplied 已供应未建成', 3)])
    """
    from zoneplan.raster.rasterize import as_by, export_raster

    plan = load_plan(plan_path)
    out = export_raster(plan, output, layer=layer, by=as_by(by), resolution=resolution, cog=cog)
    used = out.classes[out.classes["count"] > 0]
    if as_json:
        emit_json(
            {
                "path": str(out.path),
                "width": out.width,
                "height": out.height,
                "resolution": out.resolution,
                "crs": out.crs,
                "unmapped": out.unmapped,
                "classes": used.to_dict("records"),
            }
        )
        return
    console.print(f"Wrote {out.path}: {out.width} × {out.height} cells of {out.resolution:g} m in {out.crs} ({'COG' if cog else 'GeoTIFF'}), {layer} by {by}")
    console.print(table_of(used.rename(columns={"count": "features"})))
    if out.unmapped:
        console.print(f"  {out.unmapped} feature(s) without a {by} value were left as no data")
