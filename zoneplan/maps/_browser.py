"""Headless Chromium as zoneplan's tests and benchmarks drive it (Debian's ``chromium``).

Playwright cannot download its own browser here, so it launches the system Chromium
(``zoneplan.settings.settings.browser_path``: ``$ZONEPLAN_CHROMIUM``, default ``/usr/bin/chromium``) with flags that keep it from reaching for
the network in the background.
"""

from __future__ import annotations

from typing import Any

from zoneplan.settings import settings

__all__ = ["CHROMIUM_ARGS", "LOCAL_SCHEMES", "launch_chromium"]

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: URL schemes that never leave the machine.
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


def launch_chromium(playwright: Any) -> Any:
    """Launch headless Chromium from a started ``sync_playwright()``."""
    return playwright.chromium.launch(executable_path=settings.browser_path, args=CHROMIUM_ARGS)
