"""Interactive maps at scale: HTML size and time until drawn in headless Chromium.

For 10k and 100k synthetic parcels (:func:`benchmarks.synthetic.make_plan`) the land-use map of
:func:`zoneplan.maps.make_map` is compared with folium's plain ``GeoJson(style_function=…)`` of
the same parcels and colours, built in the same run (and made offline the same way, so both pages
draw without a network). "Drawn" means: zoneplan's page has painted its canvas (``ZP.init`` sets
``data-zp-ready`` two animation frames after adding the layers); folium's page has every parcel's
SVG path in the document. Targets at 100k: ≤ 15 MB and ≤ 5 s.

Run with ``python -m benchmarks maps`` (``ZONEPLAN_BENCH_MAPS_SIZES=10000`` for a quick run).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import folium

from benchmarks.synthetic import make_plan
from zoneplan.maps import make_map, save_map
from zoneplan.maps._browser import launch_chromium
from zoneplan.maps.offline import make_offline
from zoneplan.maps.style import landuse_colors

TIMEOUT_MS = 240_000


def _folium_plain(plan, path: Path) -> float:
    """folium's own way: one GeoJson layer with a Python style_function; returns build+save seconds."""
    t0 = time.perf_counter()
    parcels = plan.parcels[["parcel_id", "landuse_code", "geometry"]].copy()
    parcels["color"] = landuse_colors(parcels["landuse_code"])
    m = folium.Map(location=[36.8, 115.7], zoom_start=12, tiles=None)
    make_offline(m)
    folium.GeoJson(
        parcels.to_crs(4326),
        style_function=lambda f: {"fillColor": f["properties"]["color"], "color": "#666666", "weight": 0.5, "fillOpacity": 0.85},
    ).add_to(m)
    m.fit_bounds([[b[1], b[0]] for b in (parcels.to_crs(4326).total_bounds.reshape(2, 2))])
    m.save(str(path))
    return time.perf_counter() - t0


def _open(browser, path: Path, *, ready_selector: str | None = None, ready_js: str | None = None) -> tuple[float, list[str]]:
    """Seconds from navigation to the page's ready mark (and two frames painted), and its errors.

    zoneplan's page carries a Content-Security-Policy without ``'unsafe-eval'``, under which
    Playwright's ``wait_for_function`` cannot poll (it evaluates strings in the page): it is
    waited for by selector. The plain folium page has no policy and is polled by predicate.
    """
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:")) else r.abort())
    t0 = time.perf_counter()
    page.goto(path.resolve().as_uri(), timeout=TIMEOUT_MS, wait_until="commit")
    if ready_selector is not None:
        page.wait_for_selector(ready_selector, timeout=TIMEOUT_MS)
    else:
        page.wait_for_function(ready_js, timeout=TIMEOUT_MS, polling=100)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    elapsed = time.perf_counter() - t0
    page.close()
    return elapsed, errors


def main(out_dir: Path) -> dict:
    """Measure both pages at each size; print and return the figures and the ratios."""
    from playwright.sync_api import sync_playwright

    sizes = [int(s) for s in os.environ.get("ZONEPLAN_BENCH_MAPS_SIZES", "10000,100000").split(",")]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, dict] = {}
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        for n in sizes:
            plan = make_plan(n, n_zones=max(1, n // 2000), n_control_polygons=10)
            zp_path, plain_path = out_dir / f"map_zoneplan_{n}.html", out_dir / f"map_folium_plain_{n}.html"
            t0 = time.perf_counter()
            save_map(make_map(plan, kind="landuse"), zp_path)
            zp_build = time.perf_counter() - t0
            zp_render, zp_errors = _open(browser, zp_path, ready_selector="body[data-zp-ready='1']")
            plain_build = _folium_plain(plan, plain_path)
            plain_render, plain_errors = _open(browser, plain_path, ready_js=f"document.querySelectorAll('path.leaflet-interactive').length >= {n}")
            row = {
                "zoneplan_html_mb": zp_path.stat().st_size / 1e6,
                "zoneplan_build_s": zp_build,
                "zoneplan_first_render_s": zp_render,
                "folium_plain_html_mb": plain_path.stat().st_size / 1e6,
                "folium_plain_build_s": plain_build,
                "folium_plain_first_render_s": plain_render,
                "errors": zp_errors + plain_errors,
            }
            row["html_ratio"] = row["folium_plain_html_mb"] / row["zoneplan_html_mb"]
            row["render_ratio"] = row["folium_plain_first_render_s"] / row["zoneplan_first_render_s"]
            results[str(n)] = row
            print(
                f"{n:>7} parcels  zoneplan {row['zoneplan_html_mb']:6.1f} MB {row['zoneplan_first_render_s']:6.2f} s (build {zp_build:5.1f} s)"
                f" | folium plain {row['folium_plain_html_mb']:6.1f} MB {row['folium_plain_first_render_s']:6.2f} s (build {plain_build:5.1f} s)"
                f" | {row['html_ratio']:.1f}x smaller, {row['render_ratio']:.1f}x faster",
                flush=True,
            )
            for p in (zp_path, plain_path):
                p.unlink(missing_ok=True)
        browser.close()
    return results


if __name__ == "__main__":
    main(Path(__file__).parent / "out")
