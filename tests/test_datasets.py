"""zoneplan.datasets: paths of the bundled plans, $ZONEPLAN_LAYERS, errors naming what exists."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from zoneplan import datasets
from zoneplan.errors import InputError
from zoneplan.plan import Plan

REPO_LAYERS = Path(__file__).resolve().parent.parent / "layers"


def test_get_path_points_into_layers():
    for name in ("zhangdian", "linqing", "liaocheng"):
        path = datasets.get_path(name)
        assert path == REPO_LAYERS / f"{name}.gpkg"
        assert path.is_file()


def test_get_path_is_case_and_space_tolerant():
    assert datasets.get_path(" Linqing ") == REPO_LAYERS / "linqing.gpkg"


def test_unknown_name_lists_the_available_plans():
    with pytest.raises(InputError) as err:
        datasets.get_path("bubenec")
    assert "bubenec" in str(err.value)
    assert "liaocheng, linqing, zhangdian" in str(err.value)


def test_load_returns_the_plan():
    plan = datasets.load("zhangdian")
    assert isinstance(plan, Plan)
    assert plan.meta["name"] == "zhangdian"
    assert sorted(plan.phases["phase_no"]) == [1, 2, 3]


def test_environment_variable_overrides_the_directory(tmp_path, monkeypatch):
    shutil.copy(REPO_LAYERS / "liaocheng.gpkg", tmp_path / "liaocheng.gpkg")
    monkeypatch.setenv(datasets.LAYERS_ENV, str(tmp_path))
    assert datasets.layers_dir() == tmp_path
    assert datasets.available() == ["liaocheng"]
    assert datasets.get_path("liaocheng") == tmp_path / "liaocheng.gpkg"
    assert len(datasets.load("liaocheng").zones) == 10
    with pytest.raises(InputError, match="make layers") as err:
        datasets.get_path("linqing")
    assert err.value.file == str(tmp_path / "linqing.gpkg")
    with pytest.raises(InputError, match=r"available: liaocheng \(rule dataset\)"):
        datasets.get_path("nowhere")
