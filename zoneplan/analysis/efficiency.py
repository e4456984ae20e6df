"""Output per mu (亩均效益): tax and investment per mu of enterprise land, the Zhangdian
retain / relocate / clear classification, and the Liaocheng ranking of zones.

Enterprise parcels are parcels with an ``enterprise`` name. Money per land is in 万元/亩.

Zhangdian method (张政办字〔2022〕3号: enterprises classified 保留升级 / 转移 / 出清 from 2019–2021
tax per mu, FAR, energy, safety and environment data). The document gives no thresholds, so the
defaults of :class:`EnterpriseThresholds` are **illustrative** — set the ones your government
adopts. Only tax per mu and FAR are used (energy, safety and environment are not in the plan):

* ``clear`` (出清) — mean tax per mu below ``clear_tax_wan_per_mu``;
* ``retain`` (保留升级) — mean tax per mu at least ``retain_tax_wan_per_mu`` **and** FAR at
  least ``retain_min_far``;
* ``relocate`` (转移) — everything in between;
* ``cannot judge`` — tax (or, where it decides, FAR) missing.

Mean tax per mu is the mean over the years' columns ``tax_<year>_yuan`` (``tax_2019_yuan`` …)
that the parcels carry (missing years skipped), else ``tax_yuan``.

Liaocheng ranking (2022 presentation): each zone's tax per mu and investment intensity against
the province mean and maximum (table ``province_stats``: ``metric``, ``mean``, ``max``,
``max_zone``). A zone's value is its published figure when the zone layer carries the column
(``tax_per_mu_wan``, ``investment_intensity_wan_per_mu``), else it is computed from its
enterprise parcels.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from zoneplan._memo import follows_data
from zoneplan.analysis._frame import groups, parcel_frame
from zoneplan.analysis.grouping import LAYER_OF, Level, group_layer
from zoneplan.errors import InputError
from zoneplan.plan import Plan
from zoneplan.units import M2_PER_MU, wan_per_mu

__all__ = [
    "CLASSES",
    "RANK_METRICS",
    "EnterpriseThresholds",
    "classify_enterprises",
    "group_efficiency",
    "parcel_efficiency",
    "rank_zones",
]

#: Classification labels → Chinese.
CLASSES: dict[str, str] = {"retain": "保留升级", "relocate": "转移", "clear": "出清", "cannot judge": "无法判断"}
#: Ranked metrics and the zone-layer column holding the published province rank.
RANK_METRICS: dict[str, str] = {"tax_per_mu_wan": "tax_rank", "investment_intensity_wan_per_mu": "investment_rank"}
_TAX_YEAR = re.compile(r"^tax_(\d{4})_yuan$")


@dataclass(frozen=True)
class EnterpriseThresholds:
    """Thresholds of the retain / relocate / clear classification (illustrative defaults).

    Attributes
    ----------
    retain_tax_wan_per_mu
        Mean tax per mu (万元/亩) at or above which an enterprise may be retained.
    retain_min_far
        Minimum FAR of a retained enterprise (the Zhangdian target for new projects is 2.0).
    clear_tax_wan_per_mu
        Mean tax per mu below which an enterprise is cleared.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> plan = datasets.load("zhangdian")
    >>> classify_enterprises(plan)["class"].value_counts().sort_index().to_dict()  # the illustrative defaults
    {'cannot judge': 3, 'clear': 69, 'relocate': 87, 'retain': 85}
    >>> lenient = EnterpriseThresholds(retain_tax_wan_per_mu=10.0)  # retain from 10 万元/亩 of tax
    >>> classify_enterprises(plan, thresholds=lenient)["class"].value_counts().sort_index().to_dict()
    {'cannot judge': 3, 'clear': 69, 'relocate': 63, 'retain': 109}
    >>> EnterpriseThresholds(clear_tax_wan_per_mu=20.0)
    Traceback (most recent call last):
    ...
    zoneplan.errors.InputError: clear_tax_wan_per_mu must not exceed retain_tax_wan_per_mu (rule enterprise-thresholds)
    """

    retain_tax_wan_per_mu: float = 15.0
    retain_min_far: float = 1.0
    clear_tax_wan_per_mu: float = 3.0

    def __post_init__(self) -> None:
        if not self.clear_tax_wan_per_mu <= self.retain_tax_wan_per_mu:
            raise InputError("clear_tax_wan_per_mu must not exceed retain_tax_wan_per_mu", rule="enterprise-thresholds")


def _tax_columns(parcels: pd.DataFrame, years: Sequence[int] | None) -> list[str]:
    found = {int(m.group(1)): c for c in parcels.columns if (m := _TAX_YEAR.match(str(c)))}
    if years is not None:
        missing = [y for y in years if y not in found]
        if missing:
            raise InputError(f"parcels have no column tax_{missing[0]}_yuan for the years asked", layer="parcels", rule="tax-years")
        return [found[y] for y in years]
    return [found[y] for y in sorted(found)]


@follows_data
def parcel_efficiency(plan: Plan, *, year: int | None = None, tax_years: Sequence[int] | None = None) -> pd.DataFrame:
    """Tax per mu, investment intensity and FAR of every enterprise parcel.

    Parameters
    ----------
    plan
        The plan.
    year
        Year of the land-use codes (default: as the plan stands).
    tax_years
        Years whose ``tax_<year>_yuan`` columns are averaged (default: every such column; none →
        ``tax_yuan``).

    Returns
    -------
    pandas.DataFrame
        Rows of the enterprise parcels (index of ``plan.parcels``): ``parcel_id``,
        ``enterprise``, ``code``, ``area_mu``, ``far``, ``tax_per_mu_wan`` (from ``tax_yuan``),
        ``mean_tax_per_mu_wan`` (mean of the yearly columns, else ``tax_per_mu_wan``) and
        ``investment_intensity_wan_per_mu``.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> table = parcel_efficiency(datasets.load("linqing"))
    >>> len(table), bool((table["tax_per_mu_wan"].dropna() >= 0).all())
    (151, True)
    """
    parcels = plan.parcels
    f = parcel_frame(plan, year)
    if "enterprise" in parcels.columns:
        name = parcels["enterprise"].astype("string").str.strip()
        has = name.notna() & name.ne("")
    else:
        name = pd.Series(pd.NA, index=parcels.index, dtype="string")
        has = pd.Series(False, index=parcels.index)
    rows = has.to_numpy(dtype=bool)
    area = f["area_m2"]
    out = pd.DataFrame(
        {
            "parcel_id": parcels["parcel_id"].astype("string") if "parcel_id" in parcels.columns else parcels.index.astype(str),
            "enterprise": name,
            "code": f["code"].astype("string"),
            "area_mu": area / M2_PER_MU,
            "far": f["floor_area_m2"] / area.where(area > 0),
            "tax_per_mu_wan": wan_per_mu(f["tax_yuan"], area),
            "investment_intensity_wan_per_mu": wan_per_mu(f["investment_yuan"], area),
        },
        index=parcels.index,
    )
    cols = _tax_columns(parcels, tax_years)
    if cols:
        yearly = pd.DataFrame({c: pd.to_numeric(parcels[c], errors="coerce") for c in cols}).mean(axis=1, skipna=True)
        out["mean_tax_per_mu_wan"] = wan_per_mu(yearly, area)
    else:
        out["mean_tax_per_mu_wan"] = out["tax_per_mu_wan"]
    return out.loc[rows, ["parcel_id", "enterprise", "code", "area_mu", "far", "tax_per_mu_wan", "mean_tax_per_mu_wan", "investment_intensity_wan_per_mu"]]


@follows_data
def classify_enterprises(
    plan: Plan,
    *,
    thresholds: EnterpriseThresholds | Mapping[str, float] | None = None,
    tax_years: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Classify enterprise parcels into retain / relocate / clear (Zhangdian method).

    Parameters
    ----------
    plan
        The plan.
    thresholds
        :class:`EnterpriseThresholds` or a mapping of its fields (default: illustrative values).
    tax_years
        Years averaged for tax per mu (Zhangdian: 2019, 2020, 2021); default every
        ``tax_<year>_yuan`` column present.

    Returns
    -------
    pandas.DataFrame
        :func:`parcel_efficiency` plus ``class`` (``retain``, ``relocate``, ``clear``,
        ``cannot judge``), ``class_zh`` and ``reason``.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> classes = classify_enterprises(datasets.load("linqing"))
    >>> classes["class"].value_counts().sort_index().to_dict()
    {'cannot judge': 49, 'clear': 5, 'relocate': 97}
    """
    if thresholds is None:
        t = EnterpriseThresholds()
    elif isinstance(thresholds, EnterpriseThresholds):
        t = thresholds
    else:
        unknown = set(thresholds) - set(asdict(EnterpriseThresholds()))
        if unknown:
            raise InputError(f"unknown enterprise threshold {sorted(unknown)[0]!r}", rule="enterprise-thresholds")
        t = EnterpriseThresholds(**{k: float(v) for k, v in thresholds.items()})
    eff = parcel_efficiency(plan, tax_years=tax_years)
    tax = eff["mean_tax_per_mu_wan"]
    far = eff["far"]
    clear = tax < t.clear_tax_wan_per_mu
    rich = tax >= t.retain_tax_wan_per_mu
    retain = rich & (far >= t.retain_min_far)
    no_tax = tax.isna()
    no_far = rich & far.isna()
    cls = np.select([no_tax, clear, no_far, retain], ["cannot judge", "clear", "cannot judge", "retain"], default="relocate")
    reason = np.select(
        [no_tax, clear, no_far, retain, rich],
        [
            "no tax data",
            f"mean tax per mu below {t.clear_tax_wan_per_mu:g} 万元/亩",
            "no floor area to compute FAR",
            f"mean tax per mu ≥ {t.retain_tax_wan_per_mu:g} 万元/亩 and FAR ≥ {t.retain_min_far:g}",
            f"FAR below {t.retain_min_far:g}",
        ],
        default=f"mean tax per mu between {t.clear_tax_wan_per_mu:g} and {t.retain_tax_wan_per_mu:g} 万元/亩",
    )
    return eff.assign(**{"class": cls, "class_zh": pd.Series(cls, index=eff.index).map(CLASSES).to_numpy(), "reason": reason})


@follows_data
def group_efficiency(plan: Plan, *, by: Level = "zone", year: int | None = None) -> pd.DataFrame:
    """Tax per mu and investment intensity of each group's enterprise land.

    Returns
    -------
    pandas.DataFrame
        Indexed by group id: ``enterprises`` (count of enterprise parcels), ``enterprise_area_mu``,
        ``tax_per_mu_wan`` (Σ tax / Σ area) and ``investment_intensity_wan_per_mu``.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> table = group_efficiency(datasets.load("linqing"), by="district")
    >>> table[["enterprises", "tax_per_mu_wan"]].round(2).to_dict("index")
    {'linqing-city': {'enterprises': 133, 'tax_per_mu_wan': 5.21}, 'linqing-yandian': {'enterprises': 18, 'tax_per_mu_wan': 7.0}}
    """
    eff = parcel_efficiency(plan, year=year)
    f = parcel_frame(plan, year).loc[eff.index]
    data = pd.DataFrame(
        {
            "group_id": groups(plan, by).loc[eff.index].to_numpy(dtype=object),
            "area_m2": f["area_m2"].to_numpy(),
            "tax": f["tax_yuan"].to_numpy(),
            "inv": f["investment_yuan"].to_numpy(),
        }
    )
    g = data.groupby("group_id", sort=True)
    area = g["area_m2"].sum()
    out = pd.DataFrame(
        {
            "enterprises": g.size(),
            "enterprise_area_mu": area / M2_PER_MU,
            "tax_per_mu_wan": wan_per_mu(g["tax"].sum(min_count=1), area),
            "investment_intensity_wan_per_mu": wan_per_mu(g["inv"].sum(min_count=1), area),
        }
    )
    out.index = pd.Index(out.index.astype(str), dtype="string", name="group_id")
    return out


@follows_data
def rank_zones(plan: Plan, *, by: Level = "zone", metrics: Sequence[str] = tuple(RANK_METRICS)) -> pd.DataFrame:
    """Rank groups by output per mu against the province mean and maximum (Liaocheng table).

    Parameters
    ----------
    plan
        The plan; optional table ``province_stats`` (``metric``, ``mean``, ``max``, ``max_zone``).
    by
        Grouping level (default ``"zone"``).
    metrics
        Metrics to rank, among ``tax_per_mu_wan`` and ``investment_intensity_wan_per_mu``.

    Returns
    -------
    pandas.DataFrame
        One row per group and metric: ``group_id``, ``name``, ``metric``, ``value``, ``source``
        (``published`` or ``computed``), ``rank`` (1 = highest within the plan),
        ``province_rank`` (published, when the layer has it), ``province_mean``,
        ``province_max``, ``max_zone``, ``ratio_to_mean``, ``ratio_to_max``, ``gap_to_mean``
        (value − mean) and ``above_mean``; sorted by metric and rank.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> ranks = rank_zones(datasets.load("linqing"), by="district")
    >>> ranks[["group_id", "metric", "rank"]].values.tolist()
    [['linqing-yandian', 'investment_intensity_wan_per_mu', 1], ['linqing-city', 'investment_intensity_wan_per_mu', 2], ['linqing-yandian', 'tax_per_mu_wan', 1], ['linqing-city', 'tax_per_mu_wan', 2]]
    """
    bad = [m for m in metrics if m not in RANK_METRICS]
    if bad:
        raise InputError(f"cannot rank by {bad[0]!r}; choose from {', '.join(RANK_METRICS)}", rule="rank-metric")
    layer = plan[LAYER_OF[by]]
    ids = group_layer(plan, by)["group_id"].astype("string")
    computed = group_efficiency(plan, by=by)
    stats = plan.tables.get("province_stats")
    if stats is not None and "metric" in stats.columns:
        stats = stats.drop_duplicates("metric", keep="last").set_index(stats["metric"].drop_duplicates(keep="last").astype(str))
    parts = []
    for metric in metrics:
        calc = computed[metric].reindex(ids.to_numpy()).to_numpy(dtype=float) if len(computed) else np.full(len(ids), np.nan)
        if metric in layer.columns:
            published = pd.to_numeric(layer[metric], errors="coerce").to_numpy(dtype=float)
            value = np.where(np.isnan(published), calc, published)
            source = np.where(np.isnan(published), np.where(np.isnan(calc), np.array(None, dtype=object), "computed"), "published")
        else:
            value, source = calc, np.where(np.isnan(calc), np.array(None, dtype=object), "computed")
        row = pd.DataFrame(
            {
                "group_id": ids.to_numpy(),
                "name": layer["name"].astype("string").to_numpy() if "name" in layer.columns else pd.NA,
                "metric": metric,
                "value": value,
                "source": source,
                "province_rank": pd.to_numeric(layer[RANK_METRICS[metric]], errors="coerce").astype("Int64").to_numpy()
                if RANK_METRICS[metric] in layer.columns
                else pd.NA,
            }
        )
        row["rank"] = row["value"].rank(ascending=False, method="min").astype("Int64")
        if stats is not None and metric in stats.index:
            s = stats.loc[metric]
            row["province_mean"] = float(s.get("mean", np.nan))
            row["province_max"] = float(s.get("max", np.nan))
            row["max_zone"] = s.get("max_zone", pd.NA)
        else:
            row["province_mean"] = np.nan
            row["province_max"] = np.nan
            row["max_zone"] = pd.NA
        parts.append(row)
    out = pd.concat(parts, ignore_index=True)
    out["ratio_to_mean"] = out["value"] / out["province_mean"]
    out["ratio_to_max"] = out["value"] / out["province_max"]
    out["gap_to_mean"] = out["value"] - out["province_mean"]
    out["above_mean"] = (out["value"] > out["province_mean"]).where(out["value"].notna() & out["province_mean"].notna())
    cols = [
        "group_id",
        "name",
        "metric",
        "value",
        "source",
        "rank",
        "province_rank",
        "province_mean",
        "province_max",
        "max_zone",
        "ratio_to_mean",
        "ratio_to_max",
        "gap_to_mean",
        "above_mean",
    ]
    return out.sort_values(["metric", "rank"], kind="stable", na_position="last").reset_index(drop=True)[cols]
