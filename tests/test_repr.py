"""A Plan shows itself: a one-line repr, and an HTML table in notebooks (layers, counts, areas, CRS), escaped."""

from __future__ import annotations

from html.parser import HTMLParser

from zoneplan import datasets
from zoneplan.measure import ellipsoidal_area_m2
from zoneplan.units import M2_PER_MU


class _Cells(HTMLParser):
    """Rows of every table of a fragment, as lists of cell texts; and every start tag seen."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.tags: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _parse(text: str) -> _Cells:
    p = _Cells()
    p.feed(text)
    return p


def test_repr_is_one_line_with_layers_tables_and_crs():
    plan = datasets.load("linqing")
    assert (
        repr(plan)
        == "Plan('linqing', EPSG:4548, zones=1, districts=2, parks=8, parcels=1087, control_lines=3, admin_boundaries=1; tables targets=15, quotas=5)"
    )


def test_html_has_a_row_per_layer_with_count_and_area_in_mu():
    plan = datasets.load("zhangdian")
    cells = _parse(plan._repr_html_())
    header, *rows = [r for r in cells.rows if r]
    assert header[:2] == ["layer", "features"]
    assert header[2:] == ["area (mu), planar (Gauss–Krüger plane)", "area (mu), ellipsoidal (椭球面积)"]
    by_layer = {r[0]: r for r in rows if r[0] in plan.layers}
    assert list(by_layer) == list(plan.layers)
    for name, gdf in plan.layers.items():
        assert by_layer[name][1] == f"{len(gdf):,}"
        assert by_layer[name][2] == f"{gdf.area.sum() / M2_PER_MU:,.2f}"
        assert by_layer[name][3] == f"{ellipsoidal_area_m2(gdf).sum() / M2_PER_MU:,.2f}"
        # Zhangdian lies 1° east of the zone's central meridian: the ellipsoidal area is the smaller
        assert float(by_layer[name][3].replace(",", "")) < float(by_layer[name][2].replace(",", ""))
    assert by_layer["phases"][2] == f"{1022 + 1872 + 1400:,}.00"  # the published phase areas
    text = plan._repr_html_()
    assert "EPSG:4548 — CGCS2000 / 3-degree Gauss-Kruger CM 117E" in text


def test_text_from_the_plan_is_escaped():
    plan = datasets.load("zhangdian")
    hostile = plan.with_meta(name="<script>alert(1)</script>", title="a & <b>b</b>")
    phases = plan.phases
    hostile = hostile.with_layer("<img src=x onerror=alert(1)>", phases)
    text = hostile._repr_html_()
    cells = _parse(text)
    assert "script" not in cells.tags and "img" not in cells.tags and "b" not in cells.tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "a &amp; &lt;b&gt;b&lt;/b&gt;" in text
    assert next(r for r in cells.rows if r and r[0].startswith("<img"))[:2] == ["<img src=x onerror=alert(1)>", "3"]
