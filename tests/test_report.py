"""Reports: the offline HTML page in headless Chromium, the workbook against the JSON output."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import openpyxl
import pytest

from tests.browser import Opened, wait_until
from tests.plans_scenario import scenario_plan
from tests.test_scenario_compare import MOVE_B
from zoneplan.analysis import INDICATOR_NAMES
from zoneplan.cli import main
from zoneplan.io.workbook import COLUMN_LABELS, column_header
from zoneplan.report import header_of, unit_of
from zoneplan.scenario import ChangeTargets, Scenario, save_scenario

_COLUMN_OF = {column_header(c): c for c in [*COLUMN_LABELS, *INDICATOR_NAMES]}
TIGHTER = Scenario("far-2.5", [ChangeTargets(rows=[{"scope": "Z1", "metric": "parcel_min_far", "op": ">=", "value": 2.5}])], description="容积率下限提高到 2.5")


@pytest.fixture(scope="module")
def plan_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "plan.gpkg"
    scenario_plan().write(path)
    save_scenario(path, MOVE_B)
    save_scenario(path, TIGHTER)
    return path


def _run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(args)
    captured = capsys.readouterr()
    return int(done.value.code or 0), captured.out, captured.err


def test_units_in_headers() -> None:
    assert header_of("remaining_mu") == "remaining_mu [mu]"
    assert header_of("investment_intensity_wan_per_mu") == "investment_intensity_wan_per_mu [万元/亩]"
    assert header_of("tax_per_mu_wan") == "tax_per_mu_wan [万元/亩]"
    assert header_of("industrial_land_ratio") == "industrial_land_ratio [fraction]"
    assert header_of("years_of_supply_left") == "years_of_supply_left [years]"
    assert unit_of("scenario") is None and header_of("group_id") == "group_id"


def test_workbook_numbers_equal_the_json_output(plan_path: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "report.xlsx"
    code, stdout, err = _run(["report", str(plan_path), "--scenario", "b-to-3", "--scenario", "far-2.5", "--by", "phase", "-o", str(out), "--json"], capsys)
    assert code == 0 and err == ""
    payload = json.loads(stdout)
    tables = payload["tables"]
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == list(tables)
    compared = 0
    for name, rows in tables.items():
        sheet = book[name]
        assert sheet.freeze_panes == "A2", name
        headers = [c.value for c in sheet[1]]
        keys = list(rows[0]) if rows else [_COLUMN_OF[h] for h in headers]
        assert headers == [column_header(k) for k in keys], name  # Chinese + English with the unit, for every column
        assert all(re.search(r"[\u4e00-\u9fff]", h) and re.search(r"[a-z]", h) for h in headers), (name, headers)
        shown = [c.number_format for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, float)]
        assert "General" not in shown, name  # stored exactly, never shown as 279.5000000002795
        assert sheet.max_row == len(rows) + 1, name
        for row, record in zip(sheet.iter_rows(min_row=2, values_only=True), rows):
            for cell, key in zip(row, keys):
                value = record[key]
                if isinstance(value, bool):
                    assert cell is value
                elif isinstance(value, (int, float)):
                    assert isinstance(cell, (int, float)) and not isinstance(cell, bool), (name, key, cell)
                    assert cell == pytest.approx(value, rel=1e-12, abs=1e-12), (name, key)
                    compared += 1
                elif value is None:
                    assert cell is None, (name, key, cell)
                else:
                    assert cell == value, (name, key)
    assert compared > 500
    # the numbers that matter, read straight from the workbook
    moved = [r for r in book["consumption_differences"].iter_rows(min_row=2, values_only=True) if r[0] == "b-to-3" and abs(r[-1]) > 1e-9]
    assert [(r[2], r[3], round(r[-1], 9)) for r in moved] == [("PH2", 2023, -100.0), ("PH3", 2024, 100.0)]
    far = [r for r in book["violations"].iter_rows(min_row=2, values_only=True) if r[0] == "far-2.5" and r[2] == "parcel_min_far"]
    assert [(r[4], r[5], r[6]) for r in far] == [("D", 1.5, 2.5)]


def test_a_snapshot_plan_without_years_gets_a_report_that_says_what_needs_years(tmp_path: Path, capsys) -> None:
    plan = scenario_plan()
    path = tmp_path / "snapshot.gpkg"
    plan.with_layer("parcels", plan.parcels.drop(columns=["supplied_year", "built_year", "planned_year"])).write(path)
    save_scenario(path, TIGHTER)
    out = tmp_path / "snapshot.xlsx"
    code, stdout, err = _run(["report", str(path), "--scenario", "far-2.5", "-o", str(out), "--json"], capsys)
    assert code == 0 and err == "", err
    tables = json.loads(stdout)["tables"]
    assert tables["consumption"] == [] and tables["consumption_differences"] == []
    method = {r["item"]: r["text"] for r in tables["sources"] if r["topic"] == "method"}
    assert "snapshot plan" in method["years"] and "years of supply left" in method["years"]
    # the analyses that need no years are all there: the stricter FAR finds parcel D
    far = [r for r in tables["violations"] if r["scenario"] == "far-2.5" and r["rule"] == "parcel_min_far"]
    assert [r["feature_id"] for r in far] == ["D"]
    assert openpyxl.load_workbook(out)["consumption"].max_row == 1


def test_report_refuses_unknown_formats_and_scenarios(plan_path: Path, tmp_path: Path, capsys) -> None:
    code, _, err = _run(["report", str(plan_path), "-o", str(tmp_path / "r.pdf")], capsys)
    assert code == 2 and "report must be .html or .xlsx" in err
    code, _, err = _run(["report", str(plan_path), "--scenario", "missing", "-o", str(tmp_path / "r.html")], capsys)
    assert code == 2 and "no scenario 'missing'" in err
    assert not (tmp_path / "r.html").exists()


@pytest.mark.browser
def test_html_report_opens_offline_in_chromium(plan_path: Path, tmp_path: Path, capsys, browser) -> None:
    out = tmp_path / "report.html"
    code, stdout, _ = _run(["report", str(plan_path), "--scenario", "b-to-3", "--scenario", "far-2.5", "-o", str(out)], capsys)
    assert code == 0 and "Wrote" in stdout
    text = out.read_text(encoding="utf-8")
    # nothing that loads a resource from elsewhere, in the page or the maps embedded in it
    loads = re.compile(r"""<(script|link|img|iframe|source|video|audio)\b[^>]*\s(src|href)\s*=\s*["']?(https?:)?//""", re.I)
    assert not loads.search(html.unescape(text)), "an external resource in the report"
    screenshots = Path("artifacts/screenshots")
    screenshots.mkdir(parents=True, exist_ok=True)
    opened = Opened(browser, out, ready=None, viewport={"width": 1280, "height": 900})
    page = opened.page
    try:
        frames = page.frames[1:]
        # maps: base land use, phases, remaining, compliance, and land use of each scenario
        assert len(frames) == 6
        for frame in frames:
            wait_until(
                frame, "typeof L === 'object' && document.querySelector('.leaflet-overlay-pane canvas, .leaflet-overlay-pane svg') !== null", timeout_s=15
            )
        charts = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.src.slice(0, 22), i.naturalWidth])")
        assert len(charts) == 2 and all(src == "data:image/png;base64," and width > 300 for src, width in charts)
        assert page.locator("td.met").count() >= 3  # industrial share met in every scenario
        assert "容积率下限提高到 2.5" in page.inner_text("body")
        page.screenshot(path=str(screenshots / "report.png"), full_page=True)
        page.locator("iframe").first.scroll_into_view_if_needed()
        page.locator("iframe").first.screenshot(path=str(screenshots / "report_map.png"))
    finally:
        page.close()
    assert opened.external == []
    assert opened.errors == []
