"""One writer per plan file: an exclusive lock held across every read-modify-write.

Two ``zoneplan import … --into plan.gpkg`` at once each read the plan, add their layer and
replace the file: the second rename drops the first one's layer. :func:`plan_lock` takes an
exclusive :func:`fcntl.flock` on a lock file beside the plan (``.plan.gpkg.lock``, removed by its
holder before it lets go; a process that locked a file since removed tries again, so two writers
never hold locks on two different files). A second writer waits — saying
so through ``on_wait`` — and refuses with an :class:`~zoneplan.errors.InputError` (rule
``plan-lock``) after ``timeout`` seconds. The lock is re-entrant within a process, so a command
holding it can call :func:`zoneplan.io.gpkg.write_plan`, which takes it too.

Examples
--------
>>> import tempfile, pathlib
>>> plan = pathlib.Path(tempfile.mkdtemp()) / "plan.gpkg"
>>> with plan_lock(plan):
...     with plan_lock(plan):  # re-entrant
...         (plan.parent / ".plan.gpkg.lock").exists()
True
>>> (plan.parent / ".plan.gpkg.lock").exists()
False
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from zoneplan.errors import InputError

__all__ = ["lock_path", "plan_lock"]

_HELD: dict[Path, int] = {}  # lock file → depth, for this process
_GUARD = threading.Lock()


def lock_path(path: str | Path) -> Path:
    """The lock file of the plan at ``path``: ``.<name>.lock`` in the same directory."""
    path = Path(path)
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def plan_lock(path: str | Path, *, timeout: float = 60.0, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the write lock of the plan file ``path`` for the ``with`` block.

    Parameters
    ----------
    path
        The plan GeoPackage (it need not exist yet).
    timeout
        Seconds to wait for another process's lock before refusing.
    on_wait
        Called once with a sentence for the user when the lock is held elsewhere.
    """
    lock = lock_path(path).absolute()
    with _GUARD:
        if lock in _HELD:
            _HELD[lock] += 1
            reentered = True
        else:
            reentered = False
    if reentered:
        try:
            yield
        finally:
            with _GUARD:
                _HELD[lock] -= 1
        return
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = _acquire(lock, Path(path), timeout=timeout, on_wait=on_wait)
    try:
        with _GUARD:
            _HELD[lock] = 1
        try:
            yield
        finally:
            with _GUARD:
                del _HELD[lock]
            os.unlink(lock)  # while still holding it: a waiter on this file then starts over
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _locked_current(lock: Path, fd: int) -> bool:
    """After ``flock``: is ``fd`` still the file at ``lock`` (not one its last holder removed)?"""
    try:
        return os.stat(lock).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def _acquire(lock: Path, path: Path, *, timeout: float, on_wait: Callable[[str], None] | None) -> int:
    deadline = time.monotonic() + timeout
    said = False
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if not said and on_wait is not None:
                on_wait(f"waiting for {path}: another zoneplan process is writing it (up to {timeout:g} s)")
            said = True
            if time.monotonic() >= deadline:
                raise InputError(
                    f"another zoneplan process has been writing this plan for over {timeout:g} s; nothing was changed, try again", file=path, rule="plan-lock"
                ) from None
            time.sleep(0.05)
            continue
        if _locked_current(lock, fd):
            return fd
        os.close(fd)  # its holder removed it as we got it: lock the new one
