"""The ``zoneplan`` command line.

Every command has ``--help``, prints human-readable output by default and JSON with ``--json``.
Exit status: 0 success / plan valid or compliant, 1 problems or violations found, 2 bad input or
usage (a one-line reason on standard error, never a traceback; set ``ZONEPLAN_DEBUG=1`` to see one).

Commands live in one module per concern, ``zoneplan/cli/<concern>_commands.py``; each registers
its commands on :data:`app` and is imported here automatically.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

from zoneplan.cli._common import EXIT_BAD_INPUT, err_console
from zoneplan.errors import ZoneplanError
from zoneplan.settings import settings

app = typer.Typer(
    name="zoneplan",
    help="Land-use planning for development zones (开发区): plans as GIS layers, areas in mu, checks and maps.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _module in sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.endswith("_commands")):
    importlib.import_module(f"{__name__}.{_module}")

__all__ = ["app", "main"]


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``zoneplan`` console script."""
    try:
        code = app(args=argv, prog_name="zoneplan", standalone_mode=False)
    except typer.Abort:
        err_console.print("zoneplan: aborted")
        code = EXIT_BAD_INPUT
    except typer.TyperException as exc:  # usage errors (typer ≥ 0.20 vendors click)
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            err_console.print(f"zoneplan: error: {exc}", markup=False)
        code = EXIT_BAD_INPUT
    except ZoneplanError as exc:
        err_console.print(f"zoneplan: error: {exc}", markup=False, soft_wrap=True)
        code = EXIT_BAD_INPUT
    except (OSError, ValueError, KeyError) as exc:
        if settings.debug:
            raise
        err_console.print(f"zoneplan: error: {type(exc).__name__}: {exc}", markup=False, soft_wrap=True)
        code = EXIT_BAD_INPUT
    sys.exit(code or 0)
