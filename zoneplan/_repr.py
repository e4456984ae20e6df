"""How a :class:`~zoneplan.plan.Plan` shows itself: a one-line ``repr`` and an HTML table for notebooks.

Every piece of text that comes from the plan (names, titles, layer names, the CRS name) is
HTML-escaped: a plan is data from outside, and a notebook renders this HTML as it is.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np

from zoneplan.units import M2_PER_MU

if TYPE_CHECKING:
    from zoneplan.plan import Plan

__all__: list[str] = []

#: Area bases shown, in order, with their label for people.
_BASES: dict[str, str] = {"planar": "planar (Gauss–Krüger plane)", "ellipsoidal": "ellipsoidal (椭球面积)"}


def _crs_label(plan: Plan) -> str:
    crs = plan.crs
    if crs is None:  # pragma: no cover - a Plan always has a CRS after construction
        return "no CRS"
    epsg = crs.to_epsg()
    return f"EPSG:{epsg} — {crs.name}" if epsg else crs.name


def _area_mu(plan: Plan, name: str, basis: str) -> float:
    gdf = plan.layers[name]
    if not len(gdf):
        return 0.0
    from zoneplan.measure import basis_area_m2

    return float(np.nansum(basis_area_m2(gdf, basis).to_numpy())) / M2_PER_MU


def plan_repr(plan: Plan) -> str:
    """``Plan('linqing', EPSG:4548, zones=1, districts=2, …; tables targets=…)``."""
    layers = ", ".join(f"{name}={len(gdf)}" for name, gdf in plan.layers.items())
    tables = ", ".join(f"{name}={len(df)}" for name, df in plan.tables.items())
    epsg = plan.crs.to_epsg() if plan.crs is not None else None
    crs = f"EPSG:{epsg}" if epsg else (plan.crs.name if plan.crs is not None else "no CRS")
    return f"Plan({plan.name!r}, {crs}, {layers}" + (f"; tables {tables}" if tables else "") + ")"


def plan_html(plan: Plan) -> str:
    """An HTML table of the plan: per layer the features and the area in mu on each basis; the tables; the CRS."""
    esc = html.escape
    title = plan.meta.get("title") or plan.name
    head = "".join(f"<th style='text-align:right'>area (mu), {esc(label)}</th>" for label in _BASES.values())
    rows = []
    for name, gdf in plan.layers.items():
        cells = "".join(f"<td style='text-align:right'>{_area_mu(plan, name, basis):,.2f}</td>" for basis in _BASES)
        rows.append(f"<tr><td style='text-align:left'>{esc(name)}</td><td style='text-align:right'>{len(gdf):,}</td>{cells}</tr>")
    tables = "".join(f"<tr><td style='text-align:left'>{esc(name)}</td><td style='text-align:right'>{len(df):,}</td></tr>" for name, df in plan.tables.items())
    parts = [
        "<div class='zoneplan-plan'>",
        f"<p><strong>Plan {esc(plan.name)}</strong> — {esc(str(title))}</p>",
        f"<table><thead><tr><th style='text-align:left'>layer</th><th style='text-align:right'>features</th>{head}</tr></thead>",
        f"<tbody>{''.join(rows)}</tbody></table>",
    ]
    if tables:
        parts.append(
            f"<table><thead><tr><th style='text-align:left'>table</th><th style='text-align:right'>rows</th></tr></thead><tbody>{tables}</tbody></table>"
        )
    parts.append(f"<p>CRS: {esc(_crs_label(plan))}; 1 mu = 10000/15 m²</p></div>")
    return "".join(parts)
