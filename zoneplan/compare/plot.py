"""The chart of a comparison: remaining land per scenario until it runs out."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from zoneplan.plotting import chart_style

if TYPE_CHECKING:  # pragma: no cover
    import matplotlib.figure

__all__ = ["plot_timeline"]


def plot_timeline(
    timeline: pd.DataFrame,
    *,
    exhaustion: pd.DataFrame | None = None,
    title: str | None = None,
    max_panels: int = 6,
) -> matplotlib.figure.Figure:
    """Remaining land per scenario until it runs out: one panel per group, one line per scenario.

    Parameters
    ----------
    timeline, exhaustion
        Output of :func:`supply_timeline` (several scenarios concatenated).
    title
        Figure title.
    max_panels
        With more groups than this, groups are summed into one panel.

    Returns
    -------
    matplotlib.figure.Figure
        Lines are labelled ``"<scenario>: remaining"``; each exhaustion year is a marker labelled
        ``"<scenario>: runs out <year>"`` at zero.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from zoneplan import datasets
    >>> from zoneplan.compare import supply_timeline
    >>> consumption, remaining = supply_timeline(datasets.load("linqing"), by="district", start_year=2025)
    >>> fig = plot_timeline(consumption, exhaustion=remaining)
    >>> len(fig.axes)  # one panel per district
    2
    >>> plt.close(fig)
    """
    import matplotlib
    import matplotlib.pyplot as plt

    with chart_style():
        data = timeline.assign(group_id=timeline["group_id"].astype(str))
        groups = list(dict.fromkeys(data["group_id"]))
        if len(groups) > max_panels:
            data = data.groupby(["scenario", "year"], sort=False)["remaining_mu"].sum().reset_index().assign(group_id="all groups 全部")
            groups = ["all groups 全部"]
            exhaustion = None
        scenarios = list(dict.fromkeys(data["scenario"]))
        fig, axes = plt.subplots(1, len(groups), figsize=(max(8.0, min(4.6 * len(groups), 14.0)), 4.2), dpi=110, squeeze=False, sharey=False)
        colors = matplotlib.colormaps["tab10"]
        styles = ["-", "--", "-.", ":"]
        for ax, group in zip(axes[0], groups):
            for i, name in enumerate(scenarios):
                rows = data[(data["scenario"] == name) & (data["group_id"] == group)]
                color = colors(i % 10)
                ax.plot(
                    rows["year"],
                    rows["remaining_mu"],
                    color=color,
                    linestyle=styles[i % len(styles)],
                    linewidth=max(3.0 - 0.6 * i, 1.2),
                    label=f"{name}: remaining",
                )
                if exhaustion is not None:
                    mine = exhaustion[(exhaustion["scenario"] == name) & (exhaustion["group_id"].astype(str) == group)]["exhaustion_year"].dropna()
                    if len(mine):
                        year = int(mine.iloc[0])
                        ax.plot([year], [0], marker="v", markersize=9, color=color, linestyle="none", label=f"{name}: runs out {year}")
            ax.set_title(group, fontsize=10)
            ax.set_xlabel("year 年")
            ax.set_ylim(bottom=0)
            ax.grid(True, alpha=0.3)
            ax.legend(fontsize=7, loc="upper right")
        axes[0][0].set_ylabel("remaining suppliable land 剩余可供地 (mu)")
        fig.suptitle(title or "Remaining land until exhaustion 剩余土地与用尽年份")
        fig.tight_layout()
    return fig
