"""Independent parts of one computation run on the machine's cores, as threads (internal).

Most of a province-scale ``analyze`` or ``check`` runs in GEOS, NumPy and Arrow with the GIL
released (two thirds of it at 1M parcels, measured with ``py-spy --gil``), so its independent
parts — the rule families of :func:`zoneplan.compliance.check`, the indicators and the target
status of :func:`zoneplan.analysis.analyze` — run side by side on threads. What they share is
built once: :func:`zoneplan._memo.memo` lets one thread build a value while the others that
ask for it wait, and the plan's fingerprint is taken once per call scope.

The answer does not depend on the threads: results come back in the order of the calls, and an
exception is that of the first call in that order that raised, as if they had run one after
the other. No more than :func:`thread_count` threads compute at once, nested parts included:
the calling thread always works through its own parts, and takes a helper thread only while
one of the ``threads - 1`` helper places is free — so a part that waits for its helpers never
waits for a place, and nothing can deadlock. A thread that waits (for its helpers, or for a
value another thread is building) lends its place meanwhile, so a part nested in another can
still take a helper. ``settings.threads`` sets the number (``1``:
everything on the calling thread, in order).

Shapely before 2.2 marks the object arrays it is given read-only for the length of each call
and then restores the flag; two threads handing it the same array could leave the array
read-only, so with those versions everything runs on the calling thread.
"""

from __future__ import annotations

import collections
import contextlib
import contextvars
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import shapely

from zoneplan.settings import settings

__all__ = ["run_all", "thread_count", "waiting"]

T = TypeVar("T")
_PLACES = threading.Lock()
_HELPERS = 0  # helper threads started by run_all and not yet ended
_WAITING = 0  # threads of zoneplan's own waiting for another thread's work (their place is free)
_SHAPELY_SHARES_ARRAYS = tuple(int(p) for p in shapely.__version__.split(".")[:2]) >= (2, 2)


def thread_count() -> int:
    """Threads a computation may use: ``settings.threads``, else the cores this process may run on.

    Examples
    --------
    >>> with settings.override(threads=1):
    ...     thread_count()
    1
    """
    if not _SHAPELY_SHARES_ARRAYS:
        return 1
    chosen = settings.threads
    if chosen is not None:
        return int(chosen)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _take_helper_place() -> bool:
    global _HELPERS
    with _PLACES:
        computing = 1 + _HELPERS - _WAITING  # the caller, the helpers, less those waiting
        if computing >= thread_count():
            return False
        _HELPERS += 1
        return True


def _free_helper_place() -> None:
    global _HELPERS
    with _PLACES:
        _HELPERS -= 1


@contextlib.contextmanager
def waiting() -> Iterator[None]:
    """Mark this thread as waiting for another's work: its place goes to a helper meanwhile."""
    global _WAITING
    with _PLACES:
        _WAITING += 1
    try:
        yield
    finally:
        with _PLACES:
            _WAITING -= 1


def run_all(calls: Sequence[Callable[[], T]], *, start: Sequence[int] = ()) -> list[T]:
    """``[call() for call in calls]``, the calls running side by side on up to :func:`thread_count` threads.

    Parameters
    ----------
    calls
        Calls without arguments.
    start
        Positions of the calls to start first, in this order (the longest first, so the
        threads end together); the others follow in their own order.

    Returns
    -------
    list
        The calls' results, in the order of ``calls``.

    Raises
    ------
    BaseException
        What the first call (in the order of ``calls``) that raised raised, once every call
        has ended.

    Examples
    --------
    >>> run_all([lambda: 1 + 1, lambda: "two"], start=[1])
    [2, 'two']
    """
    context = contextvars.copy_context()  # each call runs in a copy: the caller's call scope, shared
    leading = list(dict.fromkeys(start))
    queue = collections.deque(leading + sorted(set(range(len(calls))) - set(leading)))
    taking = threading.Lock()
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException | None] = [None] * len(calls)

    starting = [0]  # helpers started that have not yet taken their first call

    def run_next(*, first: bool = False) -> bool:
        with taking:
            starting[0] -= first
            if not queue:
                return False
            i = queue.popleft()
        try:
            results[i] = context.copy().run(calls[i])
        except BaseException as exc:  # re-raised below, in call order
            errors[i] = exc
        return True

    def helper() -> None:
        try:
            if run_next(first=True):
                while run_next():
                    pass
        finally:
            _free_helper_place()

    helpers = []
    while True:
        while True:  # before each call of its own: a helper for every other call waiting, while places are free
            with taking:
                more = len(queue) > starting[0] + 1
            if not (more and _take_helper_place()):
                break
            with taking:
                starting[0] += 1
            thread = threading.Thread(target=helper, name="zoneplan-part", daemon=True)
            thread.start()
            helpers.append(thread)
        if not run_next():
            break
    with waiting():
        for thread in helpers:
            thread.join()
    for error in errors:
        if error is not None:
            raise error
    return results
