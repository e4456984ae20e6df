"""Shared plumbing of the command line: output, JSON, exit codes, plan loading."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

from zoneplan.cli._tables import table_of

if TYPE_CHECKING:
    from zoneplan.plan import Plan

# light to import (the CLI's start-up): pandas, the plan and JSON conversion load when first used
__all__ = ["EXIT_BAD_INPUT", "EXIT_FOUND", "EXIT_OK", "console", "emit_json", "err_console", "header", "load_plan", "say", "styled", "table_of"]

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


def header(title: str, detail: str = "", *, plan: Plan | None = None, basis: str | None = None) -> None:
    """Print the header of every command that shows areas: ``title`` in bold and ``detail``, then ``area basis: …``.

    The basis has a line of its own (``area basis: planar`` or ``area basis: ellipsoidal``), so a
    long title wrapped to the terminal never splits it.

    Parameters
    ----------
    title
        The plan's title, a path … (printed as text, never read as markup).
    detail
        What follows the title (the CRS, the year judged …).
    plan, basis
        The basis of the areas below: ``basis`` when given, else the plan's
        (:func:`zoneplan.measure.plan_area_basis`).
    """
    if basis is None:
        from zoneplan.measure import plan_area_basis

        if plan is None:
            raise TypeError("header() needs the plan or the basis of its areas")
        basis = plan_area_basis(plan)
    console.print(styled((title, "bold"), detail))
    console.print(f"area basis: {basis}")


def emit_json(payload: Any) -> None:
    """Print ``payload`` as JSON on standard output (UTF-8, Chinese kept readable)."""
    from zoneplan.jsonable import to_jsonable

    sys.stdout.write(json.dumps(to_jsonable(payload), ensure_ascii=False, indent=2) + "\n")


def say(message: str) -> None:
    """Tell the user, on standard error, what zoneplan is waiting for (e.g. another writer's lock)."""
    err_console.print(f"zoneplan: {message}", markup=False, soft_wrap=True)


def load_plan(location: str) -> Plan:
    """Open a plan from a GeoPackage path or database URI (errors become exit status 2)."""
    from zoneplan.plan import Plan

    return Plan.read(location)
