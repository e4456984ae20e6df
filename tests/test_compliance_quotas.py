"""Land quotas: a quota exceeded by a known amount, the cumulative balance, years without a quota."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.plans_compliance import compliance_plan
from zoneplan.compliance import quota_violations
from zoneplan.compliance.quotas import judge_quotas, quota_balance
from zoneplan.units import M2_PER_MU


@pytest.fixture(scope="module")
def plan():
    return compliance_plan()


def test_quota_exceeded_by_exactly_25_mu_in_2020(plan):
    findings = quota_violations(plan)
    v = findings.violations
    assert v[["feature_id", "year"]].values.tolist() == [["Z1", 2020]]
    row = v.iloc[0]
    assert (row["measured"], row["limit"], row["unit"]) == (pytest.approx(75.0), 50.0, "mu")
    assert row["area_mu"] == pytest.approx(25.0)
    assert row["area_m2"] == pytest.approx(25.0 * M2_PER_MU)
    assert "cumulative balance +2.25 mu" in row["message"]
    assert findings.cannot_judge.empty


def test_balance_table_by_year(plan):
    balance = quota_violations(plan).tables["quota_balance"]
    # 2015 and 2018 lie before the first quota year: not quota-bound.
    assert balance["year"].tolist() == [2019, 2020, 2021, 2022]
    assert balance["used_mu"].tolist() == pytest.approx([72.75, 75.0, 33.75, 54.0])
    assert balance["excess_mu"].tolist() == pytest.approx([-27.25, 25.0, -6.25, 0.0])
    assert balance["balance_mu"].tolist() == pytest.approx([27.25, 2.25, 8.5, 8.5])
    # 2022 uses exactly its quota: within.
    assert balance["status"].tolist() == ["within", "exceeded", "within", "within"]


def test_year_limits_the_years_judged(plan):
    assert quota_violations(plan, year=2019).violations.empty
    assert quota_violations(plan, year=2020).violations["year"].tolist() == [2020]


def test_use_without_a_quota_inside_the_quota_years_cannot_be_judged():
    use = pd.DataFrame({"group_id": ["Z", "Z", "Z", "Y"], "year": [2019, 2020, 2021, 2020], "new_construction_mu": [10.0, 30.0, 5.0, 7.0]})
    quotas = pd.DataFrame({"zone_id": ["Z", "Z"], "year": [2019, 2021], "new_construction_mu": [20.0, 20.0]})
    findings = judge_quotas(use, quotas)
    assert findings.violations.empty
    assert findings.cannot_judge[["feature_id", "missing"]].values.tolist() == [["Y", "quota 2020"], ["Z", "quota 2020"]]


def test_tolerance_in_mu():
    use = pd.DataFrame({"group_id": ["Z"], "year": [2020], "new_construction_mu": [100.4]})
    quotas = pd.DataFrame({"zone_id": ["Z"], "year": [2020], "new_construction_mu": [100.0]})
    assert quota_balance(use, quotas, tolerance_mu=0.5)["status"].tolist() == ["within"]
    assert quota_balance(use, quotas)["status"].tolist() == ["exceeded"]


def test_no_quotas_table_is_not_checked(plan):
    bare = plan.with_table("quotas", plan.quotas.iloc[0:0])
    assert quota_violations(bare).not_checked == {"quota_exceeded": "the plan has no quotas table"}
