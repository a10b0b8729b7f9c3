"""The application: collateral damage in each variant, the tree's shape, start/stop.

The collateral-damage story is the book's: good jobs beside a doomed one.  Here the
doomed job's last attempt waits (in interruptible runtime sleeps) until the good jobs are
started, so "started while the doomed job is failing" holds on any machine.
"""

from __future__ import annotations

import threading

import pytest
from jobber_events import Collector

import jobber_lab.jobber as jobber
from jobber_lab.jobber import (
    JOB_RUNNER,
    TOP_SUPERVISOR,
    VARIANTS,
    Jobber,
    good_job,
)
from jobber_lab.otp import (
    ALREADY_STARTED,
    FAILED_TO_START_CHILD,
    SHUTDOWN,
    Error,
    Ok,
    Registry,
    Runtime,
    sleep,
)

S = 1.0


def gated_doom(gate: threading.Event, seconds: float):
    """``doomed_job(seconds)`` whose 4th attempt raises only once ``gate`` is set."""
    attempts: list[int] = []

    def work():
        attempts.append(1)
        sleep(seconds)
        while len(attempts) >= 4 and not gate.is_set():
            sleep(0.1)
        raise RuntimeError("Boom!")

    return work


@pytest.mark.parametrize("variant", VARIANTS)
def test_collateral_damage(variant, make_app, events: Collector, runtime: Runtime):
    app = make_app(variant)
    runner = app.job_runner
    gate = threading.Event()
    assert isinstance(app.start_job(work=gated_doom(gate, S), id="doomed"), Ok)
    events.wait_count(4, "job_status", status="running", job_id="doomed")

    goods = [app.start_job(work=good_job(5 * S), id=f"good{i}") for i in range(3)]
    assert all(isinstance(r, Ok) for r in goods)
    is_good = lambda job_id: job_id.startswith("good")  # noqa: E731
    started = events.wait_count(3, "job_status", status="running", job_id=is_good)
    good_pids = [e.pid for e in started]
    assert len(good_pids) == 3
    gate.set()

    if variant == "isolated":
        done = events.wait_count(3, "job_status", status="done")
        assert sorted(e.pid for e in done) == sorted(good_pids)
        exits = [events.wait_event("exited", pid) for pid in good_pids]
        assert [e.get("reason_kind") for e in exits] == ["normal"] * 3
        events.wait_event("supervisor_gave_up")
        assert app.job_runner == runner
        assert not events.flushed("child_restarted", child_id=JOB_RUNNER)
    else:
        restarted = events.wait_event("child_restarted", child_id=JOB_RUNNER)
        events.flushed()
        for pid in good_pids:
            [exited] = events.of("exited", pid)
            assert exited.get("reason_kind") == "shutdown", exited
            assert exited.seq < restarted.seq
            assert not events.of("job_status", pid, status="done"), "never produce a result"
            assert not events.of("child_restarted", old_pid=pid), "not restarted"
        assert len(events.of("job_status", status="new")) == 4 + 3  # nothing came back
        assert app.job_runner != runner
        assert app.which_children() == []
    # Either way, the good jobs' registry entries are gone once the registry caught up.
    with runtime.calling_process():
        Registry.sync("JobRegistry")
        assert all(Registry.lookup("JobRegistry", f"good{i}") == [] for i in range(3))


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_tree_has_the_books_shape(variant, make_app, events: Collector, runtime: Runtime):
    app = make_app(variant)
    top = app.whereis(TOP_SUPERVISOR)
    assert top is not None and app.whereis("JobRegistry") is not None
    assert app.job_runner == app.whereis(JOB_RUNNER) is not None
    children = {child_id: pid for child_id, pid, *_ in app.which_children(TOP_SUPERVISOR)}
    assert children == {"JobRegistry": app.whereis("JobRegistry"), JOB_RUNNER: app.job_runner}
    result = app.start_job(work=good_job(100 * S))
    spawned = events.flushed("spawned", result.value)
    assert spawned[0].get("parent") == str(app.job_runner)
    assert spawned[0].get("behaviour") == ("JobSupervisor" if variant == "isolated" else "Job")
    assert app.count_children()["active"] == 1
    assert "running" in repr(app) and variant in repr(app)


def test_a_duplicate_id_is_refused_as_in_otp(make_app, events: Collector):
    for variant in VARIANTS:
        app = make_app(variant)
        first = app.start_job(work=good_job(1000 * S), id="same")
        assert isinstance(first, Ok)
        [(job, _value)] = _lookup(app, "same")
        second = app.start_job(work=good_job(S), id="same")
        if variant == "direct":  # {:error, {:already_started, pid}}
            assert second == Error((ALREADY_STARTED, job))
        else:  # {:error, {:shutdown, {:failed_to_start_child, Jobber.Job, {...}}}}
            assert isinstance(second, Error)
            shutdown, (failed, _child, already) = second.reason
            assert (shutdown, failed, already) == (
                SHUTDOWN,
                FAILED_TO_START_CHILD,
                (ALREADY_STARTED, job),
            )
        assert app.count_children()["active"] == 1, "the refused job left nothing behind"
        app.stop()


def _lookup(app: Jobber, job_id: str) -> list:
    with app.runtime.calling_process():
        return Registry.lookup("JobRegistry", job_id)


def test_a_jobber_that_owns_its_runtime_leaves_no_threads():
    with Jobber(time_scale=0.01) as app:
        events = Collector(app.runtime)
        app.start_job(work=good_job(S), id="own")
        events.wait_event("job_status", status="done", job_id="own")
        app.start_job(work=good_job(1000 * S))  # still running at stop
    assert app.stopped and app.runtime.closed
    assert app.runtime.threads() == []
    assert app.runtime.leaked_threads() == []
    app.stop()  # again: nothing to do
    assert "stopped" in repr(app)
    with pytest.raises(RuntimeError, match="stopped"):
        app.start_job(work=good_job(S))
    with pytest.raises(RuntimeError, match="stopped"):
        app.running_imports()


def test_a_stopped_jobber_on_a_shared_runtime_says_so(make_app, runtime: Runtime):
    app = make_app()
    app.stop()
    assert not runtime.closed
    assert app.whereis(JOB_RUNNER) is None
    with pytest.raises(RuntimeError, match="stopped"):
        app.start_job(work=good_job(S))
    again = make_app("direct")  # the names are free again
    assert isinstance(again.start_job(work=good_job(S)), Ok)


def test_a_second_jobber_on_one_runtime_is_refused(make_app, runtime: Runtime):
    app = make_app()
    with pytest.raises(RuntimeError, match="already_started"):
        Jobber(runtime=runtime)
    assert isinstance(app.start_job(work=good_job(S)), Ok)


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="variant"):
        Jobber(variant="nested")
    with pytest.raises(ValueError, match="import_quota"):
        Jobber(import_quota=-1)
    with pytest.raises(ValueError, match="import_quota"):
        Jobber(import_quota=True)


# ------------------------------------------------------------ the notebook's module API


@pytest.fixture
def clean_module_api():
    jobber.stop()
    yield
    jobber.stop()


def test_module_level_start_is_re_entrant(clean_module_api):
    with pytest.raises(RuntimeError, match=r"jobber\.start\(\)"):
        jobber.current()
    first = jobber.start(time_scale=0.01)
    assert jobber.current() is first
    first.start_job(work=good_job(1000 * S))  # busy when the cell is re-run

    second = jobber.start(time_scale=0.01, variant="direct", import_quota=1)
    assert first.stopped and first.runtime.closed
    assert first.runtime.threads() == [] and first.runtime.leaked_threads() == []
    assert jobber.current() is second and second.variant == "direct"
    assert second.runtime is not first.runtime

    events = Collector(second.runtime)
    result = jobber.start_job(work=good_job(1000 * S), type="import")
    assert isinstance(result, Ok)
    assert jobber.running_imports() == [
        {"id": jobber.running_imports()[0]["id"], "pid": result.value, "type": "import"}
    ]
    refused = jobber.start_job(work=good_job(S), type="import")
    assert refused == Error(jobber.IMPORT_QUOTA_REACHED)
    events.wait_event("quota_refused")

    jobber.stop()
    assert second.stopped and second.runtime.closed
    assert second.runtime.threads() == [] and second.runtime.leaked_threads() == []
    with pytest.raises(RuntimeError, match="not started"):
        jobber.start_job(work=good_job(S))
    jobber.stop()  # stopping nothing is fine


def test_module_level_start_on_a_given_runtime(clean_module_api, runtime: Runtime):
    app = jobber.start(runtime=runtime)
    assert app.runtime is runtime
    jobber.start(runtime=runtime)  # re-run: the first app is stopped, the names are free
    assert app.stopped and not runtime.closed
    assert isinstance(jobber.start_job(work=good_job(S)), Ok)
    jobber.stop()
    assert not runtime.closed  # the runtime is the caller's
