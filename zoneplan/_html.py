"""User text in HTML pages, escaped for its context, and the pages' Content-Security-Policy.

Every text a plan carries (titles, names, legend entries, rule titles, metadata, file names)
reaches a page through one of three doors, each with its own escaping:

* element text and attribute values (``<title>``, ``<td>``, ``title="…"``): :func:`text`;
* JSON inside a ``<script>`` block: :func:`script_json` — ``<``, ``>``, ``&`` and the line
  separators U+2028/U+2029 written as ``\\uXXXX`` so no string can end the block, open a comment
  or break a JavaScript string literal;
* nothing else: user text never becomes markup (the page script sets ``textContent``).

:func:`with_csp` then puts a ``<meta http-equiv="Content-Security-Policy">`` first in the page's
head: nothing may load from any origin (``default-src 'none'``) but images that are ``data:`` URIs
(Leaflet's icons, the report's charts) or tiles of a basemap the page was made with; scripts and
stylesheets run only if they are the page's own inlined assets, named by their SHA-256 hashes
(no ``'unsafe-inline'``, no ``'unsafe-eval'``), so markup that somehow got into a page still runs
nothing. Style *attributes* are not allowed either: the page script styles elements through the
DOM (``element.style``), which a policy does not restrict.

Examples
--------
>>> text('</title><script>alert(1)</script>')
'&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;'
>>> script_json({"title": "</script>"})
'{"title":"\\\\u003c/script\\\\u003e"}'
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Any

__all__ = ["csp", "inline_hashes", "policy_of", "script_json", "text", "with_csp"]

_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_JSON_UNSAFE = re.compile("[<>&\u2028\u2029]")
_HEAD = re.compile(r"<head[^>]*>", re.IGNORECASE)
_POLICY = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')


def text(value: object) -> str:
    """``value`` as text for an HTML element or a quoted attribute value (``&<>"'`` escaped)."""
    return html.escape(str(value), quote=True)


def script_json(value: Any) -> str:
    """``value`` as JSON safe to place inside ``<script type="application/json">``.

    ``JSON.parse`` of the block's ``textContent`` gives back exactly ``value``.
    """
    raw = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _JSON_UNSAFE.sub(lambda m: _JSON_ESCAPES[m.group(0)], raw)


def _sha256(body: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii") + "'"


class _RawText(HTMLParser):
    """Bodies of ``<script>`` and ``<style>`` elements as the browser's parser sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._open: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            kind = dict(attrs).get("type") or ""
            # a JSON data block is never run, hence not hashed
            self._open = (tag, []) if tag == "style" or not kind.lower().startswith("application/") else None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open is not None and tag == self._open[0]:
            (self.scripts if tag == "script" else self.styles).append("".join(self._open[1]))
        if tag in ("script", "style"):
            self._open = None


def _bodies(page: str) -> tuple[list[str], list[str]]:
    parser = _RawText()
    parser.feed(page)
    parser.close()
    return parser.scripts, parser.styles


def inline_hashes(page: str, *, trusted: str | None = None) -> tuple[list[str], list[str]]:
    """CSP source expressions (``'sha256-…'``) of ``page``'s inline scripts and style elements.

    With ``trusted``, only the scripts and styles that are also elements of ``trusted`` (the
    page's own assets and generated code, rendered without any user text) are hashed: a script
    that got into the page through user text is then refused by the browser.
    """
    scripts, styles = _bodies(page)
    if trusted is not None:
        ok_scripts, ok_styles = ({b.strip() for b in bodies} for bodies in _bodies(trusted))
        scripts = [b for b in scripts if b.strip() in ok_scripts]
        styles = [b for b in styles if b.strip() in ok_styles]
    return list(dict.fromkeys(map(_sha256, scripts))), list(dict.fromkeys(map(_sha256, styles)))


def csp(*, scripts: Iterable[str] = (), styles: Iterable[str] = (), images: Iterable[str] = ()) -> str:
    """A policy allowing only the given script/style hashes and image sources (besides ``data:``)."""
    scripts, styles = list(scripts), list(styles)
    directives = [
        "default-src 'none'",
        f"script-src {' '.join(scripts)}" if scripts else "script-src 'none'",
        f"style-src {' '.join(styles)}" if styles else "style-src 'none'",
        f"img-src {' '.join(['data:', *images])}",
        "base-uri 'none'",
        "form-action 'none'",
    ]
    return "; ".join(directives)


def policy_of(page: str) -> dict[str, list[str]]:
    """The directives of the Content-Security-Policy :func:`with_csp` put in ``page``."""
    found = _POLICY.search(page)
    if found is None:
        return {}
    directives = (d.split() for d in html.unescape(found.group(1)).split(";"))
    return {d[0]: d[1:] for d in directives if d}


def with_csp(page: str, *, trusted: str, images: Iterable[str] = (), scripts: Iterable[str] = (), styles: Iterable[str] = ()) -> str:
    """``page`` with its charset and a Content-Security-Policy first in its ``<head>``.

    The policy allows those of ``page``'s inline scripts and styles that are elements of
    ``trusted`` (by hash, :func:`inline_hashes`) plus ``scripts`` and ``styles`` (hashes of the
    documents embedded with ``<iframe srcdoc>``, which inherit this policy), and images from
    ``data:`` and ``images`` (tile servers of a chosen basemap).
    """
    page = page.replace("\r\n", "\n")  # the parser normalises line ends before a hash is taken
    own_scripts, own_styles = inline_hashes(page, trusted=trusted.replace("\r\n", "\n"))
    policy = csp(scripts=dict.fromkeys([*own_scripts, *scripts]), styles=dict.fromkeys([*own_styles, *styles]), images=images)
    meta = f'<meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="{text(policy)}">'
    head = _HEAD.search(page)
    if head is None:
        raise ValueError("the page has no <head> to hold its Content-Security-Policy")
    return page[: head.end()] + meta + page[head.end() :]
