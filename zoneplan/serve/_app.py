"""The workbench's web application (Starlette): the page, its script and a small JSON API.

Routes
------
``GET /``
    The map page: the plan drawn by :func:`zoneplan.maps.interactive.render_spec` (Leaflet and
    zoneplan's map script inlined, no network), plus ``/assets/workbench.js`` and ``.css``.
``GET /api/plan``
    Revision, the plan's ``area_basis``, phases (GeoJSON, EPSG:4326, with areas), zones, form fields, whether undo is possible.
``GET /api/revision``
    The plan's current revision (the page polls it to show other people's saves).
``GET /api/parcel?lon=…&lat=…``
    The smallest parcel under a lon-lat point (a parcel inside a larger one wins).
``POST /api/preview``
    ``{parcels: [...] | geometry: GeoJSON, attributes: {...}, phase_id?}`` → the phase's geometry,
    areas on both bases, attribute errors and the rules it breaks; nothing is saved.
``POST /api/save``
    The same body plus ``revision``: saves the phase (new, or reshaped when ``phase_id`` is given);
    422 with the attribute errors, 409 when the plan was saved by someone else since ``revision``.
``POST /api/delete``
    ``{phase_id, revision}``: deletes a phase (409 when stale).
``GET /tiles/{z}/{x}/{y}``
    A tile of the offline basemap (``--basemap FILE.mbtiles``); 204 where the file has none.
``POST /api/undo``
    ``{revision}``: puts back the phases as they were before the last save of this server.

Every error is JSON ``{"error": "<one line naming file, layer, feature and rule>"}``.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from zoneplan.errors import InputError, ZoneplanError
from zoneplan.maps.interactive import render_spec
from zoneplan.maps.kinds import workbench_spec
from zoneplan.measure import plan_area_basis
from zoneplan.plan import Plan
from zoneplan.serve._edit import FORM_FIELDS, check_attributes, from_lonlat, phase_areas, phase_geometry, phase_row, phase_rules, phases_geojson, to_lonlat
from zoneplan.serve._store import PlanStore, StaleError
from zoneplan.serve._tiles import MBTiles, PMTiles, open_basemap

__all__ = ["create_app"]

_ASSETS = Path(__file__).with_name("assets")
_HEADERS = {"Cache-Control": "no-store"}


class _Workbench:
    """The store plus the plan as last read, re-read only when its revision changes."""

    def __init__(self, store: PlanStore, *, poll_ms: int, basemap: MBTiles | PMTiles | None = None) -> None:
        self.store = store
        self.poll_ms = poll_ms
        self.basemap = basemap
        self._lock = threading.Lock()
        self._cached: tuple[str, Plan] | None = None

    def plan(self) -> tuple[Plan, str]:
        revision = self.store.revision()
        with self._lock:
            if self._cached is None or self._cached[0] != revision:
                plan, revision = self.store.read()
                self._cached = (revision, plan)
            return self._cached[1], self._cached[0]

    def page(self) -> str:
        plan, _ = self.plan()
        html = render_spec(workbench_spec(plan)).get_root().render()
        tags = '<link rel="stylesheet" href="/assets/workbench.css">\n<script src="/assets/workbench.js"></script>\n'
        return html.replace("</html>", tags + "</html>") if "</html>" in html else html + tags

    def state(self) -> dict[str, Any]:
        plan, revision = self.plan()
        zones = plan.zones
        return {
            "revision": revision,
            "area_basis": plan_area_basis(plan),  # which of each phase's two areas the plan's figures use
            "phases": phases_geojson(plan),
            "zones": [
                {"zone_id": str(z), "name": None if n is None else str(n)} for z, n in zip(zones.get("zone_id", []), zones.get("name", [None] * len(zones)))
            ],
            "fields": {k: {"label": v[0], "kind": v[1], "required": v[2]} for k, v in FORM_FIELDS.items()},
            "can_undo": self.store.can_undo,
            "store": "postgis" if self.store.is_postgis else "gpkg",
            "poll_ms": self.poll_ms,
            "basemap": self.basemap.config() if self.basemap else None,
        }

    def parcel_at(self, lon: float, lat: float) -> dict[str, Any]:
        plan, _ = self.plan()
        parcels = plan.parcels
        point = shapely.Point(lon, lat)
        at = from_lonlat(point, plan.crs)
        hits = shapely.STRtree(parcels.geometry.values).query(at, predicate="intersects") if len(parcels) else np.array([], dtype=int)
        if not len(hits):
            return {"parcel_id": None}
        best = hits[np.argmin(shapely.area(parcels.geometry.values[hits]))]
        return {"parcel_id": str(parcels["parcel_id"].iloc[best])}

    def _candidate(self, body: dict[str, Any]) -> tuple[Plan, str, Any, dict[str, Any], dict[str, str], str | None]:
        plan, revision = self.plan()
        phase_id = body.get("phase_id") or None
        geom = phase_geometry(plan, parcel_ids=body.get("parcels") or None, drawn=body.get("geometry"))
        attributes, errors = check_attributes(plan, body.get("attributes") or {}, editing=phase_id)
        if geom.is_empty:
            errors["geometry"] = "the phase has no area: compose it of parcels or draw an outline"
        return plan, revision, geom, attributes, errors, phase_id

    def preview(self, body: dict[str, Any]) -> dict[str, Any]:
        plan, revision, geom, attributes, errors, phase_id = self._candidate(body)
        judged = plan.with_layer("phases", plan.phases[plan.phases["phase_id"].astype("string") != phase_id]) if phase_id else plan
        return {
            "revision": revision,
            "geometry": mapping(to_lonlat(geom, plan.crs)) if not geom.is_empty else None,
            "area": phase_areas(geom, plan.crs),
            "errors": errors,
            "rules": phase_rules(judged, geom, attributes) if not geom.is_empty else {"violations": [], "checked": [], "not_checked": {}},
        }

    def save(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        # a stale page is told so first: its form was checked against a plan that no longer is
        self.store.require_revision(str(body.get("revision")))
        plan, _, geom, attributes, errors, phase_id = self._candidate(body)
        if errors:
            return 422, {"error": "; ".join(errors.values()), "errors": errors}
        phases = phase_row(plan, geom, attributes, phase_id=phase_id)
        saved_id = phase_id or str(phases["phase_id"].iloc[-1])
        revision = self.store.save_phases(phases, expected=str(body.get("revision")))
        return 200, {"revision": revision, "phase_id": saved_id, "area": phase_areas(geom, plan.crs)}

    def delete(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        plan, _ = self.plan()
        phase_id = str(body.get("phase_id"))
        ids = plan.phases["phase_id"].astype("string")
        if not (ids == phase_id).any():
            raise InputError(f"no phase {phase_id!r} in the plan", layer="phases", feature=phase_id, rule="phase-id")
        revision = self.store.save_phases(plan.phases[(ids != phase_id).fillna(True).to_numpy()], expected=str(body.get("revision")))
        return 200, {"revision": revision, "deleted": phase_id}

    def undo(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return 200, {"revision": self.store.undo(expected=str(body.get("revision")))}


def _error(exc: Exception) -> JSONResponse:
    status = 409 if isinstance(exc, StaleError) else 400
    return JSONResponse({"error": str(exc), "stale": isinstance(exc, StaleError)}, status_code=status, headers=_HEADERS)


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError("the request body is not JSON", rule="api") from None
    if not isinstance(body, dict):
        raise InputError("the request body must be a JSON object", rule="api")
    return body


def create_app(store: PlanStore, *, poll_ms: int = 3000, basemap: str | Path | None = None) -> Starlette:
    """The workbench application over ``store`` (see the module docstring for its routes).

    Parameters
    ----------
    store
        Where the plan lives (:func:`zoneplan.serve.open_store`).
    poll_ms
        How often the page asks for the plan's revision to show other people's saves.
    basemap
        A local MBTiles or PMTiles file of raster tiles, served as ``/tiles/{z}/{x}/{y}`` under the plan.

    Examples
    --------
    >>> import shutil, tempfile
    >>> from starlette.testclient import TestClient
    >>> from zoneplan import datasets
    >>> from zoneplan.serve import open_store
    >>> store = open_store(shutil.copy(datasets.get_path("zhangdian"), tempfile.mkdtemp()))
    >>> with TestClient(create_app(store, poll_ms=1000)) as client:  # in process, no socket
    ...     state = client.get("/api/plan").json()
    ...     stale = client.post("/api/delete", json={"phase_id": "zhangdian-phase-3", "revision": "an-old-one"})
    >>> state["poll_ms"], state["area_basis"], [f["properties"]["phase_id"] for f in state["phases"]["features"]]
    (1000, 'planar', ['zhangdian-phase-1', 'zhangdian-phase-2', 'zhangdian-phase-3'])
    >>> stale.status_code, stale.json()["stale"], len(store.read()[0].phases)  # refused, nothing deleted
    (409, True, 3)
    """
    tiles = open_basemap(basemap) if basemap is not None else None
    bench = _Workbench(store, poll_ms=poll_ms, basemap=tiles)

    def endpoint(work, *, post: bool):
        async def handle(request: Request) -> Response:
            try:
                if post:
                    status, out = await run_in_threadpool(work, await _body(request))
                    return JSONResponse(out, status_code=status, headers=_HEADERS)
                return await run_in_threadpool(work, request)
            except ZoneplanError as exc:
                return _error(exc)

        return handle

    def page(_: Request) -> Response:
        return HTMLResponse(bench.page(), headers=_HEADERS)

    def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ("workbench.js", "workbench.css"):
            return JSONResponse({"error": f"no asset {name!r}"}, status_code=404)
        kind = "text/javascript" if name.endswith(".js") else "text/css"
        return Response((_ASSETS / name).read_text(encoding="utf-8"), media_type=f"{kind}; charset=utf-8", headers=_HEADERS)

    def coordinate(request: Request, key: str) -> float:
        try:
            value = float(request.query_params[key])
        except (KeyError, ValueError):
            raise InputError(f"give {key} as a number", rule="api") from None
        if not np.isfinite(value):
            raise InputError(f"give {key} as a finite number", rule="api")
        return value

    def tile(request: Request) -> Response:
        if tiles is None:
            return Response(status_code=404)
        try:
            z, x, y = (int(request.path_params[k]) for k in ("z", "x", "y"))
        except ValueError:
            return Response(status_code=404)
        data = tiles.tile(z, x, y)
        return Response(data, media_type=tiles.media_type) if data is not None else Response(status_code=204)

    routes = [
        Route("/tiles/{z}/{x}/{y}", endpoint(tile, post=False)),
        Route("/", endpoint(page, post=False)),
        Route("/assets/{name}", endpoint(asset, post=False)),
        Route("/favicon.ico", lambda r: Response(status_code=204)),
        Route("/api/plan", endpoint(lambda r: JSONResponse(bench.state(), headers=_HEADERS), post=False)),
        Route("/api/revision", endpoint(lambda r: JSONResponse({"revision": bench.plan()[1], "can_undo": store.can_undo}, headers=_HEADERS), post=False)),
        Route("/api/parcel", endpoint(lambda r: JSONResponse(bench.parcel_at(coordinate(r, "lon"), coordinate(r, "lat")), headers=_HEADERS), post=False)),
        Route("/api/preview", endpoint(lambda b: (200, bench.preview(b)), post=True), methods=["POST"]),
        Route("/api/save", endpoint(bench.save, post=True), methods=["POST"]),
        Route("/api/delete", endpoint(bench.delete, post=True), methods=["POST"]),
        Route("/api/undo", endpoint(bench.undo, post=True), methods=["POST"]),
    ]
    return Starlette(routes=routes)
