"""Print layout: the map fills its frame, furniture sits where no feature is, titles and sources for people."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from zoneplan import datasets
from zoneplan.maps import print as printing
from zoneplan.maps.kinds import build_spec
from zoneplan.maps.print import PAPER_MM, place_furniture, print_spec


def _limits(spec, paper="A3"):
    bounds = np.array([np.inf, np.inf, -np.inf, -np.inf])
    for o in spec.overlays:
        b = o.data.total_bounds
        bounds = np.array([min(bounds[0], b[0]), min(bounds[1], b[1]), max(bounds[2], b[2]), max(bounds[3], b[3])])
    w, h = PAPER_MM[paper]
    _left, _bottom, mw, mh = printing._frame(bounds, width_mm=w, height_mm=h, left=0.03, bottom=0.07, avail_w=0.70, avail_h=0.82)
    return bounds, printing._fit_limits(bounds, (mw * w) / (mh * h)), (mw * w) / (mh * h)


@pytest.mark.parametrize(("name", "kind"), [("linqing", "layout"), ("linqing", "compliance"), ("zhangdian", "phases"), ("liaocheng", "layout")])
def test_scale_bar_and_north_arrow_sit_where_no_feature_is(name, kind):
    spec = build_spec(datasets.load(name), kind=kind)
    _, limits, _ = _limits(spec)
    place = place_furniture(spec, limits)
    drawn = shapely.union_all(
        np.concatenate([np.asarray(o.data.geometry.values) for o in spec.overlays if o.fill is not None] or [np.array([shapely.Polygon()])])
    )
    for what, size in (("scale_bar", printing._SCALE_BOX), ("north_arrow", printing._NORTH_BOX)):
        box = printing._box(place[what], size, limits)
        assert drawn.intersection(box).area / box.area < 0.02, (name, kind, what, place[what])
    assert place["scale_bar"] != place["north_arrow"]


def test_linqing_scale_bar_leaves_the_yandian_parcels():
    # the Yandian (烟店) cluster fills the lower-left corner, where the scale bar used to be
    spec = build_spec(datasets.load("linqing"), kind="layout")
    _, limits, _ = _limits(spec)
    assert place_furniture(spec, limits)["scale_bar"] != "lower left"


def test_map_frame_takes_the_shape_of_the_plan():
    # Zhangdian is taller than wide: the frame narrows to it instead of leaving paper empty
    spec = build_spec(datasets.load("zhangdian"), kind="phases")
    bounds, (x0, x1, y0, y1), aspect = _limits(spec)
    data_aspect = (bounds[2] - bounds[0]) / (bounds[3] - bounds[1])
    assert aspect == pytest.approx(data_aspect, rel=1e-6)
    filled = (bounds[2] - bounds[0]) * (bounds[3] - bounds[1]) / ((x1 - x0) * (y1 - y0))
    assert filled == pytest.approx(1 / 1.1**2, rel=1e-6)  # only the 5 % margin on each side


def test_titles_and_sources_are_for_people(tmp_path):
    plan = datasets.load("linqing")
    layout = build_spec(plan, kind="layout")
    assert "两区八园" not in layout.title and layout.title.endswith("空间布局 Layout")
    assert build_spec(plan.with_meta(layout_title="两区八园 Two districts, eight parks"), kind="layout").title.endswith("两区八园 Two districts, eight parks")
    assert "seeds/" not in layout.source and ".txt" not in layout.source
    assert layout.source == "临政办字〔2022〕22号《临清市经济开发区产业发展总体规划（2021—2025年）》, 2022-10-11"
    ind = build_spec(plan, kind="indicator", indicator="investment_intensity_wan_per_mu", by="park")
    assert ind.title.endswith("工业用地固定资产投入强度 investment intensity (万元/亩)")
    assert ind.legend_title.startswith("工业用地固定资产投入强度 investment intensity (万元/亩;")
    out = print_spec(ind, tmp_path / "ind.png", dpi=40, grid=True)
    assert out.stat().st_size > 10_000


def test_extra_layers_are_context_with_labels_everywhere(browser, tmp_path):
    from tests.browser import Opened
    from zoneplan.maps.interactive import render_spec, save_map

    plan = datasets.load("zhangdian")
    for kind in ("phases", "landuse", "compliance"):
        spec = build_spec(plan, kind=kind)
        context = [o for o in spec.overlays if o.context]
        assert [o.name for o in context] == ["背景 Context: named_roads", "背景 Context: 行政区划 Administrative boundaries"], kind
        assert spec.overlays[0] is context[0]  # beneath the plan's layers
    spec = build_spec(plan, kind="phases")
    # a county outline 20 km around the zone is drawn (outlined, labelled) but does not widen the view
    import geopandas as gpd

    from zoneplan.maps.interactive import map_config

    county = gpd.GeoDataFrame({"name": ["张店区 Zhangdian District"]}, geometry=[plan.zones.geometry.iloc[0].buffer(20_000)], crs=plan.crs)
    wide = build_spec(plan.with_layer("county", county), kind="phases")
    outline = next(o for o in wide.overlays if o.name == "背景 Context: county")
    assert outline.context and outline.fill is None and outline.labels.tolist() == ["张店区 Zhangdian District"]
    assert map_config(wide)["bounds"] == map_config(spec)["bounds"]
    opened = Opened(browser, save_map(render_spec(spec), tmp_path / "phases.html"))
    labels = opened.page.locator(".zp-label-text").all_inner_texts()
    assert {"北京路 Beijing Rd", "三赢路 Sanying Rd", "纳奇路 Naqi Rd", "世纪路 Shiji Rd", "张柳路 Zhangliu Rd"} <= set(labels)
    assert opened.errors == [] and opened.external == []
    out = print_spec(spec, tmp_path / "phases.png", dpi=40)
    assert out.stat().st_size > 10_000
