"""Scenarios: a base plan plus named, ordered edits — "what if" as data.

A :class:`Scenario` is a name, a description and a list of *edits*. Each edit is a small frozen
dataclass with ``apply(plan) -> Plan``; applying never modifies the base plan (plans are values:
every edit returns a new :class:`~zoneplan.plan.Plan`). Edits are plain data: they serialise to
JSON and TOML, and a plan's scenarios are stored as rows of the attribute table ``scenarios`` in
its GeoPackage (one row per edit: ``name``, ``edit_order``, ``kind``, ``edit`` as JSON text,
``description``), so a scenario can be reviewed, diffed and re-run by anyone who opens the file.

Edit kinds (the ``kind`` key of the serialised form):

====================  ===========================================================================
kind                  what it does
====================  ===========================================================================
``assign``            :class:`AssignParcels` — move parcels to another phase, park or district
                      (moving to a phase re-schedules their future years with the phase)
``landuse``           :class:`ChangeLanduse` — give parcels another 2023 land-use code
``status``            :class:`ChangeStatus` — change status and/or supply/build/planned years
``set``               :class:`SetAttributes` — set any attributes of any layer's features
``phase_schedule``    :class:`PhaseSchedule` — move a phase's start/end years (and its parcels)
``add_parcels``       :class:`AddParcels` — add parcels (a project) from WKT or GeoJSON geometry
``targets``           :class:`ChangeTargets` — add or replace rows of the ``targets`` table
``quotas``            :class:`ChangeQuotas` — add or replace rows of the ``quotas`` table
``rules``             :class:`ChangeRules` — override compliance rules (stored in plan meta)
``supply_rate``       :class:`SupplyRate` — set the annual supply rate (mu/year) used to project
                      remaining land until exhaustion (table ``supply_rates``)
====================  ===========================================================================

Parcels are selected by ``parcels`` (ids) and/or ``where`` (column → value or list of values;
``zone_id``, ``district_id``, ``park_id`` and ``phase_id`` are resolved spatially through
:func:`zoneplan.analysis.grouping.assign_groups` where a parcel lacks the column). A selection that
matches nothing, or names unknown parcel ids, is an error — a typo must not pass silently.

Future years. Years of a parcel that are still plans move with their phase; history does not:
``built`` parcels keep every year; ``supplied`` parcels keep ``supplied_year`` and move
``built_year``/``planned_year``; other parcels move all three.

After each edit the plan is validated with :func:`zoneplan.validate.validate`; a problem that was
not there before the edit raises :class:`~zoneplan.errors.PlanError` carrying the validation
message, the scenario name and the edit number.

Modules
-------
=========================  =======================================================================
module                     what changes there
=========================  =======================================================================
:mod:`.edits`              the edit language: the edit kinds, parcel selection, what each does
:mod:`.scenarios`          :class:`Scenario` and its serialised forms (dict, JSON, TOML, table rows)
:mod:`.storage`            scenarios stored in the plan's ``scenarios`` table
:mod:`.application`        applying scenarios to a plan, validated after each edit
=========================  =======================================================================

Examples
--------
>>> from zoneplan.scenario import Scenario, PhaseSchedule, ChangeTargets
>>> s = Scenario("phase3-late", [PhaseSchedule(phase_id="zd-3", shift_years=2),
...                              ChangeTargets(rows=({"scope": "zd", "metric": "parcel_min_far",
...                                                   "op": ">=", "value": 2.5},))])
>>> Scenario.from_toml(s.to_toml()) == s
True
"""

from __future__ import annotations

from zoneplan.compliance.rules import RULES_META_KEY, rules_of
from zoneplan.scenario.application import apply_scenarios
from zoneplan.scenario.edits import (
    EDIT_KINDS,
    SUPPLY_RATE_TABLE,
    AddParcels,
    AssignParcels,
    ChangeLanduse,
    ChangeQuotas,
    ChangeRules,
    ChangeStatus,
    ChangeTargets,
    Edit,
    PhaseSchedule,
    SetAttributes,
    SupplyRate,
    edit_from_dict,
    supply_rates_of,
)
from zoneplan.scenario.scenarios import Scenario, read_edits_file
from zoneplan.scenario.storage import SCENARIO_TABLE, save_scenario, scenarios_of, with_scenario, without_scenario

__all__ = [
    "EDIT_KINDS",
    "RULES_META_KEY",
    "SCENARIO_TABLE",
    "SUPPLY_RATE_TABLE",
    "AddParcels",
    "AssignParcels",
    "ChangeLanduse",
    "ChangeQuotas",
    "ChangeRules",
    "ChangeStatus",
    "ChangeTargets",
    "Edit",
    "PhaseSchedule",
    "Scenario",
    "SetAttributes",
    "SupplyRate",
    "apply_scenarios",
    "edit_from_dict",
    "read_edits_file",
    "rules_of",
    "save_scenario",
    "scenarios_of",
    "supply_rates_of",
    "with_scenario",
    "without_scenario",
]
