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
import warnings

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
    """Entry point of the ``zoneplan`` console script.

    Whatever happens, the user sees one line per message and never a traceback or a Python
    warning: errors become ``zoneplan: error: …`` (exit 2), warnings ``zoneplan: note: …``.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        code = _run(argv)
    notes = dict.fromkeys(_one_line(str(w.message)) for w in caught if not issubclass(w.category, _DEVELOPER_WARNINGS))
    for note in notes:
        err_console.print(f"zoneplan: note: {note}", soft_wrap=True)
    sys.exit(code or 0)


#: Warnings meant for developers of zoneplan and its libraries, not for its users.
_DEVELOPER_WARNINGS = (DeprecationWarning, PendingDeprecationWarning, FutureWarning, ResourceWarning, RuntimeWarning)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _run(argv: list[str] | None) -> int:
    try:
        return app(args=argv, prog_name="zoneplan", standalone_mode=False) or 0
    except typer.Abort:
        err_console.print("zoneplan: aborted")
        return EXIT_BAD_INPUT
    except typer.TyperException as exc:  # usage errors (typer ≥ 0.20 vendors click)
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            err_console.print(f"zoneplan: error: {_one_line(str(exc))}", soft_wrap=True)
        return EXIT_BAD_INPUT
    except ZoneplanError as exc:
        err_console.print(f"zoneplan: error: {_one_line(str(exc))}", soft_wrap=True)
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 — a user never sees a traceback (ZONEPLAN_DEBUG=1 shows it)
        if settings.debug:
            raise
        err_console.print(f"zoneplan: error: {type(exc).__name__}: {_one_line(str(exc))}", soft_wrap=True)
        return EXIT_BAD_INPUT
