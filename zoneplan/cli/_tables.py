"""Tables for people on a terminal: numbers rounded with their unit, and never an id cut short.

:func:`table_of` lays a DataFrame (or a list of records) out as a rich table when it fits the console; when it does not,
it transposes: one column per row of the frame (the frame's columns become the table's rows), in
as many blocks as the width needs. A cell is never truncated with "…": each column is at least as
wide as its longest word, so ids, codes and numbers always print whole.

:func:`quantity` formats one number with its unit the way the tables show it (``22.25 km²``,
``35.62 %``, ``1,153.2 mu``, ``301.4 万元/亩``); tiny rounding residues print as ``0.00``, never
as ``1.607e-07``.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.table import Table

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["number", "quantity", "table_of"]

#: How :func:`quantity` shows each unit: (multiplier, decimals, suffix).
_UNITS: dict[str, tuple[float, int, str]] = {
    "km2": (1.0, 2, " km²"),
    "m2": (1.0, 0, " m²"),
    "ha": (1.0, 2, " ha"),
    "mu": (1.0, 1, " mu"),
    "fraction": (100.0, 2, " %"),
    "pp": (1.0, 2, " pp"),
    "ratio": (1.0, 2, ""),
    "years": (1.0, 1, " years"),
    "万元/亩": (1.0, 1, " 万元/亩"),
    "万元": (1.0, 1, " 万元"),
    "亿元": (1.0, 2, " 亿元"),
}
_BORDER = 3  # a rich column's padding and rule: "│ x "


def number(value: float, decimals: int = 2) -> str:
    """``value`` with thousands separators and ``decimals`` places; ``-0.00`` shows as ``0.00``.

    Examples
    --------
    >>> number(1.607e-07), number(-0.001), number(15694.512, 1)
    ('0.00', '0.00', '15,694.5')
    """
    return _no_negative_zero(f"{value:,.{decimals}f}")


def _no_negative_zero(text: str) -> str:
    return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text


def quantity(value: Any, unit: str | None) -> str:
    """A number with its unit, rounded for people; ``""`` for a missing value.

    Examples
    --------
    >>> quantity(22.2500001, "km2"), quantity(0.35624, "fraction"), quantity(-1.1533, "mu")
    ('22.25 km²', '35.62 %', '-1.2 mu')
    >>> quantity(301.42, "万元/亩"), quantity(None, "mu"), quantity(7.5, "score")
    ('301.4 万元/亩', '', '7.50 score')
    """
    if _missing(value):
        return ""
    scale, decimals, suffix = _UNITS.get(unit or "", (1.0, 2, f" {unit}" if unit else ""))
    return number(float(value) * scale, decimals) + suffix


def _missing(value: Any) -> bool:
    if value is None or (_is_float(value) and math.isnan(value)):
        return True
    pd = sys.modules.get("pandas")  # pd.NA and pd.NaT exist only once pandas is imported
    return pd is not None and (value is pd.NA or value is pd.NaT)


def _is_float(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral)  # numpy floats too


def _cell(value: Any, floatfmt: str) -> str:
    if _missing(value):
        return ""
    if _is_float(value):
        return _no_negative_zero(floatfmt.format(value))
    return str(value)


def _longest_word(texts: list[str]) -> int:
    return max((cell_len(w) for t in texts for w in t.split()), default=0)


def _width(console: Console | None) -> int:
    if console is None:
        from zoneplan.cli._common import console as default

        console = default
    return console.width


def _layout(df: pd.DataFrame | Sequence[Mapping[str, Any]], columns: Sequence[str] | None) -> tuple[list[str], list[bool], list[list[Any]]]:
    """Column names, whether each is numeric (right-aligned), and the rows' values."""
    if isinstance(df, Sequence):  # records (no pandas needed): a column of numbers only is numeric
        names = [str(c) for c in (columns if columns is not None else (df[0] if df else []))]
        values = [[record.get(c) for c in names] for record in df]
        present = [[row[i] for row in values if not _missing(row[i])] for i in range(len(names))]
        numeric = [bool(col) and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in col) for col in present]
        return names, numeric, values
    import pandas as pd

    numeric = [pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]) for c in df.columns]
    return [str(c) for c in df.columns], numeric, [list(row) for row in df.itertuples(index=False)]


def table_of(
    df: pd.DataFrame | Sequence[Mapping[str, Any]],
    *,
    title: str | None = None,
    floatfmt: str = "{:,.2f}",
    console: Console | None = None,
    columns: Sequence[str] | None = None,
) -> RenderableType:
    """A DataFrame as a rich table that fits the console: wide when it fits, else transposed in blocks.

    Parameters
    ----------
    df
        The rows to show: a DataFrame, or records (mappings of column → value, for a caller
        without pandas); float cells are formatted with ``floatfmt`` (NaN shows empty).
    title
        Title above the table (above each block when transposed).
    floatfmt
        Format of float cells.
    console
        The console printed to (for its width); default the command line's standard output.
    columns
        The columns of records, in order (default: the keys of the first record).

    Examples
    --------
    At 40 columns the three columns do not fit side by side, so the row is shown transposed,
    with the metric name whole:

    >>> import pandas as pd
    >>> from rich.console import Console
    >>> narrow = Console(width=40, color_system=None)
    >>> frame = pd.DataFrame({"scope": ["linqing-yandian"], "metric": ["urban_construction_area_km2"], "actual": [6.8]})
    >>> narrow.print(table_of(frame, console=narrow))
    ┌────────┬─────────────────────────────┐
    │ scope  │ linqing-yandian             │
    │ metric │ urban_construction_area_km2 │
    │ actual │ 6.80                        │
    └────────┴─────────────────────────────┘

    Records print the same, numbers right-aligned:

    >>> wide = Console(width=60, color_system=None)
    >>> wide.print(table_of([{"layer": "phases", "count": 3, "area mu": 4294.0}], console=wide))
    ┏━━━━━━━━┳━━━━━━━┳━━━━━━━━━━┓
    ┃ layer  ┃ count ┃  area mu ┃
    ┡━━━━━━━━╇━━━━━━━╇━━━━━━━━━━┩
    │ phases │     3 │ 4,294.00 │
    └────────┴───────┴──────────┘
    """
    columns, numeric, values = _layout(df, columns)
    rows = [[_cell(v, floatfmt) for v in row] for row in values]
    width = _width(console)
    need = [max(_longest_word([h]), _longest_word([r[i] for r in rows])) for i, h in enumerate(columns)]
    if sum(w + _BORDER for w in need) + 1 <= width or not rows:
        table = Table(title=title)
        for name, right, w in zip(columns, numeric, need):
            table.add_column(name, justify="right" if right else "left", overflow="fold", min_width=w)
        for r in rows:
            table.add_row(*r)
        return table
    # transposed: the frame's columns become rows, its rows become columns, in blocks that fit
    label = max(cell_len(c) for c in columns)
    record_widths = [max(_longest_word(r), 1) for r in rows]
    blocks: list[list[int]] = [[]]
    used = label + _BORDER + 1
    for i, w in enumerate(record_widths):
        if blocks[-1] and used + w + _BORDER > width:
            blocks.append([])
            used = label + _BORDER + 1
        blocks[-1].append(i)
        used += w + _BORDER
    parts: list[RenderableType] = []
    for n, block in enumerate(blocks, start=1):
        suffix = f" ({n}/{len(blocks)})" if len(blocks) > 1 else ""
        table = Table(title=f"{title}{suffix}" if title else (suffix.strip() or None), show_header=False)
        table.add_column(style="bold", min_width=label, overflow="fold")
        for i in block:
            table.add_column(overflow="fold", min_width=record_widths[i])
        for j, name in enumerate(columns):
            table.add_row(name, *(rows[i][j] for i in block))
        parts.append(table)
    return Group(*parts)
