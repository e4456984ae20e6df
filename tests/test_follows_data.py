"""Results follow the data: a plan or profile edited in place gives the answer a fresh one gives.

The notebook idiom of issue 15: an analyst loads a plan, asks, edits a layer in place and asks
again. Nothing derived from a plan may be keyed on the plan object; derived tables are memoised
under the plan's content (``zoneplan._memo``).
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
import shapely

from zoneplan import _memo, datasets
from zoneplan._memo import call_scope, fingerprint, frame_digest
from zoneplan.analysis import indicators, load_profile
from zoneplan.compliance import check
from zoneplan.plan import Plan


def _fresh(plan: Plan) -> Plan:
    """The same content in new objects: what reading the edited plan from disk would give."""
    return Plan(
        {k: v.copy() for k, v in plan.layers.items()}, {k: v.copy() for k, v in plan.tables.items()}, crs=plan.crs, meta=plan.meta, layer_meta=plan.layer_meta
    )


def test_notebook_idiom_gives_the_fresh_plan_answer() -> None:
    plan = datasets.load("linqing")
    before = indicators(plan, by="zone")
    assert before.loc["linqing", "industrial_land_ratio"] == pytest.approx(0.3769, abs=5e-5)
    plan.parcels["landuse_code"] = "0701"  # everything housing
    after = indicators(plan, by="zone")
    assert after.loc["linqing", "industrial_land_ratio"] == 0.0
    pd.testing.assert_frame_equal(after, indicators(_fresh(plan), by="zone"))


def test_an_edited_cell_and_an_edited_geometry_are_seen() -> None:
    plan = datasets.load("zhangdian")
    found = check(plan).violations.query("rule == 'parcel_min_far'")
    assert len(found) == 4  # the four parcels below plot ratio 2.0
    parcels = plan.parcels
    low = np.flatnonzero(parcels["parcel_id"].isin(found["feature_id"]).to_numpy())
    parcels.loc[parcels.index[low[0]], "floor_area_m2"] = 3.0 * parcels.area.iloc[low[0]]  # one raised in place
    assert (check(plan).violations["rule"] == "parcel_min_far").sum() == 3
    # halve one industrial parcel in place: its area, and so its plot ratio, change
    area_before = indicators(plan, by="zone")
    geometry = parcels.geometry.iloc[low[1]]
    minx, miny, maxx, maxy = geometry.bounds
    parcels.loc[parcels.index[low[1]], "geometry"] = shapely.clip_by_rect(geometry, minx, miny, (minx + maxx) / 2, maxy)
    area_after = indicators(plan, by="zone")
    assert not area_after.equals(area_before)
    pd.testing.assert_frame_equal(area_after, indicators(_fresh(plan), by="zone"))


def test_a_profile_edited_in_place_takes_effect() -> None:
    plan = datasets.load("linqing")
    profile = load_profile()
    before = indicators(plan, by="park", profile=profile)["intensity_score"]
    for kind in ("industry_led", "industry_city"):
        profile[kind]["indicators"]["land_supply_rate"]["ideal"] = 50.0  # an ideal no park reaches
    after = indicators(plan, by="park", profile=profile)["intensity_score"]
    assert (after < before).any()
    pd.testing.assert_series_equal(after, indicators(plan, by="park", profile=copy.deepcopy(profile))["intensity_score"])


def test_the_fingerprint_reads_content_not_identity(tiny_plan) -> None:
    same = _fresh(tiny_plan)
    assert same is not tiny_plan and fingerprint(same) == fingerprint(tiny_plan)
    parcels = tiny_plan.parcels.copy()
    for column, value in (("landuse_code", "0701"), ("built_year", 2001), ("floor_area_m2", 1.0), ("enterprise", "丙公司")):
        edited = parcels.copy()
        edited.loc[edited.index[0], column] = value
        assert frame_digest(edited) != frame_digest(parcels), column
    moved = parcels.copy()
    moved.loc[moved.index[0], "geometry"] = shapely.affinity.translate(moved.geometry.iloc[0], xoff=0.001)
    assert frame_digest(moved) != frame_digest(parcels)
    assert frame_digest(parcels.set_crs(4549, allow_override=True)) != frame_digest(parcels)
    with call_scope():
        digest = fingerprint(tiny_plan)
        assert fingerprint(tiny_plan) is digest  # one digest per plan object within a call


def test_geometry_is_read_once_while_its_array_holds_the_same_objects(monkeypatch: pytest.MonkeyPatch) -> None:
    """``analyze`` then ``check`` on one plan read its coordinates once; an edit reads them again."""
    plan = datasets.load("linqing")
    _memo.clear()
    reads: list[int] = []
    coordinates = shapely.get_coordinates
    monkeypatch.setattr(shapely, "get_coordinates", lambda geoms, **kw: reads.append(len(geoms)) or coordinates(geoms, **kw))
    first = fingerprint(plan)
    layers_read = len(reads)
    assert layers_read == sum("geometry" in frame.columns for frame in plan.layers.values())
    assert fingerprint(plan) == first and len(reads) == layers_read  # nothing read again
    assert fingerprint(_fresh(plan)) == first and len(reads) == 2 * layers_read  # a copy is another array: read, same content
    np.asarray(plan.parcels.geometry.values)[3] = shapely.affinity.translate(plan.parcels.geometry.iloc[3], xoff=0.5)  # in the very array
    assert fingerprint(plan) != first and len(reads) == 2 * layers_read + 1


def test_an_array_edited_in_place_over_and_over_is_never_mistaken_for_an_earlier_state() -> None:
    """A geometry replaced twice between two reads is freed by the layer, and the second new
    one may take its address (CPython reuses freed memory at once); the digest must still follow
    the content, as the same content in new objects gives it."""
    parcels = datasets.load("zhangdian").parcels
    cells = np.asarray(parcels.geometry.values)
    original = cells[0]
    seen = set()
    for step in range(200):
        cells[0] = shapely.affinity.translate(original, yoff=1.0)  # an interim edit, never read
        cells[0] = shapely.affinity.translate(original, xoff=step % 7 * 0.25)  # back to earlier contents too
        digest = frame_digest(parcels)
        assert digest == frame_digest(parcels.assign(geometry=shapely.from_wkb(shapely.to_wkb(cells)))), step
        seen.add(digest)
    assert len(seen) == 7
