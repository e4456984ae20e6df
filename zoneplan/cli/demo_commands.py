"""The ``demo`` command: the main job of zoneplan, run on the bundled sample plans.

It runs the same commands a user types — ``info``, ``validate``, ``analyze``, ``check``, ``map``,
``report``, ``raster`` — on ``layers/zhangdian.gpkg``, ``layers/linqing.gpkg`` and
``layers/liaocheng.gpkg``, writes every output (maps, print maps, reports, evidence) to one
folder, and fails (exit 1) if any step does not end as expected. The sample plans contain planted
violations, so ``check`` is expected to exit 1 on them.
"""

from __future__ import annotations

import shlex
import time
from pathlib import Path
from typing import Annotated

import typer

from zoneplan import datasets
from zoneplan.cli import app, load_commands
from zoneplan.cli._common import EXIT_FOUND, EXIT_OK, console, styled


def _steps(out: Path) -> list[tuple[list[str], int]]:
    """(arguments, expected exit status) of each step of the demo."""
    zd, lq, lc = (str(datasets.get_path(n)) for n in ("zhangdian", "linqing", "liaocheng"))
    lq_dir = datasets.get_path("linqing").parent
    o = lambda name: str(out / name)  # noqa: E731
    return [
        (["info", zd], EXIT_OK),
        (["info", lq], EXIT_OK),
        (["info", lc], EXIT_OK),
        (["validate", zd], EXIT_OK),
        (["validate", lq], EXIT_OK),
        (["validate", lc], EXIT_OK),
        (["analyze", zd, "--by", "phase"], EXIT_OK),
        (["analyze", lq, "--year", "2025", "--by", "district"], EXIT_OK),
        (["analyze", lq, "--year", "2035", "--by", "district"], EXIT_OK),
        (["analyze", lc], EXIT_OK),
        (["check", zd, "--evidence", o("zhangdian-findings.gpkg"), "--excel", o("zhangdian-findings.xlsx")], EXIT_FOUND),
        (["check", lq, "--year", "2025", "--evidence", o("linqing-findings.gpkg"), "--excel", o("linqing-findings.xlsx")], EXIT_FOUND),
        (["map", zd, "--kind", "phases", "-o", o("zhangdian-phases.html"), "--print", o("zhangdian-phases.png"), "--paper", "A4", "--dpi", "150"], EXIT_OK),
        (["map", lq, "--kind", "layout", "-o", o("linqing-layout.html")], EXIT_OK),
        (
            [
                "map",
                lq,
                "--kind",
                "landuse",
                "--year",
                "2035",
                "-o",
                o("linqing-landuse-2035.html"),
                "--print",
                o("linqing-landuse-2035.pdf"),
                "--paper",
                "A3",
                "--dpi",
                "150",
            ],
            EXIT_OK,
        ),
        (["map", lq, "--kind", "compliance", "-o", o("linqing-compliance.html")], EXIT_OK),
        (["map", lq, "--kind", "remaining", "-o", o("linqing-remaining.html")], EXIT_OK),
        (["map", lc, "--kind", "remaining", "-o", o("liaocheng-remaining.html")], EXIT_OK),
        (["report", lq, "-o", o("linqing-report.html")], EXIT_OK),
        (["report", lq, "-o", o("linqing-report.xlsx")], EXIT_OK),
        (["raster", "stats", lq, str(lq_dir / "linqing_landcover_2023.tif"), "--by", "park"], EXIT_OK),
        (
            [
                "raster",
                "change",
                lq,
                str(lq_dir / "linqing_landcover_2018.tif"),
                str(lq_dir / "linqing_landcover_2023.tif"),
                "--evidence",
                o("linqing-raster-change.gpkg"),
            ],
            EXIT_FOUND,
        ),
    ]


@app.command()
def demo(
    out: Annotated[Path, typer.Option("--out", help="Folder for the maps, reports and evidence.")] = Path("demo-output"),
) -> None:
    """Run zoneplan's main job on the bundled sample plans (Zhangdian, Linqing, Liaocheng).
    \f

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from typer.testing import CliRunner
    >>> from zoneplan.cli import app
    >>> out = Path(tempfile.mkdtemp())
    >>> done = CliRunner().invoke(app, ["demo", "--out", str(out)])
    >>> done.exit_code, "demo finished: every step ended as expected" in done.stdout
    (0, True)
    >>> sorted(p.name for p in out.glob("linqing-*"))[:4]
    ['linqing-compliance.html', 'linqing-findings.gpkg', 'linqing-findings.xlsx', 'linqing-landuse-2035.html']
    """
    load_commands()  # the steps run the other commands
    out.mkdir(parents=True, exist_ok=True)
    failed = []
    for args, expected in _steps(out):
        console.rule(styled((f"zoneplan {shlex.join(args)}", "bold")))
        start = time.perf_counter()
        code = app(args=args, prog_name="zoneplan", standalone_mode=False) or 0
        took = time.perf_counter() - start
        verdict = ("as expected", "green") if code == expected else (f"expected exit {expected}", "red")
        console.print(styled(f"exit {code} (", verdict, f") in {took:.1f} s"))
        if code != expected:
            failed.append(shlex.join(args))
    console.rule()
    written = sorted(p.name for p in out.iterdir())
    console.print(f"Outputs in {out}/: {', '.join(written)}")
    if failed:
        console.print(styled((f"{len(failed)} step(s) did not end as expected:", "red"), " " + "; ".join(failed)))
        raise typer.Exit(EXIT_FOUND)
    console.print(styled(("demo finished: every step ended as expected", "green")))
