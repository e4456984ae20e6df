"""Plans in the real QGIS (Debian's QGIS 3.22 / GDAL 3.6, PyQGIS headless), from GeoPackage and PostGIS.

QGIS runs under Debian's ``/usr/bin/python3`` (``make test`` installs ``python3-qgis`` through
``.ci/install-system-deps``), driven by ``tests/qgis_client.py`` in a subprocess. What a bureau's
QGIS user sees is checked: each layer opens with its default style (categories = the land-use
codes present), a feature edited and one added in QGIS reach PostGIS with the editor's name, a
stale zoneplan edit is then refused, ``zoneplan history`` lists the QGIS edits, and a styled
map renders in more than one colour.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg import sql

from tests.conftest import box
from zoneplan import datasets
from zoneplan.cli import main
from zoneplan.io import postgis
from zoneplan.io.postgis import ConflictError
from zoneplan.landuse import classes
from zoneplan.plan import Plan

pytest_plugins = ["tests.postgis_server"]

CLIENT = Path(__file__).with_name("qgis_client.py")
DEBIAN_PYTHON = "/usr/bin/python3"


def run(job: dict, tmp_path: Path) -> dict:
    """Run one job in PyQGIS and return its JSON answer."""
    probe = subprocess.run([DEBIAN_PYTHON, "-c", "import qgis.core"], capture_output=True, text=True, check=False)
    assert probe.returncode == 0, f"PyQGIS is missing ({probe.stderr.strip()[-200:]}): run `make system-deps` (bash .ci/install-system-deps)"
    path = tmp_path / f"job-{uuid.uuid4().hex[:8]}.json"
    path.write_text(json.dumps(job, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run(
        [DEBIAN_PYTHON, str(CLIENT), str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def gpkg_layer(path: Path, name: str) -> dict:
    return {"name": name, "source": f"{path}|layername={name}", "provider": "ogr"}


def pg_layer(uri: str, name: str, *, role: str | None = None) -> dict:
    loc = postgis.parse_uri(uri)
    parts = urlsplit(loc.conninfo)
    user = role or parts.username
    source = f"dbname='{parts.path.lstrip('/')}' host={parts.hostname} port={parts.port} user='{user}' key='zp_fid' srid=4548 type=MultiPolygon table=\"{loc.plan}\".\"{name}\" (geom)"
    return {"name": name, "source": source, "provider": "postgres"}


def check_default_styles(layers: list[dict], plan: Plan) -> None:
    by_name = {layer["name"]: layer for layer in layers}
    assert set(by_name) == set(plan.layers)
    for name, layer in by_name.items():
        assert layer["valid"], (name, layer.get("error"))
        assert layer["style_found"], (name, layer["style_message"])
        assert layer["count"] == len(plan[name]), name
    parcels = by_name["parcels"]
    assert parcels["renderer"] == "categorizedSymbol" and parcels["attribute"] == "landuse_code"
    codes = set(plan.parcels["landuse_code"].dropna())
    assert set(parcels["categories"]) - {""} == codes  # exactly the land-use codes present
    assert "100101 一类工业用地" in parcels["labels"] or not {"100101"} & codes
    assert by_name["zones"]["renderer"] == "singleSymbol"
    if "control_lines" in by_name:
        assert set(by_name["control_lines"]["categories"]) - {""} == set(plan.control_lines["kind"])
    if "phases" in by_name:
        assert by_name["phases"]["categories"] and set(by_name["phases"]["categories"]) == set(plan.phases["phase_id"])


def test_geopackage_layers_open_in_qgis_with_their_default_styles(tmp_path: Path) -> None:
    plan = datasets.load("linqing")
    path = tmp_path / "linqing.gpkg"
    plan.write(path)
    answer = run({"action": "open", "layers": [gpkg_layer(path, n) for n in plan.layers]}, tmp_path)
    check_default_styles(answer["layers"], plan)
    for layer in answer["layers"]:
        assert not [w for w in layer["gdal_warnings"] if "partially supported" in w], layer["gdal_warnings"]
    parcels = next(layer for layer in answer["layers"] if layer["name"] == "parcels")
    assert parcels["fields"]["agreed_start_date"] == "Date"  # QGIS offers a date editor


@pytest.mark.postgis
def test_postgis_layers_open_in_qgis_with_their_default_styles(plan_uri: str, tmp_path: Path) -> None:
    plan = datasets.load("zhangdian")
    postgis.write_plan(plan, plan_uri)
    answer = run({"action": "open", "layers": [pg_layer(plan_uri, n) for n in plan.layers]}, tmp_path)
    check_default_styles(answer["layers"], plan)
    assert {layer["wkb_type"] for layer in answer["layers"]} == {"MultiPolygon"}
    assert {layer["crs"] for layer in answer["layers"]} == {"EPSG:4548"}


@pytest.mark.postgis
def test_qgis_edits_reach_postgis_then_a_stale_zoneplan_edit_is_refused_and_history_names_the_editor(
    plan_uri: str, postgis_uri: str, tiny_plan: Plan, tmp_path: Path, capsys
) -> None:
    postgis.write_plan(tiny_plan, plan_uri)
    role = f"qgis_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(postgis_uri, autocommit=True) as con:
        con.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
    postgis.grant(plan_uri, role)
    mine = postgis.read_layer(plan_uri, "parcels", versions=True)  # zoneplan's copy, read before QGIS edits
    job = {
        "action": "edit",
        "layer": pg_layer(plan_uri, "parcels", role=role),
        "key": "parcel_id",
        "value": "P3",
        "changes": {"status": "built", "built_year": 2024},
        "add": {"parcel_id": "P5", "zone_id": "Z1", "landuse_code": "0803", "status": "ready"},
        "wkt": f"MultiPolygon ((({box(600, 600, 100, 150).wkt[10:-2]})))",
    }
    answer = run(job, tmp_path)
    assert answer["ok"], answer["errors"]
    now = postgis.read_layer(plan_uri, "parcels", versions=True)
    assert now["parcel_id"].tolist() == ["P1", "P2", "P3", "P4", "P5"]
    p3, p5 = now.iloc[2], now.iloc[4]
    assert (p3.status, p3.built_year, p3.zp_version, p3.zp_updated_by) == ("built", 2024, 2, role)
    assert (p5.zp_fid, p5.zp_version, p5.zp_updated_by) == (4, 1, role)
    assert now.area.iloc[4] == pytest.approx(15_000.0)
    # zoneplan's edit of P3 from its stale copy is refused, naming the QGIS user
    stale = mine.loc[mine.parcel_id == "P3", ["parcel_id", "zp_version", "status"]].assign(status="unbuildable")
    with pytest.raises(ConflictError, match=rf"P3 \(read at version 1, now version 2 by {role}\)"):
        postgis.update_features(plan_uri, "parcels", stale)
    with pytest.raises(SystemExit) as exc:
        main(["history", plan_uri, "--layer", "parcels", "--json"])
    assert exc.value.code == 0
    changes = json.loads(capsys.readouterr().out)["changes"]
    by_qgis = [c for c in changes if c["changed_by"] == role]
    assert sorted((c["op"], c["feature_id"]) for c in by_qgis) == [("INSERT", "P5"), ("UPDATE", "P3")]
    update = next(c for c in by_qgis if c["op"] == "UPDATE")
    assert update["changes"] == {"status": ["supplied", "built"], "built_year": [None, 2024]}
    # QGIS 3.22 commits the added feature and the attribute changes in two transactions: two revisions
    assert sorted(c["revision"] for c in by_qgis) == [2, 3] and postgis.plan_revision(plan_uri) == 3
    with pytest.raises(SystemExit):
        main(["history", plan_uri, "--feature", "P5"])
    assert role in capsys.readouterr().out


def test_a_styled_map_renders_in_many_colours(tmp_path: Path) -> None:
    plan = datasets.load("linqing")
    path = tmp_path / "linqing.gpkg"
    plan.write(path)
    png = tmp_path / "linqing.png"
    answer = run(
        {"action": "render", "layers": [gpkg_layer(path, n) for n in ("zones", "control_lines", "parcels")], "png": str(png), "size": [900, 700]}, tmp_path
    )
    assert png.stat().st_size > 10_000 and (answer["width"], answer["height"]) == (900, 700)
    colours = set(answer["colours"])
    assert len(colours) > 20
    palette = {c.lower() for c in classes().loc[classes().index.isin(plan.parcels["landuse_code"]), "color"]}
    assert len(palette & colours) >= 8, sorted(palette - colours)  # the parcels' land-use fills are drawn
    assert "#d7191c" in colours  # the dashed red zone boundary
    keep = Path("artifacts")
    keep.mkdir(exist_ok=True)
    shutil.copy(png, keep / "qgis_linqing.png")


def test_exported_raster_legend_in_qgis_names_the_classes(tmp_path: Path) -> None:
    from zoneplan.raster.rasterize import export_raster

    export = export_raster(datasets.load("linqing"), tmp_path / "linqing_landuse.tif", resolution=20)
    answer = run({"action": "raster", "path": str(export.path)}, tmp_path)
    assert answer["valid"] and answer["renderer"] == "paletted" and answer["crs"] == "EPSG:4548"
    labels = {int(v): label for v, label in answer["classes"]}
    present = export.classes[export.classes["count"] > 0]
    assert len(present) >= 5
    for value, label in zip(present["value"], present["label"]):
        assert labels[int(value)] == label  # e.g. "100101 一类工业用地", not "81"
    assert any(label.startswith("1001") and "工业用地" in label for label in labels.values())
