"""Job rows, supervisor rows and log lines for the dashboard."""

from __future__ import annotations

from trace_story import Story, jobber_direct, jobber_isolated

from jobber_lab.otp import Event
from jobber_lab.trace import Tracer, describe


def test_job_rows_isolated() -> None:
    story, p = jobber_isolated()
    rows = Tracer.from_events(story.events).job_rows()
    assert [r["id"] for r in rows] == [
        "good-1",
        "doomed-0",
        "doomed-1",
        "doomed-2",
        "doomed-3",
        "busy-1",
    ]
    good = rows[0]
    exit_time = next(e.time for e in story.events if e.kind == "exited" and e.pid == p["good"])
    spawn_time = next(e.time for e in story.events if e.kind == "spawned" and e.pid == p["good"])
    assert good == {
        "id": "good-1",
        "type": "import",
        "status": "done",
        "attempts": 1,
        "retries": 0,
        "restarts": 0,
        "pid": p["good"],
        "started": spawn_time,
        "ended": exit_time,
        "alive": False,
    }
    # The doomed job gets a new id per start: each row carries its own process's restarts.
    assert [r["restarts"] for r in rows[1:5]] == [0, 1, 2, 3]
    assert [r["pid"] for r in rows[1:5]] == p["doomed"]
    assert all(r["status"] == "running" and not r["alive"] for r in rows[1:5])
    busy = rows[5]
    assert (busy["status"], busy["alive"], busy["ended"]) == ("running", True, None)


def test_job_rows_one_id_started_four_times() -> None:
    story, p = jobber_direct()
    (row,) = Tracer.from_events(story.events).job_rows()
    assert row["id"] == "doomed"
    assert row["restarts"] == 3
    assert row["attempts"] == 4
    assert row["pid"] == p["jobs"][-1]
    assert row["status"] == "errored"
    assert row["alive"] is False
    first_spawn = next(e.time for e in story.events if e.pid == p["jobs"][0])
    assert row["started"] == first_spawn


def test_attempts_count_retries_inside_one_process() -> None:
    s = Story()
    job = s.spawn(None, "Job")
    for attempt in (1, 2, 3):
        s.status(job, "j", "running", attempt=attempt, retries=attempt - 1)
        s.status(job, "j", "errored", attempt=attempt, retries=attempt)
    (row,) = Tracer.from_events(s.events).job_rows()
    assert (row["attempts"], row["retries"], row["restarts"]) == (3, 3, 0)


def test_supervisor_rows_count_restarts_in_the_window() -> None:
    story, p = jobber_isolated()
    tracer = Tracer.from_events(story.events)
    rows = {r["pid"]: r for r in tracer.supervisor_rows()}
    app = p["app"]
    # The Registry keeps its own role, so it is not listed among supervisors.
    assert list(rows) == [app.top, app.runner, p["good_sup"], p["doomed_sup"], p["busy_sup"]]
    doomed = rows[p["doomed_sup"]]
    assert doomed["label"] == "doomed-3"  # named by its (latest) job's id
    assert (doomed["restarts"], doomed["total_restarts"]) == (3, 3)
    assert (doomed["max_restarts"], doomed["max_seconds"], doomed["window"]) == (3, 30, 30.0)
    assert (doomed["alive"], doomed["gave_up"]) == (False, True)
    runner = rows[app.runner]
    assert (runner["label"], runner["restarts"], runner["window"], runner["alive"]) == (
        "JobRunner",
        0,
        5.0,
        True,
    )
    # Long after, the restarts fall out of the 30 s window; total stays.
    later = story.events[-1].time + 31
    doomed_later = {r["pid"]: r for r in tracer.supervisor_rows(now=later)}[p["doomed_sup"]]
    assert (doomed_later["restarts"], doomed_later["total_restarts"]) == (0, 3)


def test_supervisor_rows_window_per_label() -> None:
    s = Story()
    sup = s.spawn(None, "JobSupervisor", "supervisor")
    old = s.child(sup, "Job", "Job")
    s.wait(10)
    s.child(sup, "Job", "Job", old_pid=old, restarts=1)
    tracer = Tracer.from_events(s.events)
    (row,) = tracer.supervisor_rows(now=s.time + 20)
    assert (row["restarts"], row["window"]) == (0, 5.0)
    (row,) = tracer.supervisor_rows(now=s.time + 20, window={"JobSupervisor": 30})
    assert (row["restarts"], row["window"]) == (1, 30.0)
    (row,) = tracer.supervisor_rows(now=s.time + 20, window=25)
    assert row["restarts"] == 1


def test_log_lines_read_like_the_books_logger() -> None:
    story, p = jobber_isolated()
    lines = Tracer.from_events(story.events).log_lines(times=False)
    assert "Job completed good-1" in lines
    assert "Job started good-1" in lines
    assert "Application jobber started" in lines
    doomed_sup = p["doomed_sup"]
    assert (
        f"{doomed_sup} doomed-0 restarted child Job: {p['doomed'][0]} -> {p['doomed'][1]}"
        " (1 in the restart window)"
    ) in lines  # the naming rule: a JobSupervisor is called by its job's id
    assert "Supervisor doomed-3 gave up (reached max restart intensity)" in lines
    assert (
        "Supervisor doomed-3 reached max restart intensity: 4 restarts in 30s (max_restarts 3)"
    ) in lines
    assert f"{p['doomed'][0]} doomed-0 crashed: RuntimeError: Boom!" in lines
    assert "Import job refused: quota 3 reached" in lines
    assert lines[-1] == "Import job refused: quota 3 reached"

    timed = Tracer.from_events(story.events).log_lines(n=2)
    assert len(timed) == 2
    assert timed[-1].endswith("s  Import job refused: quota 3 reached")
    assert timed[-1].lstrip().startswith(f"{story.events[-1].time:.3f}s")
    assert Tracer.from_events(story.events).log_lines(n=0) == []


def test_log_lines_direct_variant_names_the_old_jobrunner() -> None:
    story, p = jobber_direct()
    tracer = Tracer.from_events(story.events)
    lines = tracer.log_lines(times=False)
    assert "Job errored doomed (retry 1 of 3)" in lines
    assert "Supervisor JobRunner gave up (reached max restart intensity)" in lines
    top = p["app"].top
    assert (
        f"{top} Jobber.Supervisor restarted child JobRunner: {p['old_runner']} -> "
        f"{p['new_runner']} (1 in the restart window)"
    ) in lines
    assert tracer.label_of(p["new_runner"]) == "JobRunner"
    assert tracer.label_of("<7.7.7>") == "<7.7.7>"
    other = Event(1, 0.0, "supervisor_gave_up", None, {"supervisor": "<0.9.0>", "reason": "bad"})
    assert describe(other) == "Supervisor <0.9.0> gave up (bad)"


def test_describe_stands_alone_and_stays_quiet_for_plumbing() -> None:
    def ev(kind: str, pid: str | None = "<0.7.0>", **fields: object) -> Event:
        return Event(1, 0.0, kind, pid, fields)

    assert describe(ev("job_status", job_id="x", status="failed")) == "Job failed x"
    assert describe(ev("job_status", job_id="x", status="errored", retries=2)) == (
        "Job errored x (retry 2)"
    )
    assert describe(ev("job_status", job_id="x", status="new")) is None
    assert describe(ev("job_status", job_id="x", status="running", attempt=2)) == (
        "Job running x (attempt 2)"
    )
    assert describe(ev("spawned", parent=None)) is None
    assert describe(ev("exited", reason="normal", reason_kind="normal")) is None
    assert describe(ev("exited", reason="killed", reason_kind="killed"), {"<0.7.0>": "W"}) == (
        "<0.7.0> W was killed"
    )
    line = describe(ev("zombie", name="Job", reason="killed", seconds=2.5))
    assert line is not None and line.startswith("Zombie thread: <0.7.0> Job")
    assert describe(ev("quota_refused", None, job_type=None, running=1, quota=1)) == (
        "A job refused: quota 1 reached"
    )
    tracer = Tracer.from_events([ev("spawned", behaviour="Worker", name="W", parent=None)])
    assert tracer.describe(ev("exited", reason="x", reason_kind="crash", exception="E: x")) == (
        "<0.7.0> W crashed: E: x"
    )
