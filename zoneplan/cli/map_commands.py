"""The ``map`` command: offline interactive HTML maps and print maps (PNG/PDF)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from zoneplan.analysis.grouping import as_level
from zoneplan.cli import app
from zoneplan.cli._common import console, emit_json, header, load_plan
from zoneplan.errors import InputError
from zoneplan.maps.interactive import BASEMAPS, render_spec, save_map
from zoneplan.maps.kinds import GROUP_LEVELS, KINDS, build_spec
from zoneplan.maps.offline import external_urls
from zoneplan.maps.print import PAPER_MM, print_spec
from zoneplan.measure import plan_area_basis


@app.command("map")
def map_cmd(
    plan_path: Annotated[str, typer.Argument(metavar="PLAN", help="Plan GeoPackage or postgresql:// URI.")],
    kind: Annotated[str, typer.Option("--kind", help=f"Map kind: {' | '.join(KINDS)}.")] = "landuse",
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Interactive map to write (self-contained HTML).")] = None,
    indicator: Annotated[str | None, typer.Option("--indicator", help="Indicator to map (--kind indicator).")] = None,
    by: Annotated[str, typer.Option("--by", help=f"Grouping of --kind indicator: {' | '.join(GROUP_LEVELS)}.")] = "zone",
    basemap: Annotated[str, typer.Option("--basemap", help=f"Basemap: {' | '.join(BASEMAPS)} (none = fully offline).")] = "none",
    tianditu_key: Annotated[str | None, typer.Option("--tianditu-key", help="Tianditu tk key (default: $ZONEPLAN_TIANDITU_KEY).")] = None,
    year: Annotated[int | None, typer.Option("--year", help="Show the plan as of this year.")] = None,
    print_path: Annotated[Path | None, typer.Option("--print", help="Also write a print map (.png or .pdf).")] = None,
    paper: Annotated[str, typer.Option("--paper", help=f"Print paper, landscape: {' | '.join(PAPER_MM)}.")] = "A3",
    dpi: Annotated[int, typer.Option("--dpi", help="Print resolution.")] = 300,
    grid: Annotated[bool, typer.Option("--grid", help="Print a coordinate grid (metres of the plan's CRS).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Draw a map of a plan: interactive HTML (-o) that opens offline, and/or a print map (--print).
    \f

    Examples
    --------
    >>> import json, tempfile
    >>> from pathlib import Path
    >>> from typer.testing import CliRunner
    >>> from zoneplan import datasets
    >>> from zoneplan.cli import app
    >>> html = Path(tempfile.mkdtemp()) / "phases.html"
    >>> done = CliRunner().invoke(app, ["map", str(datasets.get_path("zhangdian")), "--kind", "phases", "-o", str(html), "--json"])
    >>> drawn = json.loads(done.stdout)
    >>> done.exit_code, drawn["layers"]["分期 Phases"], drawn["external_urls"], html.exists()  # opens offline: no external URL
    (0, 3, [], True)
    """
    if out is None and print_path is None:
        raise InputError("name an output: -o OUT.html and/or --print OUT.pdf|png", rule="map-output")
    if out is not None and out.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"-o writes an HTML page; use a .html name, not {out.name!r}", file=out, rule="map-output")
    plan = load_plan(plan_path)
    spec = build_spec(plan, kind=kind, indicator=indicator, year=year, by=as_level(by, what="--by"))
    result: dict[str, Any] = {
        "plan": plan_path,
        "kind": kind,
        "basemap": basemap,
        "year": year,
        "area_basis": plan_area_basis(plan),
        "layers": {o.name: len(o.data) for o in spec.overlays},
    }
    if out is not None:
        m = render_spec(spec, basemap=basemap, tianditu_key=tianditu_key)
        save_map(m, out)
        html = out.read_text(encoding="utf-8")
        result.update({"html": str(out), "html_bytes": out.stat().st_size, "external_urls": external_urls(html)})
    if print_path is not None:
        print_spec(spec, print_path, paper=paper, dpi=dpi, grid=grid)
        result.update({"print": str(print_path), "paper": paper, "dpi": dpi})
    if as_json:
        emit_json(result)
        return
    layers = ", ".join(f"{name} ({n})" for name, n in result["layers"].items())
    header(spec.title, f": {layers}", plan=plan)
    if out is not None:
        where = "offline, no network requests" if not result["external_urls"] else f"loads tiles from {basemap}"
        console.print(f"  map: {out} ({result['html_bytes'] / 1e6:,.2f} MB, {where})")
    if print_path is not None:
        console.print(f"  print: {print_path} ({paper} landscape, {dpi} dpi)")
