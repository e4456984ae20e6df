"""The ``serve`` command: the planner's workbench in the browser."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zoneplan.cli import app
from zoneplan.cli._common import console
from zoneplan.errors import InputError


@app.command("serve")
def serve_cmd(
    plan_path: Annotated[str, typer.Argument(metavar="PLAN", help="Plan GeoPackage or postgresql://…#PLAN.")],
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1 (the workbench never listens on other addresses).")] = 8765,
    basemap: Annotated[Path | None, typer.Option("--basemap", help="Offline basemap: a local MBTiles or PMTiles file of raster tiles.")] = None,
) -> None:
    """Edit the plan's phases in the browser: compose or draw, live areas in mu and rules, save, undo.
    \f

    Examples
    --------
    The workbench runs until stopped; what it refuses, it refuses before it starts:

    >>> from zoneplan.cli import main
    >>> try:  # "zoneplan: error: plan file not found …" on standard error, no server started
    ...     main(["serve", "no-such-plan.gpkg"])
    ... except SystemExit as exited:
    ...     print(exited.code)
    2
    """
    try:
        from zoneplan.serve import HOST, open_store, serve
    except ModuleNotFoundError as exc:
        raise InputError(f"zoneplan serve needs {exc.name}: pip install 'zoneplan[serve]'", rule="serve-extra") from None

    from zoneplan.serve._tiles import open_basemap

    open_store(plan_path)  # a missing plan or basemap is refused before the server starts
    if basemap is not None:
        open_basemap(basemap)
    console.print(f"zoneplan workbench on http://{HOST}:{port}/ — {plan_path} (Ctrl-C to stop)")
    serve(plan_path, port=port, basemap=None if basemap is None else str(basemap))
