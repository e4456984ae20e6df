"""zoneplan — land-use planning toolkit for Chinese economic development zones (开发区).

A plan is a set of named GIS layers (zones, districts, parks, phases, parcels, control lines) plus
targets and quotas (:class:`zoneplan.Plan`). Areas are exact (m² internally, 1 mu = 10000/15 m²),
computed in the CGCS2000 Gauss–Krüger zone covering the data.
"""

from zoneplan.plan import Plan

__all__ = ["Plan", "__version__"]
__version__ = "0.1.0"
