"""The app's own vocabulary (``jobber/events.py``): JobStatus and JobEventKind, through a live
job, and the core's event kinds free of jobs."""

from __future__ import annotations

import json

from jobber_events import Collector

from jobber_lab import otp
from jobber_lab.jobber import JobEventKind, JobState, JobStatus, bad_job, good_job
from jobber_lab.trace import Tracer


def test_statuses_are_the_books_words_and_compare_as_strings() -> None:
    assert [str(s) for s in JobStatus] == ["new", "running", "errored", "done", "failed"]
    assert f"{JobStatus.ERRORED}" == "errored"  # not "JobStatus.ERRORED", on any Python
    assert JobStatus.DONE == "done" and JobStatus("failed") is JobStatus.FAILED
    assert {"done": 1}[JobStatus.DONE] == 1  # hashes as its string: a dict key either way
    assert json.dumps({"status": JobStatus.NEW}) == '{"status": "new"}'
    assert JobState(work=good_job(0), id="j").status is JobStatus.NEW


def test_the_core_knows_no_job_events() -> None:
    core_kinds = {v for k, v in vars(otp.EventKind).items() if k.isupper()}
    assert {JobEventKind.JOB_STATUS, JobEventKind.QUOTA_REFUSED}.isdisjoint(core_kinds)
    assert not hasattr(otp.EventKind, "JOB_STATUS")


def test_a_jobs_events_carry_plain_status_text(make_app, events: Collector, tmp_path) -> None:
    app = make_app("isolated")
    app.start_job(work=good_job(0.1), id="good")
    app.start_job(work=bad_job(0.1), id="bad", max_retries=1)
    events.wait_event(JobEventKind.JOB_STATUS, status=JobStatus.DONE, job_id="good")
    events.wait_event(JobEventKind.JOB_STATUS, status=JobStatus.FAILED, job_id="bad")
    mine = events.flushed(JobEventKind.JOB_STATUS)
    assert {type(e.get("status")) for e in mine} == {str}  # plain data, as a trace holds it
    assert [e.get("status") for e in mine if e.get("job_id") == "bad"] == [
        JobStatus.NEW,
        JobStatus.RUNNING,
        JobStatus.ERRORED,
        JobStatus.RUNNING,
        JobStatus.FAILED,
    ]
    path = tmp_path / "trace.jsonl"
    Tracer.from_events(mine).save(path)
    loaded = Tracer.load(path)  # a saved trace reads back as the same words
    assert [e.get("status") for e in loaded.history] == [e.get("status") for e in mine]
