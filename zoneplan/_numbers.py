"""Numbers as people write them in bureau tables: ``12,000``, ``１２０００``, ``2019年``, ``二〇一九``, ``1.2万``.

:func:`parse_numbers` reads a column of numbers written as text the way a person means it, and
says which values it cannot read, so that no value silently becomes NULL:

=============================== ==================================================================
written                         read as
=============================== ==================================================================
``12,000`` ``12 000`` ``１２，０００`` 12000 (thousands separators, full-width digits; ``1,5`` is refused:
                                a comma that does not group thousands is ambiguous)
``2019年`` ``2019年6月`` ``2019-06-30`` 2019 in a year column
``二〇一九`` ``一万二千`` ``三点五``   2019, 12000, 3.5 (Chinese numerals, digit by digit or positional)
``1.2万`` ``3亿``                 12000, 300000000 (万 and 亿 multiply)
``12000㎡`` ``85元`` ``30亩``       the number, where the unit is the column's own (``㎡`` in a
                                ``_m2`` column, ``元`` in a ``_yuan`` column, ``亩`` in a ``_mu``
                                column); another unit is refused, never converted silently
``35%``                         0.35 in a share or ratio column
``-`` ``—`` ``/`` ``无`` ``n/a``      missing (an explicit "none"), not an error
``abc`` ``约2000`` ``2019?``       cannot be read: reported
=============================== ==================================================================
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

__all__ = ["MISSING_MARKERS", "column_unit", "parse_numbers"]

#: Text that says "no value" (after stripping and lower-casing).
MISSING_MARKERS = frozenset({"-", "--", "—", "——", "–", "/", "\\", "无", "空", "暂无", "n/a", "na", "nan", "null", "none", "#n/a"})

#: Unit suffixes a column of each unit may carry (the number is in the column's own unit).
_SUFFIXES: dict[str, tuple[str, ...]] = {
    "m2": ("平方米", "平米", "m²", "m2", "㎡"),
    "yuan": ("元",),
    "mu": ("亩",),
    "year": ("年度", "年"),
    "fraction": (),
}

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10_000, "亿": 100_000_000}
_CHINESE = re.compile(r"^负?[〇零一二三四五六七八九两十百千万亿]+(点[〇零一二三四五六七八九]+)?$")
_GROUPED = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")
_YEAR_DATE = re.compile(r"^(\d{4})(?:年.*|[-/.]\d{1,2}(?:[-/.]\d{1,2})?)$")


def column_unit(column: str) -> str | None:
    """The unit a column's name gives (``…_year`` year, ``…_m2`` m², ``…_yuan``, ``…_mu``, ``…_share``/``…_ratio``)."""
    for ending, unit in (("_year", "year"), ("_m2", "m2"), ("_yuan", "yuan"), ("_mu", "mu"), ("_share", "fraction"), ("_ratio", "fraction")):
        if column.endswith(ending):
            return unit
    return None


def _chinese_integer(text: str) -> int:
    """Positional Chinese numerals (一万二千 = 12000), or digit by digit where no unit is written (二〇一九 = 2019)."""
    if not any(c in _UNITS or c in _BIG for c in text):
        return int("".join(str(_DIGITS[c]) for c in text))
    total, section, digit = 0, 0, 0
    for c in text:
        if c in _DIGITS:
            digit = _DIGITS[c]
        elif c in _UNITS:
            section += (digit or 1) * _UNITS[c]
            digit = 0
        else:  # 万 / 亿 close a section
            total = (total + section + digit) * _BIG[c]
            section, digit = 0, 0
    return total + section + digit


def _chinese(text: str) -> float:
    sign = -1.0 if text.startswith("负") else 1.0
    whole, _, frac = text.removeprefix("负").partition("点")
    value = float(_chinese_integer(whole)) if whole else 0.0
    if frac:
        value += float("0." + "".join(str(_DIGITS[c]) for c in frac))
    return sign * value


def _read_one(text: str, unit: str | None) -> float:
    """One distinct text value → number, NaN when it cannot be read (called once per distinct value)."""
    if unit == "year" and (m := _YEAR_DATE.match(text)):
        return float(m[1])
    for suffix in _SUFFIXES.get(unit or "", ()):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)].strip()
            break
    factor, divisor = 1.0, 1.0
    if unit == "fraction" and text.endswith("%"):
        text, divisor = text[:-1].strip(), 100.0
    if unit != "year" and len(text) > 1 and text[-1] in _BIG and not _CHINESE.match(text):
        text, factor = text[:-1].strip(), _BIG[text[-1]]
    if _GROUPED.match(text):
        text = text.replace(",", "")
    if _CHINESE.match(text):
        return _chinese(text) * factor / divisor
    try:
        return float(text) * factor / divisor
    except ValueError:
        return float("nan")


def parse_numbers(values: pd.Series, *, unit: str | None = None) -> tuple[pd.Series, pd.Series]:
    """Read a column of numbers, some written as text, the way a person means them.

    Parameters
    ----------
    values
        The column as read (numbers, text or a mix).
    unit
        The column's unit (:func:`column_unit`): ``"year"``, ``"m2"``, ``"yuan"``, ``"mu"``,
        ``"fraction"`` or None; it decides which suffixes and forms are understood.

    Returns
    -------
    numbers, unreadable
        ``float64`` numbers aligned to ``values`` (NaN where no value was given), and a boolean
        Series: True where a value was given that cannot be read as a number.

    Examples
    --------
    >>> numbers, bad = parse_numbers(pd.Series(["二〇一九", "2019年", "2019-06-30", "—", None, "abc"]), unit="year")
    >>> numbers.tolist()[:3], bad.tolist()
    ([2019.0, 2019.0, 2019.0], [False, False, False, False, False, True])
    >>> parse_numbers(pd.Series(["12,000", "1.2万", "一万二千"]))[0].tolist()
    [12000.0, 12000.0, 12000.0]
    >>> parse_numbers(pd.Series(["12000㎡", "35亩"]), unit="m2")[1].tolist()
    [False, True]
    """
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("float64"), pd.Series(False, index=values.index)
    if pd.api.types.is_numeric_dtype(values.dtype):
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
        return numbers, pd.Series(False, index=values.index)
    direct = pd.to_numeric(values, errors="coerce").astype("float64")
    text = values.astype("string").str.normalize("NFKC").str.strip()
    missing = text.isna() | text.eq("") | text.str.lower().isin(MISSING_MARKERS).fillna(False)
    todo = direct.isna() & ~missing
    numbers = direct.where(~missing, np.nan)
    if todo.any():
        grouped = text[todo].str.replace(r"(?<=\d)[ \u00a0'_](?=\d{3}\b)", ",", regex=True)  # 12 000 → 12,000
        read = {t: _read_one(str(t), unit) for t in pd.unique(grouped.to_numpy(dtype=object))}
        numbers[todo] = grouped.map(read).astype("float64")
    unreadable = (todo & numbers.isna()).astype(bool)
    return numbers, unreadable
