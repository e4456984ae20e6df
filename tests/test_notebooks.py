"""Every notebook in notebooks/ executes without error on the bundled plans (nbclient, fresh kernel)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_the_user_jobs_have_notebooks() -> None:
    assert [p.name for p in NOTEBOOKS] == [
        "01_phase_map.ipynb",
        "02_quota_check.ipynb",
        "03_scenarios.ipynb",
        "04_zone_comparison.ipynb",
        "05_goal_seeking.ipynb",
    ]


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_executes(path: Path, tmp_path: Path) -> None:
    committed = nbformat.read(path, as_version=4)
    code = [c for c in committed.cells if c.cell_type == "code"]
    # committed with outputs, so the notebook reads well on a repository page
    assert code and all(c.execution_count for c in code), f"{path.name} is committed without outputs"
    assert any(o.get("output_type") == "display_data" and "image/png" in o.get("data", {}) for c in code for o in c.outputs), f"{path.name} shows no chart"
    book = nbformat.read(path, as_version=4)
    # raises CellExecutionError (naming the cell and the error) on any failing cell
    NotebookClient(book, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in book.cells if c.cell_type == "code" for o in c.outputs if o.get("output_type") == "error"]
    assert errors == []
