"""A scenario — a name, a description and an ordered list of edits — and its serialised forms.

A scenario is plain data: :meth:`Scenario.to_dict` / ``from_dict``, JSON, TOML (the edits files
of ``zoneplan scenario add``) and the rows of the plan's ``scenarios`` table all hold the same
content, so a scenario can be reviewed, diffed and re-run.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import tomli_w

from zoneplan._names import check_name
from zoneplan.errors import InputError
from zoneplan.plan import Plan
from zoneplan.scenario._values import drop_none
from zoneplan.scenario.edits import Edit, edit_from_dict

__all__ = ["Scenario", "read_edits_file"]


@dataclass(frozen=True)
class Scenario:
    """A named, ordered list of edits of a base plan.

    Parameters
    ----------
    name
        Scenario name (unique within a plan; ``base`` is reserved for the unedited plan).
    edits
        The edits, applied in order.
    description
        What the scenario asks, for the report.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.scenario import PhaseSchedule
    >>> plan = datasets.load("zhangdian")
    >>> late = Scenario("phase3-late", [PhaseSchedule(phase_id="zhangdian-phase-3", shift_years=2)], description="三期推迟两年")
    >>> late.apply(plan).phases["end_year"].tolist(), plan.phases["end_year"].tolist()  # a new plan; the base is unchanged
    ([2023, 2024, 2029], [2023, 2024, 2027])
    >>> Scenario.from_toml(late.to_toml()) == late == Scenario.from_json(late.to_json())
    True
    >>> late.to_rows()[["name", "edit_order", "kind"]].to_numpy().tolist()  # rows of the plan's scenarios table
    [['phase3-late', 1, 'phase_schedule']]
    """

    name: str
    edits: tuple[Edit, ...] = ()
    description: str = ""

    def __post_init__(self) -> None:
        if not self.name or not str(self.name).strip():
            raise InputError("a scenario needs a name", rule="scenario")
        check_name(self.name, what="scenario name")
        if self.name == "base":
            raise InputError("'base' names the unedited plan; choose another scenario name", rule="scenario")
        edits = tuple(e if isinstance(e, Edit) else edit_from_dict(e) for e in self.edits)
        object.__setattr__(self, "edits", edits)

    def apply(self, plan: Plan, *, validate: bool = True) -> Plan:
        """Apply the edits in order to ``plan`` and return the new plan (``plan`` is unchanged).

        Parameters
        ----------
        plan
            The base plan.
        validate
            Validate after each edit; a problem the edit introduced raises PlanError.

        Raises
        ------
        PlanError
            An edit cannot be applied or makes the plan invalid; the message names the scenario,
            the edit number and kind, and the validation problems.
        """
        from zoneplan.scenario.application import apply_scenario

        return apply_scenario(self, plan, validate=validate)

    # -- serialisation --------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """``{"name", "description", "edits": [edit dicts]}``."""
        return {"name": self.name, "description": self.description, "edits": [e.to_dict() for e in self.edits]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, name: str | None = None) -> Scenario:
        """Build from :meth:`to_dict` output; ``name`` overrides the stored name."""
        edits = data.get("edits", data.get("edit", []))
        if not isinstance(edits, (list, tuple)):
            raise InputError("'edits' must be a list of edits", rule="scenario")
        return cls(name or data.get("name", ""), tuple(edit_from_dict(e) for e in edits), data.get("description", ""))

    def to_json(self) -> str:
        """JSON text of :meth:`to_dict`."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_json(cls, text: str, *, name: str | None = None) -> Scenario:
        """Parse :meth:`to_json` output (or a bare list of edits, with ``name``)."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"edits are not valid JSON: {exc}", rule="scenario") from None
        return cls.from_dict({"edits": data} if isinstance(data, list) else data, name=name)

    def to_toml(self) -> str:
        """TOML text: ``name``, ``description`` and one ``[[edits]]`` table per edit.

        The layout is fixed, as in the edits files of the README: every edit is an ``[[edits]]``
        table, however short; a mapping inside it (``where``, ``values``, ``rules``, rows) is an
        inline table with its keys sorted, a list a one-line array. So a scenario prints the same
        text when just built and when read back from the plan (which stores each edit as JSON
        with sorted keys), whatever the installed tomli_w would choose.
        """
        data = drop_none(self.to_dict())
        lines = [f"{key} = {_toml_value(data[key])}" for key in ("name", "description")]
        for edit in data["edits"]:
            lines += ["", "[[edits]]", *(f"{_toml_key(key)} = {_toml_value(value)}" for key, value in edit.items())]
        if not data["edits"]:
            lines.append("edits = []")
        return "\n".join(lines) + "\n"

    @classmethod
    def from_toml(cls, text: str, *, name: str | None = None) -> Scenario:
        """Parse :meth:`to_toml` output."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise InputError(f"edits are not valid TOML: {exc}", rule="scenario") from None
        return cls.from_dict(data, name=name)

    def to_rows(self) -> pd.DataFrame:
        """The rows of the ``scenarios`` table for this scenario (one per edit)."""
        return pd.DataFrame(
            {
                "name": self.name,
                "edit_order": np.arange(1, len(self.edits) + 1, dtype="int64"),
                "kind": [e.kind for e in self.edits],
                "edit": [json.dumps(e.to_dict(), ensure_ascii=False, sort_keys=True) for e in self.edits],
                "description": self.description,
            },
            columns=["name", "edit_order", "kind", "edit", "description"],
        )


def _toml_key(key: str) -> str:
    return key if key and all(c.isascii() and (c.isalnum() or c in "-_") for c in key) else _toml_value(key)


def _toml_value(value: Any) -> str:
    """``value`` as one-line TOML: mappings as inline tables (keys sorted), lists as arrays."""
    if isinstance(value, Mapping):
        items = ", ".join(f"{_toml_key(str(k))} = {_toml_value(v)}" for k, v in sorted(value.items()))
        return f"{{ {items} }}" if items else "{}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return tomli_w.dumps({"v": value})[len("v = ") : -1]  # strings, numbers, booleans, dates as tomli_w writes them


def read_edits_file(path: str | Path, *, name: str | None = None) -> Scenario:
    """Read a scenario (or a bare list of edits) from a ``.toml`` or ``.json`` file.

    Raises
    ------
    InputError
        Missing file, unknown suffix, unparsable text or unknown edits (naming the file).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "phase3-late.toml"
    >>> _ = path.write_text(
    ...     '''
    ... name = "phase3-late"
    ... [[edits]]
    ... kind = "phase_schedule"
    ... phase_id = "zhangdian-phase-3"
    ... shift_years = 2
    ... ''',
    ...     encoding="utf-8",
    ... )
    >>> scenario = read_edits_file(path)
    >>> scenario.name, [edit.kind for edit in scenario.edits]
    ('phase3-late', ['phase_schedule'])
    """
    path = Path(path)
    if not path.exists():
        raise InputError("edits file not found", file=path)
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix.lower() == ".toml":
            return Scenario.from_toml(text, name=name)
        if path.suffix.lower() == ".json":
            return Scenario.from_json(text, name=name)
    except InputError as exc:
        raise InputError(exc.message, file=path, rule=exc.rule) from None
    raise InputError("edits file must be .toml or .json", file=path)
