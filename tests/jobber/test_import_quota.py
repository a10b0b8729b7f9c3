"""The import quota: three imports at a time, the rest refused; other jobs never limited.

Import jobs here wait on a gate (in interruptible runtime sleeps) so "while they run" does
not depend on the machine's speed.
"""

from __future__ import annotations

import threading
import time

import pytest
from jobber_events import WAIT, Collector

from jobber_lab.jobber import IMPORT_QUOTA_REACHED, VARIANTS, good_job
from jobber_lab.otp import Error, Ok, Pid, Registry, Runtime, sleep, spawn

S = 1.0


def gated_work(gate: threading.Event):
    """Work that runs until ``gate`` is set, then succeeds."""

    def work():
        while not gate.is_set():
            sleep(0.2)
        return ("ok", [])

    return work


def job_pids(events: Collector, job_type: str | None = "import") -> list[str]:
    return [e.pid for e in events.flushed("job_status", status="new", job_type=job_type)]


@pytest.mark.parametrize("variant", VARIANTS)
def test_three_imports_then_refused_then_accepted_again(
    variant, make_app, events: Collector, runtime: Runtime
):
    app = make_app(variant)
    gate = threading.Event()
    accepted = [
        app.start_job(work=gated_work(gate), type="import", id=f"import{i}") for i in range(3)
    ]
    assert all(isinstance(r, Ok) for r in accepted), accepted
    imports = job_pids(events)
    assert len(imports) == 3

    rows = app.running_imports()
    expected = [
        {"id": f"import{i}", "pid": pid_of(events, f"import{i}"), "type": "import"}
        for i in range(3)
    ]
    assert sorted(rows, key=lambda r: r["id"]) == expected
    assert all(set(row) == {"id", "pid", "type"} for row in rows)
    if variant == "direct":
        assert sorted(str(r.value) for r in accepted) == sorted(imports)
    else:  # Ok(JobSupervisor pid) as in the book; running_imports shows the Jobs
        assert not {str(r.value) for r in accepted} & set(imports)

    refused = app.start_job(work=good_job(S), type="import", id="import3")
    assert refused == Error(IMPORT_QUOTA_REACHED)
    event = events.wait_event("quota_refused")
    assert (event.get("job_type"), event.get("running"), event.get("quota")) == ("import", 3, 3)
    assert not events.flushed("job_status", job_id="import3"), "a refused job never starts"

    # Only imports are limited (the book's check refuses every job while the quota is full).
    for job_type in (None, "export", "Import"):
        other = app.start_job(work=good_job(S), type=job_type)
        assert isinstance(other, Ok), (job_type, other)
    events.wait_count(3, "job_status", status="done")
    assert len(app.running_imports()) == 3

    gate.set()
    for pid in imports:
        assert events.wait_event("exited", pid).get("reason_kind") == "normal"
    with runtime.calling_process():
        Registry.sync("JobRegistry")
    assert app.running_imports() == []
    again = [app.start_job(work=good_job(S), type="import") for _ in range(3)]
    assert all(isinstance(r, Ok) for r in again), again
    assert len(events.flushed("quota_refused")) == 1


def pid_of(events: Collector, job_id: str) -> Pid:
    """The live pid of the Job that has ``job_id``."""
    [event] = events.flushed("job_status", status="new", job_id=job_id)
    return next(p for p in events.runtime.processes() if str(p) == event.pid)


@pytest.mark.parametrize("quota", [0, 1])
def test_other_quotas(quota, make_app, events: Collector):
    app = make_app(import_quota=quota)
    gate = threading.Event()
    results = [app.start_job(work=gated_work(gate), type="import") for _ in range(quota + 2)]
    assert sum(isinstance(r, Ok) for r in results) == quota
    assert results[quota:] == [Error(IMPORT_QUOTA_REACHED)] * 2
    assert isinstance(app.start_job(work=good_job(S)), Ok)
    gate.set()


@pytest.mark.parametrize("variant", VARIANTS)
def test_twenty_concurrent_callers_admit_exactly_the_quota(variant, make_app, events: Collector):
    app = make_app(variant)
    gate = threading.Event()
    barrier = threading.Barrier(20)
    results: list[object] = []
    lock = threading.Lock()

    def caller() -> None:
        barrier.wait(WAIT)
        result = app.start_job(work=gated_work(gate), type="import")
        with lock:
            results.append(result)

    threads = [threading.Thread(target=caller, name=f"caller-{i}") for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT)
    assert not any(t.is_alive() for t in threads)
    assert len(results) == 20
    assert sum(isinstance(r, Ok) for r in results) == 3
    assert sum(r == Error(IMPORT_QUOTA_REACHED) for r in results) == 17
    assert len(app.running_imports()) == 3
    assert len(job_pids(events)) == 3
    assert len(events.flushed("quota_refused")) == 17
    gate.set()


@pytest.mark.parametrize("variant", VARIANTS)
def test_churning_callers_never_run_more_imports_than_the_quota(
    variant, make_app, events: Collector
):
    """20 threads keep starting short imports: at no moment do more than 3 run.

    A job counts from its "new" status to its "done" status; "done" comes before the
    process dies, so this count never exceeds the number of live imports.
    """
    app = make_app(variant)
    barrier = threading.Barrier(20)
    admitted = []
    lock = threading.Lock()

    def caller() -> None:
        barrier.wait(WAIT)
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            with lock:
                if len(admitted) >= 12:
                    return
            result = app.start_job(work=good_job(0.5), type="import")
            if isinstance(result, Ok):
                with lock:
                    admitted.append(result)
            time.sleep(0.0005)  # pacing, not waiting: let the other callers in

    threads = [threading.Thread(target=caller, name=f"churn-{i}") for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT)
    assert not any(t.is_alive() for t in threads)
    assert len(admitted) >= 12, "imports ended and new ones were admitted, many times"
    events.wait_count(len(admitted), "job_status", status="done", job_type="import")

    running: set[str] = set()
    peak = 0
    for e in events.flushed("job_status", job_type="import"):
        if e.get("status") == "new":
            running.add(e.pid)
        elif e.get("status") == "done":
            running.discard(e.pid)
        peak = max(peak, len(running))
    assert peak <= 3
    assert len(job_pids(events)) == len(admitted)


@pytest.mark.runtime(simulated=True)
@pytest.mark.parametrize("variant", VARIANTS)
def test_simulated_callers_at_one_instant_get_exactly_the_quota(
    variant, make_app, events: Collector, runtime: Runtime
):
    """20 processes start imports at the same simulated instant.  The quota's lock holder
    waits in its start_child call; the others wait their turn in a receive (a runtime
    wait), so the world never stalls on the lock: exactly 3 in, 17 refused, no time spent."""
    app = make_app(variant)
    results: list[object] = []

    def caller() -> None:
        results.append(app.start_job(work=good_job(1000), type="import"))

    def launch() -> None:
        for _ in range(20):
            spawn(caller)

    with runtime.calling_process():
        spawn(launch)
        sleep(1)
    assert sum(isinstance(r, Ok) for r in results) == 3, results
    assert results.count(Error(IMPORT_QUOTA_REACHED)) == 17, results
    assert not events.flushed("baton_held"), "a caller held the world still on the lock"
    assert [e.time for e in events.of("quota_refused")] == [0.0] * 17
