"""Parts of one analyze / check run side by side on threads, and the answer does not change.

``zoneplan._threads.run_all`` runs independent parts (rule families, indicator tables, target
tables, the columns of the fingerprint) on up to ``settings.threads`` threads; ``_memo.memo``
builds a value shared by several parts once while the others wait. These tests pin the
contract: results and the exception raised are those of running the calls one after the other;
no more threads compute than allowed, nested parts included; a waiting thread lends its place;
and analyze / check give identical tables on one thread and on several.
"""

from __future__ import annotations

import threading
import time

import pandas as pd
import pytest

from zoneplan import _memo, datasets
from zoneplan._threads import run_all, thread_count, waiting
from zoneplan.analysis import analyze
from zoneplan.compliance import check
from zoneplan.plan import Plan
from zoneplan.settings import settings


class _Gauge:
    """Counts the calls computing at once (a call sleeping counts: it holds its thread)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0

    def call(self, value: object, seconds: float = 0.05) -> object:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        time.sleep(seconds)
        with self.lock:
            self.now -= 1
        return value


def test_results_come_in_call_order_whatever_the_start_order() -> None:
    started: list[int] = []

    def call(i: int) -> int:
        started.append(i)
        return i * 10

    with settings.override(threads=1):  # one thread: the start order is the order they run in
        assert run_all([lambda i=i: call(i) for i in range(4)], start=[2, 0]) == [0, 10, 20, 30]
    assert started == [2, 0, 1, 3]


def test_the_first_exception_in_call_order_wins_after_every_call_ran() -> None:
    ran: list[str] = []

    def fail(name: str, seconds: float) -> None:
        time.sleep(seconds)
        ran.append(name)
        raise ValueError(name)

    for threads in (1, 2):
        ran.clear()
        with settings.override(threads=threads), pytest.raises(ValueError, match=r"^first$"):
            # the second call fails sooner and is started first; the first in call order still wins
            run_all([lambda: fail("first", 0.1), lambda: fail("second", 0.0), lambda: ran.append("third")], start=[1])
        assert sorted(ran) == ["first", "second", "third"]


def test_no_more_threads_compute_than_allowed_nested_parts_included() -> None:
    gauge = _Gauge()

    def nested(tag: str) -> list[object]:
        return run_all([lambda i=i: gauge.call((tag, i)) for i in range(3)])

    with settings.override(threads=2):
        out = run_all([lambda: nested("a"), lambda: nested("b"), lambda: gauge.call("c")])
    assert out == [[("a", 0), ("a", 1), ("a", 2)], [("b", 0), ("b", 1), ("b", 2)], "c"]
    assert gauge.most == 2
    with settings.override(threads=3):
        run_all([lambda: nested("a"), lambda: nested("b")])
    assert gauge.most == 3


def test_a_waiting_thread_lends_its_place_to_a_nested_part() -> None:
    gauge = _Gauge()
    released = threading.Event()
    inner_overlap: list[int] = []

    def waits() -> str:
        with waiting():  # as a thread waiting for a value another thread builds
            released.wait(timeout=10)
        return "waited"

    def nested() -> str:
        time.sleep(0.05)  # the other part is waiting by now
        run_all([lambda: gauge.call(1, 0.2), lambda: gauge.call(2, 0.2)])
        inner_overlap.append(gauge.most)
        released.set()
        return "nested"

    with settings.override(threads=2):
        assert run_all([waits, nested]) == ["waited", "nested"]
    assert inner_overlap == [2]  # both inner calls ran at once although two threads were taken


def test_a_shared_value_is_built_once_while_others_wait() -> None:
    plan = datasets.load("zhangdian")
    builds: list[int] = []
    key = ("test_built_once", time.time_ns())

    def build() -> list[int]:
        builds.append(1)
        time.sleep(0.2)
        return [42]

    with settings.override(threads=4):
        got = run_all([lambda: _memo.memo(plan, key, build) for _ in range(4)])
    assert builds == [1]
    assert all(g is got[0] for g in got) and got[0] == [42]


def test_a_failed_build_raises_in_every_waiter_and_is_built_afresh_next_time() -> None:
    plan = datasets.load("zhangdian")
    key = ("test_failed_build", time.time_ns())
    attempts: list[int] = []

    def build() -> str:
        attempts.append(1)
        time.sleep(0.2)
        if len(attempts) == 1:
            raise RuntimeError("broken once")
        return "fine"

    errors: list[str] = []

    together = threading.Barrier(3, timeout=10)

    def ask() -> None:
        together.wait()  # all three ask while the first build runs
        try:
            _memo.memo(plan, key, build)
        except RuntimeError as exc:
            errors.append(str(exc))

    with settings.override(threads=3):
        run_all([ask, ask, ask])
    assert attempts == [1] and errors == ["broken once"] * 3
    assert _memo.memo(plan, key, build) == "fine" and len(attempts) == 2


def test_a_value_asking_for_itself_raises_instead_of_hanging() -> None:
    plan = datasets.load("zhangdian")
    key = ("test_itself", time.time_ns())

    def build() -> object:
        return _memo.memo(plan, key, build)

    with pytest.raises(RuntimeError, match="asked for while this thread builds it"):
        _memo.memo(plan, key, build)
    assert _memo.memo(plan, key, lambda: "built") == "built"  # the failed build was forgotten


def _answers(plan: Plan, threads: int) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    _memo.clear()  # every part computed afresh, on these threads
    with settings.override(threads=threads):
        result = analyze(plan)
        findings = check(plan)
    return result, findings.violations.to_wkt(), findings.cannot_judge


@pytest.mark.parametrize("name", ["linqing", "zhangdian", "liaocheng"])
def test_analyze_and_check_give_the_same_answer_on_one_thread_and_on_four(name: str) -> None:
    plan = datasets.load(name)
    one, four = _answers(plan, 1), _answers(plan, 4)
    assert one[0] == four[0]
    pd.testing.assert_frame_equal(one[1], four[1])
    pd.testing.assert_frame_equal(one[2], four[2])
    assert len(one[1]) > 0 or name == "liaocheng"


def test_the_same_answer_on_a_province_with_every_rule_firing(tmp_path) -> None:
    from benchmarks.synthetic import plan_path

    plan = Plan.read(plan_path(3_000, cache_dir=tmp_path, n_zones=12, n_control_polygons=60))
    one, two = _answers(plan, 1), _answers(plan, 2)
    assert one[0] == two[0]
    pd.testing.assert_frame_equal(one[1], two[1])
    assert one[1]["rule"].nunique() >= 5


def test_thread_count_setting_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    with settings.override(threads=3):
        assert thread_count() == 3
    monkeypatch.setenv("ZONEPLAN_THREADS", "1")
    assert thread_count() == 1
    monkeypatch.setenv("ZONEPLAN_THREADS", "many")
    with pytest.raises(ValueError, match="ZONEPLAN_THREADS: threads must be an integer ≥ 1 or None, not 'many'"):
        thread_count()
    monkeypatch.delenv("ZONEPLAN_THREADS")
    assert thread_count() >= 1
    for bad in (0, -2, 1.5, True):
        with pytest.raises(ValueError, match="threads must be an integer ≥ 1 or None"):
            settings.threads = bad
