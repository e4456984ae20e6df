"""Idle land (闲置土地) by 《闲置土地处置办法》(国土资源部令第53号, in force 2012-07-01).

Rules applied to every parcel (reference: standards.md §6)
----------------------------------------------------------
* Only **supplied, not yet built** state-owned construction land can be idle: parcels whose
  status in the judgement year (:func:`zoneplan.analysis.timeline.status_at`) is ``supplied``.
* Art. 2 (1): not started (no ``started_date``, or one after ``as_of``) and ``as_of`` is at
  least one full year after ``agreed_start_date`` → idle; ``idle_years`` counts from the agreed
  start date.
* Art. 2 (2): started, but ``developed_share < 1/3`` or ``invested_share < 0.25``, and
  construction suspended (``suspended_date``) for at least one full year → idle;
  ``idle_years`` counts from the suspension date.
* Art. 14 (as reported): idle ≥ 1 year → ``"20% idle fee"`` (20 % of the land price);
  ≥ 2 years → ``"recovery without compensation"`` (无偿收回). The same thresholds are applied
  to suspended projects (Art. 2 (2)).
* Art. 8 (government or force majeure causes, [U] article number recalled): a parcel whose
  optional ``idle_cause`` column says ``government`` or ``force_majeure`` is not idle (it is
  handled by delay, change of use or exchange); the reason says so.
* Missing data is never read as "not idle": a supplied parcel without an agreed start date, or
  started with missing shares while suspended, is ``cannot_judge``.

"A full year" is calendar arithmetic: 2022-03-01 + 1 year = 2023-03-01 (29 February → 28
February). ``idle_years`` is whole years plus the fraction of the current year elapsed.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from zoneplan._memo import follows_data, memo
from zoneplan._text import take_text
from zoneplan.analysis.timeline import BUILT, SUPPLIED, status_codes
from zoneplan.errors import InputError
from zoneplan.plan import Plan

__all__ = ["IDLE_COLUMNS", "SANCTION_FEE", "SANCTION_RECOVERY", "idle_land"]

SANCTION_FEE = "20% idle fee"
SANCTION_RECOVERY = "recovery without compensation"
#: ``reason`` of :func:`idle_land`, by code: not supplied, built, then the judgements of supplied land.
_REASONS = (
    "not supplied",
    "built",
    "government or force-majeure cause (Art. 8): handled by delay, change of use or exchange",
    "not started within one year of the agreed start date (Art. 2 (1))",
    "started, developed < 1/3 or invested < 25 %, suspended for one year or more (Art. 2 (2))",
    "supplied but no agreed_start_date",
    "suspended but developed_share/invested_share missing",
    "not started, less than one year past the agreed start date",
    "suspended, but developed ≥ 1/3 and invested ≥ 25 %",
    "started, construction in progress",
)
IDLE_COLUMNS = ["idle", "cannot_judge", "idle_years", "reason", "sanction"]
_EXCUSED = {"government", "force_majeure"}


def _dates(parcels: pd.DataFrame, name: str) -> pd.Series:
    if name not in parcels.columns:
        return pd.Series(pd.NaT, index=parcels.index, dtype="datetime64[ns]")
    raw = parcels[name]
    out = pd.to_datetime(raw.astype("string"), errors="coerce", format="ISO8601") if not pd.api.types.is_datetime64_any_dtype(raw) else raw
    bad = raw.notna() & out.isna() & raw.astype("string").str.strip().ne("").fillna(False)
    if bad.any():
        first = bad.to_numpy().nonzero()[0][0]
        pid = parcels["parcel_id"].iloc[first] if "parcel_id" in parcels.columns else parcels.index[first]
        raise InputError(f"column {name} holds {raw.iloc[first]!r}, not a date (YYYY-MM-DD)", layer="parcels", feature=pid, rule="idle-date")
    return out.astype("datetime64[ns]")


def _full_years(since: pd.Series, as_of: _dt.date) -> tuple[np.ndarray, np.ndarray]:
    """Whole years from ``since`` to ``as_of`` (calendar anniversaries) and the fractional years."""
    y, m, d = since.dt.year.to_numpy(), since.dt.month.to_numpy(), since.dt.day.to_numpy()
    with np.errstate(invalid="ignore"):
        before = (as_of.month < m) | ((as_of.month == m) & (as_of.day < d))
        full = as_of.year - y - before.astype(float)
    valid = since.notna().to_numpy()
    full = np.where(valid, full, np.nan)
    # last anniversary, clamping 29 February to 28 February
    anniv_year = np.where(valid, y + np.nan_to_num(full), 2000).astype(int)
    day = np.where((m == 2) & (d == 29), 28, np.nan_to_num(d, nan=1)).astype(int)
    month = np.nan_to_num(m, nan=1).astype(int)
    last = pd.to_datetime(pd.DataFrame({"year": anniv_year, "month": month, "day": day}))
    elapsed = (pd.Timestamp(as_of) - last).dt.days.to_numpy()
    frac = np.where(valid, full + elapsed / 365.25, np.nan)
    return full, frac


@follows_data
def idle_land(plan: Plan, *, as_of: _dt.date) -> pd.DataFrame:
    """Judge every parcel idle or not on ``as_of`` by the No. 53 order.

    Parameters
    ----------
    plan
        The plan; parcels may carry ``agreed_start_date``, ``started_date``, ``suspended_date``
        (ISO dates), ``developed_share``, ``invested_share`` (fractions) and ``idle_cause``.
    as_of
        Date of the judgement (the evaluation uses 31 December of the evaluation year).

    Returns
    -------
    pandas.DataFrame
        Aligned to ``plan.parcels.index`` with ``idle`` (bool), ``cannot_judge`` (bool),
        ``idle_years`` (float; NaN unless idle), ``reason`` (text) and ``sanction``
        (``"20% idle fee"``, ``"recovery without compensation"`` or None).

    Raises
    ------
    zoneplan.errors.InputError
        If a date column holds text that is not a date (names the parcel).

    Examples
    --------
    >>> import datetime
    >>> from zoneplan import datasets
    >>> judged = idle_land(datasets.load("linqing"), as_of=datetime.date(2024, 6, 30))
    >>> int(judged["idle"].sum()), int(judged["cannot_judge"].sum())
    (3, 1)
    """
    if isinstance(as_of, _dt.datetime):
        as_of = as_of.date()
    # judged once per plan content and date (the evaluation and the idle-land rule ask alike);
    # a shallow copy each time: copy-on-write keeps the stored table from the caller's edits
    return memo(plan, ("idle_land", as_of), lambda: _judge(plan, as_of)).copy(deep=False)


def _judge(plan: Plan, as_of: _dt.date) -> pd.DataFrame:
    everything = plan.parcels
    status_all = status_codes(plan, as_of.year)  # the status rule of the per-year table, without building all of it
    # only supplied parcels can be idle: parse dates and shares on those rows only
    rows = np.flatnonzero(status_all == SUPPLIED)
    needed = [
        c
        for c in ("parcel_id", "agreed_start_date", "started_date", "suspended_date", "developed_share", "invested_share", "idle_cause")
        if c in everything.columns
    ]
    parcels = pd.DataFrame({c: everything[c].iloc[rows] for c in needed}, index=everything.index[rows])
    n = len(parcels)
    supplied = np.ones(n, dtype=bool)
    agreed = _dates(parcels, "agreed_start_date")
    started = _dates(parcels, "started_date")
    suspended = _dates(parcels, "suspended_date")
    ts = pd.Timestamp(as_of)
    has_started = (started.notna() & (started <= ts)).to_numpy()
    dev = (
        pd.to_numeric(parcels["developed_share"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        if "developed_share" in parcels
        else np.full(n, np.nan)
    )
    inv = (
        pd.to_numeric(parcels["invested_share"], errors="coerce").to_numpy(dtype=float, na_value=np.nan) if "invested_share" in parcels else np.full(n, np.nan)
    )
    cause = parcels["idle_cause"].astype("string").str.strip().str.lower().isin(_EXCUSED).to_numpy(dtype=bool) if "idle_cause" in parcels else np.zeros(n, bool)

    full_agreed, frac_agreed = _full_years(agreed, as_of)
    full_susp, frac_susp = _full_years(suspended, as_of)
    is_susp = (suspended.notna() & (suspended <= ts)).to_numpy()
    low = (dev < 1 / 3) | (inv < 0.25)
    shares_known = ~np.isnan(dev) & ~np.isnan(inv)
    low_known = low | shares_known  # either one low share decides, or both known

    not_started = supplied & ~has_started
    idle1 = not_started & (full_agreed >= 1)
    idle2 = supplied & has_started & is_susp & low & (full_susp >= 1)
    cannot = (not_started & agreed.isna().to_numpy()) | (supplied & has_started & is_susp & ~low_known & (full_susp >= 1))
    excused = (idle1 | idle2) & cause
    idle = (idle1 | idle2) & ~excused
    cannot &= ~idle & ~excused
    years = np.where(idle1 & idle, frac_agreed, np.where(idle2 & idle, frac_susp, np.nan))
    full = np.where(idle1 & idle, full_agreed, np.where(idle2 & idle, full_susp, np.nan))

    reason = np.select(
        [
            excused,
            idle1 & idle,
            idle2 & idle,
            cannot & not_started,
            cannot,
            not_started,
            has_started & is_susp & ~low,
        ],
        np.arange(2, 9),
        default=9,
    )
    sanction = np.where(full >= 2, SANCTION_RECOVERY, np.where(full >= 1, SANCTION_FEE, np.array(None, dtype=object)))
    total = len(everything)
    idle_all = np.zeros(total, dtype=bool)
    idle_all[rows] = idle
    cannot_all = np.zeros(total, dtype=bool)
    cannot_all[rows] = cannot
    years_all = np.full(total, np.nan)
    years_all[rows] = years
    reason_all = (status_all == BUILT).astype(np.int64)
    reason_all[rows] = reason
    sanction_all = np.full(total, None, dtype=object)
    sanction_all[rows] = np.where(idle, sanction, np.array(None, dtype=object))
    out = pd.DataFrame(
        {
            "idle": idle_all,
            "cannot_judge": cannot_all,
            "idle_years": years_all,
            "reason": take_text(_REASONS, reason_all),
            "sanction": pd.Series(sanction_all, index=everything.index, dtype=object),
        },
        index=everything.index,
    )
    return out
