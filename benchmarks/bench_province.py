"""Province scale: zoneplan in-process vs zoneplan on dask vs PostGIS SQL vs a naive geopandas.overlay.

One synthetic province (:func:`benchmarks.synthetic.make_plan`: 170 zones, ``N`` parcels, ``N/100``
control-line polygons — red line, farmland, one development boundary per zone), written once as a
GeoPackage, and on that same data, each in a fresh process so peak memory is its own:

``read``
    :meth:`Plan.read` of the GeoPackage (pyogrio, arrow) — the yardstick; it and ``zoneplan`` run
    :data:`REPEATS` times, each in a fresh process, and the fastest run counts.
``zoneplan``
    the full indicator suite in one process: :func:`zoneplan.analysis.analyze` (every evaluation
    indicator, remaining land, years of supply, targets, by zone) and
    :func:`zoneplan.compliance.check` (control lines, boundary, quotas, parcel rules,
    environmental adjacency, phases, idle land). Their independent parts run side by side on
    the process's threads (``settings.threads``, default one per core; ``threads`` in the result).
``zoneplan_dask``
    the same two calls through :mod:`zoneplan.distributed` on a ``LocalCluster`` (one worker
    process per core, started and warmed up by :func:`zoneplan.distributed.cluster_client`),
    partitioned by zone; the time includes starting the cluster (also reported on its own).
``postgis``
    the equivalent SQL in PostgreSQL 15 + PostGIS 3 (GiST indexes, ``ST_Intersects`` /
    ``ST_Intersection`` / ``ST_DWithin``; the server tuned with ``shared_buffers``/``work_mem``):
    zone accounting by status and land-use class (a joined class table), new construction land
    per zone and year, construction parcels overlapping red line / farmland (per parcel and kind,
    unioned, > 1 m²), urban parcels outside the development boundary, class-3/high-risk parcels
    within 100 m of sensitive parcels, forbidden area per zone, the plot-ratio rule. Loading the
    plan into the database (:func:`zoneplan.io.postgis.write_plan`, COPY + indexes) is timed
    separately. Memory is the server backend's peak (``VmHWM``) plus the client's.
``duckdb``
    the PostGIS suite's SQL, unchanged but for the aggregate's name (``ST_Union_Agg``), in DuckDB
    with its spatial extension (``duckdb`` + ``duckdb-extension-spatial`` of the same version from
    PyPI; the extension file bundled in that wheel is loaded, no network). Loading the three layers
    from the GeoPackage (``ST_Read``) into tables is timed separately.
``sedonadb``
    the same questions in SedonaDB (Apache DataFusion + GEOS). SedonaDB plans no correlated
    subqueries or ``LATERAL`` joins, so three of the seven queries are written in join form
    (:data:`JOIN_FORM`: the union of the lines a parcel or zone meets, grouped, then intersected —
    the same area); loading the layers through pyogrio into memory tables is timed separately.
``naive_overlay``
    the same questions answered the way a desktop-GIS script does it: ``geopandas.overlay`` of
    whole layers (parcels × zones, construction parcels × red line/farmland with the pieces
    unioned per parcel and kind, urban parcels − boundary, buffered polluters × sensitive
    parcels, zones × lines). Dissolving the lines first (one multipolygon per kind) is what many
    scripts do and is far slower still; it is not used here.

The engines' answers are cross-checked (total area of red-line/farmland overlaps, total area outside
the boundary, number of adjacency pairs) and printed beside the times.

``N`` is ``ZONEPLAN_BENCH_PARCELS`` (default 1,000,000); ``ZONEPLAN_BENCH_SKIP`` (comma list of
method names) skips methods; ``ZONEPLAN_BENCH_POSTGRES_URI`` uses an existing PostGIS database
instead of a throw-away cluster. Figures go to ``<out_dir>/province.json`` and ``province_<N>.json``.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import shapely

__all__ = ["JOIN_FORM", "N_ZONES", "POSTGIS_SUITE", "READ_RATIO_TARGET", "REPEATS", "main"]

N_ZONES = 170
#: Issue #18: analyze + check within this many times the arrow read, by province size (parcels).
READ_RATIO_TARGET = {100_000: 3.0, 1_000_000: 2.0}
#: Fresh-process runs of the methods of that ratio; the fastest counts. One read of a million
#: parcels took 3.5–8.3 s on the shared machine (page cache, other jobs), so one run of each
#: would make the ratio a coin toss.
REPEATS = {"read": 3, "zoneplan": 2}
_RED_FARM = ("ecological_redline", "basic_farmland")
_TOL_M2 = 1.0  # compliance's default overlap / boundary tolerance
_ENV_M = 100.0  # compliance's default environmental distance


def _rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # Linux: kB


# -- methods (each runs in a fresh process) ------------------------------------------------------------
def _read(path: str) -> dict:
    from zoneplan.plan import Plan

    t = time.perf_counter()
    plan = Plan.read(path)
    return {"seconds": time.perf_counter() - t, "parcels": len(plan.parcels)}


def _digest_findings(findings: Any) -> dict:
    """The cross-checked totals of zoneplan's findings.

    The SQL engines measure ``ST_Area`` on the plane; zoneplan's findings are on the plan's area
    basis (ellipsoidal by default, 0.02 % smaller here). So the cross-check measures zoneplan's
    conflict geometries (the overlapping pieces, the parts outside) on the plane as well, and the
    totals on the plan's basis are reported beside them (``*_basis_m2``).
    """
    v = findings.violations
    rule = v["rule"].astype(str).to_numpy()
    overlap = np.isin(rule, ["ecological_redline_overlap", "basic_farmland_overlap"])
    outside = rule == "outside_urban_development_boundary"
    planar = shapely.area(np.asarray(v.geometry.values, dtype=object))
    return {
        "overlap_m2": float(planar[overlap].sum()),
        "outside_boundary_m2": float(planar[outside].sum()),
        "adjacency_pairs": int((rule == "env_adjacency").sum()),
        "area_basis": findings.area_basis,
        "overlap_basis_m2": float(v["area_m2"].to_numpy()[overlap].sum()),
        "outside_boundary_basis_m2": float(v["area_m2"].to_numpy()[outside].sum()),
    }


def _zoneplan(path: str) -> dict:
    from zoneplan import analysis, compliance
    from zoneplan._threads import thread_count
    from zoneplan.plan import Plan

    plan = Plan.read(path)
    t = time.perf_counter()
    result = analysis.analyze(plan)
    t_analyze = time.perf_counter() - t
    findings = compliance.check(plan)
    seconds = time.perf_counter() - t
    return {
        "seconds": seconds,
        "analyze_seconds": t_analyze,
        "check_seconds": seconds - t_analyze,
        "threads": thread_count(),
        "groups": len(result["groups"]),
        "violations": len(findings.violations),
        **_digest_findings(findings),
    }


def _zoneplan_dask(path: str) -> dict:
    from zoneplan import distributed
    from zoneplan.plan import Plan

    plan = Plan.read(path)
    t = time.perf_counter()
    with distributed.cluster_client() as client:  # what `--dask` gives: a local cluster on all cores
        t_cluster = time.perf_counter() - t
        result = distributed.analyze(plan, client=client)
        t_analyze = time.perf_counter() - t - t_cluster
        findings = distributed.check(plan, client=client)
        seconds = time.perf_counter() - t
        workers = client.run(_rss_gb)
    return {
        "seconds": seconds,
        "cluster_start_seconds": t_cluster,
        "analyze_seconds": t_analyze,
        "check_seconds": seconds - t_cluster - t_analyze,
        "workers": len(workers),
        "worker_peak_rss_gb": sum(workers.values()),
        "groups": len(result["groups"]),
        "violations": len(findings.violations),
        **_digest_findings(findings),
    }


def _naive(path: str) -> dict:
    """What a desktop-GIS script does: overlay whole layers."""
    import geopandas as gpd

    from zoneplan.landuse import flags
    from zoneplan.plan import Plan

    plan = Plan.read(path)
    t = time.perf_counter()
    parcels, zones, lines = plan.parcels, plan.zones, plan.control_lines
    fl = flags(parcels["landuse_code"])
    parcels = parcels.assign(
        construction=fl["construction"].to_numpy(),
        urban=fl["urban_construction"].to_numpy(),
        industrial=fl["industrial"].to_numpy(),
        storage=fl["storage"].to_numpy(),
        sensitive=fl["sensitive_receptor"].to_numpy(),
    )
    # 1. accounting per zone: assign parcels to zones by overlay
    pieces = gpd.overlay(parcels, zones[["zone_id", "geometry"]].rename(columns={"zone_id": "zone"}), how="intersection", keep_geom_type=True)
    pieces["a"] = pieces.area
    built = pieces["status"] == "built"
    pieces = pieces.assign(
        built_m2=pieces["a"].where(built, 0.0),
        supplied_m2=pieces["a"].where(pieces["status"] == "supplied", 0.0),
        unbuildable_m2=pieces["a"].where(pieces["status"] == "unbuildable", 0.0),
        built_urban_m2=pieces["a"].where(built & pieces["urban"], 0.0),
        built_ind_m2=pieces["a"].where(built & (pieces["industrial"] | pieces["storage"]), 0.0),
    )
    pieces.groupby("zone")[
        ["a", "built_m2", "supplied_m2", "unbuildable_m2", "built_urban_m2", "built_ind_m2", "floor_area_m2", "investment_yuan", "tax_yuan"]
    ].sum()
    # 2. consumption per zone and year
    supply = parcels["supplied_year"].fillna(parcels["built_year"])
    parcels[parcels["construction"] & supply.notna()].assign(y=supply, a=lambda d: d.area).groupby(["zone_id", "y"])["a"].sum()
    # 3. construction parcels × red line / farmland: overlay, then union the pieces per parcel and kind
    prohibited = lines[lines["kind"].isin(_RED_FARM)][["kind", "geometry"]]
    cons = parcels[parcels["construction"]][["parcel_id", "geometry"]]
    over = gpd.overlay(cons, prohibited, how="intersection", keep_geom_type=True).dissolve(["parcel_id", "kind"])
    over_area = over.area
    overlap_m2 = float(over_area[over_area > _TOL_M2].sum())
    # 4. urban parcels outside the development boundary
    udb = lines[lines["kind"] == "urban_development_boundary"][["geometry"]]
    outside = gpd.overlay(parcels[parcels["urban"]][["parcel_id", "geometry"]], udb, how="difference", keep_geom_type=True)
    out_area = outside.area
    outside_m2 = float(out_area[out_area > _TOL_M2].sum())
    # 5. polluters within 100 m of sensitive parcels: buffer and overlay
    source = (parcels["landuse_code"] == "100103") | (parcels["env_risk_class"].fillna(0) >= 4)
    src = gpd.GeoDataFrame({"src": parcels.loc[source, "parcel_id"].to_numpy()}, geometry=parcels.geometry[source].buffer(_ENV_M).to_numpy(), crs=parcels.crs)
    rec = parcels[parcels["sensitive"] & ~source][["parcel_id", "geometry"]]
    pairs = gpd.overlay(src, rec, how="intersection", keep_geom_type=False)
    n_pairs = len(pairs.drop_duplicates(["src", "parcel_id"]))
    # 6. forbidden area per zone
    forb = gpd.overlay(zones[["zone_id", "geometry"]], prohibited, how="intersection", keep_geom_type=True).dissolve("zone_id")
    forb.area.sum()
    gpd.overlay(zones[["zone_id", "geometry"]], udb, how="difference", keep_geom_type=True).area.sum()
    # 7. plot-ratio rule
    ind = parcels[parcels["industrial"] & parcels["project"].isin(["new", "renovated"])]
    int(((ind["floor_area_m2"] / ind.area) < 1.0).sum())
    return {"seconds": time.perf_counter() - t, "overlap_m2": overlap_m2, "outside_boundary_m2": outside_m2, "adjacency_pairs": n_pairs, "pieces": len(pieces)}


#: The PostGIS SQL suite: (name, SQL with ``{s}`` = the plan's quoted schema). ``zp_flags`` is the
#: 2023 class table (code → construction, urban, industrial, storage, sensitive).
POSTGIS_SUITE: list[tuple[str, str]] = [
    (
        "zone_accounting",
        """SELECT p.zone_id, count(*), sum(ST_Area(p.geom)),
             sum(ST_Area(p.geom)) FILTER (WHERE p.status = 'built'),
             sum(ST_Area(p.geom)) FILTER (WHERE p.status = 'supplied'),
             sum(ST_Area(p.geom)) FILTER (WHERE p.status = 'unbuildable'),
             sum(ST_Area(p.geom)) FILTER (WHERE p.status = 'built' AND f.urban),
             sum(ST_Area(p.geom)) FILTER (WHERE p.status = 'built' AND (f.industrial OR f.storage)),
             sum(p.floor_area_m2) FILTER (WHERE p.status = 'built' AND f.urban),
             sum(p.investment_yuan) FILTER (WHERE f.industrial), sum(p.tax_yuan) FILTER (WHERE f.industrial)
           FROM {s}.parcels p LEFT JOIN zp_flags f ON f.code = p.landuse_code GROUP BY p.zone_id""",
    ),
    (
        "consumption",
        """SELECT p.zone_id, COALESCE(p.supplied_year, p.built_year) AS y, sum(ST_Area(p.geom))
           FROM {s}.parcels p JOIN zp_flags f ON f.code = p.landuse_code AND f.construction
           WHERE COALESCE(p.supplied_year, p.built_year) IS NOT NULL GROUP BY 1, 2""",
    ),
    (
        "control_line_overlaps",
        """SELECT fid, kind, a FROM (
             SELECT p.zp_fid AS fid, k.kind, ST_Area(ST_Intersection(p.geom, k.g)) AS a
             FROM {s}.parcels p JOIN zp_flags f ON f.code = p.landuse_code AND f.construction
             CROSS JOIN LATERAL (SELECT c.kind, ST_Union(c.geom) AS g FROM {s}.control_lines c
                                 WHERE c.kind IN ('ecological_redline', 'basic_farmland') AND ST_Intersects(p.geom, c.geom) GROUP BY c.kind) k) o
           WHERE a > 1.0""",
    ),
    (
        "outside_boundary",
        """SELECT fid, a FROM (
             SELECT p.zp_fid AS fid,
               CASE WHEN EXISTS (SELECT 1 FROM {s}.control_lines c WHERE c.kind = 'urban_development_boundary' AND ST_CoveredBy(p.geom, c.geom)) THEN 0
                    ELSE ST_Area(p.geom) - COALESCE((SELECT ST_Area(ST_Intersection(p.geom, ST_Union(c.geom))) FROM {s}.control_lines c
                                                     WHERE c.kind = 'urban_development_boundary' AND ST_Intersects(p.geom, c.geom)), 0) END AS a
             FROM {s}.parcels p JOIN zp_flags f ON f.code = p.landuse_code AND f.urban) o WHERE a > 1.0""",
    ),
    (
        "env_adjacency",
        """SELECT a.zp_fid, b.zp_fid, ST_Distance(a.geom, b.geom)
           FROM {s}.parcels a JOIN {s}.parcels b ON ST_DWithin(a.geom, b.geom, 100)
           JOIN zp_flags fb ON fb.code = b.landuse_code AND fb.sensitive
           WHERE (a.landuse_code = '100103' OR a.env_risk_class >= 4)
             AND NOT (b.landuse_code = '100103' OR COALESCE(b.env_risk_class, 0) >= 4)""",
    ),
    (
        "forbidden_per_zone",
        """SELECT z.zone_id,
             COALESCE((SELECT ST_Area(ST_Intersection(z.geom, ST_Union(c.geom))) FROM {s}.control_lines c
                       WHERE c.kind IN ('ecological_redline', 'basic_farmland') AND ST_Intersects(z.geom, c.geom)), 0),
             ST_Area(z.geom) - COALESCE((SELECT ST_Area(ST_Intersection(z.geom, ST_Union(c.geom))) FROM {s}.control_lines c
                       WHERE c.kind = 'urban_development_boundary' AND ST_Intersects(z.geom, c.geom)), 0)
           FROM {s}.zones z""",
    ),
    (
        "plot_ratio_rule",
        """SELECT p.zp_fid, p.floor_area_m2 / ST_Area(p.geom) FROM {s}.parcels p JOIN zp_flags f ON f.code = p.landuse_code AND f.industrial
           WHERE p.project IN ('new', 'renovated') AND p.floor_area_m2 / NULLIF(ST_Area(p.geom), 0) < 1.0""",
    ),
]


#: The queries of :data:`POSTGIS_SUITE` that SedonaDB cannot plan (correlated subqueries, ``LATERAL``),
#: written as joins and grouped unions over unqualified table names; the same areas.
JOIN_FORM: dict[str, str] = {
    "control_line_overlaps": """WITH k AS (
             SELECT p.zp_fid AS fid, c.kind, ST_Union_Agg(c.geom) AS g
             FROM parcels p JOIN zp_flags f ON f.code = p.landuse_code AND f.construction
             JOIN control_lines c ON ST_Intersects(p.geom, c.geom)
             WHERE c.kind IN ('ecological_redline', 'basic_farmland') GROUP BY p.zp_fid, c.kind)
           SELECT fid, kind, a FROM (SELECT k.fid, k.kind, ST_Area(ST_Intersection(p.geom, k.g)) AS a
                                     FROM k JOIN parcels p ON p.zp_fid = k.fid) o
           WHERE a > 1.0""",
    "outside_boundary": """WITH u AS (
             SELECT p.zp_fid AS fid, ST_Union_Agg(c.geom) AS g
             FROM parcels p JOIN zp_flags f ON f.code = p.landuse_code AND f.urban
             JOIN control_lines c ON ST_Intersects(p.geom, c.geom)
             WHERE c.kind = 'urban_development_boundary' GROUP BY p.zp_fid)
           SELECT fid, a FROM (
             SELECT p.zp_fid AS fid, ST_Area(p.geom) - COALESCE(ST_Area(ST_Intersection(p.geom, u.g)), 0) AS a
             FROM parcels p JOIN zp_flags f ON f.code = p.landuse_code AND f.urban LEFT JOIN u ON u.fid = p.zp_fid) o
           WHERE a > 1.0""",
    "forbidden_per_zone": """WITH r AS (
             SELECT z.zone_id, ST_Union_Agg(c.geom) AS g FROM zones z JOIN control_lines c ON ST_Intersects(z.geom, c.geom)
             WHERE c.kind IN ('ecological_redline', 'basic_farmland') GROUP BY z.zone_id),
           b AS (
             SELECT z.zone_id, ST_Union_Agg(c.geom) AS g FROM zones z JOIN control_lines c ON ST_Intersects(z.geom, c.geom)
             WHERE c.kind = 'urban_development_boundary' GROUP BY z.zone_id)
           SELECT z.zone_id, COALESCE(ST_Area(ST_Intersection(z.geom, r.g)), 0),
                  ST_Area(z.geom) - COALESCE(ST_Area(ST_Intersection(z.geom, b.g)), 0)
           FROM zones z LEFT JOIN r ON r.zone_id = z.zone_id LEFT JOIN b ON b.zone_id = z.zone_id""",
}


def _flag_table() -> Any:
    """The 2023 class table as ``zp_flags`` rows (code → construction, urban, industrial, storage, sensitive)."""
    from zoneplan.landuse import classes

    cl = classes().reset_index().rename(columns={"urban_construction": "urban", "sensitive_receptor": "sensitive"})
    cols = ["construction", "urban", "industrial", "storage", "sensitive"]
    return cl[["code", *cols]].astype(dict.fromkeys(cols, bool))


def _digest_rows(rows: dict[str, list[tuple]]) -> dict:
    """The cross-checked totals from a SQL engine's rows (positional, as :data:`POSTGIS_SUITE` selects them)."""
    return {
        "overlap_m2": float(sum(r[2] for r in rows["control_line_overlaps"])),
        "outside_boundary_m2": float(sum(r[1] for r in rows["outside_boundary"])),
        "adjacency_pairs": len(rows["env_adjacency"]),
    }


def _run_suite(execute: Callable[[str, str], list[tuple]]) -> tuple[dict[str, float], dict[str, list[tuple]]]:
    times, rows = {}, {}
    for name, query in POSTGIS_SUITE:
        t = time.perf_counter()
        rows[name] = execute(name, query)
        times[name] = time.perf_counter() - t
    return times, rows


def _duckdb_suite(path: str) -> dict:
    import duckdb
    import duckdb_extension_spatial

    ext = sorted(Path(duckdb_extension_spatial.__file__).parent.glob(f"extensions/v{duckdb.__version__}/spatial.duckdb_extension"))
    if not ext:
        raise RuntimeError(f"duckdb-extension-spatial has no extension file for duckdb {duckdb.__version__}: install the same version of both")
    con = duckdb.connect(config={"allow_unsigned_extensions": "true"})
    con.execute(f"LOAD '{ext[0]}'")
    t = time.perf_counter()
    con.execute("CREATE SCHEMA plan")
    for layer in ("parcels", "zones", "control_lines"):
        con.execute(f"CREATE TABLE plan.{layer} AS SELECT fid AS zp_fid, * EXCLUDE (fid) FROM ST_Read(?, layer = ?)", [path, layer])
    flag_df = _flag_table()  # noqa: F841 — read by name by DuckDB's replacement scan
    con.execute("CREATE TABLE zp_flags AS SELECT * FROM flag_df")
    load = time.perf_counter() - t
    t0 = time.perf_counter()
    times, rows = _run_suite(lambda _name, q: con.execute(q.format(s="plan").replace("ST_Union(", "ST_Union_Agg(")).fetchall())
    return {"seconds": time.perf_counter() - t0, "load_seconds": load, "query_seconds": times, "version": duckdb.__version__, **_digest_rows(rows)}


def _sedonadb_suite(path: str) -> dict:
    import sedonadb

    sd = sedonadb.connect()
    t = time.perf_counter()
    for layer in ("parcels", "zones", "control_lines"):
        sd.read_pyogrio(path, options={"layer": layer}).to_memtable().to_view(f"{layer}_file")
        sd.sql(f"SELECT row_number() OVER () AS zp_fid, * FROM {layer}_file").to_memtable().to_view(layer)
    sd.create_data_frame(_flag_table()).to_view("zp_flags")
    load = time.perf_counter() - t

    def execute(name: str, query: str) -> list[tuple]:
        sql_text = JOIN_FORM.get(name) or query.replace("{s}.", "").replace("ST_Union(", "ST_Union_Agg(")
        table = sd.sql(sql_text).to_arrow_table()
        return list(zip(*(table.column(i).to_pylist() for i in range(table.num_columns)))) if table.num_rows else []

    t0 = time.perf_counter()
    times, rows = _run_suite(execute)
    return {"seconds": time.perf_counter() - t0, "load_seconds": load, "query_seconds": times, "version": sedonadb.__version__, **_digest_rows(rows)}


def _backend_peak_gb(con: Any) -> float:
    pid = con.execute("SELECT pg_backend_pid()").fetchone()[0]
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1e6
    except OSError:
        pass
    return float("nan")


def _postgis_suite(uri: str) -> dict:
    import psycopg
    from psycopg import sql

    from zoneplan.io import postgis
    from zoneplan.plan import Plan

    plan = Plan.read(os.environ["ZONEPLAN_BENCH_GPKG"])
    t = time.perf_counter()
    postgis.write_plan(plan, uri)
    load = time.perf_counter() - t
    del plan
    loc = postgis.parse_uri(uri)
    schema = sql.Identifier(loc.plan).as_string(None)
    with psycopg.connect(loc.conninfo) as con:
        con.execute(
            "CREATE TEMP TABLE zp_flags (code text PRIMARY KEY, construction boolean, urban boolean, industrial boolean, storage boolean, sensitive boolean)"
        )
        with con.cursor().copy("COPY zp_flags FROM STDIN") as copy:
            for code, *flags in _flag_table().itertuples(index=False):
                copy.write_row((code, *map(bool, flags)))
        con.execute("ANALYZE zp_flags")
        t0 = time.perf_counter()
        times, rows = _run_suite(lambda _name, q: con.execute(q.format(s=schema)).fetchall())
        seconds = time.perf_counter() - t0
        server_gb = _backend_peak_gb(con)
    return {"seconds": seconds, "load_seconds": load, "query_seconds": times, "server_backend_peak_gb": server_gb, **_digest_rows(rows)}


def _in_child(func: Callable[..., dict], *args: Any) -> dict:
    """Run ``func`` in a fresh (spawned, non-daemonic: dask starts workers) process; add its peak resident memory."""
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_measured, args=(send, func, *args))
    proc.start()
    send.close()
    try:
        status, out = receive.recv()
    except EOFError:
        status, out = "error", f"process died (exit code {proc.join() or proc.exitcode})"
    proc.join()
    if status != "ok":
        raise RuntimeError(f"{func.__name__} failed: {out}")
    return out


def _measured(send: Any, func: Callable[..., dict], *args: Any) -> None:
    try:
        out = func(*args)
        out["peak_rss_gb"] = _rss_gb()
        send.send(("ok", out))
    except BaseException as exc:  # report to the parent, which raises
        import traceback

        send.send(("error", "".join(traceback.format_exception(exc))))
    finally:
        send.close()


def _postgis(path: str, n: int) -> dict:
    external = os.environ.get("ZONEPLAN_BENCH_POSTGRES_URI")
    os.environ["ZONEPLAN_BENCH_GPKG"] = path
    plan_name = f"bench_province_{n}"
    if external:
        return _in_child(_postgis_suite, f"{external}#{plan_name}")
    from tests.postgis_server import start_cluster

    settings = {
        "shared_buffers": "2GB",
        "work_mem": "256MB",
        "maintenance_work_mem": "1GB",
        "max_parallel_workers_per_gather": str(os.cpu_count() or 1),
        "jit": "off",
    }
    with start_cluster(settings=settings) as uri:
        return _in_child(_postgis_suite, f"{uri}#{plan_name}")


def _cross_check(digests: dict[str, dict]) -> dict:
    """Do the engines agree? Areas within 0.01 % (or 1 m²), pair counts exactly."""
    areas = ("overlap_m2", "outside_boundary_m2")
    first = next(iter(digests.values()))
    agree = all(abs(d[k] - first[k]) <= max(1.0, 1e-4 * abs(first[k])) for d in digests.values() for k in areas)
    agree = agree and len({d["adjacency_pairs"] for d in digests.values()}) == 1
    return {"agree": agree, "totals": {name: {k: d[k] for k in (*areas, "adjacency_pairs")} for name, d in digests.items()}}


def _table(results: dict[str, dict]) -> str:
    base = results.get("naive_overlay", {}).get("seconds")
    pg = results.get("postgis", {}).get("seconds")
    lines = [f"{'method':<15}{'seconds':>10}{'load s':>8}{'peak GB':>9}{'× naive':>9}{'× PostGIS':>11}   overlap m²  outside m²  adjacency pairs"]
    for name, r in results.items():
        s = r["seconds"]
        mem = r.get("peak_rss_gb", float("nan")) + r.get("worker_peak_rss_gb", 0.0) + (r.get("server_backend_peak_gb", 0.0) or 0.0)
        vs_naive = f"{base / s:>8.1f}×" if base and name != "read" else " " * 9
        vs_pg = f"{pg / s:>10.2f}×" if pg and name not in ("read",) else " " * 11
        digest = f"{r['overlap_m2']:>13,.0f} {r['outside_boundary_m2']:>11,.0f} {r['adjacency_pairs']:>16,}" if "overlap_m2" in r else ""
        load = f"{r['load_seconds']:>8.2f}" if "load_seconds" in r else " " * 8
        lines.append(f"{name:<15}{s:>10.2f}{load}{mem:>9.2f}{vs_naive}{vs_pg}{digest}")
    return "\n".join(lines)


def main(out_dir: Path) -> dict:
    """Build (or reuse) the synthetic province, run every method on it, print and save the comparison."""
    from benchmarks.synthetic import plan_path

    n = int(os.environ.get("ZONEPLAN_BENCH_PARCELS", "1000000"))
    skip = {s.strip() for s in os.environ.get("ZONEPLAN_BENCH_SKIP", "").split(",") if s.strip()}
    n_controls = max(2 * N_ZONES, n // 100)
    t = time.perf_counter()
    path = str(plan_path(n, cache_dir=Path(out_dir) / "data", n_zones=N_ZONES, n_control_polygons=n_controls))
    prepared = time.perf_counter() - t
    print(f"synthetic province: {n:,} parcels, {N_ZONES} zones, {n_controls:,} control-line polygons ({path}, ready in {prepared:.1f} s)", flush=True)
    results: dict[str, dict] = {}
    methods: dict[str, Callable[[], dict]] = {
        "read": lambda: _in_child(_read, path),
        "zoneplan": lambda: _in_child(_zoneplan, path),
        "zoneplan_dask": lambda: _in_child(_zoneplan_dask, path),
        "postgis": lambda: _postgis(path, n),
        "duckdb": lambda: _in_child(_duckdb_suite, path),
        "sedonadb": lambda: _in_child(_sedonadb_suite, path),
        "naive_overlay": lambda: _in_child(_naive, path),
    }
    for name, run in methods.items():
        if name in skip:
            continue
        print(f"  {name} …", flush=True)
        runs = [run() for _ in range(REPEATS.get(name, 1))]
        results[name] = {**min(runs, key=lambda r: r["seconds"]), "runs_seconds": [r["seconds"] for r in runs]}
        print(
            f"  {name}: {results[name]['seconds']:.2f} s"
            + (f" (fastest of {', '.join(f'{r:.2f}' for r in results[name]['runs_seconds'])})" if len(runs) > 1 else ""),
            flush=True,
        )
    print(_table(results))
    summary: dict[str, Any] = {"parcels": n, "zones": N_ZONES, "control_polygons": n_controls, "cores": os.cpu_count(), "results": results}
    ratios = {}
    if "zoneplan" in results and "naive_overlay" in results:
        ratios["naive_over_zoneplan"] = results["naive_overlay"]["seconds"] / results["zoneplan"]["seconds"]
    for engine in ("postgis", "duckdb", "sedonadb"):
        if "zoneplan" in results and engine in results:
            ratios[f"{engine}_over_zoneplan"] = results[engine]["seconds"] / results["zoneplan"]["seconds"]
    if "zoneplan" in results and "zoneplan_dask" in results:
        ratios["zoneplan_over_dask"] = results["zoneplan"]["seconds"] / results["zoneplan_dask"]["seconds"]
    if "zoneplan" in results and "read" in results:
        ratios["zoneplan_over_read"] = results["zoneplan"]["seconds"] / results["read"]["seconds"]
    summary["ratios"] = ratios
    targets = {}
    if "naive_over_zoneplan" in ratios:
        targets["zoneplan ≥ 3× faster than naive overlay"] = ratios["naive_over_zoneplan"] >= 3
    for engine, label in (("postgis", "PostGIS"), ("duckdb", "DuckDB spatial"), ("sedonadb", "SedonaDB")):
        if f"{engine}_over_zoneplan" in ratios:
            targets[f"zoneplan not slower than {label} (queries; its load apart)"] = ratios[f"{engine}_over_zoneplan"] >= 1
    digests = {name: r for name, r in results.items() if "overlap_m2" in r}
    if len(digests) > 1:
        summary["cross_check"] = _cross_check(digests)
        targets["every engine gives the same cross-checked totals"] = summary["cross_check"]["agree"]
    if "zoneplan_over_read" in ratios:
        limit = READ_RATIO_TARGET[1_000_000] if n >= 1_000_000 else READ_RATIO_TARGET[100_000]
        targets[f"zoneplan analyze + check ≤ {limit:g}× the read of the same GeoPackage"] = ratios["zoneplan_over_read"] <= limit
    if "zoneplan" in results:
        targets["zoneplan peak memory ≤ 4 GB"] = results["zoneplan"]["peak_rss_gb"] <= 4
    summary["targets"] = targets
    for k, v in ratios.items():
        print(f"  {k}: {v:.2f}")
    for k, v in summary["targets"].items():
        print(f"  target {'met' if v else 'NOT met'}: {k}")
    text = json.dumps(summary, indent=2, ensure_ascii=False, default=str)
    for name in ("province.json", f"province_{n}.json"):  # the latest run, and the latest at this size
        (Path(out_dir) / name).write_text(text)
    return summary
