"""Silently wrong answers that are now right or refused: ids, dates, scenario rules."""

from __future__ import annotations

import pytest

from zoneplan import datasets
from zoneplan.compliance import check
from zoneplan.errors import PlanError
from zoneplan.scenario import ChangeRules, Scenario, with_scenario
from zoneplan.validate import validate


def _parcels_with(**columns):
    plan = datasets.load("zhangdian")
    parcels = plan.parcels.copy()
    for column, values in columns.items():
        if column not in parcels:
            parcels[column] = None
        for row, value in values.items():
            parcels.loc[parcels.index[row], column] = value
    return plan.with_layer("parcels", parcels)


def test_features_without_an_id_fail_validate_named_by_their_row() -> None:
    plan = _parcels_with(parcel_id={0: None, 5: "  "})
    problems = validate(plan)
    missing = problems[problems["rule"] == "empty_id"]
    assert missing["feature_id"].tolist() == ["#0", "#5"]
    assert set(missing["message"]) == {"parcel_id is empty"}
    assert validate(datasets.load("zhangdian")).empty


@pytest.mark.parametrize("text", ["31/02/2020", "2020-02-31", "2020-13-01", "明年"])
def test_impossible_dates_fail_validate(text: str) -> None:
    plan = _parcels_with(agreed_start_date={2: text, 3: "2020-02-28"})
    problems = validate(plan)
    bad = problems[problems["rule"] == "invalid_date"]
    assert len(bad) == 1 and bad["value"].iloc[0] == text and "agreed_start_date" in bad["message"].iloc[0]
    assert bad["feature_id"].iloc[0] == str(plan.parcels["parcel_id"].iloc[2])


@pytest.mark.parametrize(
    "rules,needle",
    [({"parcel_min_far": "two"}, "parcel_min_far"), ({"overlap_tolerance_m2": -1.0}, "must not be negative"), ({"quotas": "yes"}, "true or false")],
)
def test_scenario_rules_that_check_would_refuse_are_refused_when_added(rules: dict, needle: str) -> None:
    plan = datasets.load("zhangdian")
    with pytest.raises(PlanError, match=needle):
        with_scenario(plan, Scenario("bad", [ChangeRules(rules=rules)]))
    # the same values handed to check are refused the same way: nothing stored that check refuses
    with pytest.raises(Exception, match=needle):
        check(plan, rules=rules)
    assert with_scenario(plan, Scenario("ok", [ChangeRules(rules={"parcel_min_far": 2.5})]))


def test_scenario_rules_edits_reach_check_of_the_edited_plan() -> None:
    plan = datasets.load("zhangdian")
    base = check(plan).summary.set_index("rule")["count"].get("parcel_min_far", 0)
    edited = ChangeRules(rules={"parcel_min_far": 9.0}).apply(plan)
    stricter = check(edited).summary.set_index("rule")["count"]["parcel_min_far"]
    assert stricter > base and check(edited).settings


@pytest.mark.parametrize("name", ["linqing\n", "linqing\t", " linqing", "lin\u200bqing", "\ufefflinqing", "linqing\u2028"])
def test_names_with_hidden_characters_are_refused_everywhere(name: str) -> None:
    from zoneplan.errors import InputError
    from zoneplan.io.postgis import validate_name

    plan = datasets.load("zhangdian")
    with pytest.raises(InputError, match="hidden character"):
        validate_name(name)
    with pytest.raises(InputError, match="hidden character"):
        plan.with_layer(name, plan.parcels)
    with pytest.raises(InputError, match="hidden character"):
        Scenario(name, [ChangeRules(rules={"parcel_min_far": 2.5})])
    assert validate_name("linqing") == "linqing" and "linqing" in plan.with_layer("linqing", plan.parcels)


def test_a_trailing_newline_no_longer_passes_the_database_name_check(capsys) -> None:
    from zoneplan.cli import main

    with pytest.raises(SystemExit) as done:
        main(
            [
                "import",
                str(datasets.get_path("zhangdian")),
                "--into",
                "postgresql://localhost/zoneplan?plan=linqing%0A",
                "--layer",
                "parcels",
                "--source-layer",
                "parcels",
            ]
        )
    err = capsys.readouterr().err
    assert done.value.code == 2 and "LINE FEED" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
