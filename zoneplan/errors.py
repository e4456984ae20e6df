"""Exceptions raised by zoneplan.

Every error about input names where the problem is — the file, the layer, the feature and the
rule — so a user can find it without reading a traceback. The command line prints ``str(error)``
on one line and exits with status 2.
"""

from __future__ import annotations

__all__ = ["CRSError", "InputError", "PlanError", "ZoneplanError"]


class ZoneplanError(Exception):
    """Base class of all zoneplan errors.

    Parameters
    ----------
    message
        What is wrong, in one sentence.
    file, layer, feature, rule
        Where the problem is and which rule it breaks; each optional, each shown when given.
    """

    def __init__(
        self,
        message: str,
        *,
        file: object | None = None,
        layer: str | None = None,
        feature: object | None = None,
        rule: str | None = None,
    ) -> None:
        self.message = message
        self.file = None if file is None else str(file)
        self.layer = layer
        self.feature = feature
        self.rule = rule
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = [
            f"{label} {value}"
            for label, value in (
                ("file", self.file),
                ("layer", self.layer),
                ("feature", self.feature),
                ("rule", self.rule),
            )
            if value is not None
        ]
        return f"{self.message} ({', '.join(where)})" if where else self.message


class InputError(ZoneplanError):
    """The input data cannot be used as given (missing file, column, unreadable encoding…)."""


class CRSError(InputError):
    """The coordinate reference system is missing, geographic where a projected one is needed, or unusable."""


class PlanError(ZoneplanError):
    """A plan is inconsistent (unknown layer, edit that breaks validation…)."""
