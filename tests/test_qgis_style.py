"""QGIS QML styles and ``layer_styles`` rows for land-use layers."""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from zoneplan.io.qgis_style import LAYER_STYLES_COLUMNS, landuse_style_qml, layer_styles_frame
from zoneplan.landuse import classes
from zoneplan.plan import Plan


def parse(qml: str) -> ET.Element:
    assert qml.startswith("<!DOCTYPE qgis")
    return ET.fromstring(qml)


def categories(root: ET.Element) -> list[dict[str, str]]:
    return [dict(c.attrib) for c in root.find("renderer-v2/categories")]


def symbol_props(root: ET.Element) -> dict[str, dict[str, str]]:
    """Symbol name → its SimpleFill properties."""
    out = {}
    for symbol in root.find("renderer-v2/symbols"):
        layer = symbol.find("layer")
        assert symbol.get("type") == "fill" and layer.get("class") == "SimpleFill"
        out[symbol.get("name")] = {p.get("k"): p.get("v") for p in layer.findall("prop")}
    return out


def test_qml_is_a_categorized_renderer_on_the_field():
    root = parse(landuse_style_qml(field="YDYHDM", codes=["100101"]))
    assert root.tag == "qgis"
    renderer = root.find("renderer-v2")
    assert renderer.get("type") == "categorizedSymbol"
    assert renderer.get("attr") == "YDYHDM"
    assert root.findtext("layerGeometryType") == "2"


def test_one_category_per_given_code_in_classification_order_then_other():
    root = parse(landuse_style_qml(codes=["1101", "0701", "100101", "0701", None, "M2", "9999"]))
    cats = categories(root)
    assert [c["value"] for c in cats] == ["0701", "100101", "1101", ""]
    assert [c["label"] for c in cats[:3]] == ["0701 城镇住宅用地", "100101 一类工业用地", "1101 物流仓储用地"]
    assert all(c["render"] == "true" for c in cats)


def test_fill_colours_come_from_the_palette():
    root = parse(landuse_style_qml(codes=["100101", "0703", "0802", "16"]))
    props = symbol_props(root)
    colour = {c["value"]: props[c["symbol"]]["color"] for c in categories(root)}
    assert colour["100101"] == "187,150,116,255"
    assert colour["0703"] == "255,211,128,255"
    assert colour["0802"] == "230,0,92,255"
    assert colour["16"] == "255,255,255,255"


def test_symbols_are_solid_fills_with_a_thin_outline_and_other_is_hatched():
    root = parse(landuse_style_qml(codes=["1001", "0101"]))
    props = symbol_props(root)
    cats = categories(root)
    assert len(props) == len(cats) == len({c["symbol"] for c in cats})
    for cat in cats[:-1]:
        p = props[cat["symbol"]]
        assert p["style"] == "solid"
        assert float(p["outline_width"]) <= 0.2 and p["outline_width_unit"] == "MM"
    other = props[cats[-1]["symbol"]]
    assert cats[-1]["value"] == "" and other["style"] != "solid"


def test_all_classes_when_no_codes_are_given():
    root = parse(landuse_style_qml())
    values = [c["value"] for c in categories(root)]
    assert values[:-1] == classes().index.tolist()
    assert len(values) == 175 + 1


def test_field_and_labels_are_escaped():
    root = parse(landuse_style_qml(field='用地 "code" & <x>', codes=["0101"]))
    assert root.find("renderer-v2").get("attr") == '用地 "code" & <x>'


def test_layer_styles_frame_has_the_qgis_columns():
    qml = landuse_style_qml(codes=["100101"])
    frame = layer_styles_frame({"parcels": qml, "phases": qml}, geometry_column="geometry", update_time=datetime(2024, 5, 6, 7, 8, 9))
    assert (
        tuple(frame.columns)
        == LAYER_STYLES_COLUMNS
        == (
            "f_table_catalog",
            "f_table_schema",
            "f_table_name",
            "f_geometry_column",
            "styleName",
            "styleQML",
            "styleSLD",
            "useAsDefault",
            "description",
            "owner",
            "ui",
            "update_time",
        )
    )
    assert frame["f_table_name"].tolist() == ["parcels", "phases"]
    assert frame["styleName"].tolist() == ["parcels", "phases"]
    assert (frame["f_geometry_column"] == "geometry").all()
    assert frame["useAsDefault"].tolist() == [True, True]
    assert (frame["styleQML"] == qml).all()
    assert (frame["f_table_catalog"] == "").all() and (frame["styleSLD"] == "").all()
    assert (frame["update_time"] == pd.Timestamp("2024-05-06 07:08:09", tz="UTC")).all()


def test_update_time_is_converted_to_utc():
    beijing = timezone(timedelta(hours=8))
    frame = layer_styles_frame({"parcels": "<qgis/>"}, update_time=datetime(2024, 1, 1, 8, 0, tzinfo=beijing))
    assert frame["update_time"].item() == pd.Timestamp("2024-01-01 00:00", tz="UTC")
    now = layer_styles_frame({"parcels": "<qgis/>"})["update_time"].item()
    assert abs(now - pd.Timestamp.now(tz="UTC")) < pd.Timedelta(minutes=1)


def test_no_styles_gives_an_empty_table_with_the_columns():
    frame = layer_styles_frame({})
    assert frame.empty and tuple(frame.columns) == LAYER_STYLES_COLUMNS


def test_rows_round_trip_through_a_geopackage(tmp_path):
    pyogrio = pytest.importorskip("pyogrio")
    path = tmp_path / "plan.gpkg"
    qml = landuse_style_qml(codes=["100102"])
    pyogrio.write_dataframe(layer_styles_frame({"parcels": qml}, update_time=datetime(2024, 5, 6, 7, 8, 9)), path, layer="layer_styles", driver="GPKG")
    with sqlite3.connect(path) as con:
        row = con.execute("SELECT f_table_name, f_geometry_column, styleName, useAsDefault, update_time, styleQML FROM layer_styles").fetchone()
    assert row[:5] == ("parcels", "geom", "parcels", 1, "2024-05-06T07:08:09Z")
    assert row[5] == qml


# -- every layer, and the user's own styles ---------------------------------------------------------
def renderer_of(qml: str) -> ET.Element:
    return parse(qml).find("renderer-v2")


def test_every_layer_of_a_sample_plan_gets_its_kind_of_style():
    from zoneplan import datasets
    from zoneplan.io.qgis_style import plan_styles

    plan = datasets.load("linqing")
    styles = plan_styles(plan.layers)
    assert set(styles) == set(plan.layers)
    parcels = renderer_of(styles["parcels"])
    assert parcels.get("attr") == "landuse_code"
    assert {c["value"] for c in categories(parse(styles["parcels"]))} - {""} == set(plan.parcels["landuse_code"].dropna())
    zones = renderer_of(styles["zones"])
    assert zones.get("type") == "singleSymbol"
    props = {p.get("k"): p.get("v") for p in zones.find("symbols/symbol/layer").findall("prop")}
    assert props["style"] == "no" and props["outline_style"] == "dash" and props["outline_color"] == "215,25,28,255"
    lines = categories(parse(styles["control_lines"]))
    assert [c["value"] for c in lines[:-1]] == ["ecological_redline", "basic_farmland", "urban_development_boundary"]
    assert lines[0]["label"] == "生态保护红线 ecological_redline"
    parks = categories(parse(styles["parks"]))
    assert [c["value"] for c in parks] == plan.parks["park_id"].tolist()
    assert len({symbol_props_any(styles["parks"])[c["symbol"]]["color"] for c in parks}) == len(parks)


def symbol_props_any(qml: str) -> dict[str, dict[str, str]]:
    return {s.get("name"): {p.get("k"): p.get("v") for p in s.find("layer").findall("prop")} for s in parse(qml).find("renderer-v2/symbols")}


def test_phases_are_coloured_by_schedule_earliest_darkest():
    from zoneplan import datasets
    from zoneplan.io.qgis_style import phases_style_qml

    phases = datasets.load("zhangdian").phases
    qml = phases_style_qml(phases)
    cats = categories(parse(qml))
    props = symbol_props_any(qml)
    assert [c["value"] for c in cats] == phases.sort_values(["end_year", "start_year"])["phase_id"].tolist()
    lightness = [sum(int(v) for v in props[c["symbol"]]["color"].split(",")[:3]) for c in cats]
    assert lightness == sorted(lightness)  # later phases lighter
    assert cats[0]["label"].endswith(f"{phases['start_year'].min()}–{phases.sort_values('end_year')['end_year'].iloc[0]}")


def test_user_styles_survive_zoneplan_writes_and_stay_the_default(tiny_plan, tmp_path):
    path = tmp_path / "plan.gpkg"
    tiny_plan.write(path)
    mine = landuse_style_qml(codes=["0701"]).replace("110,110,110,255", "0,0,0,255")
    with sqlite3.connect(path) as con:  # as QGIS's "Save as default" in the GeoPackage does
        con.execute(
            "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, owner, ui, update_time)"
            " VALUES ('', '', 'parcels', 'geom', '我的样式', ?, '', 1, '张工 2024-05', '', '', '2024-05-06T07:08:09Z')",
            (mine,),
        )
    for _ in range(2):
        Plan.read(path).write(path)
    with sqlite3.connect(path) as con:
        rows = con.execute("SELECT f_table_name, styleName, useAsDefault, description, styleQML FROM layer_styles ORDER BY f_table_name, styleName").fetchall()
    assert [(r[0], r[1], r[2]) for r in rows] == [("parcels", "parcels", 0), ("parcels", "我的样式", 1), ("phases", "phases", 1), ("zones", "zones", 1)]
    assert rows[1][3] == "张工 2024-05" and rows[1][4] == mine


def test_evidence_layers_are_styled_one_colour_per_rule(tmp_path):
    from zoneplan import datasets
    from zoneplan.compliance import check

    findings = check(datasets.load("linqing"))
    path = findings.write_evidence(tmp_path / "evidence.gpkg")
    rules = findings.violations["rule"].astype(str).unique().tolist()
    with sqlite3.connect(path) as con:
        rows = dict(con.execute("SELECT f_table_name, styleQML FROM layer_styles WHERE useAsDefault").fetchall())
        spatial = {r[0] for r in con.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'")}
    assert set(rows) == {r for r in rules if r in spatial} and rows
    props = [symbol_props_any(q)["0"] for q in rows.values()]
    colours = {p.get("outline_color", p.get("line_color")) for p in props}
    assert len(colours) == len(rows)
