"""CAD drawings (DXF) from design institutes, read with their arcs, labels and units.

What a 总图 really holds, and how each is read:

* **Boundaries** — closed LWPOLYLINE / POLYLINE (with **bulges**: arc segments), CIRCLE, HATCH
  boundary paths, and rings assembled from LINE, ARC and open polylines. Arcs are kept as arcs:
  sampled on the true circle so that no chord lies more than :data:`ARC_TOLERANCE_M` from it,
  which keeps the area within 0.01 % of the exact value for any parcel-sized arc (HATCH edges go
  through ezdxf's Bézier paths, within 0.03 % of the radius).
* **Open polylines** — a polyline that is not closed is reported by its handle with the gap
  between its ends; ``close_gaps=TOL`` closes those whose gap is at most TOL metres. None is
  dropped without a note.
* **Labels** — TEXT and MTEXT (on any layer, or only ``label_layer``) are matched to the smallest
  polygon containing their insertion point. Each text layer becomes a column named after the
  layer (parcel numbers on a layer 编号 give a column ``编号``, so ``--map 编号=parcel_id``
  works); ``label`` holds the first label found.
* **Block attributes** — INSERTs with attributes (ATTRIB) give one column per tag, on the polygon
  containing the insertion point.
* **The drawing frame** — a polygon that contains every other polygon (图框 / 红线范围) is left out
  with a note.
* **Sidecar table** — ``NAME.csv`` or ``NAME.xlsx`` beside ``NAME.dxf`` is joined on ``label``.
* **Units** — ``$INSUNITS`` is honoured (mm, cm, m, km, inches, feet); coordinates come out in
  metres. A drawing without units is read as metres, with a note.

A DXF carries no CRS: the caller names it.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from zoneplan.errors import InputError

__all__ = ["ARC_TOLERANCE_M", "INSUNITS_M", "read_dxf"]

#: Largest distance between a densified arc and the true arc, in metres (points lie on the arc).
ARC_TOLERANCE_M = 0.001

#: ``$INSUNITS`` code → metres per drawing unit (0 = unitless, read as metres).
INSUNITS_M: dict[int, float] = {0: 1.0, 1: 0.0254, 2: 0.3048, 4: 0.001, 5: 0.01, 6: 1.0, 7: 1000.0, 14: 0.1}


def _points(entity, sagitta: float) -> np.ndarray:
    """WCS x, y of an entity's outline, arcs sampled on the true circle (chords at most ``sagitta`` from it)."""
    kind = entity.dxftype()
    if kind in ("CIRCLE", "ARC"):
        return np.array([(v.x, v.y) for v in entity.flattening(sagitta)])
    if kind == "LINE":
        return np.array([(entity.dxf.start.x, entity.dxf.start.y), (entity.dxf.end.x, entity.dxf.end.y)])
    start = next(iter(entity.vertices_in_wcs() if kind == "LWPOLYLINE" else entity.points_in_wcs()))
    out = [np.array([start.x, start.y])]
    for part in entity.virtual_entities():  # LINE and ARC pieces (bulges), in the polyline's order
        pts = _points(part, sagitta)
        if np.hypot(*(pts[-1] - out[-1])) < np.hypot(*(pts[0] - out[-1])):
            pts = pts[::-1]  # an ARC always runs counter-clockwise; a negative bulge runs the other way
        out.extend(pts[1:])
    return np.array(out)


def _hatch_rings(entity, distance: float) -> list[np.ndarray]:
    from ezdxf import path

    return [np.array([(v.x, v.y) for v in p.flattening(distance, segments=16)]) for p in path.from_hatch(entity)]


def _linework(pieces, *, scale: float, close_gaps: float | None, add) -> list[str]:
    """Close open polylines across small gaps, assemble rings from lines and arcs, report the rest."""
    notes = []
    rest = []
    for pts, handle, layer, kind in pieces:
        gap = float(np.hypot(*(pts[-1] - pts[0]))) * scale
        if kind in ("LWPOLYLINE", "POLYLINE") and close_gaps is not None and len(pts) >= 3 and gap <= close_gaps:
            add(pts, layer, handle)
            notes.append(f"open polyline {handle} (layer {layer}) closed across a {gap:.3f} m gap")
        else:
            rest.append((pts, handle, layer, kind, gap))
    if not rest:
        return notes
    grid = 1e-6 / scale  # arc ends computed from centre and angle meet line ends typed in CAD
    strings = shapely.set_precision(np.array([shapely.LineString(r[0]) for r in rest]), grid)
    faces = np.asarray(shapely.get_parts(shapely.polygonize(shapely.get_parts(shapely.union_all(strings)))))
    used = np.zeros(len(rest), dtype=bool)
    if len(faces):
        face_idx, piece_idx = shapely.STRtree(strings).query(shapely.buffer(shapely.boundary(faces), grid), predicate="contains")
        used[piece_idx] = True
        for f, face in enumerate(faces):
            members = [rest[i] for i in piece_idx[face_idx == f]]
            add(face, members[0][2] if members else rest[0][2], "+".join(m[1] for m in members))
        notes.append(f"{len(faces)} boundary(ies) assembled from {int(used.sum())} lines, arcs and open polylines")
    for (_, handle, layer, kind, gap), u in zip(rest, used):
        if not u and kind in ("LWPOLYLINE", "POLYLINE"):
            notes.append(f"open polyline {handle} (layer {layer}) not read: its ends are {gap:.3f} m apart (use --close-gaps {gap:.3f} to close it)")
    loose = int((~used & np.array([r[3] in ("LINE", "ARC") for r in rest])).sum())
    if loose:
        notes.append(f"{loose} line(s)/arc(s) belong to no closed boundary")
    return notes


def _text(entity) -> str:
    return (entity.plain_text() if entity.dxftype() == "MTEXT" else entity.dxf.text).strip()


def read_dxf(
    path: str | os.PathLike,
    *,
    cad_layer: str | None = None,
    label_layer: str | None = None,
    close_gaps: float | None = None,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Read the polygons of a DXF drawing with their labels and attributes.

    Parameters
    ----------
    path
        The ``.dxf`` file.
    cad_layer
        Read boundaries from this CAD layer only (labels and attributes come from any layer).
    label_layer
        Read TEXT/MTEXT labels from this layer only.
    close_gaps
        Close open polylines whose ends are at most this many metres apart.

    Returns
    -------
    (geopandas.GeoDataFrame, list of str)
        Polygons in metres (no CRS) with ``cad_layer``, ``cad_handle``, ``label``, one column per
        text layer and per attribute tag; and the notes on what was closed, reported or left out.

    Raises
    ------
    zoneplan.errors.InputError
        When the file cannot be read or holds no closed boundary.

    Examples
    --------
    >>> import tempfile, ezdxf
    >>> doc = ezdxf.new(units=6)
    >>> pl = doc.modelspace().add_lwpolyline([(0, 0, 0, 0, 1), (100, 0), (100, 100), (0, 100)], format="xyseb", close=True)
    >>> doc.saveas(Path(tempfile.mkdtemp()) / "arc.dxf")
    >>> gdf, notes = read_dxf(Path(doc.filename))
    >>> float(round(gdf.geometry.area.iloc[0] / (10_000 + np.pi * 50**2 / 2), 4))  # square + half disc bulging south
    1.0
    """
    import ezdxf
    from ezdxf import recover

    path = Path(path)
    try:
        doc, _ = recover.readfile(str(path))
    except (OSError, ezdxf.DXFStructureError) as exc:
        raise InputError(f"cannot read DXF: {exc}", file=path) from None
    notes: list[str] = []
    units = int(doc.header.get("$INSUNITS", 0) or 0)
    if units not in INSUNITS_M:
        raise InputError(f"drawing units $INSUNITS={units} are not a length zoneplan knows", file=path, rule="dxf-units")
    scale = INSUNITS_M[units]
    if units == 0:
        notes.append("the drawing has no units ($INSUNITS 0): read as metres")
    elif scale != 1.0:
        notes.append(f"drawing units $INSUNITS={units}: coordinates × {scale:g} to metres")
    distance = ARC_TOLERANCE_M / scale

    polygons: list[shapely.Polygon] = []
    layers: list[str] = []
    handles: list[str] = []
    pieces: list[tuple[np.ndarray, str, str, str]] = []  # open linework: points, handle, layer, kind
    texts, inserts = [], []

    def _add(ring: np.ndarray | shapely.Polygon, layer: str, handle: str) -> None:
        polygons.append(shapely.Polygon(ring * scale) if isinstance(ring, np.ndarray) else shapely.transform(ring, lambda c: c * scale))
        layers.append(layer)
        handles.append(handle)

    for e in doc.modelspace():
        kind, layer = e.dxftype(), e.dxf.layer
        if kind in ("TEXT", "MTEXT"):
            if label_layer is None or layer == label_layer:
                texts.append((layer, _text(e), e.dxf.insert.x, e.dxf.insert.y))
            continue
        attribs = getattr(e, "attribs", None) if kind == "INSERT" else None
        if attribs:
            inserts.append(({a.dxf.tag: a.dxf.text.strip() for a in attribs}, e.dxf.insert.x, e.dxf.insert.y))
            continue
        if cad_layer is not None and layer != cad_layer:
            continue
        if kind == "HATCH":
            for ring in _hatch_rings(e, distance):
                _add(ring, layer, e.dxf.handle)
        elif kind == "CIRCLE" or (kind in ("LWPOLYLINE", "POLYLINE") and getattr(e, "is_closed", False)):
            _add(_points(e, distance), layer, e.dxf.handle)
        elif kind in ("LWPOLYLINE", "POLYLINE", "LINE", "ARC"):
            pieces.append((_points(e, distance), e.dxf.handle, layer, kind))
    if pieces:
        notes.extend(_linework(pieces, scale=scale, close_gaps=close_gaps, add=_add))

    if not polygons:
        where = f" on CAD layer {cad_layer!r}" if cad_layer else ""
        raise InputError(f"no closed boundaries (polylines, circles, hatches){where}; {'; '.join(notes)}", file=path, rule="dxf")
    gdf = gpd.GeoDataFrame({"cad_layer": layers, "cad_handle": handles}, geometry=polygons)

    # the drawing frame: a polygon containing every other one
    if len(gdf) > 2:
        points = gdf.geometry.representative_point()
        area = gdf.geometry.area
        biggest = int(area.to_numpy().argmax())
        others = np.arange(len(gdf)) != biggest
        if shapely.covers(gdf.geometry.iloc[biggest], points[others].to_numpy()).all():
            frame = gdf.iloc[biggest]
            notes.append(
                f"drawing frame {frame['cad_handle']} (layer {frame['cad_layer']}, {area.iloc[biggest]:,.0f} m²) contains every other boundary: left out"
            )
            gdf = gdf[others].reset_index(drop=True)

    def _smallest_containing(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        pts = shapely.points(np.column_stack([xs, ys]) * scale)
        pt_idx, poly_idx = gdf.sindex.query(pts, predicate="within")
        match = np.full(len(pts), -1)
        if len(pt_idx):
            order = pd.DataFrame({"pt": pt_idx, "poly": poly_idx, "area": gdf.geometry.area.to_numpy()[poly_idx]}).sort_values("area", kind="stable")
            first = order.drop_duplicates("pt")
            match[first["pt"].to_numpy()] = first["poly"].to_numpy()
        return match

    if texts:
        t = pd.DataFrame(texts, columns=["layer", "text", "x", "y"])
        t["poly"] = _smallest_containing(t["x"].to_numpy(), t["y"].to_numpy())
        outside = t[t["poly"] < 0]
        if len(outside):
            notes.append(f"{len(outside)} label(s) outside every boundary not used: {', '.join(outside['text'].head(5))}")
        t = t[t["poly"] >= 0]
        gdf["label"] = pd.Series(t.drop_duplicates("poly").set_index("poly")["text"]).reindex(gdf.index).astype("string")
        for layer, group in t.groupby("layer", sort=False):
            if layer not in gdf.columns:
                gdf[layer] = group.drop_duplicates("poly").set_index("poly")["text"].reindex(gdf.index).astype("string")
    if inserts:
        a = pd.DataFrame([tags for tags, _, _ in inserts])
        a["poly"] = _smallest_containing(np.array([x for _, x, _ in inserts]), np.array([y for _, _, y in inserts]))
        a = a[a["poly"] >= 0].drop_duplicates("poly").set_index("poly")
        for tag in a.columns:
            if tag not in gdf.columns:
                gdf[tag] = a[tag].reindex(gdf.index).astype("string")
    sidecar = next((p for p in (path.with_suffix(".csv"), path.with_suffix(".xlsx")) if p.exists()), None)
    if sidecar is not None and "label" in gdf.columns:
        table = pd.read_csv(sidecar, dtype=str, encoding="utf-8-sig") if sidecar.suffix == ".csv" else pd.read_excel(sidecar, dtype=str)
        key = "label" if "label" in table.columns else table.columns[0]
        table = table.rename(columns={key: "label"})
        gdf = gdf.merge(table, on="label", how="left")
        notes.append(f"attributes joined from {sidecar.name} on the label")
    return gdf, notes
