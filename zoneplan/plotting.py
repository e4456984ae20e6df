"""Charts with Chinese labels, without changing matplotlib's global settings.

zoneplan draws every chart inside :func:`chart_style`, a :func:`matplotlib.rc_context` that puts
the CJK font (``settings.font``, else the first installed of
:data:`zoneplan.maps.print.CJK_FONTS`) first in the font family, so the titles, labels and
legends created in it show Chinese; outside the block matplotlib is as the user left it.
:func:`use_cjk_font` is the explicit opt-in to make that font the session's default.

Without a CJK font charts still draw (Chinese characters then show as boxes) rather than fail;
print maps, which must be legible, refuse instead (:func:`zoneplan.maps.print.cjk_font`).

Examples
--------
>>> import matplotlib
>>> before = list(matplotlib.rcParams["font.family"])
>>> with chart_style():
...     inside = list(matplotlib.rcParams["font.family"])
>>> list(matplotlib.rcParams["font.family"]) == before, inside[-1]
(True, 'sans-serif')
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # matplotlib itself is imported when a chart is drawn
    from matplotlib.typing import RcKeyType

__all__ = ["chart_font", "chart_style", "use_cjk_font"]


def chart_font() -> str | None:
    """The installed CJK font family charts use, or None when there is none.

    Examples
    --------
    >>> chart_font() is not None  # a CJK font is installed here (fonts-wqy-microhei or another)
    True
    """
    from zoneplan.errors import ZoneplanError
    from zoneplan.maps.print import cjk_font

    try:
        return cjk_font()
    except ZoneplanError:
        return None


def _rc(font: str | None) -> dict[RcKeyType, Any]:
    return {"font.family": [font, "sans-serif"], "axes.unicode_minus": False} if font else {}


@contextlib.contextmanager
def chart_style() -> Iterator[str | None]:
    """Within the block, new figures use the CJK font (yielded; None when none is installed).

    Examples
    --------
    >>> import matplotlib
    >>> before = list(matplotlib.rcParams["font.family"])
    >>> with chart_style() as font:
    ...     print(matplotlib.rcParams["font.family"][0] == font)
    True
    >>> matplotlib.rcParams["font.family"] == before  # the session's style is left as it was
    True
    """
    import matplotlib

    font = chart_font()
    with matplotlib.rc_context(_rc(font)):
        yield font


def use_cjk_font() -> str | None:
    """Make the CJK font matplotlib's default for the rest of the session; return its name (None if none).

    This changes ``matplotlib.rcParams``; zoneplan's own charts do not need it (they draw in
    :func:`chart_style`).

    Examples
    --------
    >>> import matplotlib
    >>> with matplotlib.rc_context():  # only to give the session its settings back after the example
    ...     font = use_cjk_font()
    ...     print(matplotlib.rcParams["font.family"] == [font, "sans-serif"], matplotlib.rcParams["axes.unicode_minus"])
    True False
    >>> font == chart_font()
    True
    """
    import matplotlib

    font = chart_font()
    matplotlib.rcParams.update(_rc(font))
    return font
