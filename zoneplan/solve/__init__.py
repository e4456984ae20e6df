"""Goal seeking: the least change of a plan that meets its own targets, quotas and rules.

Analysts ask "what if" one edit at a time; :func:`solve` answers the question the other way
round — which parcels must change land use, development year, investment or floor area
(within a maximum plot ratio) so that every target of the solved years holds, no year's new
construction land exceeds its quota, nothing is built on the ecological red line or permanent
basic farmland or outside the urban development boundary, and no polluting industry sits next
to housing, schools or hospitals — with the least change. The answer is a :class:`~zoneplan.scenario.Scenario` (edits as data:
reviewed, stored, compared and reported like any other); when no plan can meet the targets,
the conflicting targets and quotas are named with the smallest relaxation that makes it
feasible.

==========================  ==========================================================================
module                      what it does
==========================  ==========================================================================
:mod:`.model`               parcels' options, targets, quotas, control lines and adjacency as a sparse
                            mixed-integer programme
:mod:`.solver`              the exact solve (HiGHS through :func:`scipy.optimize.milp`), objectives
                            solved lexicographically, block by block
:mod:`.reduce`              exact reductions: interchangeable parcels merged, independent blocks
:mod:`.conflicts`           infeasible plans: elastic targets and quotas, the least relaxation, the
                            hard rules that bind
:mod:`.result`              the answer as a scenario, its changes, the targets and quotas it reaches
:mod:`.capacity`            build-out capacity of the remaining land at the plan's intensities
==========================  ==========================================================================

Areas are m² on the plan's area basis (:func:`zoneplan.measure.plan_area_basis`; every result says
``area_basis``), presented in mu.

Examples
--------
>>> from zoneplan import datasets
>>> from zoneplan.solve import solve
>>> result = solve(datasets.load("linqing"), years=[2035], objective="least-area")
>>> result.status, result.scenario.name, result.area_basis
('optimal', 'solve-least-area-2035', 'planar')
>>> bool(result.targets["met"].all())
True
"""

from __future__ import annotations

from zoneplan.solve.capacity import CAPACITY_COLUMNS, capacity
from zoneplan.solve.model import MODELLED_METRICS, OBJECTIVES, Model, build_model
from zoneplan.solve.result import SolveResult
from zoneplan.solve.solver import solve

__all__ = ["CAPACITY_COLUMNS", "MODELLED_METRICS", "OBJECTIVES", "Model", "SolveResult", "build_model", "capacity", "solve"]
