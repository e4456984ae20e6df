"""Offline map pages: Leaflet, jQuery and zoneplan's own map script inlined into the HTML.

A default folium page loads Leaflet, jQuery, Bootstrap and Font-Awesome from public CDNs; on a
government intranet with no internet it stays blank. zoneplan pages carry everything they need:

* Leaflet 1.9.3 (``leaflet.js`` and ``leaflet.css`` with its PNG icons as ``data:`` URIs) from the
  PyPI package ``xstatic-leaflet`` (byte-identical to npm ``leaflet@1.9.3``, BSD-2-Clause);
* jQuery 3.7.1 from ``xstatic-jquery`` (MIT) — folium's own popups call ``$()``, so a user who
  adds folium objects to a zoneplan map still gets a working page;
* ``assets/zoneplan.js`` / ``assets/zoneplan.css`` — zoneplan's styling, legend, layer control,
  fullscreen, scale, measure and draw tools (no Leaflet plugins, hence no plugin CDNs).

:func:`external_urls` lists every URL a saved page would fetch (scripts, stylesheets, images,
tile templates); a page made with ``basemap="none"`` has none.
"""

from __future__ import annotations

import base64
import functools
import re
from pathlib import Path

import folium
from branca.element import Element, Figure

__all__ = ["external_urls", "jquery_js", "leaflet_css", "leaflet_js", "make_offline", "page_figure", "zoneplan_css", "zoneplan_js"]

_ASSETS = Path(__file__).with_name("assets")
_SOURCE_MAP = re.compile(r"^\s*//[#@]\s*sourceMappingURL=.*$", re.MULTILINE)


def _xstatic_dir(module: str) -> Path:
    import importlib

    return Path(importlib.import_module(f"xstatic.pkg.{module}").BASE_DIR)


def _clean_js(text: str) -> str:
    # An inlined script must not point the browser at a .map file, nor close the <script> tag.
    return _SOURCE_MAP.sub("", text).replace("</script", "<\\/script")


@functools.cache
def leaflet_js() -> str:
    """Leaflet's minified JavaScript (from ``xstatic-leaflet``), ready to inline."""
    return _clean_js((_xstatic_dir("leaflet") / "leaflet.js").read_text(encoding="utf-8"))


@functools.cache
def leaflet_css() -> str:
    """Leaflet's stylesheet with its images embedded as ``data:`` URIs."""
    base = _xstatic_dir("leaflet")
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def embed(match: re.Match[str]) -> str:
        png = (base / match.group(1)).read_bytes()
        return f"url(data:image/png;base64,{base64.b64encode(png).decode('ascii')})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", embed, css)


@functools.cache
def jquery_js() -> str:
    """jQuery 3.7.1 minified (from ``xstatic-jquery``), ready to inline."""
    return _clean_js((_xstatic_dir("jquery") / "jquery.min.js").read_text(encoding="utf-8"))


@functools.cache
def zoneplan_js() -> str:
    """zoneplan's map script (``assets/zoneplan.js``)."""
    return _clean_js((_ASSETS / "zoneplan.js").read_text(encoding="utf-8"))


@functools.cache
def zoneplan_css() -> str:
    """zoneplan's map stylesheet (``assets/zoneplan.css``)."""
    return (_ASSETS / "zoneplan.css").read_text(encoding="utf-8")


def page_figure(m: folium.Map) -> Figure:
    """The page (branca ``Figure``) that holds ``m``: its header, title and scripts.

    branca types ``get_root()`` as any ``Element``; a folium map is always placed in a Figure.

    Examples
    --------
    >>> type(page_figure(folium.Map(tiles=None))).__name__
    'Figure'
    """
    root = m.get_root()
    if not isinstance(root, Figure):
        raise TypeError(f"the map is not in a page but in a {type(root).__name__}")
    return root


def make_offline(m: folium.Map, *, jquery: bool = True) -> folium.Map:
    """Inline Leaflet (and jQuery) into ``m``'s page header and drop folium's CDN links.

    Parameters
    ----------
    m
        The map; changed in place and returned.
    jquery
        Also inline jQuery (needed by folium popups and some folium elements).

    Examples
    --------
    >>> import folium
    >>> m = make_offline(folium.Map(location=[36.8, 115.7], tiles=None))
    >>> external_urls(m.get_root().render())  # Leaflet inlined: nothing left to fetch
    []
    """
    m.default_js = []
    m.default_css = []
    header = page_figure(m).header
    parts = [f"<style>{leaflet_css()}</style>", f"<script>{leaflet_js()}</script>"]
    if jquery:
        parts.append(f"<script>{jquery_js()}</script>")
    parts += [f"<style>{zoneplan_css()}</style>", f"<script>{zoneplan_js()}</script>"]
    header.add_child(Element("\n".join(parts)), name="zoneplan_offline_assets", index=0)
    return m


_URL_ATTR = re.compile(r"""(?:src|href)\s*=\s*["'](?P<url>(?:https?:)?//[^"']+)["']""", re.IGNORECASE)
_CSS_URL = re.compile(r"""url\(\s*["']?(?P<url>(?:https?:)?//[^"')]+)""", re.IGNORECASE)
_TILE_URL = re.compile(r'"url"\s*:\s*"(?P<url>(?:https?:)?//[^"]+)"')


def external_urls(html: str) -> list[str]:
    """URLs a page would fetch from the network: script/link/img sources, CSS ``url()``, tile templates.

    Hyperlinks in attribution text (``<a href=...>``) are not fetched and are not listed.

    Examples
    --------
    >>> external_urls('<script src="https://cdn.example.org/leaflet.js"></script><img src="data:image/png;base64,AA==">')
    ['https://cdn.example.org/leaflet.js']
    """
    urls: list[str] = []
    for tag in re.finditer(r"<(script|link|img|iframe|source)\b[^>]*>", html, re.IGNORECASE):
        urls += [m.group("url") for m in _URL_ATTR.finditer(tag.group(0))]
    urls += [m.group("url") for m in _CSS_URL.finditer(html)]
    urls += [m.group("url") for m in _TILE_URL.finditer(html)]
    return sorted(set(urls))
