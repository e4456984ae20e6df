"""The README's command-line examples run as written, on a copy of the sample plans.

Every ``zoneplan …`` line of the README's bash blocks that names only the bundled plans and files
the README itself defines (its TOML blocks) is run in a temporary directory laid out like a
checkout (``layers/*.gpkg``); lines with placeholders (``PLAN.gpkg``, ``NAME``, ``a | b``
alternatives, ``postgresql://`` servers, the user's own files) are listed and left out by rule, not
by hand. Bracketed options (``[--json]``) are optional and dropped; trailing comments too.
``zoneplan demo`` is left out here: the wheel test runs it (``tests/test_wheel.py``).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from zoneplan import datasets

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: exit status the README promises for a line (it says so in the line's comment), else 0
_EXIT_IN_COMMENT = re.compile(r"exit (\d)")


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def _toml_files() -> dict[str, str]:
    files = {}
    for block in _blocks("toml"):
        first = block.splitlines()[0]
        m = re.match(r"#\s*([\w.-]+\.toml)\b", first)
        if m:
            files[m.group(1)] = block
    return files


def _runnable(files: set[str]) -> list[tuple[str, list[str], int]]:
    """(line as written, arguments, expected exit) of every README command that can run here."""
    known = {f"layers/{p.name}" for p in datasets.layers_dir().glob("*")} | files
    out = []
    for block in _blocks("bash"):
        for line in block.splitlines():
            if not line.startswith("zoneplan ") and not line.startswith(".venv/bin/zoneplan "):
                continue
            command, _, comment = line.partition("#")
            command = re.sub(r"\s\[[^\]]*\]", "", command).strip()
            if re.search(r"\||\b[A-Z]{3,}\b|postgresql://|PLAN|\.\.\.|…", command):
                continue  # placeholders and alternatives
            args = shlex.split(command)[1:]
            if args[0] == "demo":
                continue  # run by tests/test_wheel.py, from an installed wheel
            inputs = [a for a in args if re.search(r"\.(gpkg|tif|toml|shp|geojson|dxf|gdb|xlsx|csv)$", a)]
            outputs = {args[i + 1] for i, a in enumerate(args[:-1]) if a in ("-o", "--print", "--evidence", "--excel", "--into", "--to", "--out")}
            if any(i not in known and i not in outputs for i in inputs):
                continue  # the user's own data
            m = _EXIT_IN_COMMENT.search(comment)
            out.append((line, args, int(m.group(1)) if m else 0))
    return out


def test_the_readme_defines_every_scenario_it_compares():
    lines = " ".join(line for b in _blocks("bash") for line in b.splitlines())
    added = set(re.findall(r"scenario \S+ add (\S+)", lines))
    compared = {n for m in re.findall(r"scenario \S+ compare ((?:[a-z][\w-]* )+)", lines) for n in m.split()}
    assert compared and compared <= added


@pytest.mark.slow
def test_readme_commands_run_as_written(tmp_path):
    (tmp_path / "layers").mkdir()
    for path in datasets.layers_dir().glob("*"):
        if path.suffix in (".gpkg", ".tif"):
            shutil.copy(path, tmp_path / "layers" / path.name)
    files = _toml_files()
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    commands = _runnable(set(files))
    assert len(commands) >= 12, [c for c, _, _ in commands]
    env = {**os.environ, "ZONEPLAN_PROGRESS": "0", "COLUMNS": "120"}
    for line, args, expected in commands:
        done = subprocess.run([sys.executable, "-m", "zoneplan", *args], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=600)
        assert done.returncode == expected, f"{line}\nexit {done.returncode}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"


@pytest.mark.parametrize("name", sorted(_toml_files()))
def test_readme_toml_blocks_are_valid_scenarios(name, tmp_path):
    import tomllib

    from zoneplan.scenario import read_edits_file

    data = tomllib.loads(_toml_files()[name])
    assert data["edits"]
    path = tmp_path / name
    path.write_text(_toml_files()[name], encoding="utf-8")
    assert read_edits_file(path, name=path.stem).edits  # the name comes from `scenario PLAN add NAME`, as in the README
