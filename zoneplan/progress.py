"""Progress bars for long runs: shown on a terminal, silent in ``--json`` mode, CI logs and pipes.

A bar is drawn (with :mod:`rich`, on standard error) only when all of these hold:

* the caller did not turn it off (``enabled=False``, e.g. because ``--json`` was given);
* standard error is a terminal (``isatty``) and ``TERM`` is not ``dumb``;
* no ``CI`` environment variable is set (:attr:`zoneplan.settings.Settings.ci`) (GitHub Actions, GitLab and most CI services set it);
* ``zoneplan.settings.settings.progress`` (environment ``ZONEPLAN_PROGRESS``) is not ``False``
  (``0``/``false``/``off``); ``True`` (``1``/``true``/``on``) forces a bar on even without a
  terminal.

Nothing is ever written to standard output, so ``--json`` output stays machine-readable.

Examples
--------
>>> from zoneplan.progress import track
>>> [x * 2 for x in track([1, 2, 3], description="doubling", enabled=False)]
[2, 4, 6]
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from typing import IO, TypeVar

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from zoneplan.settings import settings

__all__ = ["progress_enabled", "quiet", "track"]

T = TypeVar("T")
_quiet_depth = 0


def progress_enabled(*, enabled: bool | None = None, stream: IO[str] | None = None) -> bool:
    """Whether a progress bar should be drawn (see the module docstring for the rules).

    Parameters
    ----------
    enabled
        ``False`` always disables (``--json``); ``True`` asks for a bar, still subject to the
        environment; ``None`` decides from the environment alone.
    stream
        The stream the bar would be drawn on (default: standard error).

    Examples
    --------
    >>> import io
    >>> progress_enabled(stream=io.StringIO()), progress_enabled(enabled=False)  # not a terminal: no bar
    (False, False)
    """
    if enabled is False or _quiet_depth:
        return False
    if settings.progress is not None:
        return bool(settings.progress)
    if settings.ci or settings.dumb_terminal:
        return False
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Within this block no progress bar is drawn (used by ``--json`` commands).

    Examples
    --------
    >>> import io
    >>> with quiet():
    ...     print(progress_enabled(enabled=True))
    False
    """
    global _quiet_depth
    _quiet_depth += 1
    try:
        yield
    finally:
        _quiet_depth -= 1


def track(
    items: Iterable[T],
    *,
    description: str = "working",
    total: int | None = None,
    enabled: bool | None = None,
    stream: IO[str] | None = None,
) -> Iterator[T]:
    """Yield ``items``, drawing a progress bar while doing so when :func:`progress_enabled`.

    Parameters
    ----------
    items
        What to iterate over.
    description
        Label of the bar.
    total
        Number of items (default: ``len(items)`` when it has one).
    enabled
        See :func:`progress_enabled`.
    stream
        Where to draw (default: standard error).

    Examples
    --------
    >>> import io
    >>> list(track(["zhangdian", "linqing"], description="plans", stream=io.StringIO()))
    ['zhangdian', 'linqing']
    """
    if not progress_enabled(enabled=enabled, stream=stream):
        yield from items
        return
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    console = Console(file=stream or sys.stderr, force_terminal=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)
