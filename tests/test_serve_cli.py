"""The CLI around the workbench: ``zoneplan serve`` and the import of a phase drawn in a page."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import geopandas as gpd
import pytest
import shapely

from zoneplan import datasets
from zoneplan.plan import Plan


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "zoneplan", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=180)


@pytest.fixture
def zhangdian(tmp_path):
    path = tmp_path / "zhangdian.gpkg"
    shutil.copy(datasets.get_path("zhangdian"), path)
    return path


def _drawn(plan: Plan, tmp_path, *, inside: bool = True, **props):
    """A phase as the page's draw tool exports it: lon-lat GeoJSON, here without ids."""
    zone = plan.zones.geometry.iloc[0]
    c = zone.representative_point() if inside else shapely.Point(zone.bounds[2] + 5000, zone.bounds[3] + 5000)
    poly = shapely.box(c.x - 150, c.y - 100, c.x + 150, c.y + 100)  # 60,000 m² = 90 mu
    src = tmp_path / "drawn_phases.geojson"
    gpd.GeoDataFrame([props or {"name": "新分期 4"}], geometry=[poly], crs=plan.crs).to_crs(4326).to_file(src, driver="GeoJSON")
    return src


def test_import_appended_phase_reports_its_own_area_and_fills_ids(zhangdian, tmp_path):
    plan = Plan.read(zhangdian)
    src = _drawn(plan, tmp_path)
    r = run("import", src, "--into", zhangdian, "--layer", "phases", "--append", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["count"] == 1 and out["layer_count"] == 4
    assert out["area_mu"] == pytest.approx(90.0, rel=1e-4)  # the new phase, not the layer's 4,384 mu
    phases = Plan.read(zhangdian).phases
    new = phases.iloc[-1]
    assert (new["phase_id"], new["zone_id"], int(new["phase_no"])) == ("zhangdian-phase-4", "zhangdian", 4)
    human = run("import", src, "--into", zhangdian, "--layer", "phases", "--append")
    assert "Imported 1 features (90.00 mu planar" in human.stdout and "the layer now has 5" in human.stdout
    assert Plan.read(zhangdian).phases["phase_id"].iloc[-1] == "zhangdian-phase-5"
    assert run("validate", zhangdian).returncode == 0


def test_import_refuses_a_phase_in_no_zone(zhangdian, tmp_path):
    before = zhangdian.read_bytes()
    r = run("import", _drawn(Plan.read(zhangdian), tmp_path, inside=False), "--into", zhangdian, "--layer", "phases", "--append")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "layer phases" in r.stderr and "feature #0" in r.stderr and "lies in no zone" in r.stderr and "rule empty_id" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert zhangdian.read_bytes() == before


def test_validate_flags_empty_ids(zhangdian, tmp_path):
    plan = Plan.read(zhangdian)
    phases = plan.phases.copy()
    phases.loc[1, "phase_id"] = ""
    phases.loc[2, "zone_id"] = None
    bad = tmp_path / "bad.gpkg"
    plan.with_layer("phases", phases).write(bad)
    r = run("validate", bad, "--json")
    assert r.returncode == 1
    rows = [p for p in json.loads(r.stdout)["problems"] if p["rule"] == "empty_id"]
    assert sorted((p["feature_id"], p["message"]) for p in rows) == [("#1", "phase_id is empty"), ("zhangdian-phase-3", "zone_id is empty")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_command_listens_on_loopback_only_and_stops(zhangdian):
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "zoneplan", "serve", str(zhangdian), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/plan", timeout=5) as resp:
                    state = json.load(resp)
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, "zoneplan serve did not answer within 90 s"
                time.sleep(0.3)
        assert [f["id"] for f in state["phases"]["features"]] == ["zhangdian-phase-1", "zhangdian-phase-2", "zhangdian-phase-3"]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as resp:
            page = resp.read().decode()
        assert "/assets/workbench.js" in page and "https://" not in page.split("<body", 1)[0].split("leaflet", 1)[0]
        # nothing listens on the machine's other addresses
        others = [a for a in {i[4][0] for i in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)} if not a.startswith("127.")]
        for addr in others:
            with socket.socket() as s:
                s.settimeout(1)
                assert s.connect_ex((addr, port)) != 0, f"the workbench answers on {addr}"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
            pytest.fail("zoneplan serve did not stop on Ctrl-C within 20 s")
        finally:
            out, _ = proc.communicate()  # reads and closes both pipes
    assert "zoneplan workbench on http://127.0.0.1:" in out


def test_serve_missing_plan_is_one_line_exit_2(tmp_path):
    r = run("serve", tmp_path / "nope.gpkg")
    assert r.returncode == 2 and "plan file not found" in r.stderr and "Traceback" not in r.stderr
