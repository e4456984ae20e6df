"""Commands on whole plans: ``import``, ``info``, ``validate``."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated, Any

import typer

from zoneplan.cli import app, fast_path
from zoneplan.cli._common import EXIT_FOUND, console, emit_json, header, load_plan, say, styled, table_of
from zoneplan.errors import InputError
from zoneplan.io import is_database_uri, locked
from zoneplan.settings import AREA_BASES, settings

# pandas, geopandas and the plan load inside the commands: `info` on a saved plan needs none of them

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines instead of tables.")]


def _parse_map(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise InputError(f"--map expects SOURCE=TARGET, got {pair!r}", rule="column-map")
        src, dst = pair.split("=", 1)
        out[src.strip()] = dst.strip()
    return out


@app.command("import")
def import_(
    src: Annotated[Path, typer.Argument(help="GPKG, File Geodatabase (.gdb), SHP, GeoJSON, FlatGeobuf or DXF file.")],
    into: Annotated[str, typer.Option("--into", help="Plan GeoPackage to create or update.")],
    layer: Annotated[
        str | None,
        typer.Option(
            "--layer",
            help="Plan layer to write (zones, parcels, phases …); without it, a planning database's control-line layers (CZKFBJ, YJJBNT…, STBHHX) go to control_lines.",
        ),
    ] = None,
    source_layer: Annotated[
        str | None, typer.Option("--source-layer", help="Layer of SRC to read (GeoPackage or File Geodatabase layer, or CAD layer).")
    ] = None,
    encoding: Annotated[str | None, typer.Option("--encoding", help="Shapefile text encoding (default: .cpg, else detected UTF-8/GB18030).")] = None,
    crs: Annotated[str | None, typer.Option("--crs", help="CRS of SRC when the file does not say (required for DXF).")] = None,
    crs_override: Annotated[bool, typer.Option("--crs-override", help="Use --crs although SRC names another CRS (its .prj is wrong).")] = False,
    gcj02: Annotated[bool, typer.Option("--gcj02", help="SRC is GCJ-02 lon-lat (AMap/Gaode, Tencent).")] = False,
    map_: Annotated[list[str] | None, typer.Option("--map", help="Rename a column: SOURCE=TARGET (repeatable).")] = None,
    landuse_scheme: Annotated[
        str, typer.Option("--landuse-scheme", help="Land-use codes: auto (detect and say why), 2023, gb50137 or sandiao (三调 DLBM).")
    ] = "auto",
    landuse_map: Annotated[
        str | None, typer.Option("--landuse-map", help="Mapping table from,to[,note] (CSV) for any other classification, or a shipped one: euluc.")
    ] = None,
    label_layer: Annotated[str | None, typer.Option("--label-layer", help="DXF: read TEXT/MTEXT labels from this CAD layer only (default: any layer).")] = None,
    close_gaps: Annotated[
        float | None, typer.Option("--close-gaps", help="DXF: close open polylines whose ends are at most TOL metres apart.", metavar="TOL")
    ] = None,
    drop_empty: Annotated[
        bool, typer.Option("--drop-empty", help="Leave out features with no geometry (NULL or empty), naming them; without it they are refused.")
    ] = False,
    append: Annotated[bool, typer.Option("--append", help="Append to the layer instead of replacing it.")] = False,
    join: Annotated[str | None, typer.Option("--join", help="Attribute table (.xlsx/.csv): the plan layer to join it onto (geometry untouched).")] = None,
    on: Annotated[str | None, typer.Option("--on", help="Join key: TABLE_COLUMN=LAYER_COLUMN, e.g. 地块编号=parcel_id.")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Sheet of the workbook (default: the first).")] = None,
    area_basis: Annotated[
        str | None,
        typer.Option(
            "--area-basis",
            help="Area basis of a new plan: ellipsoidal (as 三调 TBMJ; default, or ZONEPLAN_AREA_BASIS) or planar (figures measured in the plane). An existing plan keeps its own.",
        ),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a vector file as a layer of a plan (created if missing, recording its area basis), or join an attribute table onto a layer.
    \f

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> from typer.testing import CliRunner
    >>> from zoneplan import datasets
    >>> from zoneplan.cli import app
    >>> folder = Path(tempfile.mkdtemp())
    >>> datasets.load("zhangdian").parcels.to_file(folder / "parcels.fgb")  # a FlatGeobuf from another office
    >>> done = CliRunner().invoke(app, ["import", str(folder / "parcels.fgb"), "--into", str(folder / "plan.gpkg"), "--layer", "parcels", "--json"])
    >>> summary = json.loads(done.stdout)
    >>> done.exit_code, summary["count"], summary["crs"], summary["landuse_scheme"], summary["problems"]  # land-use codes recognised, and why
    (0, 369, 'EPSG:4548', '2023', 0)
    """
    import pandas as pd

    from zoneplan.ids import fill_ids
    from zoneplan.io.vector import read_vector
    from zoneplan.measure import area_m2, ellipsoidal_area_m2, plan_area_basis
    from zoneplan.plan import Plan
    from zoneplan.units import M2_PER_MU
    from zoneplan.validate import validate

    if area_basis is not None and area_basis not in AREA_BASES:
        raise InputError(f"--area-basis {area_basis!r}: expected one of {', '.join(AREA_BASES)}", rule="area-basis")

    if src.suffix.lower() in (".xlsx", ".xlsm", ".xls", ".csv"):
        _join(src, into, join=join, on=on, sheet=sheet, as_json=as_json)
        return
    if layer is None:
        from zoneplan.io.gdb import control_line_layers, read_control_lines

        if source_layer is not None or src.suffix.lower() not in (".gdb", ".gpkg") or not control_line_layers(src):
            raise InputError(
                "--layer is required (zones, parcels, phases …) unless SRC is a planning database with control-line layers", file=src, rule="layer"
            )
        result = read_control_lines(src, crs=crs)
        layer = "control_lines"
    else:
        with settings.override(area_basis=area_basis) if area_basis else contextlib.nullcontext():  # floor area from 容积率 on that basis
            result = read_vector(
                src,
                layer=source_layer,
                encoding=encoding,
                crs=crs,
                crs_override=crs_override,
                gcj02=gcj02,
                column_map=_parse_map(map_ or []),
                landuse_scheme=landuse_scheme,
                landuse_map=landuse_map,
                label_layer=label_layer,
                close_gaps=close_gaps,
                drop_empty=drop_empty,
            )
    with locked(into, on_wait=say):
        exists = is_database_uri(into) or Path(into).exists()
        plan = load_plan(into) if exists else Plan(crs=result.data.crs, meta={"area_basis": area_basis or settings.area_basis})  # a new plan records its basis
        if area_basis is not None and area_basis != plan_area_basis(plan):
            raise InputError(
                f"the plan's area basis is {plan_area_basis(plan)}; --area-basis {area_basis} applies to a new plan only", file=into, rule="area-basis"
            )
        new = fill_ids(result.data.to_crs(plan.crs), layer, zones=plan.zones, existing=plan[layer] if append and layer in plan else None, source=src)
        data = pd.concat([plan[layer], new], ignore_index=True) if append and layer in plan else new
        plan = plan.with_layer(layer, data, meta={"imported_from": src.name, **plan.layer_meta.get(layer, {})})
        plan.write(into)
    problems = validate(plan)
    problems = problems[problems["layer"] == layer]
    summary = {
        "source": str(src),
        "plan": str(into),
        "layer": layer,
        "count": len(new),
        "area_basis": plan_area_basis(plan),
        "area_mu": float(area_m2(new).sum() / M2_PER_MU),
        "ellipsoidal_area_mu": float(ellipsoidal_area_m2(new).sum() / M2_PER_MU),
        "layer_count": len(plan[layer]),
        "crs": plan.crs.to_string(),
        "source_crs": result.source_crs,
        "encoding": result.encoding,
        "encoding_detected": result.encoding_detected,
        "renamed": result.renamed,
        "landuse_scheme": result.landuse_scheme,
        "landuse_reason": result.landuse_reason,
        "notes": result.notes,
        "problems": len(problems),
        "area_reconciliation": result.area_reconciliation,
    }
    if as_json:
        emit_json(summary)
        return
    console.print(
        styled(
            f"Imported {summary['count']} features ({summary['area_mu']:,.2f} mu planar, {summary['ellipsoidal_area_mu']:,.2f} mu ellipsoidal; "
            f"area basis {summary['area_basis']}) into {into} layer ",
            (layer, "bold"),
            f" in {summary['crs']}" + (f"; the layer now has {summary['layer_count']}" if append else ""),
        )
    )
    if result.encoding:
        console.print(f"  encoding: {result.encoding}{' (detected, no .cpg)' if result.encoding_detected else ''}")
    for old, new in result.renamed.items():
        console.print(f"  column {old} → {new}")
    for note in result.notes:
        console.print(f"  note: {note}")
    rec = result.area_reconciliation
    if rec is not None:
        console.print(
            f"  official area {rec['field']} against ellipsoidal area: {rec['compared']} compared, largest difference "
            f"{rec['max_abs_diff_m2']:,.2f} m² ({rec['max_rel_diff']:.4%}); {len(rec['flagged'])} beyond "
            f"{rec['rel_tol']:.2%} and {rec['abs_tol_m2']} m²" + (f": {', '.join(map(str, rec['flagged'][:50]))}" if rec["flagged"] else ""),
            markup=False,
        )
    if len(problems):
        console.print(styled(f"  {len(problems)} validation problem(s) in this layer: run ", (f"zoneplan validate {into}", "bold")))


def _join(src: Path, into: str, *, join: str | None, on: str | None, sheet: str | None, as_json: bool) -> None:
    from zoneplan.io.tables import join_table

    if join is None or on is None or "=" not in on:
        raise InputError("an attribute table needs --join LAYER and --on TABLE_COLUMN=LAYER_COLUMN", file=src, rule="join")
    plan = load_plan(into)
    if join not in plan:
        raise InputError(f"the plan has no layer {join!r}; it has {list(plan.layers)}", file=into, rule="join")
    key = tuple(part.strip() for part in on.split("=", 1))
    result = join_table(plan[join], src, on=(key[0], key[1]), sheet=sheet, layer_name=join)
    plan = plan.with_layer(join, result.data)
    plan.write(into)
    summary = {
        "source": str(src),
        "plan": str(into),
        "layer": join,
        "matched": result.matched,
        "features_without_row": result.features_without_row,
        "unmatched_keys": result.unmatched_keys,
        "added": result.added,
        "updated": result.updated,
        "renamed": result.renamed,
        "notes": result.notes,
    }
    if as_json:
        emit_json(summary)
        return
    console.print(
        styled(f"Joined {src} onto {into} layer ", (join, "bold"), f": {result.matched} feature(s) matched, {result.features_without_row} without a row")
    )
    for old, new in result.renamed.items():
        console.print(f"  column {old} → {new}")
    console.print(f"  added: {', '.join(result.added) or '-'}; updated: {', '.join(result.updated) or '-'}")
    for note in result.notes:
        console.print(f"  note: {note}")
    if result.unmatched_keys:
        console.print(f"  {len(result.unmatched_keys)} key(s) in the table match no feature: {', '.join(result.unmatched_keys[:20])}")


@app.command()
def info(plan_path: Annotated[str, typer.Argument(metavar="PLAN", help="Plan GeoPackage or postgresql:// URI.")], as_json: JsonOpt = False) -> None:
    """Per layer: feature count, CRS and total area in mu, ha and km², planar and ellipsoidal (椭球面积).
    \f

    Examples
    --------
    >>> import json
    >>> from typer.testing import CliRunner
    >>> from zoneplan import datasets
    >>> from zoneplan.cli import app
    >>> done = CliRunner().invoke(app, ["info", str(datasets.get_path("linqing")), "--json"])
    >>> facts = json.loads(done.stdout)
    >>> done.exit_code, facts["crs"], {name: layer["count"] for name, layer in facts["layers"].items()}
    (0, 'EPSG:4548', {'zones': 1, 'districts': 2, 'parks': 8, 'parcels': 1087, 'control_lines': 3, 'admin_boundaries': 1})
    """
    _show_info(_info_of(plan_path), as_json=as_json)


@fast_path("info")
def _info_fast(args: list[str]) -> bool:
    """``zoneplan info PLAN [--json]`` run before typer parses anything (the command's start-up).

    typer builds a pydantic validator per parameter, whose import alone costs about as much as
    the rest of the start-up. Anything but exactly ``info``, one plan and at most ``--json``
    (``--help``, a typo, another option) returns False and goes through the command above.
    """
    rest = args[1:]
    paths = [a for a in rest if a != "--json"]
    if args[:1] != ["info"] or len(paths) != 1 or paths[0].startswith("-") or len(rest) - len(paths) > 1:
        return False
    _show_info(_info_of(paths[0]), as_json=len(rest) > 1)
    return True


def _info_of(plan_path: str) -> dict[str, Any]:
    """What ``info`` shows: from the summary a GeoPackage saved by zoneplan carries, else from the plan read in full."""
    from zoneplan.io._summary import plan_info, read_info

    saved = None if is_database_uri(plan_path) else read_info(Path(plan_path))
    return saved if saved is not None else plan_info(load_plan(plan_path))


def _show_info(facts: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        emit_json(facts)
        return
    meta = facts["meta"]
    header(str(meta.get("title", meta.get("name", "plan"))), f"  {facts['crs']}", basis=facts["area_basis"])
    headings = {"area_m2": "area m²", "area_mu": "area mu", "area_ha": "area ha", "area_km2": "area km²", "ellipsoidal_area_mu": "ellipsoidal mu"}
    columns = ["layer", "count", *headings.values()]
    rows = [{"layer": name, "count": figures["count"], **{headings[k]: figures[k] for k in headings}} for name, figures in facts["layers"].items()]
    console.print(table_of(rows, columns=columns))
    if facts["tables"]:
        console.print("tables: " + ", ".join(f"{name} ({count} rows)" for name, count in facts["tables"].items()))


@app.command("validate")
def validate_cmd(
    plan_path: Annotated[str, typer.Argument(metavar="PLAN", help="Plan GeoPackage or postgresql:// URI.")],
    fix: Annotated[bool, typer.Option("--fix", help="Repair invalid geometry with make_valid, list area changes and save.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Check geometry, ids, codes, overlaps, containment and value ranges. Exit 1 when problems are found.
    \f

    Examples
    --------
    >>> import json
    >>> from typer.testing import CliRunner
    >>> from zoneplan import datasets
    >>> from zoneplan.cli import app
    >>> done = CliRunner().invoke(app, ["validate", str(datasets.get_path("zhangdian")), "--json"])
    >>> done.exit_code, json.loads(done.stdout)
    (0, {'valid': True, 'area_basis': 'planar', 'problems': []})
    """
    import pandas as pd

    from zoneplan.measure import plan_area_basis
    from zoneplan.validate import fix_geometries, validate

    with locked(plan_path, on_wait=say) if fix else contextlib.nullcontext():
        plan = load_plan(plan_path)
        changes = pd.DataFrame()
        if fix:
            fixed = []
            for name, gdf in plan.layers.items():
                new, ch = fix_geometries(gdf, layer=name, basis=plan_area_basis(plan))
                if len(ch):
                    plan = plan.with_layer(name, new)
                    fixed.append(ch)
            if fixed:
                changes = pd.concat(fixed, ignore_index=True)
                plan.write(plan_path)
    problems = validate(plan)
    if as_json:
        payload = {
            "valid": problems.empty,
            "area_basis": plan_area_basis(plan),
            "problems": problems[["layer", "feature_id", "rule", "message", "value"]].to_dict("records"),
        }
        if fix:
            payload["fixed"] = changes.to_dict("records")
        emit_json(payload)
    else:
        header(str(plan.meta.get("title", plan.name)), f" — validation of {plan_path}; areas in mu", plan=plan)
        if len(changes):
            console.print(table_of(changes, title=f"Repaired {len(changes)} geometries (saved to {plan_path})"))
        if problems.empty:
            console.print(styled(("valid", "green"), f": {plan_path} has no problems"))
        else:
            counts = problems.groupby(["layer", "rule"]).size().rename("count").reset_index()
            console.print(table_of(counts, title=f"{len(problems)} problem(s) in {plan_path}"))
            console.print(table_of(problems[["layer", "feature_id", "rule", "message"]].head(200)))
    if not problems.empty:
        raise typer.Exit(EXIT_FOUND)
