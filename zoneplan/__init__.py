"""zoneplan — land-use planning toolkit for Chinese economic development zones (开发区).

A plan is a set of named GIS layers (zones, districts, parks, phases, parcels, control lines) plus
targets and quotas (:class:`zoneplan.Plan`). Areas are exact (m² internally, 1 mu = 10000/15 m²),
computed in the CGCS2000 Gauss–Krüger zone covering the data.

The public API is what these modules export in ``__all__``:

======================================  =================================================================
``zoneplan``                            :class:`Plan`, :func:`read_plan`, :mod:`datasets`, the errors
``zoneplan.analysis``                   indicators, targets, land consumption, remaining land, efficiency
``zoneplan.compliance``                 :func:`~zoneplan.compliance.check` and the rule families
``zoneplan.scenario``, ``.compare``     scenarios as data, applied and compared
``zoneplan.maps``                       offline interactive maps and print maps
``zoneplan.raster``                     land cover against the plan
``zoneplan.io``                         GeoPackage / PostGIS plans, imports
``zoneplan.report``                     HTML and Excel reports
``zoneplan.validate``, ``.measure``,    the layer contract, areas, units and CRSs
``.units``, ``.crs``
======================================  =================================================================

Modules and names starting with ``_`` are internal. The names here are imported on first use, so
``import zoneplan`` (and the command line's start-up) stays light.

Examples
--------
>>> import zoneplan
>>> plan = zoneplan.datasets.load("zhangdian")
>>> isinstance(plan, zoneplan.Plan), len(plan.phases)
(True, 3)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zoneplan import datasets
    from zoneplan.errors import CRSError, InputError, PlanError, ZoneplanError
    from zoneplan.io import read_plan
    from zoneplan.plan import Plan

__all__ = ["CRSError", "InputError", "Plan", "PlanError", "ZoneplanError", "__version__", "datasets", "read_plan"]
__version__ = "0.1.0"

_LAZY = {
    "Plan": "zoneplan.plan",
    "read_plan": "zoneplan.io",
    "ZoneplanError": "zoneplan.errors",
    "InputError": "zoneplan.errors",
    "CRSError": "zoneplan.errors",
    "PlanError": "zoneplan.errors",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name == "datasets":
        value = importlib.import_module("zoneplan.datasets")
    else:
        raise AttributeError(f"module 'zoneplan' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
