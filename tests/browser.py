"""One headless Chromium for the whole test session, and pages that record what they load.

Playwright's sync API cannot be started twice in one process while the first is running, so
every browser test shares the session fixture ``browser`` (registered in ``conftest.py``).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from zoneplan.maps._browser import LOCAL_SCHEMES, launch_chromium


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    b = launch_chromium(pw)
    yield b
    b.close()
    pw.stop()


def wait_until(frame: Any, expression: str, *, timeout_s: float = 30.0) -> None:
    """Poll ``expression`` in a page or frame from Python until it is true.

    zoneplan's pages carry a Content-Security-Policy without ``'unsafe-eval'``, and Playwright's
    ``wait_for_function`` polls by ``eval`` inside the page whenever its first check is false —
    which such a page refuses. ``evaluate`` runs outside the page's policy.
    """
    deadline = time.monotonic() + timeout_s
    while not frame.evaluate(expression):
        assert time.monotonic() < deadline, f"never true within {timeout_s:g} s: {expression}"
        time.sleep(0.05)


class Opened:
    """A page with its console errors, the dialogs script opened and the requests that tried to leave localhost."""

    def __init__(self, browser, path: Path, *, ready: str | None = "body[data-zp-ready='1']", viewport: dict | None = None) -> None:
        self.page = browser.new_page(viewport=viewport or {"width": 1280, "height": 800})
        self.errors: list[str] = []
        self.external: list[str] = []
        self.dialogs: list[str] = []  # alert/confirm/prompt: none should ever open on a zoneplan page
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

        def route(r):
            url = r.request.url
            if url.startswith(LOCAL_SCHEMES):
                r.continue_()
            else:
                self.external.append(url)
                r.abort()

        self.page.context.route("**/*", route)
        self.page.goto(path.resolve().as_uri())
        if ready:
            self.page.wait_for_selector(ready, timeout=30_000)
        else:
            self.page.wait_for_load_state("load")

    def at(self, layer: str, index: int) -> tuple[float, float]:
        """Screen position of the centre of feature ``index`` of ``layer``."""
        return tuple(self.page.evaluate("([name, i]) => ZP.featurePoint(name, i)", [layer, index]))
