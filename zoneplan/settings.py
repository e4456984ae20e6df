"""zoneplan's settings: one object, read by the library, changed by the user (like ``osmnx.settings``).

Every tolerance, switch and path the library reads lives here, and this is the only module that
reads environment variables. A value comes from, first to last:

1. a temporary override (``with settings.override(...)``),
2. a value set in the session (``settings.area_tolerance_m2 = 0.5`` or ``settings.set(...)``),
3. the environment variable named below, read when the value is asked for (so a variable set
   after ``import zoneplan`` still counts),
4. the documented default.

=========================  ==========================  =============================================
setting                    default (environment)       what it is
=========================  ==========================  =============================================
``area_tolerance_m2``      ``1.0``                     sliver tolerance in m²: overlaps and parts
                                                       outside that ``validate`` and the compliance
                                                       rules (``overlap_tolerance_m2``,
                                                       ``boundary_tolerance_m2``) ignore
``target_equal_tolerance`` ``0.005``                   relative tolerance of "=" targets without a
                                                       ``tolerance`` column (0.5 %)
``target_bound_tolerance`` ``0.0005``                  relative tolerance of "≥"/"≤" targets: plan
                                                       figures are quoted to ~4 significant digits
``supply_eps_mu``          ``1e-9``                    remaining land below this many mu counts as
                                                       exhausted (floating-point residue only)
``area_basis``             ``"ellipsoidal"``           ``"ellipsoidal"`` (the CRS's ellipsoid, the
                           (``ZONEPLAN_AREA_BASIS``)   national method of :mod:`zoneplan.measure`,
                                                       as 三调 TBMJ) or ``"planar"`` (Gauss–Krüger
                                                       plane): the basis of every area of a plan
                                                       whose ``meta["area_basis"]`` says nothing
                                                       (see "The area basis" below)
``progress``               ``None``                    progress bars: ``None`` on a terminal only
                           (``ZONEPLAN_PROGRESS``)     (never in CI or on a dumb terminal), ``True``
                                                       always, ``False`` never
``browser_path``           ``"/usr/bin/chromium"``     headless Chromium of the browser tests and
                           (``ZONEPLAN_CHROMIUM``)     benchmarks
``font``                   ``None``                    font family of Chinese text in print maps and
                           (``ZONEPLAN_FONT``)         charts; ``None`` takes the first installed of
                                                       :data:`zoneplan.maps.print.CJK_FONTS`
``layers_dir``             ``None``                    directory of the sample GeoPackages
                           (``ZONEPLAN_LAYERS``)       (:mod:`zoneplan.datasets`); ``None``: the
                                                       repository's ``layers/``
``tianditu_key``           ``None``                    Tianditu ``tk`` key of the ``tianditu``
                           (``ZONEPLAN_TIANDITU_KEY``) basemap
``debug``                  ``False``                   the CLI shows tracebacks instead of one-line
                           (``ZONEPLAN_DEBUG``)        errors
``cache_size``             ``4``                       how many per-year parcel states
                                                       (:mod:`zoneplan.state`) are kept
``threads``                ``None``                    threads of one ``analyze`` or ``check``: its
                           (``ZONEPLAN_THREADS``)      independent parts (rule families, indicators,
                                                       targets) run side by side; ``None``: the
                                                       cores the process may use, ``1``: one thread
                                                       (the answer is the same either way)
=========================  ==========================  =============================================

The area basis
--------------
Every area zoneplan reports — parcels, groups, remaining land, control-line conflicts, phases,
idle land, validation, diffs, solves, maps, reports — is measured on one basis per plan
(:func:`zoneplan.measure.basis_area_m2`): the plan's own ``meta["area_basis"]`` when it has one,
else this setting. The default is **ellipsoidal** because the natural-resources bureau reconciles
every figure with the 三调 / annual 变更调查 database, whose 图斑 area (TBMJ) is the ellipsoidal
area of 国土调查办发〔2008〕32号; planar figures there would be off by the Gauss–Krüger scale factor
(+0.034 % 1.3° from the central meridian — 22 mu on Linqing's 64,800 mu), more than the
bureau's own rounding. ``"planar"`` is for plans whose figures were measured in the plane (a
planning institute's CAD drawings): the bundled sample plans say ``area_basis = "planar"`` in
their metadata, because their published figures hold on the plane (``layers/README.md``). A
new plan made by ``zoneplan import`` records the basis in force when it was made, so its
figures never change with a colleague's setting.

Two facts of the environment are read here too, for the progress-bar rule: ``ci`` (the ``CI``
variable is set, as GitHub Actions and GitLab do) and ``dumb_terminal`` (``TERM=dumb``).

Examples
--------
>>> from zoneplan.settings import settings
>>> settings.area_tolerance_m2
1.0
>>> with settings.override(area_tolerance_m2=0.25):
...     settings.area_tolerance_m2
0.25
>>> settings.area_tolerance_m2
1.0
>>> settings.area_basis = "degrees"
Traceback (most recent call last):
...
ValueError: area_basis must be one of 'planar', 'ellipsoidal', not 'degrees'
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["AREA_BASES", "Settings", "area_basis_of", "settings"]

#: The two area bases (official areas in China are ellipsoidal; the working plane is Gauss–Krüger).
AREA_BASES: tuple[str, ...] = ("planar", "ellipsoidal")
_ON = {"1", "true", "on", "yes"}
_OFF = {"0", "false", "off", "no"}


def _flag(text: str) -> bool | None:
    value = text.strip().lower()
    return True if value in _ON else False if value in _OFF else None


def _positive(name: str) -> Callable[[Any], float]:
    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
            raise ValueError(f"{name} must be a number ≥ 0, not {value!r}")
        return float(value)

    return check


def _choice(name: str, choices: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in choices:
            raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, not {value!r}")
        return str(value)

    return check


def _optional_bool(name: str) -> Callable[[Any], bool | None]:
    def check(value: Any) -> bool | None:
        if value is not None and not isinstance(value, bool):
            raise ValueError(f"{name} must be True, False or None, not {value!r}")
        return value

    return check


def _optional_text(name: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if value is not None and not isinstance(value, (str, Path)):
            raise ValueError(f"{name} must be text or None, not {value!r}")
        return None if value is None else str(value)

    return check


def _bool(name: str) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be True or False, not {value!r}")
        return value

    return check


def _cache_size(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"cache_size must be an integer ≥ 0, not {value!r}")
    return value


def _threads(value: Any) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"threads must be an integer ≥ 1 or None, not {value!r}")
    return value


def _whole_number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        return text.strip()


@dataclass(frozen=True)
class _Option:
    default: Any
    check: Callable[[Any], Any]
    env: str | None = None
    parse: Callable[[str], Any] = str


_OPTIONS: dict[str, _Option] = {
    "area_tolerance_m2": _Option(1.0, _positive("area_tolerance_m2")),
    "target_equal_tolerance": _Option(0.005, _positive("target_equal_tolerance")),
    "target_bound_tolerance": _Option(0.0005, _positive("target_bound_tolerance")),
    "supply_eps_mu": _Option(1e-9, _positive("supply_eps_mu")),
    "area_basis": _Option("ellipsoidal", _choice("area_basis", AREA_BASES), "ZONEPLAN_AREA_BASIS", lambda s: s.strip().lower()),
    "progress": _Option(None, _optional_bool("progress"), "ZONEPLAN_PROGRESS", _flag),
    "browser_path": _Option("/usr/bin/chromium", _optional_text("browser_path"), "ZONEPLAN_CHROMIUM"),
    "font": _Option(None, _optional_text("font"), "ZONEPLAN_FONT"),
    "layers_dir": _Option(None, _optional_text("layers_dir"), "ZONEPLAN_LAYERS"),
    "tianditu_key": _Option(None, _optional_text("tianditu_key"), "ZONEPLAN_TIANDITU_KEY"),
    "debug": _Option(False, _bool("debug"), "ZONEPLAN_DEBUG", lambda s: bool(_flag(s)) if _flag(s) is not None else bool(s.strip())),
    "cache_size": _Option(4, _cache_size),
    "threads": _Option(None, _threads, "ZONEPLAN_THREADS", _whole_number),
}
_ENVIRONMENT_FACTS = {"ci": lambda: bool(os.environ.get("CI")), "dumb_terminal": lambda: os.environ.get("TERM") == "dumb"}


class Settings:
    """The settings object (one instance: :data:`settings`); see the module docstring.

    Read a setting as an attribute (``settings.font``) or with :meth:`get`; change it with an
    attribute assignment or :meth:`set`, for a block with :meth:`override`, back to its default
    with :meth:`reset`. Unknown names and wrong values raise at once.

    Examples
    --------
    >>> settings.area_tolerance_m2, "font" in settings.names()
    (1.0, True)
    >>> with settings.override(area_tolerance_m2=5.0, cache_size=0):  # for this block only
    ...     print(settings.area_tolerance_m2, settings.get("cache_size"))
    5.0 0
    >>> settings.area_tolerance_m2, settings.as_dict()["cache_size"]
    (1.0, 4)
    >>> settings.set(cache_size=-1)
    Traceback (most recent call last):
    ...
    ValueError: cache_size must be an integer ≥ 0, not -1
    """

    __slots__ = ("_overrides", "_values")

    def __init__(self) -> None:
        object.__setattr__(self, "_values", {})
        object.__setattr__(self, "_overrides", [])

    def names(self) -> tuple[str, ...]:
        """Names of all settings."""
        return tuple(_OPTIONS)

    def get(self, name: str) -> Any:
        """The value of setting ``name`` (override → session value → environment → default)."""
        option = _option(name)
        for layer in reversed(self._overrides):
            if name in layer:
                return layer[name]
        if name in self._values:
            return self._values[name]
        if option.env is not None:
            text = os.environ.get(option.env)
            if text is not None and text.strip():
                try:
                    return option.check(option.parse(text))
                except ValueError as exc:
                    raise ValueError(f"environment variable {option.env}: {exc}") from None
        return option.default

    def set(self, **values: Any) -> None:
        """Set settings for the rest of the session (``settings.set(font="Noto Sans CJK SC")``)."""
        checked = {name: _option(name).check(value) for name, value in values.items()}
        self._values.update(checked)

    def reset(self, *names: str) -> None:
        """Forget session values of ``names`` (all settings when none are named)."""
        for name in names or tuple(self._values):
            _option(name)
            self._values.pop(name, None)

    @contextlib.contextmanager
    def override(self, **values: Any) -> Iterator[Settings]:
        """Within the block the settings have these values; afterwards what they had before."""
        layer = {name: _option(name).check(value) for name, value in values.items()}
        self._overrides.append(layer)
        try:
            yield self
        finally:
            self._overrides.remove(layer)

    def as_dict(self) -> dict[str, Any]:
        """Every setting and its current value."""
        return {name: self.get(name) for name in _OPTIONS}

    @property
    def ci(self) -> bool:
        """True when running under continuous integration (the ``CI`` variable is set)."""
        return _ENVIRONMENT_FACTS["ci"]()

    @property
    def dumb_terminal(self) -> bool:
        """True when ``TERM=dumb`` (no cursor control: no progress bar)."""
        return _ENVIRONMENT_FACTS["dumb_terminal"]()

    def __getattr__(self, name: str) -> Any:
        if name in _OPTIONS:
            return self.get(name)
        raise AttributeError(f"zoneplan has no setting {name!r}; settings are {', '.join(_OPTIONS)}")

    def __setattr__(self, name: str, value: Any) -> None:
        self.set(**{name: value})

    def __dir__(self) -> list[str]:
        return [*super().__dir__(), *_OPTIONS]

    def __repr__(self) -> str:
        return "Settings(" + ", ".join(f"{k}={v!r}" for k, v in self.as_dict().items()) + ")"


def _option(name: str) -> _Option:
    try:
        return _OPTIONS[name]
    except KeyError:
        raise AttributeError(f"zoneplan has no setting {name!r}; settings are {', '.join(_OPTIONS)}") from None


#: The settings of this session.
settings = Settings()


def area_basis_of(meta: Mapping[str, object]) -> str:
    """The area basis of a plan whose metadata is ``meta``: its ``area_basis``, else ``settings.area_basis``.

    (:func:`zoneplan.measure.plan_area_basis` of a :class:`~zoneplan.plan.Plan`; here for the
    readers that have the metadata but no plan, such as ``zoneplan info``'s fast path.)

    Raises
    ------
    PlanError
        ``meta["area_basis"]`` is neither ``"planar"`` nor ``"ellipsoidal"``.

    Examples
    --------
    >>> with settings.override(area_basis="planar"):  # the session's basis, whatever $ZONEPLAN_AREA_BASIS says
    ...     print(area_basis_of({"area_basis": "ellipsoidal"}), area_basis_of({}))
    ellipsoidal planar
    """
    from zoneplan.errors import PlanError

    basis = meta.get("area_basis") or settings.area_basis
    if basis not in AREA_BASES:
        raise PlanError(f"plan meta area_basis is {basis!r}; expected one of {AREA_BASES}", rule="area-basis")
    return str(basis)
