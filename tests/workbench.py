"""The workbench (``zoneplan serve``) for tests: a real uvicorn server on a free 127.0.0.1 port,
started and stopped within a test, and browser pages that record every request.

``serving(location)`` yields the base URL and stops the server afterwards (bounded: the server
thread must end within 10 s). ``Bench`` opens the page in its own browser context, aborts and
records every request not addressed to the server, and helps click a feature by its lon-lat.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd

from zoneplan.maps._browser import LOCAL_SCHEMES

SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(location: str | Path, *, poll_ms: int = 400, basemap: str | Path | None = None) -> Iterator[str]:
    """Run the workbench over ``location``; yield ``http://127.0.0.1:PORT``; stop it."""
    import uvicorn

    from zoneplan.serve import HOST, create_app, open_store

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(open_store(location), poll_ms=poll_ms, basemap=basemap), host=HOST, port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the workbench server did not start")
        time.sleep(0.02)
    try:
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        assert not thread.is_alive(), "the workbench server did not stop"


class Bench:
    """The workbench page in a fresh browser context; every request leaving ``base`` is refused and recorded."""

    def __init__(self, browser, base: str, *, viewport: dict | None = None) -> None:
        self.base = base
        self.context = browser.new_context(viewport=viewport or {"width": 1400, "height": 900})
        self.requests: list[str] = []
        self.external: list[str] = []
        self.errors: list[str] = []

        def route(r):
            url = r.request.url
            self.requests.append(url)
            if url.startswith((base + "/", LOCAL_SCHEMES)) or url == base:
                r.continue_()
            else:
                self.external.append(url)
                r.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.load()

    def load(self) -> None:
        self.page.goto(self.base + "/")
        self.page.wait_for_selector("body[data-zpw-ready='1']", timeout=30_000)

    def close(self) -> None:
        self.context.close()

    def view(self, lon: float, lat: float, zoom: int) -> None:
        """Centre the map on a lon-lat point at ``zoom`` (no animation)."""
        self.page.evaluate("([lat, lon, z]) => ZP.state.map.setView([lat, lon], z, {animate: false})", [lat, lon, zoom])
        self.page.wait_for_timeout(100)

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        """Page position of a lon-lat point."""
        x, y = self.page.evaluate(
            "([lat, lon]) => { var m = ZP.state.map, p = m.latLngToContainerPoint([lat, lon]), r = m.getContainer().getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }",
            [lat, lon],
        )
        return x, y

    def click_feature(self, gdf: gpd.GeoDataFrame, index: object) -> None:
        """Click inside feature ``index`` of ``gdf`` (at its representative point)."""
        at = gdf.loc[[index]].geometry.representative_point().to_crs(4326).iloc[0]
        self.page.mouse.click(*self.point(at.x, at.y))

    def idle(self) -> None:
        """Wait until no preview request is running."""
        self.page.wait_for_function("() => (document.body.getAttribute('data-zpw-busy') || '0') === '0'", timeout=20_000)

    def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"serve_{name}.png"
        self.page.screenshot(path=str(path))
        return path
