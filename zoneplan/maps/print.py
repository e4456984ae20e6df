"""Print maps: a planning drawing (规划图) on A3 or A4 landscape, as PNG or PDF, with matplotlib.

A drawing has a title, the map in the plan's Gauss–Krüger CRS (so distances are true metres), a
legend in the standard colours, a north arrow, a scale bar with the representative fraction,
labels (phase number and area in mu, park names …), and a note with the source, the CRS and
the date. Chinese text needs a CJK font; :func:`cjk_font` finds one (WenQuanYi Micro Hei, Noto
Sans CJK, Source Han Sans, SimHei, Microsoft YaHei …) and fails with the install command when
none is present, instead of drawing empty boxes (豆腐块).
"""

from __future__ import annotations

import datetime
import math
import os
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib import font_manager
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from zoneplan.errors import InputError, ZoneplanError
from zoneplan.io.gpkg import atomic_path
from zoneplan.maps.kinds import MapSpec, build_spec
from zoneplan.plan import Plan
from zoneplan.settings import settings

__all__ = ["PAPER_MM", "CJK_FONTS", "cjk_font", "print_map", "print_spec"]

#: Landscape paper sizes in millimetres (width, height).
PAPER_MM: dict[str, tuple[float, float]] = {"A3": (420.0, 297.0), "A4": (297.0, 210.0)}
#: CJK font families tried in order.
CJK_FONTS: tuple[str, ...] = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "WenQuanYi Zen Hei",
    "AR PL UMing CN",
    "Droid Sans Fallback",
)
_MM_PER_INCH = 25.4


def cjk_font() -> str:
    """Name of an installed font family that draws Chinese characters: ``settings.font`` when
    set, else the first installed of :data:`CJK_FONTS`.

    Raises
    ------
    ZoneplanError
        No CJK font is installed (install ``fonts-wqy-microhei`` or ``fonts-noto-cjk``).
    """
    wanted = (settings.font,) if settings.font else CJK_FONTS
    available = {f.name for f in font_manager.fontManager.ttflist}
    for name in wanted:
        if name in available:
            return name
    # fonts installed after matplotlib built its cache: look once more without the cache
    manager = font_manager._load_fontmanager(try_read_cache=False)
    available = {f.name for f in manager.ttflist}
    for name in wanted:
        if name in available:
            font_manager.fontManager = manager
            return name
    raise ZoneplanError(
        "no Chinese (CJK) font found for print maps; install one, e.g. `apt-get install fonts-wqy-microhei` "
        f"(tried {', '.join(wanted)}; settings.font / $ZONEPLAN_FONT names another)",
        rule="print-font",
    )


def _em_width(text: str) -> float:
    """Approximate width of ``text`` in ems: CJK and full-width characters 1, others 0.55."""
    return sum(1.0 if ord(ch) >= 0x2E80 else 0.55 for ch in text)


def _fit_size(lines: list[str], *, width_pt: float, largest: float, smallest: float = 5.0) -> float:
    """The largest font size (≤ ``largest``) at which every line fits in ``width_pt`` points."""
    widest = max((_em_width(line) for line in lines), default=1.0) or 1.0
    return max(smallest, min(largest, width_pt / widest))


def _nice_length(span_m: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10ⁿ m) of about a fifth of ``span_m``."""
    target = span_m / 5
    exp = 10 ** math.floor(math.log10(target))
    return max(f * exp for f in (1, 2, 5) if f * exp <= target)


def _fmt_len(m: float) -> str:
    return f"{m / 1000:g} km" if m >= 1000 else f"{m:g} m"


def _fit_limits(bounds: np.ndarray, aspect: float) -> tuple[float, float, float, float]:
    """Map extent around ``bounds`` (5 % margin) widened to the axes' width/height ``aspect``."""
    minx, miny, maxx, maxy = bounds
    w, h = max(maxx - minx, 1.0) * 1.1, max(maxy - miny, 1.0) * 1.1
    cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
    if w / h < aspect:
        w = h * aspect
    else:
        h = w / aspect
    return cx - w / 2, cx + w / 2, cy - h / 2, cy + h / 2


def _draw_scale_bar(ax, x0: float, x1: float, y0: float, y1: float, *, map_width_mm: float) -> None:
    span = x1 - x0
    length = _nice_length(span)
    bx, by = x0 + 0.04 * span, y0 + 0.04 * (y1 - y0)
    height = 0.008 * (y1 - y0)
    for i in range(4):
        ax.add_patch(Rectangle((bx + i * length / 4, by), length / 4, height, facecolor="black" if i % 2 == 0 else "white", edgecolor="black", linewidth=0.8, zorder=20))
    for frac in (0, 0.5, 1):
        ax.text(bx + frac * length, by + height * 1.6, _fmt_len(frac * length) if frac else "0", ha="center", va="bottom", fontsize=8, zorder=20)
    denominator = span / (map_width_mm / 1000)
    rounded = float(f"{denominator:.2g}")
    ax.text(bx, by - height * 1.2, f"比例尺 Scale 1:{rounded:,.0f}", ha="left", va="top", fontsize=8, zorder=20)


def _draw_north_arrow(ax) -> None:
    ax.annotate(
        "",
        xy=(0.05, 0.95),
        xytext=(0.05, 0.85),
        xycoords="axes fraction",
        arrowprops={"facecolor": "black", "edgecolor": "black", "width": 4, "headwidth": 14, "headlength": 16},
        zorder=20,
    )
    ax.text(0.05, 0.955, "N\n北", transform=ax.transAxes, ha="center", va="bottom", fontsize=11, zorder=20)


def print_spec(
    spec: MapSpec,
    path: str | os.PathLike,
    *,
    paper: str = "A3",
    dpi: int = 300,
    date: datetime.date | None = None,
) -> Path:
    """Draw ``spec`` as a planning drawing and save it (PNG or PDF by the file suffix), atomically.

    Parameters
    ----------
    spec
        What to draw (:func:`zoneplan.maps.kinds.build_spec`).
    path
        Output file, ``.png`` or ``.pdf``.
    paper
        ``A3`` or ``A4`` (landscape).
    dpi
        Resolution (PNG; PDF text and vectors stay vector).
    date
        Date in the note (default: the spec's date, i.e. today).
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("png", "pdf"):
        raise InputError(f"print maps are written as .png or .pdf, not {path.suffix or 'no suffix'}", file=path, rule="print-format")
    if paper not in PAPER_MM:
        raise InputError(f"paper must be one of {sorted(PAPER_MM)}, not {paper!r}", rule="print-paper")
    if not spec.overlays:
        raise InputError("nothing to draw: every layer of this map is empty", rule="print-empty")
    font = cjk_font()
    width_mm, height_mm = PAPER_MM[paper]
    fig = Figure(figsize=(width_mm / _MM_PER_INCH, height_mm / _MM_PER_INCH), dpi=dpi)
    fig.set_facecolor("white")
    base = 10 if paper == "A3" else 8
    # map frame: left 72 % of the sheet under the title; legend panel on the right
    left, bottom, map_w, map_h = 0.03, 0.07, 0.70, 0.82
    ax = fig.add_axes((left, bottom, map_w, map_h))
    legend_ax = fig.add_axes((left + map_w + 0.015, bottom, 1 - (left + map_w + 0.015) - 0.02, map_h))
    legend_ax.axis("off")
    with matplotlib.rc_context({"font.family": [font, "DejaVu Sans"], "axes.unicode_minus": False}):
        bounds = np.array([np.inf, np.inf, -np.inf, -np.inf])
        for o in spec.overlays:
            b = o.data.total_bounds
            if np.all(np.isfinite(b)):
                bounds = np.array([min(bounds[0], b[0]), min(bounds[1], b[1]), max(bounds[2], b[2]), max(bounds[3], b[3])])
        aspect = (map_w * width_mm) / (map_h * height_mm)
        x0, x1, y0, y1 = _fit_limits(bounds, aspect)
        for z, o in enumerate(spec.overlays):
            gdf = o.data[o.data.geometry.notna() & ~o.data.geometry.is_empty]
            if gdf.empty:
                continue
            if o.fill is None:
                face = "none"
            elif isinstance(o.fill, str):
                face = to_rgba(o.fill, o.fill_opacity)
            else:
                face = [to_rgba(c, o.fill_opacity) for c in o.fill.reindex(gdf.index).fillna("#cccccc")]
            gdf.plot(ax=ax, facecolor=face, edgecolor=o.color, linewidth=max(o.weight * 0.5, 0.2), linestyle="--" if o.dash else "-", zorder=2 + z)
        for z, o in enumerate(spec.overlays):
            if o.labels is None:
                continue
            gdf = o.data[o.data.geometry.notna() & ~o.data.geometry.is_empty]
            pts = gdf.geometry.representative_point()
            for (x, y), text in zip(zip(pts.x, pts.y), o.labels.reindex(gdf.index).fillna("")):
                ax.text(x, y, str(text), ha="center", va="center", fontsize=base + 1, zorder=30,
                        bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "alpha": 0.8, "edgecolor": "#555555", "linewidth": 0.5})
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
        for spine in ax.spines.values():
            spine.set_linewidth(1.2)
        _draw_north_arrow(ax)
        _draw_scale_bar(ax, x0, x1, y0, y1, map_width_mm=map_w * width_mm)
        handles = [
            Patch(facecolor="none", edgecolor=item.color, linewidth=2, label=item.label) if item.outline else Patch(facecolor=item.color, edgecolor="#555555", linewidth=0.5, label=item.label)
            for item in spec.legend
        ]
        # legend text sized to the panel: width (swatch ≈ 4 em) and height (≈ 1.9 em per row)
        panel_w_pt = (1 - (left + map_w + 0.015) - 0.02) * width_mm / _MM_PER_INCH * 72
        panel_h_pt = map_h * height_mm / _MM_PER_INCH * 72
        size = _fit_size([i.label + " " * 7 for i in spec.legend] + [spec.legend_title], width_pt=panel_w_pt, largest=base - 1)
        size = max(5.0, min(size, panel_h_pt / (1.9 * (len(handles) + 1.5))))
        legend = legend_ax.legend(handles=handles, loc="upper left", title=spec.legend_title, fontsize=size, title_fontsize=size + 0.5, frameon=True, borderaxespad=0, handlelength=2.2, handleheight=1.2)
        legend._legend_box.align = "left"
        title_lines = spec.title.split(" · ") if _em_width(spec.title) * (base + 10) > 0.92 * width_mm / _MM_PER_INCH * 72 else [spec.title]
        title_size = _fit_size(title_lines, width_pt=0.92 * width_mm / _MM_PER_INCH * 72, largest=base + 10)
        fig.text(0.5, 0.945, "\n".join(title_lines), ha="center", va="center", fontsize=title_size, linespacing=1.15)
        epsg = spec.crs.to_epsg()
        crs = f"EPSG:{epsg}" if epsg else spec.crs.name
        when = (date or spec.date).isoformat()
        note = f"来源 Source: {spec.source}    坐标系 CRS: {spec.crs.name} ({crs})    制图日期 Date: {when}    制图 Drawn with zoneplan"
        note_size = _fit_size([note], width_pt=0.94 * width_mm / _MM_PER_INCH * 72, largest=base - 2)
        fig.text(left, 0.03, note, ha="left", va="center", fontsize=note_size, color="#333333")
        fig.add_artist(Rectangle((0.01, 0.015), 0.98, 0.97, transform=fig.transFigure, fill=False, linewidth=1.5, edgecolor="black"))
        with atomic_path(path, suffix=f".tmp{path.suffix}") as tmp:
            fig.savefig(tmp, dpi=dpi, format=fmt, metadata={"Title": spec.title} if fmt == "pdf" else None)
    return path


def print_map(
    plan: Plan,
    *,
    kind: str,
    path: str | os.PathLike,
    paper: str = "A3",
    dpi: int = 300,
    indicator: str | None = None,
    year: int | None = None,
    by: str = "zone",
    date: datetime.date | None = None,
) -> Path:
    """A print map (planning drawing) of ``plan`` of one ``kind``, saved to ``path`` (PNG or PDF).

    Parameters are those of :func:`zoneplan.maps.interactive.make_map` plus ``paper`` (``A3``/``A4``
    landscape), ``dpi`` and the note's ``date``.
    """
    spec = build_spec(plan, kind=kind, indicator=indicator, year=year, by=by)
    return print_spec(spec, path, paper=paper, dpi=dpi, date=date)

