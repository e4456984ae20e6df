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

    Examples
    --------
    >>> error = ZoneplanError("landuse_code is not a 2023 用地用海 code", file="linqing.gpkg", layer="parcels", feature="LQC-0142", rule="landuse-code")
    >>> print(error)
    landuse_code is not a 2023 用地用海 code (file linqing.gpkg, layer parcels, feature LQC-0142, rule landuse-code)
    >>> error.layer, error.feature, error.message
    ('parcels', 'LQC-0142', 'landuse_code is not a 2023 用地用海 code')
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
    """The input data cannot be used as given (missing file, column, unreadable encoding…).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> try:
    ...     datasets.get_path("nanjing")
    ... except InputError as exc:
    ...     print(exc)
    no bundled plan named 'nanjing'; available: liaocheng, linqing, zhangdian (rule dataset)
    """


class CRSError(InputError):
    """The coordinate reference system is missing, geographic where a projected one is needed, or unusable.

    Examples
    --------
    >>> from zoneplan import datasets
    >>> from zoneplan.crs import require_projected
    >>> try:
    ...     require_projected(datasets.load("zhangdian").parcels.to_crs(4326))
    ... except CRSError as exc:
    ...     print(isinstance(exc, InputError), exc.rule)
    True projected-crs
    """


class PlanError(ZoneplanError):
    """A plan is inconsistent (unknown layer, edit that breaks validation…).

    Examples
    --------
    >>> from zoneplan import datasets
    >>> try:
    ...     datasets.load("zhangdian")["roads"]
    ... except PlanError as exc:
    ...     print(exc)
    plan has no layer 'roads'; it has ['admin_boundaries', 'named_roads', 'parcels', 'phases', 'zones'] (layer roads)
    """
