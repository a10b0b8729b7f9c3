"""The book's Job, one fact at a time (issue 4, "Facts it must reproduce"), both variants.

S is the work's sleep (the book's 5 s) in runtime seconds; the runtime fixture runs at
time_scale 0.01, so S=2 is 20 ms of wall time.  Waits are on events or messages, never sleeps.
The tests that state times (retries, restart windows, the doomed story) run on simulated time
(``@pytest.mark.runtime(simulated=True)``), where those times are exact and cost no wall time.
"""

from __future__ import annotations

import pytest
from jobber_events import SIM_WAIT, WAIT, Collector, statuses

from jobber_lab.jobber import (
    JOB_RUNNER,
    RETRY_DELAY,
    TOP_SUPERVISOR,
    VARIANTS,
    FunctionClauseError,
    JobState,
    bad_job,
    doomed_job,
    good_job,
)
from jobber_lab.jobber.job import handle_job_result
from jobber_lab.otp import (
    DOWN,
    NOPROC,
    NORMAL,
    PROCESS,
    SHUTDOWN,
    Error,
    Event,
    Ok,
    Pid,
    Registry,
    Runtime,
    monitor,
    sleep,
)
from jobber_lab.testing import assert_receive

S = 2.0
REGISTRY = "JobRegistry"


def rt_wait(runtime: Runtime) -> float:
    """WAIT wall seconds as runtime seconds (``assert_receive`` counts runtime time); on a
    simulated runtime, where waiting costs no wall time, SIM_WAIT runtime seconds."""
    return SIM_WAIT if runtime.simulated else WAIT / runtime.time_scale


def job_pid(app, events: Collector, result) -> Pid:
    """The Job's pid from ``start_job``'s ``Ok(pid)``: itself (direct) or its supervisor's child.

    Read from the JobSupervisor's ``child_started`` event, not from ``which_children``: a
    short job may already be gone (and its pid ``undefined``) by the time we would ask.
    """
    assert isinstance(result, Ok), result
    if app.variant == "direct":
        return result.value
    started = events.wait_event("child_started", supervisor=str(result.value))
    node, serial, _ = started.pid.strip("<>").split(".")
    return Pid(int(node), int(serial))


def await_down(runtime: Runtime, pid: Pid, events: Collector | None = None):
    """Monitor ``pid`` and wait for its DOWN; return the reason.

    A DOWN is sent after the dead process's link signals, so once it arrives the
    supervisor and the Registry have the EXIT in their mailboxes.  If the process ended
    before we looked (DOWN ``noproc``), its ``exited`` event says how.
    """
    ref = monitor(pid)
    message = assert_receive((DOWN, ref, PROCESS, pid, ...), rt_wait(runtime))
    if message[4] is NOPROC and events is not None:
        text = events.wait_event("exited", pid).get("reason")
        return {":normal": NORMAL, ":shutdown": SHUTDOWN}.get(text, text)
    return message[4]


def returns(value, after: float = 0.0):
    """Work that sleeps ``after`` runtime seconds, then returns ``value``."""

    def work():
        sleep(after)
        return value

    return work


def no_restart_of(events: Collector, pid: Pid) -> bool:
    return not events.flushed("child_restarted", old_pid=pid)


# ----------------------------------------------------------------------------- good job


@pytest.mark.parametrize("variant", VARIANTS)
def test_good_job_runs_once_exits_normal_and_leaves_the_registry(
    variant, make_app, events, runtime, me
):
    app = make_app(variant)
    result = app.start_job(work=good_job(S), id="good")
    job = job_pid(app, events, result)

    assert await_down(runtime, job, events) is NORMAL
    assert statuses(events.flushed(), job) == [("new", 0), ("running", 0), ("done", 0)]
    attempts = [e.get("attempt") for e in events.of("job_status", job, status="running")]
    assert attempts == [1]
    [done] = events.of("job_status", job, status="done")
    [running] = events.of("job_status", job, status="running")
    assert done.time - running.time >= S * 0.95  # the result comes after the work's sleep

    # Counting the supervisor's children also waits until it handled the Job's EXIT.
    counts = app.count_children()
    assert no_restart_of(events, job)
    assert len(events.of("job_status", status="new")) == 1

    Registry.sync(REGISTRY)
    assert Registry.lookup(REGISTRY, "good") == []
    assert app.running_imports() == []

    if variant == "isolated":
        # The book's JobSupervisor lingers, with its Job gone.
        assert counts == {"specs": 1, "active": 1, "supervisors": 1, "workers": 0}
        jobsup = result.value
        assert runtime.is_alive(jobsup)
        assert app.count_children(jobsup)["active"] == 0
        assert [pid for _id, pid, *_ in app.which_children()] == [jobsup]
    else:
        assert counts == {"specs": 0, "active": 0, "supervisors": 0, "workers": 0}
        assert app.which_children() == []


def test_good_job_with_auto_shutdown_leaves_no_job_supervisor(make_app, events, runtime, me):
    app = make_app("isolated", auto_shutdown=True)
    result = app.start_job(work=good_job(S))
    job = job_pid(app, events, result)
    jobsup = result.value
    ref = monitor(jobsup)

    assert await_down(runtime, job, events) is NORMAL
    message = assert_receive((DOWN, ref, PROCESS, jobsup, ...), rt_wait(runtime))
    assert message[4] in (NORMAL, SHUTDOWN)  # a clean exit, never a crash
    assert app.count_children() == {"specs": 0, "active": 0, "supervisors": 0, "workers": 0}
    assert no_restart_of(events, jobsup)
    assert no_restart_of(events, job)


def test_the_seed_work_factories_check_their_argument():
    for factory in (good_job, bad_job, doomed_job):
        with pytest.raises(ValueError, match="seconds"):
            factory(-1)
        with pytest.raises(TypeError, match="seconds"):
            factory("5")


# ------------------------------------------------------------------------------ bad job


@pytest.mark.runtime(simulated=True, trace_messages=True)  # timer_fired is opt-in
@pytest.mark.parametrize("variant", VARIANTS)
def test_bad_job_retries_three_times_then_fails_and_exits_normal(
    variant, make_app, events, runtime, me
):
    s = RETRY_DELAY  # the book's numbers: work sleeps 5 s, retries 5 s later
    app = make_app(variant)
    job = job_pid(app, events, app.start_job(work=bad_job(s), max_retries=3))

    assert await_down(runtime, job, events) is NORMAL
    log = events.flushed()
    assert statuses(log, job) == [
        ("new", 0),
        ("running", 0),
        ("errored", 0),
        ("running", 0),
        ("errored", 1),
        ("running", 1),
        ("errored", 2),
        ("running", 2),
        ("failed", 3),
    ]
    # One process did all four attempts; three retries were scheduled (timers fired).
    assert [e.pid for e in events.of("job_status")] == [str(job)] * 9
    running = events.of("job_status", job, status="running")
    assert [e.get("attempt") for e in running] == [1, 2, 3, 4]
    timers = events.of("timer_fired", job)
    assert len(timers) == 3
    assert len(events.of("spawned", behaviour="Job")) == 1
    app.count_children()
    assert no_restart_of(events, job)

    # Timing, exact on simulated time, from the first attempt's start: results at 1, 3, 5,
    # 7 S, each retry (its timer) S after the previous result, exit at 7 S.
    t0 = running[0].time
    results = [e for e in events.of("job_status", job) if e.get("status") in ("errored", "failed")]
    assert [e.time - t0 for e in results] == [s, 3 * s, 5 * s, 7 * s]
    assert [e.time - t0 for e in running] == [0, 2 * s, 4 * s, 6 * s]
    for result, timer, retry in zip(results, timers, running[1:], strict=False):
        assert timer.time - result.time == s
        assert timer.seq < retry.seq
    [exited] = events.of("exited", job)
    assert exited.time - t0 == 7 * s
    assert exited.get("reason_kind") == "normal"


@pytest.mark.runtime(simulated=True)
@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("n", [0, 1, 2])
def test_n_retries_give_n_plus_one_attempts(n, variant, make_app, events, runtime, me):
    s = 1.0
    app = make_app(variant)
    job = job_pid(app, events, app.start_job(work=bad_job(s), max_retries=n))

    assert await_down(runtime, job, events) is NORMAL
    events.flushed()
    running = events.of("job_status", job, status="running")
    assert [e.get("attempt") for e in running] == list(range(1, n + 2))
    errors = [e for e in events.of("job_status", job) if e.get("status") in ("errored", "failed")]
    for result, retry in zip(errors, running[1:], strict=False):
        assert retry.time - result.time == RETRY_DELAY  # the book's :retry, 5 s later
    final = events.of("job_status", job)[-1]
    assert (final.get("status"), final.get("retries")) == ("failed", n)
    errored = [r for st, r in statuses(events.of(), job) if st == "errored"]
    assert errored == list(range(n))  # max_retries=0: no retry at all (the book's loops)
    [exited] = events.of("exited", job)
    assert exited.time - running[0].time == (n + 1) * s + n * RETRY_DELAY
    app.count_children()
    assert no_restart_of(events, job)


# ---------------------------------------------------------------------------- doomed job


def _doomed_starts(events: Collector) -> list[Event]:
    return events.of("job_status", status="new")


@pytest.mark.runtime(simulated=True)
@pytest.mark.parametrize("variant", VARIANTS)
def test_doomed_job_is_started_four_times_then_given_up(variant, make_app, events, runtime, me):
    app = make_app(variant)
    runner = app.job_runner
    registry = app.whereis(REGISTRY)
    result = app.start_job(work=doomed_job(S))
    assert isinstance(result, Ok)
    if variant == "isolated":
        jobsup = result.value
        assert await_down(runtime, jobsup, events) is SHUTDOWN
    else:
        restarted = events.wait_event("child_restarted", child_id=JOB_RUNNER)
        assert restarted.get("old_pid") == str(runner)

    log = events.flushed()
    starts = _doomed_starts(events)
    crashes = [e for e in events.of("exited") if e.get("reason_kind") == "crash"]
    assert len(starts) == 4 and len(crashes) == 4
    assert len({e.pid for e in starts}) == 4, "each restart is a new process"
    assert len({e.get("job_id") for e in starts}) == 4, "without an id, each gets a new one"
    assert [e.pid for e in crashes] == [e.pid for e in starts]
    assert all("Boom!" in e.get("exception") for e in crashes)
    # start, crash exactly S later, restarted in the same instant: ordered and spaced by
    # the work's sleep; the supervisor gives up at the 4th crash, 4 S after the first start.
    for k in range(4):
        assert starts[k].seq < crashes[k].seq
        assert crashes[k].time - starts[k].time == S
        if k < 3:
            assert crashes[k].seq < starts[k + 1].seq
            assert starts[k + 1].time == crashes[k].time
    gave_up = events.of("supervisor_gave_up")
    assert len(gave_up) == 1 and gave_up[0].get("reason") == "shutdown"
    assert gave_up[0].time - starts[0].time == 4 * S

    if variant == "isolated":
        assert gave_up[0].get("supervisor") == str(jobsup)
        assert app.job_runner == runner, "JobRunner keeps its pid"
        assert not events.of("child_restarted", child_id=JOB_RUNNER)
        assert no_restart_of(events, jobsup), "a JobSupervisor is temporary"
        assert app.count_children() == {"specs": 0, "active": 0, "supervisors": 0, "workers": 0}
        [sup_exit] = events.of("exited", jobsup)
        assert sup_exit.get("reason_kind") == "shutdown"
    else:
        assert gave_up[0].get("supervisor") == str(runner)
        [runner_exit] = [e for e in log if e.kind == "exited" and e.pid == str(runner)]
        assert runner_exit.get("reason_kind") == "shutdown"
        new_runner = app.job_runner
        assert new_runner is not None and new_runner != runner
        assert restarted.pid == str(new_runner)
        assert restarted.get("supervisor") == str(app.whereis(TOP_SUPERVISOR))
        assert app.count_children() == {"specs": 0, "active": 0, "supervisors": 0, "workers": 0}
        assert runtime.is_alive(new_runner)
        # crash 4 took JobRunner down: no fifth start, ever
        assert len(events.flushed("job_status", status="new")) == 4
    assert app.whereis(REGISTRY) == registry, "the Registry keeps its pid"
    Registry.sync(REGISTRY)
    assert Registry.count(REGISTRY) == 0


@pytest.mark.runtime(simulated=True)
@pytest.mark.parametrize("variant", VARIANTS)
def test_doomed_job_with_an_id_keeps_it_across_restarts(variant, make_app, events, runtime, me):
    app = make_app(variant)
    app.start_job(work=doomed_job(1), id="doomed")
    events.wait_event("supervisor_gave_up")
    starts = events.flushed("job_status", status="new")
    assert [e.get("job_id") for e in starts] == ["doomed"] * 4
    assert len({e.pid for e in starts}) == 4


# ---------------------------------------------------------------- what work may return


@pytest.mark.parametrize("variant", VARIANTS)
def test_work_returning_garbage_crashes_with_function_clause_error(
    variant, make_app, events, runtime, me
):
    app = make_app(variant)
    job = job_pid(
        app, events, app.start_job(work=returns(42, after=S), id="garbage", max_retries=0)
    )

    crash = events.wait_event("exited", job)
    assert crash.get("reason_kind") == "crash"
    assert "FunctionClauseError" in crash.get("exception")
    assert "42" in crash.get("reason")
    assert statuses(events.flushed(), job) == [("new", 0), ("running", 0)]


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (("ok", []), "done"),
        (Ok([1, 2]), "done"),
        ("error", "failed"),
    ],
)
def test_work_results_in_the_books_shapes(value, status, make_app, events, runtime, me):
    app = make_app("direct")
    job = job_pid(app, events, app.start_job(work=returns(value), max_retries=0))
    assert events.wait_event("exited", job).get("reason_kind") == "normal"
    assert events.flushed("job_status", job)[-1].get("status") == status


def test_handle_job_result_clauses():
    state = JobState(work=lambda: None, id="x", attempt=1, status="running")
    assert handle_job_result(("ok", []), state).status == "done"
    first = handle_job_result("error", state)
    assert (first.status, first.retries) == ("errored", 0)
    retry = handle_job_result("error", JobState(work=state.work, id="x", retries=2, attempt=4))
    assert (retry.status, retry.retries) == ("failed", 3)
    no_retries = JobState(work=state.work, id="x", max_retries=0, attempt=1)
    assert handle_job_result("error", no_retries).status == "failed"
    with pytest.raises(FunctionClauseError, match="handle_job_result"):
        handle_job_result({"ok": 1}, state)
    # {:error, reason} is not :error: the book has no clause for it.
    with pytest.raises(FunctionClauseError, match="nope"):
        handle_job_result(Error("nope"), no_retries)


@pytest.mark.runtime(simulated=True)
@pytest.mark.parametrize("variant", VARIANTS)
def test_work_returning_an_error_tuple_crashes_four_times_then_is_given_up(
    variant, make_app, events, runtime, me
):
    """``{:error, reason}`` matches no ``handle_job_result`` clause: a crash, not a retry.

    As in the real app: FunctionClauseError, restarted 3 times (the job is transient), then
    its supervisor (the JobSupervisor, or JobRunner in the direct variant) gives up.
    """
    app = make_app(variant)
    runner = app.job_runner
    app.start_job(work=returns(Error("nope"), after=S), id="erroring")
    gave_up = events.wait_event("supervisor_gave_up")
    log = events.flushed()
    starts = [e for e in log if e.kind == "job_status" and e.get("status") == "new"]
    crashes = [e for e in log if e.kind == "exited" and e.get("reason_kind") == "crash"]
    assert len(starts) == 4 and [e.pid for e in crashes] == [e.pid for e in starts]
    assert all("FunctionClauseError" in e.get("exception") for e in crashes)
    assert all("nope" in e.get("reason") for e in crashes)
    statuses_seen = {e.get("status") for e in log if e.kind == "job_status"}
    assert statuses_seen == {"new", "running"}, "never errored, never retried by the job"
    assert not [e for e in log if e.kind == "timer_fired"], "no :retry was ever sent"
    if variant == "direct":
        assert gave_up.get("supervisor") == str(runner)
        events.wait_event("child_restarted", child_id=JOB_RUNNER)
    else:
        assert gave_up.get("supervisor") != str(runner)
        assert app.job_runner == runner


@pytest.mark.runtime(simulated=True)
@pytest.mark.parametrize("variant", VARIANTS)
def test_restart_window_scales_with_time(variant, make_app, events, runtime, me):
    """Crashes more than 10 s apart never put 4 restarts in the 30 s window: restarted forever.

    On simulated time the crashes come exactly 12 s apart, so the window holds exactly 3
    restarts at most (those at t, t - 12 and t - 24 s; t - 36 s is out).
    """
    app = make_app(variant)
    runner = app.job_runner
    app.start_job(work=doomed_job(12))
    events.wait_count(5, "child_restarted", child_id=lambda c: c != JOB_RUNNER)
    assert not events.flushed("supervisor_gave_up")
    assert not events.of("intensity_reached")
    assert app.job_runner == runner
    restarted = events.of("child_restarted")
    restarts = [e.get("restarts") for e in restarted]
    assert restarts[:5] == [1, 2, 3, 3, 3], restarts
    assert [e.time for e in restarted[:5]] == [12.0, 24.0, 36.0, 48.0, 60.0]
    assert len({e.pid for e in events.of("job_status", status="new")}) >= 6
