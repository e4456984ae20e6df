"""``zoneplan scenario PLAN show NAME`` prints one TOML text per scenario, whatever ran before it.

Two things made the text vary. The TOML went through the rich console, which wraps lines at the
width it reads from the process at each print (``$COLUMNS``, else the terminal, else 80): the
same scenario printed one way after code that left ``COLUMNS`` set and another way without, and
a line wider than the console — a long description, CJK text counting double — came out split
inside its string, which is no TOML at all. And ``tomli_w`` picks the layout of the edits by
their length (inline tables when every edit fits in 100 characters, ``[[edits]]`` tables
otherwise; tomli_w 1.0 always wrote tables), so a short scenario and a long one, or one tomli_w
and another, printed in two layouts; mappings inside edits came out in the order they were
given, or sorted once the scenario had been stored (the plan keeps each edit as JSON with sorted
keys), so the scenario just written and the one read back printed differently.
"""

from __future__ import annotations

import shutil
import tomllib

from typer.testing import CliRunner

from zoneplan import datasets
from zoneplan.cli import app
from zoneplan.scenario import ChangeLanduse, PhaseSchedule, Scenario, SetAttributes, SupplyRate, save_scenario

LOGISTICS = Scenario(
    "logistics",
    (
        ChangeLanduse(where={"park_id": "textiles"}, from_codes=("1001",), landuse_code="1101"),
        SetAttributes(layer="parks", ids=("textiles",), values={"name": "高端纺织服装产业园（物流）", "industry": "logistics"}),  # not in sorted order
        SupplyRate(annual_supply_mu=600),
    ),
    description="高端纺织服装产业园转为物流仓储：企业搬迁后腾退的工业用地改为物流用地，每年供地 600 亩",
)


def _show(path: str, name: str) -> str:
    result = CliRunner().invoke(app, ["scenario", path, "show", name])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_show_prints_the_same_text_whatever_width_earlier_code_left(tmp_path, monkeypatch) -> None:
    path = str(shutil.copy(datasets.get_path("linqing"), tmp_path))
    save_scenario(path, LOGISTICS)
    first = _show(path, "logistics")
    monkeypatch.setenv("COLUMNS", "40")  # what a narrow terminal or an earlier test leaves in the process
    narrow = _show(path, "logistics")
    monkeypatch.setenv("COLUMNS", "250")
    wide = _show(path, "logistics")
    assert first == narrow == wide
    assert Scenario.from_toml(first) == LOGISTICS
    assert tomllib.loads(first)["description"] == LOGISTICS.description  # one line, never split


def test_show_prints_what_the_scenario_just_built_prints(tmp_path) -> None:
    path = str(shutil.copy(datasets.get_path("linqing"), tmp_path))
    save_scenario(path, LOGISTICS)  # stored as JSON with sorted keys
    assert _show(path, "logistics") == LOGISTICS.to_toml()


def test_toml_layout_does_not_depend_on_the_length_of_the_edits() -> None:
    short = Scenario("faster-supply", (SupplyRate(annual_supply_mu=600),), description="每年供地 600 亩")
    assert short.to_toml() == 'name = "faster-supply"\ndescription = "每年供地 600 亩"\n\n[[edits]]\nkind = "supply_rate"\nannual_supply_mu = 600\n'
    assert LOGISTICS.to_toml() == (
        'name = "logistics"\n'
        f'description = "{LOGISTICS.description}"\n'
        "\n[[edits]]\n"
        'kind = "landuse"\n'
        'where = { park_id = "textiles" }\n'
        'landuse_code = "1101"\n'
        'from_codes = ["1001"]\n'
        "\n[[edits]]\n"
        'kind = "set"\n'
        'layer = "parks"\n'
        'ids = ["textiles"]\n'
        'values = { industry = "logistics", name = "高端纺织服装产业园（物流）" }\n'
        "\n[[edits]]\n"
        'kind = "supply_rate"\n'
        "annual_supply_mu = 600\n"
    )
    quoted = Scenario("quoted", (PhaseSchedule(phase_id="zhangdian-phase-3", shift_years=0, note='say "later"'),))
    assert Scenario.from_toml(quoted.to_toml()) == quoted  # quotes escaped by tomli_w's string writer
