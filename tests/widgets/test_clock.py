"""Pace, Pause and Step in the dashboard (issue 16), through its buttons and public API.

The dashboard runs on a simulated runtime paced at its time scale (0.01 here: a book second
is 10 ms of wall time). Every wait is on the tracer or the renderer with a timeout; the one
wall-clock wait (``_nothing_for``) checks that something does *not* happen while paused, for
a span in which a playing clock would have run it many times over. The fixture closes every
dashboard and fails the test on a leaked thread, a renderer error or an exception in any
thread (a button handler's included).
"""

from __future__ import annotations

import html
import random
import re
import threading
from collections.abc import Callable

import pytest

from jobber_lab.jobber import Jobber
from jobber_lab.otp import Event, Runtime
from jobber_lab.widgets import Dashboard

WAIT = 10.0  # wall seconds; reached only when something is broken
#: 0.25 s of wall time is 25 book seconds at the tests' pace: a 1-second job would be done
#: 25 times over if the clock moved.
STILL = 0.25


def clock_text(seconds: float) -> str:
    """Runtime seconds as the header, the notices and the log print them: three decimals."""
    return f"{seconds:.3f} s"


def idle(dash: Dashboard) -> None:
    assert dash.wait_idle(WAIT), "the renderer did not catch up"


def done(job_id: str) -> Callable[[Event], bool]:
    return lambda e: (
        e.kind == "job_status" and e.get("job_id") == job_id and e.get("status") == "done"
    )


def _nothing_for(dash: Dashboard, predicate: Callable[[Event], bool]) -> bool:
    """True if no event matching ``predicate`` came within STILL wall seconds."""
    return dash.tracer.wait_for(predicate, STILL) is None


def enabled(dash: Dashboard) -> tuple[bool, bool, bool]:
    c = dash.controls
    return (not c.pause.disabled, not c.step.disabled, not c.resume.disabled)


def marked_lines(dash: Dashboard) -> int:
    return dash.controls.log.value.count("class='jl-step'")


# --------------------------------------------------------------------------- pause, step, play


def test_pause_stops_time_step_goes_to_exactly_the_next_deadline_and_play_resumes(
    dashboard: Dashboard,
) -> None:
    c, rt = dashboard.controls, dashboard.runtime
    idle(dashboard)
    assert rt.simulated and not dashboard.paused
    c.pause.click()
    assert dashboard.paused and rt.paused
    stopped = rt.now()
    c.good.click()  # a 1-second job (the fixture's work): its sleep is the next deadline
    assert rt.next_deadline() == pytest.approx(stopped + 1.0, abs=1e-9)
    assert _nothing_for(dashboard, done("good-1")), "the job ended while paused"
    assert rt.now() == stopped, "time moved while paused"

    due = rt.next_deadline()
    c.step.click()
    assert rt.now() == due  # exactly the deadline, not a tick of the wall clock later
    step = dashboard.last_step
    assert step and all(e.time == due for e in step)
    assert any(done("good-1")(e) for e in step)
    assert "Step to t = " + clock_text(due) in html.unescape(c.notice.value)
    assert "next: nothing due" in c.next_up.value  # the app waits for a message now
    assert dashboard.paused  # a step does not play
    idle(dashboard)
    assert marked_lines(dashboard) >= 1  # "Job completed good-1" among them
    assert "▶ " in c.log.value
    assert "next: nothing due" in c.next_up.value

    c.resume.click()
    assert not dashboard.paused and dashboard.last_step == ()
    c.good.click()
    assert dashboard.tracer.wait_for(done("good-2"), WAIT), "Play did not resume the clock"
    assert rt.now() > due
    idle(dashboard)
    assert marked_lines(dashboard) == 0  # Play clears the step's marks


def test_the_step_marks_exactly_its_own_lines_in_the_log(dashboard: Dashboard) -> None:
    """The marked rows are the lines of the step's events, and only those."""
    c = dashboard.controls
    c.duration.value = 3
    c.pause.click()
    c.good.click()
    c.bad.click()  # errors at 3 s, retried: both jobs are due at the same deadline
    events = dashboard.step()
    idle(dashboard)
    told = [dashboard.tracer.describe(e) for e in events]
    lines = [t for t in told if t is not None]
    # Each marked row: the arrow, then the line (perhaps inside its colour's span).
    rows = re.findall(r"<span class='jl-step'[^>]*>▶ (?:<span[^>]*>)?(.*?)</span>", c.log.value)
    assert len(rows) == len(lines) >= 2
    for text, row in zip(lines, rows, strict=True):
        assert html.unescape(row).endswith("s  " + text)
    assert c.log.value.count("▶") == len(lines)  # no other row is marked
    # The bad job's process lives on (retried): the step named it, so it is ringed, and the
    # legend says whose ring it is.
    assert "jl-highlight" in c.tree.value
    assert "jl-highlight" not in c.log.value  # the log marks with its own class
    assert "this step" in c.tree.value and ">selected<" not in c.tree.value


def test_the_header_shows_the_runtime_time_and_mode(dashboard: Dashboard) -> None:
    c, rt = dashboard.controls, dashboard.runtime
    idle(dashboard)
    header = html.unescape(c.header.value)
    assert "t = " in header and "simulated · ×0.01" in header
    c.pause.click()
    now = rt.now()
    idle(dashboard)
    header = html.unescape(c.header.value)
    assert f"paused · t = {clock_text(now)}" in header
    assert "isolated variant · simulated · paused" in header
    c.doomed.click()
    dashboard.step()
    idle(dashboard)
    assert f"t = {clock_text(rt.now())}" in html.unescape(c.header.value)
    assert rt.now() == pytest.approx(now + 1.0, abs=1e-9)


# --------------------------------------------------------------------------- the book's story


def test_a_doomed_job_stepped_crash_by_crash_until_job_runner_is_replaced(
    dashboard_factory: Callable[..., Dashboard],
) -> None:
    """The direct variant at the book's timings (5 s jobs): each Step is one crash, at
    5, 10, 15 and 20 s after the start; the fourth takes JobRunner down and a new one
    replaces it, ringed in the tree and named in the header."""
    dash = dashboard_factory(variant="direct", seconds=5)
    c, rt = dash.controls, dash.runtime
    first_runner = str(dash.app.job_runner)
    c.pause.click()
    c.doomed.click()
    start = rt.now()
    crashes: list[float] = []
    replaced: Event | None = None
    for _ in range(8):  # four crashes; a few spare steps would show an overrun
        due = rt.next_deadline()
        if due is None:
            break
        events = dash.step()
        assert rt.now() == due and events
        crash = [e for e in events if e.kind == "exited" and e.get("reason_kind") == "crash"]
        assert len(crash) == 1, [e.kind for e in events]
        crashes.append(rt.now() - start)
        following = rt.next_deadline()  # "what happens next?", said as the step returns
        if following is not None:
            assert f"next: t = {clock_text(following)}" in c.next_up.value
            assert following == pytest.approx(rt.now() + 5.0, abs=1e-9)
        replaced = next(
            (e for e in events if e.kind == "child_restarted" and e.get("old_pid") == first_runner),
            None,
        )
        if replaced is not None:
            break
    assert crashes == pytest.approx([5.0, 10.0, 15.0, 20.0], abs=1e-9)
    assert replaced is not None, "JobRunner was never replaced"
    assert rt.next_deadline() is None  # the story is over: nothing more will happen
    idle(dash)
    header = html.unescape(c.header.value)
    assert "a new JobRunner" in header and f"replaced {first_runner}" in header
    assert "jl-highlight" in c.tree.value
    assert str(replaced.pid) in dash.session.tracer.graph  # the new JobRunner, ringed
    assert any("gave up" in (dash.tracer.describe(e) or "") for e in dash.last_step)
    assert "gave up" in html.unescape(c.log.value).split("class='jl-step'", 1)[1]


# --------------------------------------------------------------------------- buttons


def test_buttons_follow_pause_and_play_and_reset_keeps_the_mode(dashboard: Dashboard) -> None:
    c = dashboard.controls
    assert enabled(dashboard) == (True, False, False)
    c.pause.click()
    assert enabled(dashboard) == (False, True, True)
    first = dashboard.runtime
    c.reset.click()  # a clean app, still simulated and still paused
    assert dashboard.runtime is not first and first.closed
    assert dashboard.runtime.simulated and dashboard.paused
    assert "simulated · paused" in c.notice.value
    assert enabled(dashboard) == (False, True, True)
    c.variant_choice.value = "direct"  # a variant change is a Reset: the mode stays
    assert dashboard.app.variant == "direct" and dashboard.paused
    c.scale_choice.value = 0.05
    assert dashboard.runtime.mode == "simulated · paused"
    c.resume.click()
    assert dashboard.runtime.mode == "simulated · ×0.05"
    assert enabled(dashboard) == (True, False, False)
    idle(dashboard)
    assert "direct variant · simulated · ×0.05" in c.header.value


def test_a_cell_that_pauses_the_runtime_itself_updates_the_buttons(dashboard: Dashboard) -> None:
    dashboard.runtime.pause()  # from a cell, not the button
    dashboard.renderer.notify()
    idle(dashboard)
    assert enabled(dashboard) == (False, True, True)
    assert "simulated · paused" in dashboard.controls.header.value


def test_a_scaled_dashboard_greys_out_pause_and_step_and_says_why(
    dashboard_factory: Callable[..., Dashboard],
) -> None:
    dash = dashboard_factory(simulated=False)
    c = dash.controls
    assert not dash.runtime.simulated
    assert enabled(dash) == (False, False, False)
    assert "scaled runtime" in c.step.tooltip and "scaled runtime" in c.pause.tooltip
    c.step.click()  # a click that reached the kernel anyway: a notice, no exception
    assert "scaled runtime" in c.notice.value
    with pytest.raises(RuntimeError, match="simulated=True"):
        dash.step()
    c.reset.click()
    assert not dash.runtime.simulated  # Reset keeps the scaled runtime too
    idle(dash)
    header = html.unescape(c.header.value)
    assert "scaled ×0.01" in header and "t = " in header
    assert "next:" not in c.next_up.value  # no deadlines to tell on a wall clock


def test_bad_clock_arguments_are_refused() -> None:
    with pytest.raises(TypeError, match="simulated"):
        Dashboard(simulated="yes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="seed"):
        Dashboard(seed=1.5)  # type: ignore[arg-type]


def test_the_same_seed_tells_the_same_stepped_story(
    dashboard_factory: Callable[..., Dashboard],
) -> None:
    """Two dashboards, the same clicks, the same steps: the same events, offset in time
    only by when each was paused (a paced clock's start follows the wall clock)."""

    def story(dash: Dashboard) -> list[tuple[str, str, float]]:
        dash.controls.pause.click()
        dash.controls.doomed.click()
        dash.controls.good.click()
        start = dash.runtime.now()
        out = []
        for _ in range(4):
            # A pid's first number is its runtime's (each dashboard has its own): drop it.
            out += [(e.kind, _local(e.pid), round(e.time - start, 9)) for e in dash.step()]
        return out

    one = story(dashboard_factory(variant="direct", seconds=5))
    two = story(dashboard_factory(variant="direct", seconds=5))
    assert one == two and len(one) > 20


def _local(pid: str | None) -> str:
    return "" if pid is None else "<" + pid.split(".", 1)[1]


# --------------------------------------------------------------------------- never wedged


STORM_THREADS = 4
STORM_CLICKS = 60  # per thread


def test_a_storm_of_clock_and_job_clicks_while_playing_never_wedges(
    dashboard_factory: Callable[..., Dashboard],
    new_threads: Callable[..., list[threading.Thread]],
) -> None:
    """Pause, Step, Play, job buttons, kills and the odd Reset from four threads at once,
    while the clock plays and the renderer redraws: every thread finishes (no deadlock
    between the redraw thread, the dispatcher and the baton), and the dashboard still
    steps and draws afterwards."""
    before = set(threading.enumerate())
    dash = dashboard_factory()
    c = dash.controls
    go = threading.Barrier(STORM_THREADS)
    # The notices of steps that ran (a repeat of the same text is not a change: a lower bound).
    steps: list[str] = []
    ran = ("Step to t =", "Step: nothing was due")
    c.notice.observe(
        lambda ch: steps.append(ch["new"]) if any(r in ch["new"] for r in ran) else None,
        names="value",
    )

    def kill(rng: random.Random) -> None:
        live = [pid for _, pid in dash.session.live_processes()]
        if live:
            dash.kill(rng.choice(live), rng.choice(["kill", "crash", "shutdown"]))

    actions: list[Callable[[random.Random], None]] = [
        lambda rng: c.pause.click(),
        lambda rng: c.step.click(),
        lambda rng: c.step.click(),
        lambda rng: c.resume.click(),
        lambda rng: rng.choice([c.good, c.bad, c.doomed, c.import_]).click(),
        lambda rng: rng.choice([c.good, c.doomed]).click(),
        kill,
        lambda rng: c.reset.click() if rng.random() < 0.2 else c.live.click(),
    ]

    def storm(seed: int) -> None:
        rng = random.Random(seed)
        go.wait(WAIT)
        for _ in range(STORM_CLICKS):
            rng.choice(actions)(rng)

    threads = [threading.Thread(target=storm, args=(n,), name=f"clock-storm-{n}") for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not [t.name for t in threads if t.is_alive()], "a click hangs: deadlock"
    assert dash.wait_idle(WAIT), "the renderer or the dispatcher is wedged"
    assert len(steps) >= 3, f"only {len(steps)} steps ran: the storm tested little"

    c.reset.click()  # the storm's kills may have taken the app down
    c.pause.click()  # the kernel's thread still drives the world
    c.good.click()
    assert "Started good-" in c.notice.value
    due = dash.runtime.next_deadline()
    assert due is not None
    dash.step()
    assert dash.runtime.now() >= due
    idle(dash)
    assert dash.renderer.errors == 0, dash.renderer.last_error
    dash.close()
    sessions = dash.sessions
    assert all(s.runtime.closed and s.runtime.threads() == [] for s in sessions)
    assert new_threads(before | set(threads)) == []


def test_a_dashboard_on_an_unpaced_simulation_steps_the_book_s_exact_times(
    dashboard_factory: Callable[..., Dashboard],
) -> None:
    """``Dashboard(app)`` on ``Runtime(simulated=True)`` (as fast as possible, no pace):
    time moves only when asked, so Step alone tells the story, at the book's exact times
    from t = 0: the doomed job crashes at 5.0, 10.0, 15.0 and 20.0 s."""
    rt = Runtime(simulated=True, seed=0)
    try:
        app = Jobber(variant="direct", runtime=rt)
        dash = dashboard_factory(app, seconds=5)
    except BaseException:
        rt.shutdown()
        raise
    c = dash.controls
    assert enabled(dash) == (False, True, False)  # no pace: nothing to pause or play
    assert "as fast as possible" in c.pause.tooltip or "no time scale" in c.pause.tooltip
    c.doomed.click()
    assert rt.now() == 0.0
    crashes = []
    for _ in range(4):
        events = dash.step()
        crashes += [e.time for e in events if e.get("reason_kind") == "crash"]
    assert crashes == [5.0, 10.0, 15.0, 20.0]
    idle(dash)
    header = html.unescape(c.header.value)
    assert "t = 20.000 s" in header and "simulated · as fast as possible" in header
    assert "a new JobRunner" in header
    dash.close()  # stops the app; the runtime is ours, as a cell's would be
    assert app.stopped
    assert rt.shutdown() == [] and rt.threads() == []
