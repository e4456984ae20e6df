"""Shared plumbing of the command line: output, JSON, exit codes, plan loading."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from zoneplan.jsonable import to_jsonable
from zoneplan.plan import Plan

__all__ = ["console", "err_console", "emit_json", "load_plan", "say", "styled", "table_of", "to_jsonable", "EXIT_OK", "EXIT_FOUND", "EXIT_BAD_INPUT"]

EXIT_OK = 0
EXIT_FOUND = 1  # problems or violations found
EXIT_BAD_INPUT = 2

# No markup: every text printed may hold a user's "[...]" (titles, names, paths); styling is
# given as rich Text (:func:`styled`), never parsed out of a string.
console = Console(highlight=False, markup=False)
err_console = Console(stderr=True, highlight=False, markup=False)


def styled(*parts: str | tuple[str, str]) -> Text:
    """A line of plain text and ``(text, style)`` pieces, none of it read as markup."""
    return Text.assemble(*parts)


def emit_json(payload: Any) -> None:
    """Print ``payload`` as JSON on standard output (UTF-8, Chinese kept readable)."""
    sys.stdout.write(json.dumps(to_jsonable(payload), ensure_ascii=False, indent=2) + "\n")


def say(message: str) -> None:
    """Tell the user, on standard error, what zoneplan is waiting for (e.g. another writer's lock)."""
    err_console.print(f"zoneplan: {message}", markup=False, soft_wrap=True)


def load_plan(location: str) -> Plan:
    """Open a plan from a GeoPackage path or database URI (errors become exit status 2)."""
    return Plan.read(location)


def _number(value: float, fmt: str) -> str:
    """Format a number, never showing a rounding residue as "-0.00"."""
    text = fmt.format(value)
    if text.startswith("-") and not any(c in "123456789" for c in text):
        return text[1:]
    return text


def table_of(df: pd.DataFrame, *, title: str | None = None, floatfmt: str = "{:,.2f}") -> Table:
    """A rich table of a DataFrame, numbers right-aligned and formatted."""
    table = Table(title=title, show_lines=False)
    for col in df.columns:
        numeric = pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col])
        table.add_column(str(col), justify="right" if numeric else "left")
    for row in df.itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, (float, np.floating)):
                cells.append("" if math.isnan(v) else _number(v, floatfmt))
            elif v is None or v is pd.NA:
                cells.append("")
            else:
                cells.append(str(v))
        table.add_row(*cells)
    return table
