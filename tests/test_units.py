import numpy as np
import pandas as pd
import pytest

from zoneplan import units


def test_mu_is_exact():
    assert units.M2_PER_MU == 10000 / 15
    assert units.m2_to_mu(1_000_000.0) == 1500.0
    assert units.mu_to_m2(15.0) == pytest.approx(10_000.0, abs=1e-9)
    assert units.m2_to(1_000_000.0, "ha") == 100.0
    assert units.to_m2(1.0, "km2") == 1_000_000.0


def test_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="unknown area unit"):
        units.m2_to(1.0, "acre")


def test_money():
    assert units.yuan_to_wan(2.8e6) == 280.0
    assert units.yi_to_yuan(80) == 8.0e9
    assert units.yuan_to_yi(1.3e10) == 130.0


def test_wan_per_mu_series_and_zero_area():
    yuan = pd.Series([2.8e6, 1e6, 5.0], index=[10, 11, 12])
    area = pd.Series([10000 / 15, 0.0, np.nan], index=[10, 11, 12])
    out = units.wan_per_mu(yuan, area)
    assert list(out.index) == [10, 11, 12]
    assert out.iloc[0] == pytest.approx(280.0)
    assert np.isnan(out.iloc[1]) and np.isnan(out.iloc[2])
