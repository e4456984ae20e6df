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
from typing import TYPE_CHECKING

import matplotlib
import numpy as np
import shapely
from matplotlib import font_manager
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from zoneplan.errors import InputError, ZoneplanError
from zoneplan.io.gpkg import atomic_path
from zoneplan.maps.kinds import MapSpec, build_spec
from zoneplan.plan import Plan
from zoneplan.settings import settings

if TYPE_CHECKING:
    from zoneplan.analysis.grouping import Level

__all__ = ["CJK_FONTS", "PAPER_MM", "cjk_font", "place_furniture", "print_map", "print_spec"]

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

    Examples
    --------
    >>> bool(cjk_font())  # the first installed Chinese font (settings.font overrides)
    True
    """
    wanted = (settings.font,) if settings.font else CJK_FONTS
    available = {f.name for f in font_manager.fontManager.ttflist}
    for name in wanted:
        if name in available:
            return name
    # fonts installed after matplotlib built its cache: look once more without the cache
    # (matplotlib's own rebuild-and-recache, private, so not in its type hints)
    manager = font_manager._load_fontmanager(try_read_cache=False)  # type: ignore[attr-defined]
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


#: Corners a scale bar or north arrow may take, as (x, y) of the box's lower-left in axes fraction.
_CORNERS: dict[str, tuple[float, float]] = {"lower left": (0.0, 0.0), "lower right": (1.0, 0.0), "upper left": (0.0, 1.0), "upper right": (1.0, 1.0)}
_SCALE_BOX = (0.34, 0.10)  # width, height in axes fraction
_NORTH_BOX = (0.09, 0.16)


def _box(corner: str, size: tuple[float, float], limits: tuple[float, float, float, float]) -> shapely.Polygon:
    """The ``size`` box (axes fraction) in ``corner``, in map coordinates."""
    x0, x1, y0, y1 = limits
    fx, fy = _CORNERS[corner]
    w, h = size
    ax0 = 0.02 if fx == 0 else 0.98 - w
    ay0 = 0.02 if fy == 0 else 0.98 - h
    return shapely.box(x0 + ax0 * (x1 - x0), y0 + ay0 * (y1 - y0), x0 + (ax0 + w) * (x1 - x0), y0 + (ay0 + h) * (y1 - y0))


def _ink(spec: MapSpec, limits: tuple[float, float, float, float]) -> tuple[np.ndarray, shapely.STRtree | None]:
    """What is drawn, as polygons: filled features, and outlines widened to 1 % of the map width."""
    width = 0.01 * (limits[1] - limits[0])
    parts = []
    for o in spec.overlays:
        geoms = np.asarray(o.data.geometry.values, dtype=object)
        geoms = geoms[~(shapely.is_missing(geoms) | shapely.is_empty(geoms))]
        parts.append(geoms if o.fill is not None else shapely.buffer(shapely.boundary(geoms), width))
    geoms = np.concatenate(parts) if parts else np.array([], dtype=object)
    return geoms, shapely.STRtree(geoms) if len(geoms) else None


def _covered(box: shapely.Polygon, ink: tuple[np.ndarray, shapely.STRtree | None]) -> float:
    """Share of ``box`` covered by drawn features."""
    geoms, tree = ink
    if tree is None:
        return 0.0
    hits = tree.query(box, predicate="intersects")
    if not len(hits):
        return 0.0
    return float(shapely.area(shapely.intersection(shapely.union_all(geoms[hits]), box))) / box.area


def place_furniture(spec: MapSpec, limits: tuple[float, float, float, float]) -> dict[str, str]:
    """Corners of the scale bar and the north arrow: the two emptiest (least covered by features).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.maps.kinds import phases_spec
    >>> spec = phases_spec(datasets.load("zhangdian"))
    >>> x0, y0, x1, y1 = spec.overlays[1].data.total_bounds
    >>> place = place_furniture(spec, (x0, x1, y0, y1))
    >>> sorted(place), place["scale_bar"] != place["north_arrow"]
    (['north_arrow', 'scale_bar'], True)
    """
    ink = _ink(spec, limits)
    scale = min(_CORNERS, key=lambda c: (_covered(_box(c, _SCALE_BOX, limits), ink), c != "lower left"))
    north = min((c for c in _CORNERS if c != scale), key=lambda c: (_covered(_box(c, _NORTH_BOX, limits), ink), c != "upper left"))
    return {"scale_bar": scale, "north_arrow": north}


def _draw_scale_bar(ax, x0: float, x1: float, y0: float, y1: float, *, map_width_mm: float, corner: str = "lower left") -> None:
    span = x1 - x0
    length = _nice_length(span)
    box = _box(corner, _SCALE_BOX, (x0, x1, y0, y1)).bounds
    bx = box[0] + 0.02 * span if _CORNERS[corner][0] == 0 else box[2] - 0.02 * span - length
    by = box[1] + 0.04 * (y1 - y0)
    height = 0.008 * (y1 - y0)
    for i in range(4):
        ax.add_patch(
            Rectangle((bx + i * length / 4, by), length / 4, height, facecolor="black" if i % 2 == 0 else "white", edgecolor="black", linewidth=0.8, zorder=20)
        )
    for frac in (0, 0.5, 1):
        ax.text(bx + frac * length, by + height * 1.6, _fmt_len(frac * length) if frac else "0", ha="center", va="bottom", fontsize=8, zorder=20)
    denominator = span / (map_width_mm / 1000)
    rounded = float(f"{denominator:.2g}")
    ax.text(bx, by - height * 1.2, f"比例尺 Scale 1:{rounded:,.0f}", ha="left", va="top", fontsize=8, zorder=20)


def _draw_north_arrow(ax, *, corner: str = "upper left") -> None:
    fx, fy = _CORNERS[corner]
    x = 0.05 if fx == 0 else 0.95
    top = 0.93 if fy == 1 else 0.05 + _NORTH_BOX[1] - 0.03
    ax.annotate(
        "",
        xy=(x, top),
        xytext=(x, top - 0.1),
        xycoords="axes fraction",
        arrowprops={"facecolor": "black", "edgecolor": "black", "width": 4, "headwidth": 14, "headlength": 16},
        zorder=20,
    )
    ax.text(x, top + 0.005, "N\n北", transform=ax.transAxes, ha="center", va="bottom", fontsize=11, zorder=20)


def _nice_step(span_m: float) -> float:
    """A round grid interval (1, 2 or 5 × 10ⁿ m) giving about four to eight lines over ``span_m``."""
    exp = 10 ** math.floor(math.log10(span_m / 5))
    return min((f * exp for f in (1, 2, 5, 10)), key=lambda step: abs(span_m / step - 6))


def _draw_grid(ax, x0: float, x1: float, y0: float, y1: float, *, size: float) -> None:
    """Grid lines every round number of metres of the plan's CRS, labelled at the frame (公里网)."""
    step = _nice_step(max(x1 - x0, y1 - y0))
    style = {"color": "#777777", "linewidth": 0.4, "linestyle": (0, (4, 3)), "zorder": 15}
    for x in np.arange(math.ceil(x0 / step) * step, x1, step):
        ax.axvline(x, **style)
        ax.text(
            x,
            y0,
            f"{x:,.0f}",
            ha="center",
            va="bottom",
            fontsize=size,
            color="#444444",
            zorder=16,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5, "alpha": 0.8},
        )
    for y in np.arange(math.ceil(y0 / step) * step, y1, step):
        ax.axhline(y, **style)
        ax.text(
            x0,
            y,
            f"{y:,.0f}",
            ha="left",
            va="center",
            fontsize=size,
            color="#444444",
            zorder=16,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5, "alpha": 0.8},
        )


def _frame(
    bounds: np.ndarray, *, width_mm: float, height_mm: float, left: float, bottom: float, avail_w: float, avail_h: float
) -> tuple[float, float, float, float]:
    """The map frame (figure fraction) shaped like the data, inside the available box.

    A tall plan (Linqing's two clusters) gets a narrower frame and the legend moves up to it, so
    the map fills its frame instead of leaving bands of empty paper beside it.
    """
    data_aspect = max(bounds[2] - bounds[0], 1.0) / max(bounds[3] - bounds[1], 1.0)
    avail_aspect = (avail_w * width_mm) / (avail_h * height_mm)
    if data_aspect < avail_aspect:
        w = max(0.40, avail_h * height_mm * data_aspect / width_mm)
        return left, bottom, min(w, avail_w), avail_h
    h = max(0.45, avail_w * width_mm / data_aspect / height_mm)
    return left, bottom + (avail_h - min(h, avail_h)) / 2, avail_w, min(h, avail_h)


def print_spec(
    spec: MapSpec,
    path: str | os.PathLike,
    *,
    paper: str = "A3",
    dpi: int = 300,
    date: datetime.date | None = None,
    grid: bool = False,
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
    grid
        Draw a coordinate grid (metres of the plan's CRS, labelled at the frame).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from zoneplan import datasets
    >>> from zoneplan.maps.kinds import phases_spec
    >>> path = print_spec(phases_spec(datasets.load("zhangdian")), Path(tempfile.mkdtemp()) / "phases.png", paper="A4", dpi=50)
    >>> path.read_bytes()[1:4]
    b'PNG'
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
    bounds = np.array([np.inf, np.inf, -np.inf, -np.inf])
    for o in spec.overlays:
        b = o.data.total_bounds
        if np.all(np.isfinite(b)) and not o.context:  # context does not widen the drawing
            bounds = np.array([min(bounds[0], b[0]), min(bounds[1], b[1]), max(bounds[2], b[2]), max(bounds[3], b[3])])
    # map frame: at most the left 72 % of the sheet under the title, shaped like the data; the
    # legend panel to its right
    left, bottom, map_w, map_h = _frame(bounds, width_mm=width_mm, height_mm=height_mm, left=0.03, bottom=0.07, avail_w=0.70, avail_h=0.82)
    ax = fig.add_axes((left, bottom, map_w, map_h))
    legend_ax = fig.add_axes((left + map_w + 0.015, 0.07, 1 - (left + map_w + 0.015) - 0.02, 0.82))
    legend_ax.axis("off")
    with matplotlib.rc_context({"font.family": [font, "DejaVu Sans"], "axes.unicode_minus": False}):
        aspect = (map_w * width_mm) / (map_h * height_mm)
        x0, x1, y0, y1 = _fit_limits(bounds, aspect)
        for z, o in enumerate(spec.overlays):
            gdf = o.data[o.data.geometry.notna() & ~o.data.geometry.is_empty]
            if gdf.empty:
                continue
            face: str | tuple[float, float, float, float] | list[tuple[float, float, float, float]]
            if o.fill is None:
                face = "none"
            elif isinstance(o.fill, str):
                face = to_rgba(o.fill, o.fill_opacity)
            else:
                face = [to_rgba(c, o.fill_opacity) for c in o.fill.reindex(gdf.index).fillna("#cccccc")]
            gdf.plot(ax=ax, facecolor=face, edgecolor=o.color, linewidth=max(o.weight * 0.5, 0.2), linestyle="--" if o.dash else "-", zorder=2 + z)
        drawn = [o.data.geometry.to_numpy() for o in spec.overlays if not o.context and len(o.data)]
        plan_area = shapely.buffer(shapely.union_all(np.concatenate(drawn)), 0.02 * (x1 - x0)) if drawn else None
        for o in spec.overlays:
            if o.labels is None:
                continue
            gdf = o.data[o.data.geometry.notna() & ~o.data.geometry.is_empty]
            # a label sits on the part of its feature inside the frame (a county outline larger than the map is labelled where
            # it shows) and, for context, off the plan's own features where it can
            frame = shapely.box(x0, y0, x1, y1)
            visible = shapely.intersection(gdf.geometry.to_numpy(), frame)
            shown = ~shapely.is_empty(visible)
            if o.context and plan_area is not None:
                free = shapely.difference(visible, plan_area)
                visible = np.where(shapely.is_empty(free) | (shapely.area(free) < 0.01 * shapely.area(visible)), visible, free)
            pts = shapely.point_on_surface(visible[shown])
            if o.label_at is not None:  # the overlay's own label point, where it lies in the frame
                own = o.label_at.reindex(gdf.index).to_numpy()[shown]
                pts = np.where(shapely.contains(frame, own), own, pts)
            texts = o.labels.reindex(gdf.index).fillna("").to_numpy()[shown]
            for x, y, text in zip(shapely.get_x(pts), shapely.get_y(pts), texts):
                ax.text(
                    x,
                    y,
                    str(text),
                    ha="center",
                    va="center",
                    fontsize=base + 1,
                    zorder=30,
                    clip_on=True,
                    bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "alpha": 0.8, "edgecolor": "#555555", "linewidth": 0.5},
                )
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_xlabel("")
        ax.set_ylabel("")
        for spine in ax.spines.values():
            spine.set_linewidth(1.2)
        if grid:
            _draw_grid(ax, x0, x1, y0, y1, size=base - 3)
        place = place_furniture(spec, (x0, x1, y0, y1))
        _draw_north_arrow(ax, corner=place["north_arrow"])
        _draw_scale_bar(ax, x0, x1, y0, y1, map_width_mm=map_w * width_mm, corner=place["scale_bar"])
        handles = [
            Patch(facecolor="none", edgecolor=item.color, linewidth=2, label=item.label)
            if item.outline
            else Patch(facecolor=item.color, edgecolor="#555555", linewidth=0.5, label=item.label)
            for item in spec.legend
        ]
        # legend text sized to the panel: width (swatch ≈ 4 em) and height (≈ 1.9 em per row)
        panel_w_pt = (1 - (left + map_w + 0.015) - 0.02) * width_mm / _MM_PER_INCH * 72
        panel_h_pt = 0.82 * height_mm / _MM_PER_INCH * 72
        size = _fit_size([i.label + " " * 7 for i in spec.legend] + [spec.legend_title], width_pt=panel_w_pt, largest=base - 1)
        size = max(5.0, min(size, panel_h_pt / (1.9 * (len(handles) + 1.5))))
        legend_ax.legend(
            handles=handles,
            loc="upper left",
            title=spec.legend_title,
            fontsize=size,
            title_fontsize=size + 0.5,
            frameon=True,
            borderaxespad=0,
            handlelength=2.2,
            handleheight=1.2,
            alignment="left",
        )
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
    by: Level = "zone",
    date: datetime.date | None = None,
    grid: bool = False,
) -> Path:
    """A print map (planning drawing) of ``plan`` of one ``kind``, saved to ``path`` (PNG or PDF).

    Parameters are those of :func:`zoneplan.maps.interactive.make_map` plus ``paper`` (``A3``/``A4``
    landscape), ``dpi``, the note's ``date`` and ``grid`` (a coordinate grid).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from zoneplan import datasets
    >>> path = print_map(datasets.load("zhangdian"), kind="phases", path=Path(tempfile.mkdtemp()) / "phases.pdf", paper="A4", dpi=50)
    >>> path.read_bytes()[:5]
    b'%PDF-'
    """
    spec = build_spec(plan, kind=kind, indicator=indicator, year=year, by=by)
    return print_spec(spec, path, paper=paper, dpi=dpi, date=date, grid=grid)
