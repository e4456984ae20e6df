"""The plan: named GIS layers plus targets, quotas and other tables, in one projected CRS.

A :class:`Plan` is an immutable-by-convention value: methods that change it return a new plan,
so a scenario can never modify its base. Plans are stored as one GeoPackage each
(:mod:`zoneplan.io.gpkg`); every layer is an ordinary GeoPackage layer that opens in QGIS.

Examples
--------
>>> from zoneplan import datasets
>>> plan = Plan.read(datasets.get_path("zhangdian"))
>>> plan.crs.to_epsg()
4548
>>> round(float(plan.phases.area.sum()) / (10000 / 15))  # the three phases: 1022 + 1872 + 1400 mu
4294
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyproj

from zoneplan._names import check_name
from zoneplan.crs import gk_crs_for, require_projected
from zoneplan.errors import CRSError, PlanError
from zoneplan.layers import LAYERS, TABLES, conform_layer, conform_table, empty_layer, empty_table

__all__ = ["Plan"]


@dataclass(frozen=True, eq=False, repr=False)
class Plan:
    """A development-zone plan.

    Parameters
    ----------
    layers
        Layer name → GeoDataFrame of polygons. Known names (``zones``, ``districts``, ``parks``,
        ``phases``, ``parcels``, ``control_lines``) follow :data:`zoneplan.layers.LAYERS`; other
        layers are carried along.
    tables
        Table name → DataFrame (``targets``, ``quotas``, and any other).
    crs
        Working CRS (projected, metres). Default: the CRS of the first projected layer, or the
        CGCS2000 Gauss–Krüger zone covering the data. All layers are reprojected to it.
    meta
        Plan-level metadata (``name``, ``title``, ``source``, …), stored in the GeoPackage.
    layer_meta
        Layer name → metadata dict (source document, figure, "illustrative geometry" …).

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from zoneplan import datasets
    >>> plan = datasets.load("zhangdian")
    >>> plan
    Plan('zhangdian', EPSG:4548, zones=1, phases=3, parcels=369, named_roads=5, admin_boundaries=1; tables targets=1)
    >>> plan.phases["phase_id"].tolist(), plan.table("targets")["metric"].tolist()
    (['zhangdian-phase-1', 'zhangdian-phase-2', 'zhangdian-phase-3'], ['parcel_min_far'])
    >>> zone = gpd.GeoDataFrame({"zone_id": ["demo"], "name": ["示范区"]}, geometry=[shapely.box(117.95, 36.80, 117.97, 36.82)], crs=4490)
    >>> Plan({"zones": zone}).crs.to_epsg()  # lon-lat input goes to its CGCS2000 Gauss–Krüger zone
    4548
    """

    layers: Mapping[str, gpd.GeoDataFrame] = field(default_factory=dict)
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    # None (the default) means "choose one"; after construction ``crs`` is always a projected CRS
    crs: pyproj.CRS = None  # type: ignore[assignment]
    meta: Mapping[str, str] = field(default_factory=dict)
    layer_meta: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        crs = self._choose_crs()
        layers = {}
        for name, gdf in self.layers.items():
            if not isinstance(gdf, gpd.GeoDataFrame):
                raise PlanError(f"layer {name!r} is a {type(gdf).__name__}, not a GeoDataFrame", layer=name)
            if gdf.crs is None:
                raise CRSError("layer has no CRS", layer=name, rule="crs")
            layers[name] = conform_layer(gdf.to_crs(crs) if gdf.crs != crs else gdf, name)
        object.__setattr__(self, "crs", crs)
        object.__setattr__(self, "layers", layers)
        object.__setattr__(self, "tables", {k: conform_table(v, k) for k, v in self.tables.items()})
        object.__setattr__(self, "meta", dict(self.meta))
        object.__setattr__(self, "layer_meta", {k: dict(v) for k, v in self.layer_meta.items()})

    def _choose_crs(self) -> pyproj.CRS:
        if self.crs is not None:
            crs = pyproj.CRS.from_user_input(self.crs)
            if crs.is_geographic:
                raise CRSError(f"a plan's CRS must be projected, not {crs.to_string()}", rule="projected-crs")
            return crs
        with_crs = [g for g in self.layers.values() if len(g) and g.crs is not None]
        projected = [g.crs for g in with_crs if not g.crs.is_geographic]
        if projected:
            return pyproj.CRS.from_user_input(projected[0])
        if with_crs:
            return gk_crs_for(pd.concat([g.geometry.to_crs(4490) for g in with_crs]))
        return pyproj.CRS.from_epsg(4548)

    # -- access -----------------------------------------------------------------------------
    def __getitem__(self, name: str) -> gpd.GeoDataFrame:
        """Layer ``name``; a known layer the plan lacks comes back empty with its columns."""
        if name in self.layers:
            return self.layers[name]
        if name in LAYERS:
            return empty_layer(name, self.crs)
        raise PlanError(f"plan has no layer {name!r}; it has {sorted(self.layers)}", layer=name)

    def __contains__(self, name: object) -> bool:
        return name in self.layers

    def table(self, name: str) -> pd.DataFrame:
        """Table ``name``; a known table the plan lacks comes back empty with its columns."""
        if name in self.tables:
            return self.tables[name]
        if name in TABLES:
            return empty_table(name)
        raise PlanError(f"plan has no table {name!r}; it has {sorted(self.tables)}", layer=name)

    zones = property(lambda self: self["zones"], doc="The ``zones`` layer.")
    districts = property(lambda self: self["districts"], doc="The ``districts`` layer.")
    parks = property(lambda self: self["parks"], doc="The ``parks`` layer.")
    phases = property(lambda self: self["phases"], doc="The ``phases`` layer.")
    parcels = property(lambda self: self["parcels"], doc="The ``parcels`` layer.")
    control_lines = property(lambda self: self["control_lines"], doc="The ``control_lines`` layer.")
    targets = property(lambda self: self.table("targets"), doc="The ``targets`` table.")
    quotas = property(lambda self: self.table("quotas"), doc="The ``quotas`` table.")

    @property
    def name(self) -> str:
        """The plan's name (``meta['name']``), or ``"plan"``."""
        return self.meta.get("name", "plan")

    def __repr__(self) -> str:
        from zoneplan._repr import plan_repr

        return plan_repr(self)

    def _repr_html_(self) -> str:
        """The plan in a notebook: per layer the features and area in mu on each area basis, the tables and the CRS.

        Examples
        --------
        >>> from zoneplan import datasets
        >>> "<td style='text-align:left'>phases</td><td style='text-align:right'>3</td>" in datasets.load("zhangdian")._repr_html_()
        True
        """
        from zoneplan._repr import plan_html

        return plan_html(self)

    # -- derivation ---------------------------------------------------------------------------
    def with_layer(self, name: str, gdf: gpd.GeoDataFrame, *, meta: Mapping[str, str] | None = None) -> Plan:
        """A new plan with layer ``name`` replaced (or added); a name with a hidden character is refused."""
        check_name(name, what="layer name")
        layer_meta = dict(self.layer_meta)
        if meta is not None:
            layer_meta[name] = dict(meta)
        return Plan({**self.layers, name: gdf}, self.tables, crs=self.crs, meta=self.meta, layer_meta=layer_meta)

    def with_table(self, name: str, df: pd.DataFrame) -> Plan:
        """A new plan with table ``name`` replaced (or added); a name with a hidden character is refused."""
        check_name(name, what="table name")
        return Plan(self.layers, {**self.tables, name: df}, crs=self.crs, meta=self.meta, layer_meta=self.layer_meta)

    def with_meta(self, **meta: str) -> Plan:
        """A new plan with plan-level metadata updated."""
        return Plan(self.layers, self.tables, crs=self.crs, meta={**self.meta, **meta}, layer_meta=self.layer_meta)

    # -- storage ------------------------------------------------------------------------------
    @classmethod
    def read(cls, path: str | Path) -> Plan:
        """Read a plan from a GeoPackage path (or a database URI where a backend supports it)."""
        from zoneplan.io import read_plan

        return read_plan(path)

    def write(self, path: str | Path) -> None:
        """Write the plan atomically: an interrupted write leaves the previous plan intact."""
        from zoneplan.io import write_plan

        write_plan(self, path)

    def summary(self) -> pd.DataFrame:
        """Per layer: feature count, planar area in m², mu, ha and km², and ellipsoidal area (椭球面积) in m² and mu."""
        from zoneplan.measure import areas, ellipsoidal_area_m2
        from zoneplan.units import M2_PER_MU

        rows = []
        for name, gdf in self.layers.items():
            require_projected(gdf)
            total = areas(gdf).sum() if len(gdf) else pd.Series(0.0, index=["area_m2", "area_mu", "area_ha", "area_km2"])
            ellipsoidal = float(ellipsoidal_area_m2(gdf).sum()) if len(gdf) else 0.0
            rows.append(
                {"layer": name, "count": len(gdf), **total.to_dict(), "ellipsoidal_area_m2": ellipsoidal, "ellipsoidal_area_mu": ellipsoidal / M2_PER_MU}
            )
        return pd.DataFrame(rows, columns=["layer", "count", "area_m2", "area_mu", "area_ha", "area_km2", "ellipsoidal_area_m2", "ellipsoidal_area_mu"])
