"""The restart limits are options of ``Jobber(...)`` (issue 12, "Jobber"), the book's by default.

Each test shows a limit doing something the default would not: a window too short for a
slow crasher to fill, a JobRunner that gives up at once, an escalation to the top.
Runtime seconds throughout; waits are on events, never sleeps.  The tests that let crashes
happen run on simulated time (``@pytest.mark.runtime(simulated=True)``): exact and instant.
"""

from __future__ import annotations

import pytest
from jobber_events import Collector

import jobber_lab.jobber as jobber
from jobber_lab.jobber import JOB_RUNNER, TOP_SUPERVISOR, Jobber, RestartLimits, doomed_job
from jobber_lab.otp import Runtime


def test_the_defaults_are_the_books(make_app) -> None:
    app = make_app()
    assert app.limits == RestartLimits(
        runner_max_restarts=3,
        runner_max_seconds=30,
        job_supervisor_max_restarts=3,
        job_supervisor_max_seconds=30,
        top_max_restarts=3,
        top_max_seconds=5,
    )


@pytest.mark.runtime(simulated=True)
@pytest.mark.parametrize(
    ("variant", "option"),
    [("isolated", "job_supervisor_max_seconds"), ("direct", "runner_max_seconds")],
)
def test_a_short_window_never_fills_with_slow_crashes(
    variant, option, make_app, events: Collector
) -> None:
    """Crashes 2 s apart against a 3 s window: at most 2 restarts in it, never 4: forever.

    With the book's 30 s window the same job is given up after its 4th crash (test_job).
    """
    app = make_app(variant, **{option: 3})
    runner = app.job_runner
    app.start_job(work=doomed_job(2), id="slow")
    restarted = events.wait_count(6, "child_restarted", child_id=lambda c: c != JOB_RUNNER)
    assert not events.flushed("supervisor_gave_up")
    assert app.job_runner == runner
    # exactly 2 s apart: the window holds this restart and the one 2 s before, never more
    assert [e.time for e in restarted] == [2.0, 4.0, 6.0, 8.0, 10.0, 12.0]
    assert [e.get("restarts") for e in restarted] == [1, 2, 2, 2, 2, 2]


@pytest.mark.runtime(simulated=True)
def test_a_runner_with_no_restarts_gives_up_at_the_first_crash(make_app, events: Collector) -> None:
    app = make_app("direct", runner_max_restarts=0)
    runner = app.job_runner
    app.start_job(work=doomed_job(1))
    gave_up = events.wait_event("supervisor_gave_up")
    assert gave_up.get("supervisor") == str(runner) and gave_up.time == 1.0
    restarted = events.wait_event("child_restarted", child_id=JOB_RUNNER)
    assert restarted.get("supervisor") == str(app.whereis(TOP_SUPERVISOR))
    assert len(events.flushed("job_status", status="new")) == 1


@pytest.mark.runtime(simulated=True)
def test_escalation_to_the_top_stops_the_tree(make_app, events: Collector, runtime) -> None:
    """JobRunner gives up, and Jobber.Supervisor, allowed no restart, gives up in turn."""
    app = make_app("direct", runner_max_restarts=0, top_max_restarts=0)
    top = app.whereis(TOP_SUPERVISOR)
    app.start_job(work=doomed_job(1))
    events.wait_event("supervisor_gave_up", supervisor=top)
    [top_exit] = events.wait_count(1, "exited", top)
    assert top_exit.get("reason_kind") == "shutdown"
    assert app.whereis(TOP_SUPERVISOR) is None and app.job_runner is None
    app.stop()  # stopping an app whose tree is gone is fine


@pytest.mark.parametrize(
    ("options", "name"),
    [
        ({"runner_max_restarts": -1}, "runner_max_restarts"),
        ({"runner_max_restarts": 1.5}, "runner_max_restarts"),
        ({"runner_max_seconds": 0}, "runner_max_seconds"),
        ({"job_supervisor_max_restarts": True}, "job_supervisor_max_restarts"),
        ({"job_supervisor_max_seconds": "30"}, "job_supervisor_max_seconds"),
        ({"top_max_restarts": None}, "top_max_restarts"),
        ({"top_max_seconds": -5}, "top_max_seconds"),
        ({"variant": "direct", "job_supervisor_max_seconds": 10}, "job_supervisor_max_seconds"),
    ],
)
def test_a_bad_limit_is_refused_naming_it(options, name, runtime: Runtime) -> None:
    with pytest.raises(ValueError, match=f"^{name}: "):
        Jobber(runtime=runtime, **options)
    assert runtime.whereis(TOP_SUPERVISOR) is None, "nothing was started"


def test_the_module_api_passes_the_limits_on(runtime: Runtime) -> None:
    jobber.stop()
    try:
        app = jobber.start(runtime=runtime, runner_max_seconds=7, top_max_seconds=1.5)
        assert (app.limits.runner_max_seconds, app.limits.top_max_seconds) == (7, 1.5)
        with pytest.raises(TypeError, match="runner_max_second"):
            jobber.start(runtime=runtime, runner_max_second=7)
    finally:
        jobber.stop()
