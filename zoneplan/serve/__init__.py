"""``zoneplan serve``: edit a plan's phases in the browser, with live areas and rules.

A local web application (Starlette + uvicorn, bound to 127.0.0.1 only) over a plan GeoPackage or a
PostGIS plan. The page is the offline map of :mod:`zoneplan.maps` (no CDN, no network) with a
workbench panel: compose a phase by clicking parcels (their union) or draw it freehand (snapped to
parcel edges), reshape or delete a phase, read its area in mu on the planar and the ellipsoidal
basis and the rules it breaks before saving (:mod:`zoneplan.serve._edit`, on the server, with
zoneplan's compliance code), fill its attributes in a form checked against the layer contract,
save — atomically into a GeoPackage, in one transaction with conflict detection into PostGIS
(:mod:`zoneplan.serve._store`) — and undo the last save. Pages on one plan poll its revision and
show each other's saves; a save from a page that loaded an older revision is refused.

Examples
--------
>>> from zoneplan import datasets
>>> app = create_app(open_store(datasets.get_path("zhangdian")))
>>> sorted(r.path for r in app.routes)[:3]
['/', '/api/delete', '/api/parcel']
"""

from __future__ import annotations

import socket

from zoneplan.errors import InputError
from zoneplan.serve._app import create_app
from zoneplan.serve._store import PlanStore, StaleError, open_store

__all__ = ["HOST", "PlanStore", "StaleError", "create_app", "open_store", "serve"]

#: The only address the workbench listens on.
HOST = "127.0.0.1"


def serve(location: str, *, port: int = 8765, poll_ms: int = 3000, basemap: str | None = None, log_level: str = "warning") -> None:
    """Run the workbench on ``http://127.0.0.1:PORT/`` until interrupted.

    Parameters
    ----------
    location
        Plan GeoPackage or ``postgresql://…#PLAN``.
    port
        TCP port on 127.0.0.1.
    poll_ms
        How often pages look for other people's saves.
    basemap
        A local MBTiles or PMTiles file (raster tiles) drawn under the plan.
    log_level
        uvicorn's log level.

    Examples
    --------
    >>> import json, os, shutil, subprocess, sys, tempfile, time, urllib.request
    >>> from pathlib import Path
    >>> import zoneplan
    >>> from zoneplan import datasets
    >>> plan = shutil.copy(datasets.get_path("zhangdian"), tempfile.mkdtemp())
    >>> with socket.socket() as probe:  # a free port
    ...     probe.bind((HOST, 0))
    ...     port = probe.getsockname()[1]
    >>> # serve() blocks until interrupted: run it in its own process, as `zoneplan serve` does
    >>> env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(zoneplan.__file__).parents[1]), os.environ.get("PYTHONPATH", "")])}
    >>> server = subprocess.Popen([sys.executable, "-c", f"from zoneplan.serve import serve; serve({str(plan)!r}, port={port})"], env=env)
    >>> for _ in range(600):  # wait up to a minute for it to listen
    ...     try:
    ...         with urllib.request.urlopen(f"http://{HOST}:{port}/api/revision", timeout=10) as response:
    ...             revision = json.load(response)
    ...         break
    ...     except OSError:
    ...         assert server.poll() is None, "zoneplan serve stopped before it listened"
    ...         time.sleep(0.1)
    >>> revision == {"revision": open_store(plan).revision(), "can_undo": False}
    True
    >>> with urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=10) as response:
    ...     page = response.read().decode("utf-8")
    >>> response.status, "规划工作台 Planner&#x27;s workbench</title>" in page
    (200, True)
    >>> server.terminate()  # SIGTERM: uvicorn shuts down
    >>> _ = server.wait(timeout=60)
    >>> server.poll() is not None
    True
    """
    import uvicorn

    app = create_app(open_store(location), poll_ms=poll_ms, basemap=basemap)
    with socket.socket() as probe:
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            raise InputError(f"cannot listen on {HOST}:{port}: {exc.strerror}", rule="serve-port") from None
    uvicorn.run(app, host=HOST, port=port, log_level=log_level)
