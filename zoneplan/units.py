"""Units of area and money used everywhere in zoneplan.

Areas are stored in square metres and presented in mu (亩), hectares or km².
Money is stored in yuan and presented in 万元 (10⁴ yuan) or 亿元 (10⁸ yuan).
Column names carry their unit as a suffix: ``area_m2``, ``area_mu``,
``investment_yuan``, ``investment_intensity_wan_per_mu``.

The mu is exact: 1 亩 = 6000 平方市尺 = 6000/9 m² = 10000/15 m².
"""

from __future__ import annotations

from typing import TypeVar, cast

import numpy as np
import pandas as pd

__all__ = [
    "AREA_UNITS",
    "M2_PER_HA",
    "M2_PER_KM2",
    "M2_PER_MU",
    "MU_PER_HA",
    "MU_PER_KM2",
    "YUAN_PER_WAN",
    "YUAN_PER_YI",
    "m2_to",
    "m2_to_mu",
    "mu_to_m2",
    "to_m2",
    "wan_per_mu",
    "wan_to_yuan",
    "yi_to_yuan",
    "yuan_to_wan",
    "yuan_to_yi",
]

M2_PER_MU: float = 10000 / 15
M2_PER_HA: float = 10_000.0
M2_PER_KM2: float = 1_000_000.0
MU_PER_HA: float = 15.0
MU_PER_KM2: float = 1500.0
YUAN_PER_WAN: float = 1e4
YUAN_PER_YI: float = 1e8

#: Square metres per unit, by unit name as used in column suffixes.
AREA_UNITS: dict[str, float] = {"m2": 1.0, "mu": M2_PER_MU, "ha": M2_PER_HA, "km2": M2_PER_KM2}

Number = TypeVar("Number", float, np.ndarray, pd.Series)


def m2_to(value: Number, unit: str) -> Number:
    """Convert square metres to ``unit`` (one of ``m2``, ``mu``, ``ha``, ``km2``).

    Examples
    --------
    >>> m2_to(1_000_000.0, "mu")
    1500.0
    """
    try:
        return value / AREA_UNITS[unit]
    except KeyError:
        raise ValueError(f"unknown area unit {unit!r}; expected one of {sorted(AREA_UNITS)}") from None


def to_m2(value: Number, unit: str) -> Number:
    """Convert an area in ``unit`` to square metres.

    Examples
    --------
    >>> round(to_m2(1022, "mu"), 3)
    681333.333
    """
    try:
        return value * AREA_UNITS[unit]
    except KeyError:
        raise ValueError(f"unknown area unit {unit!r}; expected one of {sorted(AREA_UNITS)}") from None


def m2_to_mu(value: Number) -> Number:
    """Square metres to mu (亩). ``m2_to_mu(10000/15) == 1``.

    Examples
    --------
    >>> m2_to_mu(10_000.0)  # a hectare is 15 mu
    15.0
    """
    return value / M2_PER_MU


def mu_to_m2(value: Number) -> Number:
    """Mu (亩) to square metres.

    Examples
    --------
    >>> round(mu_to_m2(1.0), 4)  # 1 mu = 10000/15 m²
    666.6667
    """
    return value * M2_PER_MU


def yuan_to_wan(value: Number) -> Number:
    """Yuan to 万元.

    Examples
    --------
    >>> yuan_to_wan(1.2e8)  # 120 million yuan
    12000.0
    """
    return value / YUAN_PER_WAN


def wan_to_yuan(value: Number) -> Number:
    """万元 to yuan.

    Examples
    --------
    >>> wan_to_yuan(300.0)
    3000000.0
    """
    return value * YUAN_PER_WAN


def yuan_to_yi(value: Number) -> Number:
    """Yuan to 亿元.

    Examples
    --------
    >>> yuan_to_yi(8.0e9)  # the 80 亿元 of Zhangdian's first phase
    80.0
    """
    return value / YUAN_PER_YI


def yi_to_yuan(value: Number) -> Number:
    """亿元 to yuan.

    Examples
    --------
    >>> yi_to_yuan(80.0)
    8000000000.0
    """
    return value * YUAN_PER_YI


def wan_per_mu(yuan: Number, area_m2: Number) -> Number:
    """Money per land area in 万元/亩 (e.g. investment intensity, tax per mu).

    A zero or missing area gives NaN, never infinity.

    Examples
    --------
    >>> wan_per_mu(2_800_000.0, 10000 / 15)
    280.0
    """
    area = np.asarray(area_m2, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(area > 0, np.asarray(yuan, dtype="float64") / YUAN_PER_WAN / (area / M2_PER_MU), np.nan)
    # the result is of the inputs' kind: a Series when either is one, a float for two numbers
    if isinstance(yuan, pd.Series):
        return cast(Number, pd.Series(out, index=yuan.index))
    if isinstance(area_m2, pd.Series):
        return cast(Number, pd.Series(out, index=area_m2.index))
    return cast(Number, out.item() if out.ndim == 0 else out)
