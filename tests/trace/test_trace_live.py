"""The tracer on a real Jobber app: rows and graph from the runtime's own events."""

from __future__ import annotations

from jobber_lab import jobber
from jobber_lab.trace import Tracer

WAIT = 10.0


def test_job_rows_count_real_attempts(runtime) -> None:
    tracer = Tracer(runtime)
    app = jobber.Jobber(variant="isolated", runtime=runtime)
    try:
        app.start_job(work=jobber.good_job(1), id="good")
        app.start_job(work=jobber.bad_job(1), id="bad", max_retries=1)
        app.start_job(work=jobber.doomed_job(1), id="doomed")
        assert tracer.wait_for(lambda e: e.kind == "supervisor_gave_up", WAIT)
        assert tracer.wait_for(
            lambda e: e.kind == "job_status" and e.get("status") == "failed", WAIT
        )
        tracer.flush()
        rows = {row["id"]: row for row in tracer.job_rows()}
        assert (rows["good"]["status"], rows["good"]["attempts"]) == ("done", 1)
        assert (rows["bad"]["status"], rows["bad"]["attempts"]) == ("failed", 2)
        assert rows["doomed"]["attempts"] == 4  # one attempt in each of 4 processes
        assert rows["doomed"]["restarts"] == 3
    finally:
        app.stop()
        tracer.detach()
