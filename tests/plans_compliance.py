"""A hand-built plan with known violations for the compliance tests; every expected figure is worked out here.

Layout (metres east/north of (X0, Y0) near Linqing, EPSG:4548); zone Z1 is 2000 m × 1000 m.

===== ======== ======================= ========================================================
id    code     geometry                planted (or deliberately absent) finding
===== ======== ======================= ========================================================
A     100101   box(0, 0, 200, 200)     red line R1 (10 × 100) + R2 (50 × 50, with R3 inside R2):
                                       overlap exactly 1000 + 2500 = 3500 m²; FAR exactly 2.0
B     100102   box(300, 0, 200, 200)   FAR 1.99 (floor 79 600 m²); red-line sliver R4 0.5 m²
                                       (under the 1 m² tolerance); built 2024 > PH1 end 2023
C     0701     box(0, 300, 200, 180)   residential receptor, 100 m from D
D     100103   box(300, 300, 200, 180) farmland F1 overlap 50 × 80 = 4000 m²; class-3 source:
                                       100 m from C, 50 m from E; no floor area → FAR cannot judge
E     070102   box(550, 300, 50, 50)   receptor, 50 m from D
G     0901     box(600, 390, 100, 100) top edge exactly on the urban development boundary: inside
H     0901     box(750, 391, 100, 100) 1 m over the boundary: 100 m² outside
K     1207     box(940, 100, 100, 100) spans boundary polygons U1 and U2: inside (union)
W     0101     box(1500, 600, 100, 100) cropland under red line R5 and outside the boundary: no
                                       finding (not construction land)
N     100101   box(1300, 0, 100, 100)  env_risk_class 4, 50 m from school S; FAR 2.5
S     080403   box(1300, 150, 100, 100) school (receptor)
N2    100101   box(1450, 150, 50, 50)  env_risk_class 3, 50 m from S: not a source
M     100103   box(1700, 0, 200, 200)  class-3, far from receptors; project "existing": not judged
I     100102   box(1100, 350, 100, 100) supplied 2019, agreed start 2020-01-01, never started:
                                       idle as of 2024-12-31 (5.0 years since the agreed start); no floor area → cannot judge
===== ======== ======================= ========================================================

Phases: PH1 box(0, 0, 1000, 400) = 600 mu, target 600 (ok), end 2023; PH2 box(1000, 0, 1000, 300) =
450 mu, target 453 (−0.66 %, within 1 %), end 2030; PH3 box(−10, 500, 500, 200) = 150 mu, target 148
(+1.35 %: violation) reaching 10 × 200 = 2000 m² outside the zone.

New construction land (supplied_year) per year, in mu: 2015 M 60; 2018 A 60; 2019 C 54 + E 3.75 +
I 15 = 72.75; 2020 B 60 + K 15 = 75; 2021 N 15 + S 15 + N2 3.75 = 33.75; 2022 D 54. Quotas 2019–2022:
100, 50, 40, 54 → 2020 exceeds by exactly 25 mu; cumulative balance 27.25, 2.25, 8.5, 8.5.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import shapely

from zoneplan.plan import Plan

X0, Y0 = 384_000.0, 4_080_000.0


def box(x: float, y: float, w: float, h: float) -> shapely.Polygon:
    """A w × h metre rectangle with its south-west corner at (X0 + x, Y0 + y)."""
    return shapely.box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h)


PARCELS = [
    # id, code, geometry, status, supplied, built, planned, floor m2, project, env risk, agreed start, started
    ("A", "100101", box(0, 0, 200, 200), "built", 2018, 2019, None, 80_000.0, "new", None, None, None),
    ("B", "100102", box(300, 0, 200, 200), "built", 2020, 2024, None, 79_600.0, "renovated", None, None, None),
    ("C", "0701", box(0, 300, 200, 180), "built", 2019, 2020, None, 50_000.0, None, None, None, None),
    ("D", "100103", box(300, 300, 200, 180), "supplied", 2022, None, 2023, None, "new", None, "2023-03-01", "2023-05-01"),
    ("E", "070102", box(550, 300, 50, 50), "built", 2019, 2020, None, 5_000.0, None, None, None, None),
    ("G", "0901", box(600, 390, 100, 100), "ready", None, None, 2026, None, None, None, None, None),
    ("H", "0901", box(750, 391, 100, 100), "ready", None, None, 2026, None, None, None, None, None),
    ("K", "1207", box(940, 100, 100, 100), "built", 2020, 2021, None, None, None, None, None, None),
    ("W", "0101", box(1500, 600, 100, 100), "unbuildable", None, None, None, None, None, None, None, None),
    ("N", "100101", box(1300, 0, 100, 100), "built", 2021, 2022, None, 25_000.0, "new", 4, None, None),
    ("S", "080403", box(1300, 150, 100, 100), "built", 2021, 2022, None, 8_000.0, None, None, None, None),
    ("N2", "100101", box(1450, 150, 50, 50), "built", 2021, 2022, None, None, "existing", 3, None, None),
    ("M", "100103", box(1700, 0, 200, 200), "built", 2015, 2016, None, None, "existing", None, None, None),
    ("I", "100102", box(1100, 350, 100, 100), "supplied", 2019, None, 2025, None, "new", None, "2020-01-01", None),
]

CONTROL_LINES = [
    ("ecological_redline", "R1", box(190, 0, 20, 100)),
    ("ecological_redline", "R2", box(150, 150, 60, 60)),
    ("ecological_redline", "R3", box(150, 150, 30, 30)),
    ("ecological_redline", "R4", box(499.5, 0, 10, 1)),
    ("ecological_redline", "R5", box(1500, 600, 100, 100)),
    ("basic_farmland", "F1", box(450, 400, 100, 100)),
    ("urban_development_boundary", "U1", box(0, 0, 1000, 490)),
    ("urban_development_boundary", "U2", box(1000, 0, 1000, 490)),
]


def compliance_plan() -> Plan:
    """The plan of the module docstring, with FAR ≥ 2.0 switched on for zone Z1 by a target row."""
    cols = [
        "parcel_id",
        "landuse_code",
        "geometry",
        "status",
        "supplied_year",
        "built_year",
        "planned_year",
        "floor_area_m2",
        "project",
        "env_risk_class",
        "agreed_start_date",
        "started_date",
    ]
    frame = pd.DataFrame(PARCELS, columns=cols)
    parcels = gpd.GeoDataFrame(frame.drop(columns="geometry").assign(zone_id="Z1"), geometry=list(frame["geometry"]), crs=4548)
    zones = gpd.GeoDataFrame({"zone_id": ["Z1"], "name": ["测试开发区"]}, geometry=[box(0, 0, 2000, 1000)], crs=4548)
    lines = gpd.GeoDataFrame(
        {"kind": [k for k, _, _ in CONTROL_LINES], "name": [n for _, n, _ in CONTROL_LINES]}, geometry=[g for _, _, g in CONTROL_LINES], crs=4548
    )
    phases = gpd.GeoDataFrame(
        {
            "phase_id": ["PH1", "PH2", "PH3"],
            "zone_id": ["Z1"] * 3,
            "target_area_mu": [600.0, 453.0, 148.0],
            "start_year": [2018, 2020, 2024],
            "end_year": [2023, 2030, 2032],
        },
        geometry=[box(0, 0, 1000, 400), box(1000, 0, 1000, 300), box(-10, 500, 500, 200)],
        crs=4548,
    )
    targets = pd.DataFrame(
        {"scope": ["Z1"], "metric": ["parcel_min_far"], "year": [pd.NA], "op": [">="], "value": [2.0], "unit": ["ratio"], "source": ["张政办字〔2022〕3号"]}
    )
    quotas = pd.DataFrame({"zone_id": ["Z1"] * 4, "year": [2019, 2020, 2021, 2022], "new_construction_mu": [100.0, 50.0, 40.0, 54.0]})
    return Plan(
        {"zones": zones, "parcels": parcels, "control_lines": lines, "phases": phases},
        {"targets": targets, "quotas": quotas},
        meta={"name": "compliance-test", "as_of": "2024-12-31"},
    )
