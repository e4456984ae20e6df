"""Land-cover class schemes as data: raster value → class name, colour and a ``built`` flag.

A :class:`ClassScheme` tells zoneplan what the integer values of a land-cover raster mean. The
one flag every raster analysis needs is ``built``: the classes that count as built-up (建成区 /
不透水面) when land consumption is measured from the ground (:mod:`zoneplan.raster.change`).

Schemes shipped as data
    ``"worldcover"``
        ESA WorldCover 10 m (2020 v100, 2021 v200): 10 tree cover, 20 shrubland, 30 grassland,
        40 cropland, **50 built-up**, 60 bare / sparse vegetation, 70 snow and ice, 80 permanent
        water bodies, 90 herbaceous wetland, 95 mangroves, 100 moss and lichen; 0 is no data.
        Colours are the product's own legend.
    ``"clcd"``
        The China Land Cover Dataset (CLCD, Yang & Huang, 30 m, annual since 1985): 1 cropland,
        2 forest, 3 shrub, 4 grassland, 5 water, 6 snow/ice, 7 barren, **8 impervious**,
        9 wetland.
    ``"landuse"``
        The classes of :func:`zoneplan.raster.rasterize.export_raster` with ``by="landuse"``:
        value *i* is the *i*-th 2023 用地用海 class of :func:`zoneplan.landuse.classes` (1-based),
        ``built`` is the class's ``construction`` flag. A plan raster read with this scheme
        gives *planned* construction land, so a plan raster can stand in for imagery.

User tables
    :func:`read_class_table` reads a CSV (UTF-8) with columns ``value`` (integer), ``name`` and
    ``built`` (true/false, 1/0, yes/no, 是/否) and optionally ``name_zh`` and ``color``
    (``#RRGGBB``). :func:`get_scheme` accepts a scheme name or such a path.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from zoneplan.errors import InputError

__all__ = ["SCHEMES", "ClassScheme", "get_scheme", "read_class_table", "scheme_from_table"]

_COLUMNS = ("value", "name", "name_zh", "color", "built")


@dataclass(frozen=True, eq=False)
class ClassScheme:
    """The meaning of a classified raster's values.

    Parameters
    ----------
    name
        Short name of the scheme (``"worldcover"``, a file name …).
    table
        One row per class, indexed by the integer raster ``value``, with columns ``name``,
        ``name_zh``, ``color`` (``#RRGGBB`` or NA) and ``built`` (bool).
    nodata
        A value that means "no data" even when the raster does not declare it (0 in WorldCover).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.raster.zonal import class_areas
    >>> scheme = get_scheme("worldcover")
    >>> scheme.built_values, scheme.label(40), scheme.table.loc[50, ["name_zh", "color"]].tolist()
    ([50], 'Cropland', ['建成区', '#FA0000'])
    >>> plan = datasets.load("linqing")
    >>> areas = class_areas(plan.zones, datasets.layers_dir() / "linqing_landcover_2018.tif", scheme=scheme, unit="mu", basis=plan)
    >>> round(float(areas[scheme.built_values].sum(axis=1).iloc[0]))  # built-up mu in the zone in 2018
    28856
    """

    name: str
    table: pd.DataFrame
    nodata: int | None = None

    @property
    def values(self) -> list[int]:
        """The class values, in table order."""
        return [int(v) for v in self.table.index]

    @property
    def built_values(self) -> list[int]:
        """Values of the classes flagged ``built``."""
        return [int(v) for v in self.table.index[self.table["built"].to_numpy(dtype=bool)]]

    def label(self, value: int) -> str:
        """``name`` of ``value``, or ``"class <value>"`` for a value the scheme does not list."""
        return str(self.table.at[value, "name"]) if value in self.table.index else f"class {value}"


def scheme_from_table(table: pd.DataFrame, *, name: str, nodata: int | None = None) -> ClassScheme:
    """Build a :class:`ClassScheme` from a table with columns ``value``, ``name``, ``built`` (and
    optionally ``name_zh``, ``color``), checking values are unique integers.

    Raises
    ------
    InputError
        When a required column is missing, a value is not an integer or appears twice, or a
        ``built`` cell is not a yes/no answer.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.raster.zonal import class_areas
    >>> table = pd.DataFrame({"value": [40, 50], "name": ["Cropland", "Built-up"], "color": ["#F096FF", "#FA0000"], "built": ["否", "是"]})
    >>> scheme = scheme_from_table(table, name="two-classes", nodata=0)
    >>> scheme.built_values, scheme.table.loc[50, "color"], scheme.label(60)  # 60 is in the raster, not in the table
    ([50], '#FA0000', 'class 60')
    >>> plan = datasets.load("linqing")
    >>> areas = class_areas(plan.zones, datasets.layers_dir() / "linqing_landcover_2023.tif", scheme=scheme, unit="mu", basis=plan)
    >>> areas[[40, 50]].round().to_numpy().tolist()  # cropland and built-up mu in the zone
    [[23136.0, 32153.0]]
    >>> scheme_from_table(table.assign(value=[40, 40]), name="two-classes")
    Traceback (most recent call last):
    ...
    zoneplan.errors.InputError: class value 40 appears twice (file two-classes, rule class-table)
    """
    missing = [c for c in ("value", "name", "built") if c not in table.columns]
    if missing:
        raise InputError(f"class table lacks column(s) {missing}; it needs value, name, built", file=name, rule="class-table")
    values = pd.to_numeric(table["value"], errors="coerce")
    bad = table.loc[values.isna() | (values != values.round()), "value"]
    if len(bad):
        raise InputError(f"class value {bad.iloc[0]!r} is not an integer", file=name, feature=bad.index[0], rule="class-table")
    values = values.astype("int64")
    dup = values[values.duplicated()]
    if len(dup):
        raise InputError(f"class value {int(dup.iloc[0])} appears twice", file=name, rule="class-table")
    built = table["built"].map(_as_bool)
    if built.isna().any():
        row = built.index[built.isna()][0]
        raise InputError(f"built must be true/false, got {table['built'].loc[row]!r}", file=name, feature=int(values.loc[row]), rule="class-table")
    out = pd.DataFrame(
        {
            "name": table["name"].astype("string"),
            "name_zh": (table["name_zh"] if "name_zh" in table else pd.Series(pd.NA, index=table.index)).astype("string"),
            "color": (table["color"] if "color" in table else pd.Series(pd.NA, index=table.index)).astype("string"),
            "built": built.astype(bool),
        }
    )
    out.index = pd.Index(values.to_numpy(), name="value")
    return ClassScheme(name=name, table=out, nodata=nodata)


def _as_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes", "y", "t", "是", "1.0"}:
        return True
    if text in {"false", "0", "no", "n", "f", "否", "0.0"}:
        return False
    return None


def read_class_table(path: str | Path, *, nodata: int | None = None) -> ClassScheme:
    """Read a user class table (CSV, UTF-8) as a :class:`ClassScheme`.

    Parameters
    ----------
    path
        CSV with columns ``value``, ``name``, ``built`` and optionally ``name_zh``, ``color``.
    nodata
        A value meaning "no data" in rasters of this scheme, when the rasters do not say.

    Examples
    --------
    >>> import tempfile
    >>> from zoneplan import datasets
    >>> from zoneplan.raster.zonal import class_areas
    >>> path = Path(tempfile.mkdtemp()) / "linqing-classes.csv"
    >>> _ = path.write_text("value,name,name_zh,built\\n10,Trees,树木,no\\n30,Grass,草地,no\\n40,Cropland,耕地,no\\n50,Built-up,建成区,是\\n60,Bare,裸地,no\\n", encoding="utf-8")
    >>> scheme = read_class_table(path, nodata=0)
    >>> scheme.name, scheme.values, scheme.built_values, scheme.label(50)
    ('linqing-classes.csv', [10, 30, 40, 50, 60], [50], 'Built-up')
    >>> plan = datasets.load("linqing")
    >>> areas = class_areas(plan.zones, datasets.layers_dir() / "linqing_landcover_2023.tif", scheme=scheme, unit="mu", basis=plan)
    >>> areas[50].round().tolist()  # built-up mu in the zone in 2023
    [32153.0]
    """
    path = Path(path)
    if not path.exists():
        raise InputError("class table not found", file=path, rule="class-table")
    try:
        table = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(f"cannot read class table: {exc}", file=path, rule="class-table") from None
    table.columns = [c.strip().lower() for c in table.columns]
    return scheme_from_table(table, name=path.name, nodata=nodata)


_WORLDCOVER = (
    (10, "Tree cover", "树木", "#006400", False),
    (20, "Shrubland", "灌木", "#FFBB22", False),
    (30, "Grassland", "草地", "#FFFF4C", False),
    (40, "Cropland", "耕地", "#F096FF", False),
    (50, "Built-up", "建成区", "#FA0000", True),
    (60, "Bare / sparse vegetation", "裸地/稀疏植被", "#B4B4B4", False),
    (70, "Snow and ice", "冰雪", "#F0F0F0", False),
    (80, "Permanent water bodies", "永久水体", "#0064C8", False),
    (90, "Herbaceous wetland", "草本湿地", "#0096A0", False),
    (95, "Mangroves", "红树林", "#00CF75", False),
    (100, "Moss and lichen", "苔藓和地衣", "#FAE6A0", False),
)

_CLCD = (
    (1, "Cropland", "耕地", "#FAE39C", False),
    (2, "Forest", "林地", "#446F33", False),
    (3, "Shrub", "灌木", "#33A02C", False),
    (4, "Grassland", "草地", "#ABD37F", False),
    (5, "Water", "水体", "#1E69B4", False),
    (6, "Snow/Ice", "冰雪", "#A6CEE3", False),
    (7, "Barren", "裸地", "#CFBDA3", False),
    (8, "Impervious", "不透水面", "#E24290", True),
    (9, "Wetland", "湿地", "#289BE8", False),
)


def _literal(rows: tuple[tuple[int, str, str, str, bool], ...], name: str, nodata: int | None) -> ClassScheme:
    return scheme_from_table(pd.DataFrame(rows, columns=list(_COLUMNS)), name=name, nodata=nodata)


@cache
def _landuse_scheme() -> ClassScheme:
    from zoneplan import landuse

    classes = landuse.classes().reset_index()
    table = pd.DataFrame(
        {
            "value": range(1, len(classes) + 1),
            "name": classes["code"].astype(str) + " " + classes["name_en"].astype(str),
            "name_zh": classes["code"].astype(str) + " " + classes["name_zh"].astype(str),
            "color": classes["color"],
            "built": classes["construction"].astype(bool),
        }
    )
    scheme = scheme_from_table(table, name="landuse", nodata=0)
    scheme.table["code"] = pd.array(classes["code"].astype(str).to_numpy(), dtype="string")
    return scheme


#: Built-in schemes by name (``"landuse"`` is built on first use from :mod:`zoneplan.landuse`).
SCHEMES: dict[str, ClassScheme] = {
    "worldcover": _literal(_WORLDCOVER, "worldcover", 0),
    "clcd": _literal(_CLCD, "clcd", 0),
}


def get_scheme(scheme: str | Path | ClassScheme) -> ClassScheme:
    """A :class:`ClassScheme` from a built-in name (``worldcover``, ``clcd``, ``landuse``), a CSV
    class-table path, or a scheme (returned as is).

    Examples
    --------
    >>> scheme = get_scheme("worldcover")
    >>> scheme.name, scheme.nodata
    ('worldcover', 0)
    """
    if isinstance(scheme, ClassScheme):
        return scheme
    key = str(scheme).strip()
    if key.lower() == "landuse":
        return _landuse_scheme()
    if key.lower() in SCHEMES:
        return SCHEMES[key.lower()]
    if key.lower().endswith(".csv") or Path(key).exists():
        return read_class_table(key)
    raise InputError(
        f"unknown class scheme {key!r}; use one of {sorted([*SCHEMES, 'landuse'])} or a CSV class table (value,name,built)",
        rule="class-scheme",
    )
