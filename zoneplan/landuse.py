"""Land-use classes: the 2023 用地用海 classification, its flags and colours, and legacy codes.

Every land-use code in zoneplan is a code of the 2023 《国土空间调查、规划、用途管制用地用海分类
指南》 (自然资发〔2023〕234号): 24 level-1, 111 level-2 and 40 level-3 classes, land and sea,
packaged as ``zoneplan/data/landuse_2023.csv``. Codes are strings and keep their leading zero
(``"0101"``, ``"100102"``). The code list is the practitioner table of CCTool
(``新版用地用海_DM_to_MC.xlsx``), which agrees code-for-code with two other public tables; the
official attachment could not be read, so the list is counted rather than quoted (24/111/40).

Colours
    The fill colours of 《市级国土空间总体规划制图规范（试行）》附录B as carried by CCTool's layer
    file ``国空用地新版.lyrx``; subclasses repeat their parent's colour where the palette has none
    of their own (e.g. 100101–100103 are all ``#BB9674``, RGB 187,150,116).

Flags (boolean columns of :func:`classes` and :func:`flags`)
    ``construction``
        建设用地: level-1 classes 06–16. 06 农业设施建设用地 (rural roads, agricultural
        facilities) is construction land in the 2023 classification's own grouping; the 土地管理法
        "三大类" count it as 农用地 instead — combine ``level1 == "06"`` with ``agricultural`` if a
        report needs that convention.
    ``urban_construction``
        城镇建设用地, read as the classes whose GB 50137-2011 counterpart lies in 城市建设用地 (H11:
        R A B M W S U G): 07–16 **except** 0703/0704 rural homesteads and rural community
        facilities (H14 村庄), 1201–1205 railway, highway, airport, port and pipeline land (H2
        区域交通设施 — regional transport is counted outside the urban land even where it crosses a
        town), 1002 采矿用地 and 1003 盐田 (H5 采矿用地, which includes salt pans) and 1501 军事设施 /
        1505 监教场所 (H4 特殊用地). 1206–1209 (urban rail, 城镇村道路, stations, other transport)
        stay urban. The class alone cannot see the survey's 城镇村属性码 (CZCSXM 201/202 town,
        203 village, 204 mining): :func:`is_village` reads that attribute, and the plan's
        per-year table (:mod:`zoneplan.state`) counts a parcel the survey places in a village
        (203/203A) as 村庄建设用地, never urban, whatever its class.
    ``industrial``
        1001 工业用地 and 100101–100103.
    ``storage``
        11 仓储用地: 1101 物流仓储用地 (110101–110103) and 1102 储备库用地.
    ``mining``
        1002 采矿用地.
    ``sensitive_receptor``
        Uses that planning and environmental rules protect from industry: all of 07 居住用地
        (urban and rural housing and their community facilities), 0802 科研用地 (siting rules
        name "schools, research institutes or hospitals" together), 0804 教育用地, 0806 医疗卫生用地
        and 0807 社会福利用地, with their subclasses.
    ``agricultural``
        01 耕地, 02 园地, 03 林地, 04 草地.
    ``natural``
        Natural and unused land and sea: 05 湿地, 17 陆地水域, 23 其他土地 and 24 其他海域 — the
        non-construction land classes that are neither farmed nor used as sea.
    ``sea``
        用海 classes: 18–22 and 24 其他海域 (23 其他土地 is land).

    A level-1 or level-2 code carries a flag only if **every** subclass carries it, so data coded
    coarsely never over-claims: 10 工矿用地 is construction land but not industrial (it also holds
    1002 and 1003), 08 is not a sensitive receptor (it also holds offices and sports grounds), 07
    is a sensitive receptor but not urban construction land (it holds 0703 农村宅基地).

Legacy schemes (:data:`LEGACY_SCHEMES`, ``zoneplan/data/landuse_legacy_map.csv``)
    ``"gb50137"``
        GB 50137-2011 《城市用地分类与规划建设用地标准》 codes and names (``M2``, ``W1``, ``R21``,
        ``A33``, ``S42`` …), each mapped to the nearest 2023 class by name and definition — no
        official crosswalk exists. Parents map to their dominant subclass where one exists (R2 →
        070102 二类城镇住宅用地, A3 → 0804), else to the common 2023 parent (U1 → 13). Aggregates
        without a single counterpart (H, H1, H11–H14, H9, E, E2) are recognised but map to NA.
    ``"sandiao"``
        The 第三次全国国土调查 working classification carried by 三调 / 变更调查 data (``DLBM``):
        ``0101`` 水田 …, ``05H1`` 商业服务业设施用地 → 09, ``0508`` 物流仓储用地 → 1101,
        ``0601`` 工业用地 → 1001, ``0602`` 采矿用地 → 1002, ``0701`` → 0701, ``0702`` 农村宅基地 →
        0703, ``08H1`` → 0801, ``08H2`` 科教文卫用地 → 08, ``1001`` 铁路用地 → 1201, the 00 湿地
        group, the ``K`` (可调整) and ``A`` suffixed codes (``0201K``, ``1104A``, ``1107A``).
        Classes the survey does not split (08H2, 0809 公用设施用地, 09 特殊用地) map to their 2023
        parent, never to a guessed subclass.

Code collisions
    26 三调 codes are also 2023 codes with a different meaning — ``0601`` (三调 工业用地, 2023
    农村道路), ``0602``, ``0702``, ``1001`` (三调 铁路, 2023 工业用地), ``1002``, ``1003``, ``1101``,
    ``1102``, ``1201``–``1207``, ``0204``, ``0303``, ``0304``, ``0402``, ``0403`` and the level-1
    codes ``05``, ``06``, ``09``–``12``. ``scheme="auto"`` always reads them as **2023** codes;
    only ``scheme="sandiao"`` reads them as 三调 codes. Read 三调 data with ``scheme="sandiao"``.
    ``"auto"`` warns when one column holds both colliding codes and codes that exist only in 三调
    (``05H1``, ``0508``, ``1004`` …), the signature of a 三调 column read the wrong way.

Code repair (all schemes)
    Whitespace is stripped, full-width characters are folded (``Ｍ２`` → ``M2``), letters are
    upper-cased, floats lose their ``.0`` (``1001.0`` → ``1001``) and digit codes with an odd
    number of digits get their leading zero back (``101`` → ``0101``, ``70101`` → ``070101``,
    ``201K`` → ``0201K``). Chinese class names are accepted in place of codes; a name that means
    different classes in different legacy tables (GB 50137 住宅用地 is R11, R21 and R31) is not
    used. Anything else becomes ``<NA>`` — a code is never mapped to a guess.

Scheme detection (:func:`detect_scheme`)
    Data read from a file gets one scheme per code column, and says which and why: the scheme
    whose codes cover every distinct value; where several do and they disagree (``0601`` is
    三调 工业用地 and 2023 农村道路用地), the column's field name (``DLBM`` is the 三调 field,
    ``YDYHFLDM`` the planning database's) or a name column that agrees with one reading decides.
    A column mixing schemes, holding codes of none, or holding integers (which may be codes that
    lost their leading zero or another classification's class numbers) is refused with the
    values listed — never padded or guessed.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Final, Literal, get_args

import numpy as np
import pandas as pd

from zoneplan.errors import InputError

__all__ = [
    "FLAG_COLUMNS",
    "LANDUSE_MAPS",
    "LEGACY_SCHEMES",
    "SCHEME_TITLES",
    "Scheme",
    "SchemeDetection",
    "apply_landuse_map",
    "class_names",
    "classes",
    "color_of",
    "detect_scheme",
    "flags",
    "is_construction",
    "is_industrial",
    "is_sensitive_receptor",
    "is_storage",
    "is_urban_construction",
    "is_village",
    "normalise_codes",
    "read_landuse_map",
    "refine_sandiao",
    "to_sandiao",
    "unknown_codes",
]

Scheme = Literal["auto", "2023", "gb50137", "sandiao"]
"""Where input codes come from; see :func:`normalise_codes`."""

FLAG_COLUMNS: Final[tuple[str, ...]] = (
    "construction",
    "urban_construction",
    "industrial",
    "storage",
    "mining",
    "sensitive_receptor",
    "agricultural",
    "natural",
    "sea",
)
"""Boolean class flags, in column order (definitions in the module docstring)."""

LEGACY_SCHEMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "gb50137": "GB 50137-2011 《城市用地分类与规划建设用地标准》 codes and names (M1, W2, R21, A33 …)",
        "sandiao": "第三次全国国土调查工作分类 codes and names (0101, 05H1, 0601, 08H2, 1001, 0201K …)",
    }
)
"""Legacy classifications that :func:`normalise_codes` maps onto the 2023 classes."""

SCHEME_TITLES: Final[Mapping[str, str]] = MappingProxyType({"2023": "2023 用地用海", "sandiao": "三调", "gb50137": "GB 50137-2011"})
"""Short names of the classifications, as shown to users."""

#: Standard field names that say which classification a code column holds (upper case).
FIELD_SCHEMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "DLBM": "sandiao",  # 三调 DLTB 地类编码
        "地类编码": "sandiao",
        "YDYHFLDM": "2023",  # 国土空间规划数据库 用地用海分类代码
        "YDYHDM": "2023",
        "用地用海代码": "2023",
        "用地用海分类代码": "2023",
        "GHDLBM": "2023",  # 规划地类编码
        "JQDLBM": "2023",  # 基期地类编码 (the base year in the 2023 classes)
    }
)

_DATA = files("zoneplan") / "data"

LANDUSE_MAPS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "euluc": "EULUC-China (Gong et al. 2020) integer classes 1–5 and 101–505 → 2023 用地用海",
    }
)
"""Mapping tables shipped in ``zoneplan/data/landuse_map_NAME.csv``, usable by name."""


@cache
def _classes() -> pd.DataFrame:
    with (_DATA / "landuse_2023.csv").open(encoding="utf-8") as fh:
        table = pd.read_csv(
            fh,
            dtype={
                **dict.fromkeys(["code", "name_zh", "name_en", "parent", "color"], "string"),
                "level": "int64",
                **dict.fromkeys(FLAG_COLUMNS, "bool"),
            },
        )
    table.insert(table.columns.get_loc("parent") + 1, "level1", table["code"].str[:2])
    return table.set_index("code")


@cache
def _legacy() -> pd.DataFrame:
    with (_DATA / "landuse_legacy_map.csv").open(encoding="utf-8") as fh:
        table = pd.read_csv(fh, dtype="string", keep_default_na=False)
    table["code_2023"] = table["code_2023"].replace("", pd.NA)
    return table


def classes() -> pd.DataFrame:
    """The 2023 用地用海 classification as a table.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``code`` (string, leading zeros kept), with columns ``name_zh``, ``name_en``,
        ``level`` (1–3), ``parent`` (``<NA>`` on level 1), ``level1`` (two-digit level-1 code),
        ``color`` (``#RRGGBB``) and the boolean :data:`FLAG_COLUMNS`. A fresh copy on each call.

    Examples
    --------
    >>> table = classes()
    >>> table.loc["100102", ["name_zh", "name_en", "color"]].tolist()
    ['二类工业用地', 'Class-2 industrial land', '#BB9674']
    >>> table["level"].value_counts().sort_index().tolist()
    [24, 111, 40]
    """
    return _classes().copy()


def _by_code(table: pd.DataFrame) -> pd.Series:
    return pd.Series(table["code_2023"].to_numpy(), index=table["code"].to_numpy(), dtype="string")


def _by_name(table: pd.DataFrame) -> pd.Series:
    pairs = table.drop_duplicates(["name_zh", "code_2023"])
    pairs = pairs[~pairs["name_zh"].duplicated(keep=False)]
    return pd.Series(pairs["code_2023"].to_numpy(), index=pairs["name_zh"].to_numpy(), dtype="string")


@cache
def _lookups(scheme: str) -> tuple[pd.Series, ...]:
    """Code → 2023 code tables for ``scheme``, tried in order."""
    cls = _classes()
    own = (
        pd.Series(cls.index, index=cls.index, dtype="string"),
        pd.Series(cls.index, index=cls["name_zh"].to_numpy(), dtype="string"),
    )
    legacy = _legacy()
    if scheme == "2023":
        return own
    if scheme in LEGACY_SCHEMES:
        rows = legacy[legacy["scheme"] == scheme]
        return _by_code(rows), _by_name(rows)
    return (
        *own,
        *(_by_code(legacy[legacy["scheme"] == name]) for name in LEGACY_SCHEMES),
        _by_name(legacy),
    )


@cache
def _sandiao_split() -> tuple[pd.Index, pd.Index]:
    """三调 codes that collide with a different 2023 class, and 三调 codes that are not 2023 codes."""
    rows = _legacy()[_legacy()["scheme"] == "sandiao"]
    is_2023 = rows["code"].isin(_classes().index)
    colliding = rows.loc[is_2023 & (rows["code"] != rows["code_2023"]), "code"]
    return pd.Index(colliding), pd.Index(rows.loc[~is_2023, "code"])


def _clean(values: pd.Series, *, pad: bool = True) -> pd.Series:
    """Canonical text of raw code values (see "Code repair" in the module docstring)."""
    text = values.astype("string").str.normalize("NFKC").str.strip().str.upper()
    text = text.str.replace(r"^(\d+)\.0*$", r"\1", regex=True)
    if pad:
        text = text.mask(_odd_digits(text), "0" + text)
    return text.mask(text == "")


def _odd_digits(text: pd.Series) -> pd.Series:
    return text.str.fullmatch(r"(?:\d\d)*\d[A-Z]?").fillna(False).astype(bool)


def _resolve(codes: pd.Series, scheme: Scheme) -> tuple[pd.Series, pd.Series]:
    """2023 codes for ``codes`` and whether each value was given (not null or blank).

    The work is done once per distinct value, then spread back to the rows.
    """
    if scheme not in get_args(Scheme):
        raise ValueError(f"scheme must be one of {get_args(Scheme)}, not {scheme!r}")
    positions, uniques = pd.factorize(codes, use_na_sentinel=True)
    cleaned = _clean(pd.Series(np.asarray(uniques, dtype=object), dtype=object))
    resolved = pd.Series(pd.NA, index=cleaned.index, dtype="string")
    for table in _lookups(scheme):
        resolved = resolved.fillna(cleaned.map(table).astype("string"))
    if scheme == "auto":
        _warn_if_sandiao(cleaned)
    mapped = pd.Series(resolved.array.take(positions, allow_fill=True), index=codes.index, name=codes.name)
    given = np.append(cleaned.notna().to_numpy(dtype=bool), False)[positions]
    return mapped, pd.Series(given, index=codes.index, name=codes.name)


def _warn_if_sandiao(cleaned: pd.Series) -> None:
    colliding, sandiao_only = _sandiao_split()
    read_as_2023 = cleaned[cleaned.isin(colliding)]
    survey = cleaned[cleaned.isin(sandiao_only)]
    if len(read_as_2023) and len(survey):
        # point the warning at the first caller outside this module
        frame, level = sys._getframe(), 1
        while frame.f_back is not None and frame.f_globals.get("__name__") == __name__:
            frame, level = frame.f_back, level + 1
        warnings.warn(
            f"codes such as {survey.iloc[0]!r} exist only in the 三调 classification, but "
            f"{sorted(read_as_2023.unique())} were read as 2023 codes; pass scheme='sandiao' "
            "if this column holds 三调 (DLBM) codes",
            UserWarning,
            stacklevel=level,
        )


def normalise_codes(codes: pd.Series, *, scheme: Scheme = "auto") -> pd.Series:
    """Map land-use codes or Chinese class names onto 2023 用地用海 codes.

    Parameters
    ----------
    codes
        Raw codes: strings, integers or floats that lost their leading zero (``101``,
        ``1001.0``), GB 50137-2011 codes (``"M2"``), 三调 codes (``"05H1"``) or Chinese class
        names (``"二类工业用地"``).
    scheme
        ``"2023"``, ``"gb50137"`` or ``"sandiao"`` read every value in that classification only;
        ``"auto"`` tries 2023 codes, 2023 names, GB 50137 codes, 三调 codes, then unambiguous
        legacy names. A code that is both a 三调 and a 2023 code (``"1001"``: 三调 铁路用地,
        2023 工业用地) is read as 2023 by ``"auto"`` and as 三调 only by ``"sandiao"``.

    Returns
    -------
    pandas.Series
        ``string`` dtype, aligned to ``codes.index``; ``<NA>`` where a value is null, blank or
        cannot be mapped (see :func:`unknown_codes`).

    Raises
    ------
    ValueError
        If ``scheme`` is not one of the four names.

    Examples
    --------
    >>> normalise_codes(pd.Series(["M2", 101, "1001.0", " 二类工业用地 ", "Z9"])).tolist()
    ['100102', '0101', '1001', '100102', <NA>]
    >>> normalise_codes(pd.Series(["1001", "0601", "05H1"]), scheme="sandiao").tolist()
    ['1201', '1001', '09']
    """
    return _resolve(codes, scheme)[0]


@dataclass(frozen=True)
class SchemeDetection:
    """Which classification a land-use column holds, and why.

    Attributes
    ----------
    scheme
        ``"2023"``, ``"sandiao"`` or ``"gb50137"``.
    reason
        One sentence for the user: the evidence that decided.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> found = detect_scheme(datasets.load("linqing").parcels["landuse_code"])
    >>> found.scheme, found.reason.split(";")[0]
    ('2023', 'every value is a 2023 用地用海 code')
    >>> detect_scheme(pd.Series(["M1", "M2", "R2", "G1"]))
    SchemeDetection(scheme='gb50137', reason='every value is a GB 50137-2011 code; M1, M2, R2, G1 exist only in GB 50137-2011')
    """

    scheme: str
    reason: str


_DETECTABLE: Final[tuple[str, ...]] = ("2023", "sandiao", "gb50137")


@cache
def _known(scheme: str) -> pd.Series:
    """Every code and name of ``scheme`` → its 2023 code (``<NA>`` for recognised aggregates)."""
    combined = pd.concat(_lookups(scheme))
    return combined[~combined.index.duplicated()]


@cache
def _titles(scheme: str) -> pd.Series:
    """Code → class name in ``scheme`` (for messages)."""
    if scheme == "2023":
        return _classes()["name_zh"]
    rows = _legacy()[_legacy()["scheme"] == scheme]
    return pd.Series(rows["name_zh"].to_numpy(), index=rows["code"].to_numpy())


def _shown(values: pd.Series | list[str], limit: int = 12) -> str:
    values = list(values)
    more = f" … (+{len(values) - limit} more)" if len(values) > limit else ""
    return ", ".join(map(str, values[:limit])) + more


def _refuse(message: str, field: str | None) -> InputError:
    where = f"land-use column {field}" if field else "land-use column"
    return InputError(f"{where}: {message}", rule="landuse-scheme")


def detect_scheme(codes: pd.Series, *, field: str | None = None, names: pd.Series | None = None) -> SchemeDetection:
    """Tell which classification a column of land-use codes holds, or refuse.

    Parameters
    ----------
    codes
        The raw column, as read from the file (text codes or Chinese class names).
    field
        The column's name in the source (``DLBM``, ``YDYHFLDM`` …): decides between schemes
        whose codes cover every value but mean different classes.
    names
        A class-name column beside the codes (``DLMC``, ``YDYHFLMC``), aligned to ``codes``:
        decides likewise when its names agree with one reading only.

    Returns
    -------
    SchemeDetection
        The scheme and the reason.

    Raises
    ------
    zoneplan.errors.InputError
        With ``rule="landuse-scheme"`` and the offending values listed, when the column holds
        integers, codes of no classification, codes of several classifications, or codes whose
        meaning differs between classifications with nothing to decide between them.

    Examples
    --------
    >>> detect_scheme(pd.Series(["0601", "1101", "08H2", "05H1"])).scheme
    'sandiao'
    >>> detect_scheme(pd.Series(["0601", "1001"]), field="DLBM").reason
    'codes 0601, 1001 mean different classes in 2023 用地用海 and 三调; field DLBM is the 三调 field'
    >>> detect_scheme(pd.Series(["M2", "100101"]))
    Traceback (most recent call last):
    ...
    zoneplan.errors.InputError: land-use column: mixes classifications: 2023 用地用海 only: 100101; GB 50137-2011 only: M2; convert the column to one classification or map it with --landuse-map FILE.csv (rule landuse-scheme)
    """
    present = codes.dropna()
    numeric = present.map(lambda v: isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_)))
    if len(present) and numeric.all():
        raise _refuse(
            f"holds numbers ({_shown(pd.unique(present.astype('string')))}), not text codes: codes that lost "
            "their leading zero, or another classification's class numbers (EULUC-China …); name the scheme "
            "with --landuse-scheme or map the values with --landuse-map FILE.csv",
            field,
        )
    cleaned = _clean(present, pad=False).dropna()
    values = pd.Series(pd.unique(cleaned), dtype="string")
    if values.empty:
        return SchemeDetection("2023", "the column is empty")
    known = pd.DataFrame({s: values.isin(_known(s).index) for s in _DETECTABLE})
    full = [s for s in _DETECTABLE if known[s].all()]
    if not full:
        nowhere = values[~known.any(axis=1)]
        if len(nowhere):
            padded = _clean(nowhere)
            lost = [f"{v} ({p}?)" for v, p in zip(nowhere, padded) if v != p and any(p in _known(s).index for s in _DETECTABLE)]
            zeros = f"; lost leading zeros? {_shown(lost)} — name the scheme with --landuse-scheme to restore them" if lost else ""
            raise _refuse(
                f"codes found in no classification (2023 用地用海, 三调, GB 50137-2011): {_shown(nowhere)}{zeros}; map them with --landuse-map FILE.csv",
                field,
            )
        parts = []
        for s in _DETECTABLE:
            only = values[known[s] & (known.sum(axis=1) == 1)]
            if len(only):
                parts.append(f"{SCHEME_TITLES[s]} only: {_shown(only, 6)}")
        raise _refuse(
            f"mixes classifications: {'; '.join(parts)}; convert the column to one classification or map it with --landuse-map FILE.csv",
            field,
        )
    hint = FIELD_SCHEMES.get((field or "").upper())
    mapped = pd.DataFrame({s: values.map(_known(s)).astype("string") for s in full})
    differ = mapped.ne(mapped[full[0]], axis=0).any(axis=1) if len(full) > 1 else pd.Series(False, index=values.index)
    titles = " and ".join(SCHEME_TITLES[s] for s in full)
    if len(full) == 1:
        s = full[0]
        only = values[known[s] & (known.sum(axis=1) == 1)]
        why = f"; {_shown(only, 5)} {'exists' if len(only) == 1 else 'exist'} only in {SCHEME_TITLES[s]}" if len(only) else ""
        return SchemeDetection(s, f"every value is a {SCHEME_TITLES[s]} code{why}")
    if not differ.any():
        chosen = hint if hint is not None and hint in full else full[0]
        return SchemeDetection(chosen, f"every value means the same class in {titles}")
    clash = values[differ]
    if hint is not None and hint in full:
        return SchemeDetection(hint, f"codes {_shown(clash, 5)} mean different classes in {titles}; field {field} is the {SCHEME_TITLES[hint]} field")
    if names is not None:
        rows = pd.DataFrame({"code": _clean(codes, pad=False), "name": _clean(names.reindex(codes.index), pad=False)}).dropna()
        agree = [s for s in full if len(rows) and (rows["code"].map(_known(s)) == rows["name"].map(_known(s))).all()]
        if len(agree) == 1:
            return SchemeDetection(
                agree[0], f"codes {_shown(clash, 5)} mean different classes in {titles}; the name column agrees with {SCHEME_TITLES[agree[0]]} only"
            )
    readings = "; ".join(f"{v} = " + " / ".join(f"{SCHEME_TITLES[s]} {_titles(s).get(v, '?')}" for s in full) for v in clash[:4])
    raise _refuse(
        f"codes {_shown(clash, 8)} mean different classes in {titles} ({readings}); name the scheme with --landuse-scheme " + "|".join(full),
        field,
    )


def read_landuse_map(source: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a land-use mapping table: a CSV with columns ``from,to[,note]``.

    Parameters
    ----------
    source
        A CSV path, or the name of a shipped table (:data:`LANDUSE_MAPS`). Further columns are
        conditions on the data's columns of the same name (the shipped 三调 refinement has
        ``czcsxm``); a blank condition matches every row.

    Returns
    -------
    pandas.DataFrame
        ``from`` and ``to`` as cleaned text, ``note`` and the condition columns.

    Raises
    ------
    zoneplan.errors.InputError
        When the file lacks ``from``/``to``, repeats a ``from`` value for the same conditions, or
        maps to something that is not a 2023 code.

    Examples
    --------
    >>> table = read_landuse_map("euluc")
    >>> table.set_index("from").loc["301", "to"]
    '1001'
    """
    name = str(source)
    path = _DATA / f"landuse_map_{name}.csv" if name in LANDUSE_MAPS else None
    try:
        with path.open(encoding="utf-8") if path is not None else open(source, encoding="utf-8-sig") as fh:
            table = pd.read_csv(fh, dtype="string", keep_default_na=False)
    except OSError as exc:
        raise InputError(f"cannot read the land-use map: {exc.strerror or exc}", file=source, rule="landuse-map") from None
    table.columns = [str(c).strip().lower() for c in table.columns]
    if not {"from", "to"} <= set(table.columns):
        raise InputError(f"a land-use map needs columns from,to[,note]; it has {list(table.columns)}", file=source, rule="landuse-map")
    if "note" not in table.columns:
        table["note"] = ""
    table["from"] = _clean(table["from"], pad=False)
    table["to"] = _clean(table["to"], pad=False)
    conditions = [c for c in table.columns if c not in ("from", "to", "note")]
    twice = table[table.duplicated(["from", *conditions], keep=False)]
    if len(twice):
        raise InputError(f"value(s) {_shown(pd.unique(twice['from']))} appear twice", file=source, rule="landuse-map")
    bad = table[~table["to"].isin(_classes().index)]
    if len(bad):
        raise InputError(
            f"'to' must be 2023 用地用海 codes; not codes: {_shown(pd.unique(bad['to'].astype(str)))}",
            file=source,
            feature=f"from={bad['from'].iloc[0]}",
            rule="landuse-map",
        )
    return table


def apply_landuse_map(codes: pd.Series, table: pd.DataFrame, *, data: pd.DataFrame | None = None) -> pd.Series:
    """Map ``codes`` through a table of :func:`read_landuse_map`; every value must be mapped.

    Parameters
    ----------
    codes
        Raw values (integers are read as written: ``301`` is ``"301"``, never ``"0301"``).
    table
        The mapping table.
    data
        Frame holding the table's condition columns, aligned to ``codes``.

    Returns
    -------
    pandas.Series
        2023 codes (``string``), ``<NA>`` where a value is null or blank.

    Raises
    ------
    zoneplan.errors.InputError
        Listing the values the table does not map (``rule="landuse-map"``).

    Examples
    --------
    >>> apply_landuse_map(pd.Series([301, 101, 505]), read_landuse_map("euluc")).tolist()
    ['1001', '0701', '14']
    """
    text = _clean(codes, pad=False)
    conditions = [c for c in table.columns if c not in ("from", "to", "note")]
    out = pd.Series(pd.NA, index=codes.index, dtype="string")
    # most specific rows first: those with more conditions set
    specific = (table[conditions] != "").sum(axis=1) if conditions else pd.Series(0, index=table.index)
    for n in sorted(specific.unique(), reverse=True):
        rows = table[specific == n]
        keys = pd.DataFrame({"from": text})
        for c in conditions:
            if (rows[c] != "").any():
                if data is None or c not in data.columns:
                    raise InputError(f"the land-use map has a condition column {c!r} that the data does not have", rule="landuse-map")
                keys[c] = _clean(data[c], pad=False)
        on = list(keys.columns)
        matched = keys.merge(rows[[*on, "to"]], on=on, how="left")["to"]
        out = out.fillna(pd.Series(matched.to_numpy(), index=codes.index, dtype="string"))
    unmapped = text.notna() & out.isna()
    if unmapped.any():
        raise InputError(f"land-use value(s) not in the mapping table: {_shown(pd.unique(text[unmapped]))}", rule="landuse-map")
    return out


def refine_sandiao(source: pd.Series, codes: pd.Series, czcsxm: pd.Series) -> pd.Series:
    """Refine 2023 codes read from 三调 ``source`` codes with the 城镇村属性码 ``czcsxm``.

    Village (203) commerce, offices and public services become 0704 农村社区服务设施用地
    (``zoneplan/data/landuse_map_sandiao.csv``); other rows keep ``codes``.

    Examples
    --------
    >>> refine_sandiao(pd.Series(["05H1", "05H1", "0601"]), pd.Series(["09", "09", "1001"]),
    ...                pd.Series(["202", "203", "203"])).tolist()
    ['09', '0704', '1001']
    """
    with (_DATA / "landuse_map_sandiao.csv").open(encoding="utf-8") as fh:
        table = pd.read_csv(fh, dtype="string", keep_default_na=False)
    keys = pd.DataFrame({"from": _clean(source, pad=False), "czcsxm": _clean(czcsxm, pad=False)})
    hit = keys.merge(table[["from", "czcsxm", "to"]], on=["from", "czcsxm"], how="left")["to"]
    return pd.Series(hit.to_numpy(), index=codes.index, dtype="string").fillna(codes.astype("string"))


#: 城镇村属性码 (CZCSXM) values of 村庄 (village) land: 203, and 203A of the later surveys
#: (standards.md §2.1.3; CCTool reads {203, 203A} as 村庄…用地).
VILLAGE_CZCSXM: Final[tuple[str, ...]] = ("203", "203A")


def is_village(czcsxm: pd.Series) -> pd.Series:
    """True where the 城镇村属性码 ``czcsxm`` places the land in a village (:data:`VILLAGE_CZCSXM`).

    201 城市 and 202 建制镇 (201A/202A) are town land, 204 盐田及采矿用地 and 205 特殊用地 are
    neither town nor village: for them, and where the value is missing, the land-use class alone
    decides (``urban_construction`` of :func:`flags`). Integers (``203``, ``203.0``) are read as
    their text.

    Examples
    --------
    >>> is_village(pd.Series(["201", "203", " 203a", 203, None, "204"])).tolist()
    [False, True, True, True, False, False]
    """
    return _clean(czcsxm, pad=False).isin(VILLAGE_CZCSXM).fillna(False).astype(bool)


@cache
def _sandiao_of_2023() -> pd.Series:
    """2023 code → the 三调 code a 2023 class is surveyed as (plain codes before K/A variants, specific first)."""
    rows = _legacy()[(_legacy()["scheme"] == "sandiao") & _legacy()["code_2023"].notna()].copy()
    rows["suffixed"] = rows["code"].str.fullmatch(r"\d{4}[KA]")
    rows["length"] = rows["code"].str.len()
    rows = rows.sort_values(["suffixed", "length"], ascending=[True, False], kind="stable")
    return rows.drop_duplicates("code_2023").set_index("code_2023")["code"]


def class_names(codes: pd.Series, *, scheme: str = "2023") -> pd.Series:
    """Chinese class name of each code in ``scheme`` (``"2023"``, ``"sandiao"`` or ``"gb50137"``), ``<NA>`` where unknown.

    Examples
    --------
    >>> class_names(pd.Series(["0601", "05H1"]), scheme="sandiao").tolist()
    ['工业用地', '商业服务业设施用地']
    >>> class_names(pd.Series(["0601"])).tolist()
    ['农村道路']
    """
    return codes.astype("string").map(_titles(scheme)).astype("string")


def to_sandiao(codes: pd.Series) -> pd.Series:
    """三调 DLBM codes for 2023 codes, for data handed back in the 三调 schema.

    A 2023 class the survey does not split takes its parent's 三调 code (100102 → 1001 → 0601);
    ``<NA>`` where no ancestor has one (the sea classes).

    Examples
    --------
    >>> to_sandiao(pd.Series(["100102", "0703", "0804", "1701", "1311", "18"])).tolist()
    ['0601', '0702', '08H2', '1101', '1109', <NA>]
    """
    table, parents = _sandiao_of_2023(), _classes()["parent"]
    code = codes.astype("string")
    out = code.map(table).astype("string")
    for _ in range(2):  # level 3 → 2 → 1
        code = code.map(parents).astype("string")
        out = out.fillna(code.map(table).astype("string"))
    return out


def unknown_codes(codes: pd.Series, *, scheme: Scheme = "auto") -> pd.Series:
    """Tell which values are given but cannot be mapped to a 2023 class.

    Parameters
    ----------
    codes
        Raw codes, as for :func:`normalise_codes`.
    scheme
        As for :func:`normalise_codes`.

    Returns
    -------
    pandas.Series
        Boolean, aligned to ``codes.index``: True where a value is present (not null or blank)
        but maps to no 2023 class — unknown codes and legacy aggregates such as GB 50137 ``H11``.

    Examples
    --------
    >>> unknown_codes(pd.Series(["100101", None, " ", "XYZ", "H11"])).tolist()
    [False, False, False, True, True]
    """
    mapped, given = _resolve(codes, scheme)
    return given & mapped.isna()


def flags(codes: pd.Series, *, scheme: Scheme = "auto") -> pd.DataFrame:
    """Look up names, colour and class flags for each code.

    Parameters
    ----------
    codes
        Raw codes, as for :func:`normalise_codes`.
    scheme
        As for :func:`normalise_codes`.

    Returns
    -------
    pandas.DataFrame
        Aligned to ``codes.index``, with ``code`` (the 2023 code), ``name_zh``, ``name_en``,
        ``level1``, ``color`` and the boolean :data:`FLAG_COLUMNS`. Unknown codes get ``<NA>``
        text and False flags.

    Examples
    --------
    >>> table = flags(pd.Series(["100102", "0703", "??"]))
    >>> table["code"].tolist()
    ['100102', '0703', <NA>]
    >>> table[["industrial", "construction", "urban_construction"]].to_numpy().tolist()
    [[True, True, True], [False, True, False], [False, False, False]]
    """
    code = normalise_codes(codes, scheme=scheme)
    info = _classes()[["name_zh", "name_en", "level1", "color", *FLAG_COLUMNS]]
    found = info.reindex(pd.Index(code.array))
    found[list(FLAG_COLUMNS)] = found[list(FLAG_COLUMNS)].fillna(False).astype(bool)
    found.index = codes.index
    found.insert(0, "code", code)
    return found


def color_of(codes: pd.Series, *, scheme: Scheme = "auto") -> pd.Series:
    """Palette colour (``#RRGGBB``) of each code, ``<NA>`` where unknown.

    Examples
    --------
    >>> color_of(pd.Series(["100101", "M2", "0101"])).tolist()
    ['#BB9674', '#BB9674', '#F5F8DC']
    """
    return flags(codes, scheme=scheme)["color"]


def is_construction(codes: pd.Series, *, scheme: Scheme = "auto") -> pd.Series:
    """True for 建设用地 (the ``construction`` column of :func:`flags`).

    Examples
    --------
    >>> import pandas as pd
    >>> is_construction(pd.Series(["1001", "0103", "0701"])).tolist()  # industrial, farmland (旱地), urban housing
    [True, False, True]
    """
    return flags(codes, scheme=scheme)["construction"]


def is_urban_construction(codes: pd.Series, *, scheme: Scheme = "auto") -> pd.Series:
    """True for 城镇建设用地 (the ``urban_construction`` column of :func:`flags`).

    Examples
    --------
    >>> import pandas as pd
    >>> is_urban_construction(pd.Series(["0701", "0703", "1001"])).tolist()  # a village homestead is construction land, not urban
    [True, False, True]
    """
    return flags(codes, scheme=scheme)["urban_construction"]


def is_industrial(codes: pd.Series, *, scheme: Scheme = "auto") -> pd.Series:
    """True for 工业用地 1001/1001xx (the ``industrial`` column of :func:`flags`).

    Examples
    --------
    >>> import pandas as pd
    >>> is_industrial(pd.Series(["100101", "1101", "0701"])).tolist()
    [True, False, False]
    """
    return flags(codes, scheme=scheme)["industrial"]


def is_storage(codes: pd.Series, *, scheme: Scheme = "auto") -> pd.Series:
    """True for 仓储用地 11xx (the ``storage`` column of :func:`flags`).

    Examples
    --------
    >>> import pandas as pd
    >>> is_storage(pd.Series(["100101", "1101", "0701"])).tolist()
    [False, True, False]
    """
    return flags(codes, scheme=scheme)["storage"]


def is_sensitive_receptor(codes: pd.Series, *, scheme: Scheme = "auto") -> pd.Series:
    """True for housing, research, education, health and welfare land (the ``sensitive_receptor`` column of :func:`flags`).

    Examples
    --------
    >>> import pandas as pd
    >>> is_sensitive_receptor(pd.Series(["0701", "0802", "1001"])).tolist()  # housing, research, industry
    [True, True, False]
    """
    return flags(codes, scheme=scheme)["sensitive_receptor"]
