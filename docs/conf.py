"""Sphinx configuration of zoneplan's documentation (built offline: ``make docs``).

Before the build this file writes two generated inputs (both git-ignored):

* ``_generated/cli.md`` — every command's ``--help``, produced by running the real command line;
* ``notebooks/*.ipynb`` — the repository's notebooks, rendered as committed (already executed;
  the docs build never runs them: ``nb_execution_mode = "off"``).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))

import zoneplan  # noqa: E402

project = "zoneplan"
author = "zoneplan contributors"
copyright = "2026, zoneplan contributors"
release = zoneplan.__version__
version = ".".join(release.split(".")[:2])

extensions = ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.viewcode", "myst_nb"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints"]
root_doc = "index"
language = "en"

# numpydoc-style docstrings, read by napoleon
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": False}

# notebooks as committed, never executed here
nb_execution_mode = "off"
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

html_theme = "furo"
html_title = f"zoneplan {release}"
html_static_path: list[str] = []
# no web fonts, analytics or CDN scripts: the site reads offline like zoneplan's maps
html_theme_options = {"navigation_with_keys": True}


def _write_cli_reference() -> None:
    """``_generated/cli.md``: the ``--help`` of ``zoneplan`` and of each of its commands."""
    import typer.main
    from typer.testing import CliRunner

    from zoneplan.cli import app

    root = typer.main.get_command(app)
    runner = CliRunner()
    env = {"COLUMNS": "100", "TERMINAL_WIDTH": "100", "NO_COLOR": "1", "TERM": "dumb", "_TYPER_FORCE_DISABLE_TERMINAL": "1"}

    def commands(cmd: Any, path: list[str]) -> Iterator[list[str]]:
        # typer vendors its own click: walk groups by duck typing rather than click.Group
        yield path
        if hasattr(cmd, "list_commands"):
            ctx = type(cmd).context_class(cmd)
            for name in cmd.list_commands(ctx):
                yield from commands(cmd.get_command(ctx, name), [*path, name])

    parts = [
        "# Command-line reference\n",
        "Generated from `zoneplan … --help` when the documentation is built. Exit status of every "
        "command: 0 fine, 1 problems or violations found, 2 bad input (one line on standard error).\n",
    ]
    for path in commands(root, []):
        result = runner.invoke(app, [*path, "--help"], env=env, prog_name="zoneplan", terminal_width=100)
        if result.exit_code != 0:
            raise RuntimeError(f"zoneplan {' '.join(path)} --help exited {result.exit_code}: {result.output}")
        title = " ".join(["zoneplan", *path])
        text = "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())
        parts.append(f"\n{'#' * min(2 + len(path), 4)} `{title}`\n\n```text\n{text}\n```\n")
    out = DOCS / "_generated"
    out.mkdir(exist_ok=True)
    (out / "cli.md").write_text("".join(parts), encoding="utf-8")


def _copy_notebooks() -> None:
    target = DOCS / "notebooks"
    target.mkdir(exist_ok=True)
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        shutil.copyfile(path, target / path.name)


os.environ.setdefault("ZONEPLAN_PROGRESS", "0")
_write_cli_reference()
_copy_notebooks()
