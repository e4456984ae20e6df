"""Drive the real QGIS (Debian's PyQGIS, headless) for the tests: ``/usr/bin/python3 tests/qgis_client.py JOB.json``.

PyQGIS lives in Debian's Python, not in the project's virtualenv, so the tests run this script in
a subprocess (see :func:`run` in ``tests/test_qgis.py``). The job is a JSON object; the answer is
one JSON object printed on standard output. Jobs (``"action"``):

``open``
    ``layers``: ``[{"name", "source", "provider"}]`` → per layer: valid, feature count, geometry
    type, CRS, whether ``loadDefaultStyle`` found a style, renderer type and attribute, the
    category values and labels, and the GDAL warnings raised while opening (GeoPackage version …).
``edit``
    ``layer`` (a postgres source), ``key``/``value`` of the feature to change, ``changes``
    (field → value), ``add`` (attributes of a new feature) and ``wkt`` (its geometry): QGIS edits
    and commits as a user would in the attribute table and with "Add polygon feature".
``raster``
    ``path`` of a classified GeoTIFF → its default renderer and, for a paletted one, the classes
    (value, label) QGIS's legend shows.
``render``
    ``layers`` as for ``open``, ``png`` path, ``size``: renders the layers with their default
    styles (topmost first) to a PNG; returns the distinct colours (``#rrggbb``) of every other pixel.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# PyQGIS and Debian's GDAL bindings are imported in main(): this file is also imported (and finds
# no doctests) by the project's pytest run under the virtualenv, which has neither.
gdal = qc = QSize = QColor = None


def _import_qgis() -> None:
    global gdal, qc, QSize, QColor
    from osgeo import gdal
    from qgis import core as qc
    from qgis.PyQt.QtCore import QSize
    from qgis.PyQt.QtGui import QColor


WARNINGS: list[str] = []


def _gdal_handler(level: int, number: int, message: str) -> None:
    if level >= gdal.CE_Warning:
        WARNINGS.append(message)


def open_layer(spec: dict) -> qc.QgsVectorLayer:
    return qc.QgsVectorLayer(spec["source"], spec["name"], spec["provider"])


def describe(spec: dict) -> dict:
    WARNINGS.clear()
    layer = open_layer(spec)
    out: dict = {"name": spec["name"], "valid": layer.isValid()}
    if not layer.isValid():
        out["error"] = layer.error().summary()
        return out
    message, found = layer.loadDefaultStyle()
    renderer = layer.renderer()
    out.update(
        count=layer.featureCount(),
        wkb_type=qc.QgsWkbTypes.displayString(layer.wkbType()),
        crs=layer.crs().authid(),
        style_found=bool(found),
        style_message=message,
        renderer=renderer.type(),
        attribute=renderer.classAttribute() if hasattr(renderer, "classAttribute") else None,
        categories=[c.value() for c in renderer.categories()] if renderer.type() == "categorizedSymbol" else [],
        labels=[c.label() for c in renderer.categories()] if renderer.type() == "categorizedSymbol" else [],
        fields={f.name(): f.typeName() for f in layer.fields()},
        gdal_warnings=list(WARNINGS),
    )
    return out


def edit(job: dict) -> dict:
    layer = open_layer(job["layer"])
    if not layer.isValid():
        return {"ok": False, "error": layer.error().summary()}
    fields = layer.fields()
    target = next(f for f in layer.getFeatures() if f[job["key"]] == job["value"])
    layer.startEditing()
    for field, value in job["changes"].items():
        layer.changeAttributeValue(target.id(), fields.indexOf(field), value)
    feature = qc.QgsFeature(fields)
    for field, value in job["add"].items():
        feature[field] = value
    feature.setGeometry(qc.QgsGeometry.fromWkt(job["wkt"]))
    added = layer.addFeature(feature)
    ok = layer.commitChanges()
    return {"ok": bool(ok and added), "errors": layer.commitErrors(), "count": layer.featureCount()}


def raster(job: dict) -> dict:
    layer = qc.QgsRasterLayer(job["path"], "raster", "gdal")
    if not layer.isValid():
        return {"valid": False, "error": layer.error().summary()}
    renderer = layer.renderer()
    classes = [[c.value, c.label] for c in renderer.classes()] if renderer.type() == "paletted" else []
    legend = [item[0] for item in renderer.legendSymbologyItems()]
    return {"valid": True, "renderer": renderer.type(), "classes": classes, "legend": legend, "crs": layer.crs().authid()}


def render(job: dict) -> dict:
    layers = [open_layer(spec) for spec in job["layers"]]
    for layer in layers:
        layer.loadDefaultStyle()
    extent = qc.QgsRectangle()
    for layer in layers:
        extent.combineExtentWith(layer.extent())
    extent.scale(1.05)
    settings = qc.QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(layers[0].crs())
    settings.setExtent(extent)
    settings.setOutputSize(QSize(*job["size"]))
    settings.setBackgroundColor(QColor(255, 255, 255))
    render_job = qc.QgsMapRendererParallelJob(settings)
    render_job.start()
    render_job.waitForFinished()
    image = render_job.renderedImage()
    image.save(job["png"], "PNG")
    colours = {QColor(image.pixel(x, y)).name() for x in range(0, image.width(), 2) for y in range(0, image.height(), 2)}
    return {"png": job["png"], "colours": sorted(colours), "width": image.width(), "height": image.height()}


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as fh:
        job = json.load(fh)
    _import_qgis()
    gdal.PushErrorHandler(_gdal_handler)
    app = qc.QgsApplication([], False)
    app.initQgis()
    qc.QgsApplication.messageLog().messageReceived.connect(lambda message, tag, level: WARNINGS.append(f"{tag}: {message}") if level >= 1 else None)
    try:
        if job["action"] == "open":
            result: dict = {"layers": [describe(spec) for spec in job["layers"]]}
        elif job["action"] == "edit":
            result = edit(job)
        elif job["action"] == "raster":
            result = raster(job)
        elif job["action"] == "render":
            result = render(job)
        else:
            raise SystemExit(f"unknown action {job['action']!r}")
        result["qgis"] = app.applicationVersion() if hasattr(app, "applicationVersion") else ""
        sys.stdout.write(json.dumps(result, ensure_ascii=False, default=str) + "\n")
    finally:
        app.exitQgis()


if __name__ == "__main__":
    main()
