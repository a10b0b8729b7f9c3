"""A bounded soak: many job lifecycles per variant leave nothing behind (issue 14).

Rounds of jobs (good, bad and, where the variant survives it, doomed) run to their end;
after each round the runtime must be back where it started: the same processes, the job
registry empty, no zombie, no new thread; and an object census (processes, pids, job
states) must stay flat from round to round.  ``JOBBER_SOAK_JOBS`` sets the jobs per round
and ``JOBBER_SOAK_ROUNDS`` the rounds (``make soak`` runs thousands per variant).
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from jobber_lab import otp
from jobber_lab.jobber import Jobber, bad_job, doomed_job, good_job
from jobber_lab.jobber.job import REGISTRY, JobState
from jobber_lab.otp import Registry, Runtime

JOBS = int(os.environ.get("JOBBER_SOAK_JOBS", "120"))
ROUNDS = int(os.environ.get("JOBBER_SOAK_ROUNDS", "4"))
# Wall seconds one round may take before the soak is declared stuck.
WALL = float(os.environ.get("JOBBER_SOAK_WALL", "60"))

pytestmark = [pytest.mark.stress, pytest.mark.timeout(600)]

VARIANTS = [
    # The isolated variant with the auto_shutdown fix: a JobSupervisor leaves with its job.
    pytest.param({"variant": "isolated", "auto_shutdown": True}, True, id="isolated"),
    # The direct variant: doomed jobs would (rightly) take its JobRunner down, so none.
    pytest.param({"variant": "direct"}, False, id="direct"),
]


def _work(n: int, doomed: bool) -> Callable[[], Any]:
    kinds = [good_job, bad_job, doomed_job] if doomed else [good_job, bad_job]
    return kinds[n % len(kinds)](0.01)


def _census() -> Counter[str]:
    gc.collect()
    wanted = (otp.Process, otp.Pid, JobState, threading.Thread)
    return Counter(type(o).__name__ for o in gc.get_objects() if isinstance(o, wanted))


def _behaviours(rt: Runtime, baseline: set[Any]) -> Counter[str]:
    return Counter(
        p.behaviour for pid in set(rt.processes()) - baseline if (p := rt.process(pid)) is not None
    )


def _wait_until(condition: Callable[[], bool], what: Callable[[], str] | str) -> None:
    """Poll a condition against a wall deadline (the jobs end on their own timers)."""
    deadline = time.monotonic() + WALL
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"soak stuck: {what if isinstance(what, str) else what()}")
        time.sleep(0.01)


@pytest.mark.parametrize(("options", "doomed"), VARIANTS)
def test_soak_job_lifecycles_leave_nothing_behind(options, doomed, caplog):
    caplog.set_level(logging.CRITICAL, logger="jobber_lab")
    threads_before = set(threading.enumerate())
    rt = Runtime(time_scale=0.001, grace=0.5)
    statuses: Counter[str] = Counter()
    lock = threading.Lock()

    def count(event: Any) -> None:
        if event.kind == "job_status" and event.get("status") in ("done", "failed"):
            with lock:
                statuses[event.get("status")] += 1

    rt.subscribe(count)
    app = Jobber(runtime=rt, **options)
    baseline = set(rt.processes())
    censuses = []
    lifecycles = 0
    try:
        for round_ in range(ROUNDS):
            for n in range(JOBS):
                result = app.start_job(work=_work(n, doomed), max_retries=1, id=f"r{round_}-{n}")
                assert isinstance(result, otp.Ok), result
            _wait_until(
                lambda: set(rt.processes()) == baseline,
                lambda r=round_: f"round {r}: still running {_behaviours(rt, baseline)}",
            )
            with rt.calling_process():
                _wait_until(lambda: Registry.count(REGISTRY) == 0, "registry not empty")
            lifecycles += JOBS
            rt.flush_events()
            kinds = 3 if doomed else 2
            with lock:  # every good job finished, every bad one gave up after its retry
                assert statuses["done"] == sum(
                    1 for n in range(lifecycles) if n % JOBS % kinds == 0
                )
                assert statuses["failed"] == sum(
                    1 for n in range(lifecycles) if n % JOBS % kinds == 1
                )
            assert rt.zombie_count == 0
            censuses.append(_census())
    finally:
        app.stop()
        leaked = rt.shutdown()
    assert leaked == []
    left = [t.name for t in threading.enumerate() if t not in threads_before and t.is_alive()]
    assert left == [], left
    first, last = censuses[0], censuses[-1]
    for kind in ("Process", "Pid", "JobState", "Thread"):
        # Flat: a leak of one object per job would add JOBS per round.
        assert last[kind] <= first[kind] + JOBS // 10 + 5, (kind, censuses)
    print(f"\nsoak {options['variant']}: {lifecycles} job lifecycles, census {dict(last)}")
