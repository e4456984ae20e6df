"""Colours and legends of zoneplan maps, shared by interactive (folium) and print (matplotlib) maps.

* Land use: the standard palette of 《市级国土空间总体规划制图规范（试行）》附录B, through
  :func:`zoneplan.landuse.color_of`; legend labels carry the code, the Chinese and the English
  name (``1001 工业用地 Industrial land``).
* Phases: coloured by schedule — earliest completion darkest — from a sequential palette.
* Categorical layers (districts, parks): a qualitative palette.
* Choropleths: classes from :mod:`mapclassify` (natural breaks by default), sequential colours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import to_hex

from zoneplan import landuse

__all__ = [
    "CONTROL_LINE_COLORS",
    "REMAINING_COLOR",
    "UNKNOWN_COLOR",
    "VIOLATION_COLOR",
    "ZONE_COLOR",
    "LegendItem",
    "classify",
    "landuse_colors",
    "landuse_legend",
    "qualitative",
    "rule_colors",
    "schedule_colors",
    "schedule_order",
    "sequential",
]

UNKNOWN_COLOR = "#CCCCCC"
VIOLATION_COLOR = "#E31A1C"
#: Colours of violations, one per rule in order of appearance (reds, oranges and purples that
#: stand out from the land-use palette); repeated when there are more rules.
VIOLATION_COLORS = ("#E31A1C", "#FF7F00", "#6A3D9A", "#B15928", "#FB9A99", "#CAB2D6", "#FDBF6F", "#800026")
REMAINING_COLOR = "#33A02C"
ZONE_COLOR = "#D7191C"
CONTROL_LINE_COLORS: dict[str, str] = {
    "ecological_redline": "#1A9641",
    "basic_farmland": "#E6C200",
    "urban_development_boundary": "#7B3294",
}


def rule_colors(rules: pd.Series) -> dict[str, str]:
    """Colour of each rule of a set of findings: :data:`VIOLATION_COLORS` by frequency, most frequent first.

    Examples
    --------
    >>> import pandas as pd
    >>> rule_colors(pd.Series(["idle_land", "basic_farmland_overlap", "idle_land"]))  # the most frequent rule first
    {'idle_land': '#E31A1C', 'basic_farmland_overlap': '#FF7F00'}
    """
    counts = pd.Series(rules).astype("string").value_counts()
    return {r: VIOLATION_COLORS[i % len(VIOLATION_COLORS)] for i, r in enumerate(counts.index)}


@dataclass(frozen=True)
class LegendItem:
    """One legend entry: a fill colour (or an outline colour when ``outline``) and its label.

    Examples
    --------
    >>> import pandas as pd
    >>> LegendItem(landuse_colors(pd.Series(["1001"])).iloc[0], "1001 工业用地")  # a fill
    LegendItem(color='#BB9674', label='1001 工业用地', outline=False)
    >>> from zoneplan import datasets
    >>> from zoneplan.maps.kinds import layout_spec
    >>> [item for item in layout_spec(datasets.load("linqing")).legend if item.outline]  # a line: the zone's outline
    [LegendItem(color='#D7191C', label='开发区边界 Zone boundary', outline=True)]
    """

    color: str
    label: str
    outline: bool = False


def landuse_colors(codes: pd.Series) -> pd.Series:
    """Standard fill colour of each 2023 land-use code (unknown or missing → grey), aligned to ``codes``.

    Examples
    --------
    >>> import pandas as pd
    >>> landuse_colors(pd.Series(["1001", "0703", "9999", None])).tolist()  # unknown and missing codes are grey
    ['#BB9674', '#FFD380', '#CCCCCC', '#CCCCCC']
    """
    return landuse.color_of(codes).fillna(UNKNOWN_COLOR).astype(object)


def landuse_legend(codes: pd.Series) -> list[LegendItem]:
    """Legend of the land-use codes present, in code order: ``"1001 工业用地 Industrial land"``.

    Codes outside the 2023 classification get one grey entry ``"未识别 unknown"``.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> [item.label for item in landuse_legend(datasets.load("zhangdian").parcels["landuse_code"])][:2]
    ['0703 农村宅基地 Rural homestead', '0802 科研用地 Scientific research land']
    """
    table = landuse.classes()
    present = pd.Series(codes).dropna().astype(str).unique()
    known = sorted(c for c in present if c in table.index)
    items = [LegendItem(str(table.at[c, "color"]), f"{c} {table.at[c, 'name_zh']} {table.at[c, 'name_en']}") for c in known]
    if len(known) < len(present) or pd.Series(codes).isna().any():
        items.append(LegendItem(UNKNOWN_COLOR, "未识别 / 无 unknown or none"))
    return items


def sequential(n: int, *, cmap: str = "YlOrRd", lo: float = 0.15, hi: float = 0.9) -> list[str]:
    """``n`` hex colours along a sequential matplotlib colormap, light to dark.

    Examples
    --------
    >>> sequential(3)  # light to dark
    ['#ffe998', '#fd8038', '#b00026']
    """
    if n <= 0:
        return []
    positions = np.linspace(lo, hi, n) if n > 1 else np.array([(lo + hi) / 2])
    cm = colormaps[cmap]
    return [to_hex(cm(p)) for p in positions]


def qualitative(n: int, *, cmap: str = "Set3") -> list[str]:
    """``n`` distinct hex colours from a qualitative colormap (cycled when ``n`` exceeds it).

    Examples
    --------
    >>> qualitative(3)
    ['#8dd3c7', '#ffffb3', '#bebada']
    """
    cm = colormaps[cmap]
    size = getattr(cm, "N", 12)
    return [to_hex(cm(i % size)) for i in range(n)]


def schedule_order(phases: pd.DataFrame) -> pd.Index:
    """Index of ``phases`` in schedule order: by end year, start year, then phase number (missing last).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> phases = datasets.load("zhangdian").phases
    >>> phases.loc[schedule_order(phases), "name"].tolist()
    ['一期', '二期', '三期']
    """
    keys = pd.DataFrame(
        {
            "end": pd.to_numeric(phases.get("end_year"), errors="coerce") if "end_year" in phases else np.nan,
            "start": pd.to_numeric(phases.get("start_year"), errors="coerce") if "start_year" in phases else np.nan,
            "no": pd.to_numeric(phases.get("phase_no"), errors="coerce") if "phase_no" in phases else np.nan,
        },
        index=phases.index,
    )
    return keys.sort_values(["end", "start", "no"], na_position="last", kind="stable").index


def schedule_colors(phases: pd.DataFrame) -> pd.Series:
    """Colour of each phase by schedule (:func:`schedule_order`), earliest darkest; aligned to ``phases.index``.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> schedule_colors(datasets.load("zhangdian").phases).tolist()  # 一期 darkest
    ['#ba0906', '#f4754f', '#fdca94']
    """
    order = schedule_order(phases)
    palette = sequential(len(order), cmap="OrRd", lo=0.85, hi=0.3)
    return pd.Series(palette, index=order, dtype=object).reindex(phases.index)


def classify(values: pd.Series, *, k: int = 5, scheme: str = "naturalbreaks", cmap: str = "YlOrRd") -> tuple[pd.Series, list[LegendItem], list[float]]:
    """Classify numbers into ``k`` classes with mapclassify and colour them.

    Parameters
    ----------
    values
        The numbers; missing values get :data:`UNKNOWN_COLOR`.
    k
        Number of classes (fewer when there are fewer distinct values).
    scheme
        A :func:`mapclassify.classify` scheme (``naturalbreaks``, ``quantiles``, ``equalinterval`` …).
    cmap
        Sequential matplotlib colormap.

    Returns
    -------
    colors, legend, bins
        Colour per value (aligned to ``values.index``), legend items (class ranges, lowest first)
        and the upper bound of each class.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> areas_mu = datasets.load("linqing").parcels.area / (10000 / 15)
    >>> colors, legend, bins = classify(areas_mu, k=3)
    >>> len(colors) == len(areas_mu), len(legend), colors.nunique()
    (True, 3, 3)
    """
    import mapclassify

    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    valid = numbers.dropna()
    colors = pd.Series(UNKNOWN_COLOR, index=values.index, dtype=object)
    if valid.empty:
        return colors, [LegendItem(UNKNOWN_COLOR, "无数据 no data")], []
    distinct = np.unique(valid.to_numpy())
    if len(distinct) <= k:
        bins = [float(b) for b in distinct]
        yb = np.searchsorted(distinct, valid.to_numpy())
    else:
        result = mapclassify.classify(valid.to_numpy(), scheme=scheme, k=k)
        bins = [float(b) for b in result.bins]
        yb = np.asarray(result.yb)
    palette = sequential(len(bins), cmap=cmap)
    colors.loc[valid.index] = [palette[i] for i in yb]
    lows = [float(valid.min()), *bins[:-1]]
    legend = []
    for i, (lo, hi) in enumerate(zip(lows, bins)):
        label = f"{_fmt(hi)}" if len(distinct) <= k else (f"{_fmt(lo)} – {_fmt(hi)}" if i == 0 else f"> {_fmt(lo)} – {_fmt(hi)}")
        legend.append(LegendItem(palette[i], label))
    if numbers.isna().any():
        legend.append(LegendItem(UNKNOWN_COLOR, "无数据 no data"))
    return colors, legend, bins


def _fmt(value: float) -> str:
    if value == 0 or 0.01 <= abs(value) < 1e6:
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{value:.3g}"
