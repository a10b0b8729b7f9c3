"""Misuse of ``start_job`` fails at once, naming the argument, and the app keeps running."""

from __future__ import annotations

import pytest
from jobber_events import Collector

import jobber_lab.jobber as jobber
from jobber_lab.jobber import VARIANTS, Jobber, good_job
from jobber_lab.otp import Ok

BAD_CALLS = [
    pytest.param({"work": "not a function"}, TypeError, "work", id="work-not-callable"),
    pytest.param({"work": None}, TypeError, "work", id="work-none"),
    pytest.param({}, TypeError, "work", id="work-missing"),
    pytest.param({"type": "import"}, TypeError, "work", id="only-type"),
    pytest.param({"max_retries": -1}, ValueError, "max_retries", id="negative-retries"),
    pytest.param({"max_retries": 1.5}, TypeError, "max_retries", id="float-retries"),
    pytest.param({"max_retries": "3"}, TypeError, "max_retries", id="str-retries"),
    pytest.param({"max_retries": True}, TypeError, "max_retries", id="bool-retries"),
    pytest.param({"retries": 3}, TypeError, "retries", id="unknown-option"),
    pytest.param({"Work": good_job(1)}, TypeError, "Work", id="misspelt-option"),
    pytest.param({"type": 7}, TypeError, "type", id="type-not-str"),
    pytest.param({"type": b"import"}, TypeError, "type", id="type-bytes"),
    pytest.param({"id": 42}, TypeError, "id", id="id-not-str"),
]


def _with_work(options: dict) -> dict:
    """Add a good ``work`` unless the case is about ``work`` itself."""
    if any(k.lower() == "work" for k in options) or options in ({}, {"type": "import"}):
        return dict(options)
    return {"work": good_job(1), **options}


@pytest.mark.parametrize("variant", VARIANTS)
def test_bad_input_raises_naming_the_argument_and_the_app_keeps_running(
    variant, make_app, events: Collector
):
    app = make_app(variant)
    runner = app.job_runner
    for case in BAD_CALLS:
        options, error, name = case.values
        with pytest.raises(error, match=name) as info:
            app.start_job(**_with_work(options))
        assert name in str(info.value), (case.id, info.value)
    assert not events.flushed("spawned", behaviour="Job"), "nothing was started"
    assert not events.of("exited")

    assert app.job_runner == runner
    result = app.start_job(work=good_job(1), id="after")
    assert isinstance(result, Ok)
    done = events.wait_event("job_status", status="done", job_id="after")
    assert events.wait_event("exited", done.pid).get("reason_kind") == "normal"


@pytest.mark.parametrize(("options", "error", "name"), [c.values for c in BAD_CALLS])
def test_each_bad_input_alone(options, error, name, make_app):
    app = make_app()
    with pytest.raises(error, match=name):
        app.start_job(**_with_work(options))


def test_positional_work_is_refused(make_app):
    app = make_app()
    with pytest.raises(TypeError):
        app.start_job(good_job(1))


def test_bad_input_through_the_module_api(runtime, events: Collector):
    jobber.start(runtime=runtime)
    try:
        with pytest.raises(TypeError, match="work"):
            jobber.start_job(work=3)
        with pytest.raises(ValueError, match="max_retries"):
            jobber.start_job(work=good_job(1), max_retries=-2)
        assert isinstance(jobber.start_job(work=good_job(1), id="fine"), Ok)
        events.wait_event("job_status", status="done", job_id="fine")
    finally:
        jobber.stop()


def test_auto_shutdown_is_refused_for_the_direct_variant(runtime) -> None:
    """The fix is for JobSupervisors; asking for it where there are none is a clear error,
    and nothing is started."""
    with pytest.raises(ValueError, match=r"auto_shutdown=True.*'direct' variant"):
        Jobber(variant="direct", auto_shutdown=True, runtime=runtime)
    assert runtime.processes() == []
