"""The ``zoneplan`` command line.

Every command has ``--help``, prints human-readable output by default and JSON with ``--json``.
Exit status: 0 success / plan valid or compliant, 1 problems or violations found, 2 bad input or
usage (a one-line reason on standard error, never a traceback; set ``ZONEPLAN_DEBUG=1`` to see one).

Commands live in one module per concern, ``zoneplan/cli/<concern>_commands.py``; each registers
its commands on :data:`app` and is found here automatically.

Start-up is kept short (``zoneplan --help`` and ``zoneplan info PLAN`` in ``make bench``): the
command modules import pandas, geopandas, matplotlib … so :func:`main` imports only the module
that defines the command being run. Which module defines which command is read from the modules'
source (their ``@app.command`` decorators and ``app.add_typer`` calls) without importing them,
and ``zoneplan --help`` is drawn from the same index. A command may register a shortcut
(:func:`fast_path`) that answers before typer parses the arguments — typer builds a pydantic
validator per parameter, whose import costs as much as the rest of the start-up — as ``info``
does for a saved plan. Accessing :data:`app` from outside (tests,
the documentation build) imports every command module, so ``app`` is always the whole CLI.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import importlib
import sys
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import typer

from zoneplan.cli._common import EXIT_BAD_INPUT, err_console
from zoneplan.errors import ZoneplanError
from zoneplan.settings import settings

_SETTINGS: dict[str, Any] = {"no_args_is_help": True, "add_completion": False, "pretty_exceptions_enable": False}
_HELP = "Land-use planning for development zones (开发区): plans as GIS layers, areas in mu, checks and maps."
_app = typer.Typer(name="zoneplan", help=_HELP, **_SETTINGS)


@_app.callback()
def _group() -> None:
    # a callback keeps ``zoneplan`` a group when main() has loaded a module with one command only
    # (typer runs a lone command as the program itself otherwise)
    pass


_loading = {"selective": False}
#: Command name → a function answering the command line before typer parses it, or returning
#: False to leave it to the command (:func:`fast_path`).
_FAST_PATHS: dict[str, Callable[[list[str]], bool]] = {}

__all__ = ["app", "fast_path", "load_commands", "main"]


def fast_path(name: str) -> Callable[[Callable[[list[str]], bool]], Callable[[list[str]], bool]]:
    """Register a start-up shortcut of command ``name``, tried by :func:`main` before typer runs.

    The function gets the arguments (``[name, ...]``) and returns True when it has answered
    them in full, exactly as the command would; anything it does not handle it leaves to the
    command by returning False. Errors it raises are reported as the command's are.

    Examples
    --------
    >>> load_commands(["info"])
    >>> "info" in _FAST_PATHS  # plan_commands registers the shortcut of `zoneplan info PLAN`
    True
    """

    def register(func: Callable[[list[str]], bool]) -> Callable[[list[str]], bool]:
        _FAST_PATHS[name] = func
        return func

    return register


def __getattr__(name: str) -> Any:
    # ``app`` is the whole CLI for everyone but a command module being imported on its own by main()
    if name == "app":
        if not _loading["selective"]:
            load_commands()
        return _app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _literal(call: ast.Call, keyword: str, position: int | None = None) -> Any:
    for kw in call.keywords:
        if kw.arg == keyword and isinstance(kw.value, ast.Constant):
            return kw.value.value
    arg = call.args[position] if position is not None and len(call.args) > position else None
    return arg.value if isinstance(arg, ast.Constant) else None


def _dotted(node: ast.expr) -> str:
    """``a.b.c`` of a name or attribute chain (``""`` for anything else): what a decorator or call is."""
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else ""
    return node.id if isinstance(node, ast.Name) else ""


@functools.cache
def _index() -> dict[str, tuple[str, str, bool]]:
    """Command name → (module, help, is a group), read from the source of the command modules.

    Commands are registered by top-level statements only (``@app.command`` on a module-level
    function, ``app.add_typer(...)`` and ``x = typer.Typer(...)`` at module level), so only a
    module's top-level statements are looked at — ``zoneplan --help`` pays for this on every run.
    """
    found: dict[str, tuple[str, str, bool]] = {}
    for path in sorted(Path(__file__).parent.glob("*_commands.py")):
        module = f"{__name__}.{path.stem}"
        body = ast.parse(path.read_text(encoding="utf-8")).body
        typers: dict[str, str] = {}  # variable → help of a sub-Typer defined in the module
        for node in body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and _dotted(node.value.func) == "typer.Typer":
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        typers[target.id] = _literal(node.value, "help") or ""
        for node in body:
            if isinstance(node, ast.FunctionDef):
                for deco in node.decorator_list:
                    if isinstance(deco, ast.Call) and _dotted(deco.func) == "app.command":
                        name = _literal(deco, "name", 0) or node.name.replace("_", "-")
                        found[name] = (module, _literal(deco, "help") or ast.get_docstring(node) or "", False)
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) and _dotted(node.value.func) == "app.add_typer" and node.value.args:
                call = node.value
                name = _literal(call, "name")
                if name:
                    found[name] = (module, _literal(call, "help") or typers.get(_dotted(call.args[0]), ""), True)
    return found


def load_commands(names: list[str] | None = None) -> None:
    """Import the command modules (all, or those defining the commands ``names``).

    Examples
    --------
    >>> import sys
    >>> load_commands(["info"])
    >>> "zoneplan.cli.plan_commands" in sys.modules
    True
    """
    index = _index()
    modules = sorted({index[n][0] for n in names if n in index}) if names is not None else sorted({m for m, _, _ in index.values()})
    with _selective():
        for module in modules:
            importlib.import_module(module)


@contextlib.contextmanager
def _selective() -> Iterator[None]:
    before = _loading["selective"]
    _loading["selective"] = True  # modules imported from here get the bare app, never a recursive load
    try:
        yield
    finally:
        _loading["selective"] = before


def _help_app() -> typer.Typer:
    """The top-level ``zoneplan --help``, drawn from the index (no command module imported)."""
    helper = typer.Typer(name="zoneplan", help=_HELP, **_SETTINGS)
    helper.callback()(_group)

    def stub(doc: str) -> Any:
        def command() -> None:  # pragma: no cover - only its help is shown
            raise AssertionError("a help stub ran")

        command.__doc__ = doc
        return command

    for name, (_module, doc, group) in _index().items():
        if group:
            helper.add_typer(typer.Typer(help=doc), name=name)
        else:
            helper.command(name)(stub(doc))
    return helper


def _command_of(argv: list[str]) -> str | None:
    """The command named on the command line (the first argument not an option), if any."""
    return next((a for a in argv if not a.startswith("-")), None)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``zoneplan`` console script.

    Whatever happens, the user sees one line per message and never a traceback or a Python
    warning: errors become ``zoneplan: error: …`` (exit 2), warnings ``zoneplan: note: …``.

    Examples
    --------
    >>> try:
    ...     main(["info", "no-such-plan.gpkg"])  # "zoneplan: error: plan file not found …" on standard error
    ... except SystemExit as done:
    ...     print(done.code)
    2
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
    args = sys.argv[1:] if argv is None else list(argv)
    name = _command_of(args)
    if name is None and (not args or set(args) <= {"--help"}):
        runner = _help_app()
    elif name in _index():
        load_commands([name])
        runner = _app
    else:  # an unknown command: the whole CLI, so that the error lists every command
        load_commands()
        runner = _app
    try:
        shortcut = _FAST_PATHS.get(name or "")
        if shortcut is not None and shortcut(args):
            return 0
        return runner(args=args, prog_name="zoneplan", standalone_mode=False) or 0
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
    except Exception as exc:
        if settings.debug:
            raise
        err_console.print(f"zoneplan: error: {type(exc).__name__}: {_one_line(str(exc))}", soft_wrap=True)
        return EXIT_BAD_INPUT
