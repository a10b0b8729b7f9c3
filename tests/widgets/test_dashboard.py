"""The dashboard without a browser: click the buttons, wait on the tracer, read the widgets.

Every wait is on an event (``tracer.wait_for``) or on the renderer (``wait_idle``), never a
sleep. Every dashboard is closed by the fixture, which also fails the test on leaked threads,
renderer errors or exceptions raised in any thread.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import jobber_lab.widgets as widgets
from jobber_lab.jobber import Jobber
from jobber_lab.otp import Event
from jobber_lab.widgets import Dashboard

WAIT = 10.0  # wall seconds; reached only when something is broken


def statuses(dash: Dashboard) -> dict[str, str]:
    """Job id -> shown status, read from the job table's visible rows (newest first)."""
    shown = [b.description.split() for b in dash.controls.rows if b.layout.display != "none"]
    return {cells[0]: cells[1] for cells in shown}


def wait(dash: Dashboard, predicate: Callable[[Event], bool], what: str) -> Event:
    event = dash.tracer.wait_for(predicate, WAIT)
    assert event is not None, f"no event: {what}"
    return event


def job_status(job_id: str, status: str) -> Callable[[Event], bool]:
    return lambda e: (
        e.kind == "job_status" and e.get("job_id") == job_id and e.get("status") == status
    )


def h(text: str) -> str:
    """``text`` as it appears inside the HTML widgets (pids are ``&lt;0.7.0&gt;`` there)."""
    return html.escape(text)


def idle(dash: Dashboard) -> None:
    assert dash.wait_idle(WAIT), "the renderer did not catch up"


# --------------------------------------------------------------------------- basics


def test_first_render_shows_the_app(dashboard: Dashboard) -> None:
    idle(dashboard)
    c = dashboard.controls
    assert "<svg class='jl-tree-svg'" in c.tree.value and "<?xml" not in c.tree.value
    assert h("Jobber.Supervisor") in c.tree.value  # the tree names its processes as text
    assert h(f"JobRunner {dashboard.app.job_runner}") in c.header.value
    assert "imports 0 / 3" in c.header.value
    assert "No jobs yet" in c.table.value
    assert "Application Jobber started" in c.log.value
    labels = [label for label, _ in c.kill_target.options]
    assert any("JobRunner" in label for label in labels)


def test_displays_as_its_root_box(dashboard: Dashboard) -> None:
    bundle = dashboard._repr_mimebundle_()
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == dashboard.widget.model_id


def test_bad_arguments_are_refused_at_once() -> None:
    with pytest.raises(ValueError, match="variant"):
        Dashboard(variant="nested")
    with pytest.raises(ValueError, match="time_scale"):
        Dashboard(time_scale=0)
    with pytest.raises(TypeError, match="app"):
        Dashboard(app="jobber")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the jobs


def test_good_bad_and_doomed_jobs_reach_the_table_log_and_tree(dashboard: Dashboard) -> None:
    idle(dashboard)
    c = dashboard.controls
    first_tree = c.tree.value
    c.good.click()
    c.bad.click()
    c.doomed.click()
    assert "Started doomed-3" in c.notice.value
    wait(dashboard, job_status("good-1", "done"), "good-1 done")
    wait(dashboard, job_status("bad-2", "failed"), "bad-2 failed")
    wait(dashboard, lambda e: e.kind == "supervisor_gave_up", "doomed-3's supervisor gives up")
    idle(dashboard)
    assert statuses(dashboard) == {"good-1": "done", "bad-2": "failed", "doomed-3": "exited"}
    assert c.tree.value != first_tree
    log = c.log.value
    assert "Job failed bad-2" in log
    assert "gave up" in log
    assert "1 done · 1 failed" in c.header.value
    assert "jl-runner-changed" not in c.header.value  # isolated: JobRunner survives


def test_direct_variant_doomed_job_replaces_job_runner(
    dashboard_factory: Callable[..., Dashboard],
) -> None:
    dash = dashboard_factory(variant="direct")
    before = str(dash.app.job_runner)
    dash.controls.doomed.click()
    restart = wait(
        dash,
        lambda e: e.kind == "child_restarted" and e.get("old_pid") == before,
        "Jobber.Supervisor restarts JobRunner",
    )
    idle(dash)
    after = restart.pid
    assert after != before
    assert after == str(dash.app.job_runner)
    header = dash.controls.header.value
    assert "jl-runner-changed" in header
    assert h(f"JobRunner {after}") in header
    assert h(f"replaced {before}") in header


def test_fourth_import_is_refused_and_the_student_is_told(dashboard: Dashboard) -> None:
    c = dashboard.controls
    c.duration.value = 1000  # the imports keep running while we look
    for _ in range(3):
        c.import_.click()
        assert "Started import-" in c.notice.value
    c.import_.click()
    assert "refused" in c.notice.value
    assert "import_quota_reached" in c.notice.value
    wait(dashboard, lambda e: e.kind == "quota_refused", "the quota refusal event")
    idle(dashboard)
    assert "imports 3 / 3 (quota reached)" in c.header.value
    assert "1 imports refused" in c.header.value
    assert "Import job refused: quota 3 reached" in c.log.value
    assert list(statuses(dashboard)) == ["import-3", "import-2", "import-1"]  # newest first


# --------------------------------------------------------------------------- time travel


def test_time_travel_shows_an_earlier_tree_table_and_log(dashboard: Dashboard) -> None:
    c = dashboard.controls
    c.good.click()
    running = wait(dashboard, job_status("good-1", "running"), "good-1 running")
    wait(dashboard, job_status("good-1", "done"), "good-1 done")
    idle(dashboard)
    live_tree, live_log = c.tree.value, c.log.value
    assert statuses(dashboard) == {"good-1": "done"}
    assert c.slider.value == c.slider.max == dashboard.tracer.history[-1].seq

    c.slider.value = running.seq  # what dragging the slider does
    idle(dashboard)
    assert statuses(dashboard) == {"good-1": "running"}
    assert c.tree.value != live_tree
    assert c.log.value != live_log
    assert f"seq {running.seq} of" in c.header.value

    c.play.value = 0  # Play is linked to the slider: the very beginning, an empty tree
    assert c.slider.value == 0
    idle(dashboard)
    assert "No jobs yet" in c.table.value

    c.live.click()
    idle(dashboard)
    assert "● live" in c.header.value
    assert statuses(dashboard) == {"good-1": "done"}
    assert c.slider.value == c.slider.max


def test_starting_a_job_while_travelling_returns_to_live(dashboard: Dashboard) -> None:
    c = dashboard.controls
    idle(dashboard)
    c.slider.value = 1
    idle(dashboard)
    assert "time travel" in c.header.value
    c.good.click()
    wait(dashboard, job_status("good-1", "done"), "good-1 done")
    idle(dashboard)
    assert "● live" in c.header.value
    assert statuses(dashboard) == {"good-1": "done"}


# --------------------------------------------------------------------------- kill


def _running_job_pid(dash: Dashboard, job_id: str) -> str:
    event = wait(dash, job_status(job_id, "running"), f"{job_id} running")
    assert event.pid is not None
    return event.pid


def test_kill_a_job_with_each_reason_and_the_tree_survives(dashboard: Dashboard) -> None:
    c = dashboard.controls
    c.duration.value = 1000
    runner = str(dashboard.app.job_runner)
    for n, reason in enumerate(("crash", "kill", "shutdown"), start=1):
        c.good.click()
        pid = _running_job_pid(dashboard, f"good-{n}")
        idle(dashboard)
        assert pid in [value for _, value in c.kill_target.options]
        c.kill_target.value = pid
        c.kill_reason.value = reason
        c.kill.click()
        assert h(f"Process.exit({pid}, :{reason}) sent") in c.notice.value
        exited = wait(dashboard, lambda e, p=pid: e.kind == "exited" and e.pid == p, "the exit")
        expected = {"crash": "crash", "kill": "killed", "shutdown": "shutdown"}[reason]
        assert exited.get("reason_kind") == expected
    idle(dashboard)
    live = [value for _, value in c.kill_target.options]
    assert runner in live
    assert str(dashboard.app.whereis("Jobber.Supervisor")) in live
    assert "jl-runner-changed" not in c.header.value


def test_kill_without_a_choice_says_so(dashboard: Dashboard) -> None:
    c = dashboard.controls
    idle(dashboard)
    assert c.kill_target.value == "" and c.kill_target.label == "— choose a process —"
    c.kill.click()
    assert "choose a process" in c.notice.value


# --------------------------------------------------------------------------- reset, export


def test_reset_starts_a_clean_app_and_leaves_no_thread_of_the_old_one(
    dashboard: Dashboard,
) -> None:
    c = dashboard.controls
    c.duration.value = 1000
    c.good.click()
    c.import_.click()
    wait(dashboard, job_status("import-2", "running"), "import-2 running")
    old_runtime, old_tracer = dashboard.runtime, dashboard.tracer
    c.reset.click()
    assert old_runtime.closed
    assert old_runtime.threads() == []
    assert dashboard.runtime is not old_runtime and dashboard.tracer is not old_tracer
    assert "Reset: a clean Jobber" in c.notice.value
    idle(dashboard)
    assert "No jobs yet" in c.table.value
    assert c.slider.max == dashboard.tracer.history[-1].seq

    c.variant_choice.value = "direct"  # a new variant is a new app
    assert dashboard.app.variant == "direct"
    c.scale_choice.value = 0.05
    assert dashboard.runtime.time_scale == 0.05
    idle(dashboard)
    assert "direct variant · simulated · ×0.05" in c.header.value  # the mode is kept


def test_export_writes_the_tree_and_the_trace(dashboard: Dashboard, tmp_path: Any) -> None:
    c = dashboard.controls
    c.good.click()
    wait(dashboard, job_status("good-1", "done"), "good-1 done")
    out = tmp_path / "export"
    c.export_dir.value = str(out)
    c.export.click()
    idle(dashboard)
    assert "Exported" in c.notice.value
    assert (out / "supervision_tree.png").read_bytes().startswith(b"\x89PNG")
    lines = (out / "trace.jsonl").read_text().splitlines()
    assert len(lines) >= 10 and '"job_status"' in "".join(lines)


# --------------------------------------------------------------------------- the app given


def test_a_dashboard_follows_an_app_it_is_given_and_stops_it(
    dashboard_factory: Callable[..., Dashboard],
) -> None:
    app = Jobber(variant="direct", time_scale=0.01)
    dash = dashboard_factory(app)
    assert dash.app is app and dash.controls.variant_choice.value == "direct"
    dash.controls.good.click()
    wait(dash, job_status("good-1", "done"), "good-1 done")
    idle(dash)
    assert statuses(dash) == {"good-1": "done"}
    dash.close()
    assert app.stopped and app.runtime.closed


def test_a_new_dashboard_closes_the_previous_one(
    dashboard_factory: Callable[..., Dashboard],
) -> None:
    first = dashboard_factory()
    second = dashboard_factory(keep_others=False)  # what re-running the cell does
    assert first.closed and first.runtime.closed and first.runtime.threads() == []
    assert not second.closed
    side_by_side = dashboard_factory(variant="direct", keep_others=True)
    assert not second.closed and not side_by_side.closed


# --------------------------------------------------------------------------- the picture


def test_a_row_click_or_the_kill_chooser_rings_the_job_in_the_tree(dashboard: Dashboard) -> None:
    c = dashboard.controls
    c.duration.value = 1000
    c.good.click()
    c.good.click()
    pid = _running_job_pid(dashboard, "good-2")
    idle(dashboard)
    assert "jl-highlight" not in c.tree.value  # nothing chosen, JobRunner unchanged
    assert "good-2" in c.tree.value  # the tree's text names the running job

    assert c.rows[0].description.startswith("good-2")  # newest first
    c.rows[0].click()
    assert dashboard.selected == "good-2"
    idle(dashboard)
    assert "jl-highlight" in c.tree.value
    assert "jl-selected" in c.rows[0]._dom_classes
    assert "jl-selected" not in c.rows[1]._dom_classes
    c.rows[0].click()  # a second click deselects
    idle(dashboard)
    assert dashboard.selected is None and "jl-highlight" not in c.tree.value

    c.kill_target.value = pid
    assert dashboard.selected == pid
    idle(dashboard)
    assert "jl-highlight" in c.tree.value
    c.kill_target.value = ""
    assert dashboard.selected is None


def test_import_x4_meets_the_quota_at_the_default_settings(
    dashboard_factory: Callable[..., Dashboard],
) -> None:
    dash = dashboard_factory(time_scale=0.1, seconds=5)  # Dashboard()'s defaults
    c = dash.controls
    c.import_4.click()
    notice = c.notice.value
    assert "Import ×4: started import-1, import-2, import-3" in notice
    assert "1 refused" in notice and "import_quota_reached" in notice
    refused = wait(dash, lambda e: e.kind == "quota_refused", "the 4th import refused")
    idle(dash)
    assert "1 imports refused" in c.header.value
    c.slider.value = refused.seq  # the header as it was at the refusal: the quota full
    idle(dash)
    assert "imports 3 / 3 (quota reached)" in c.header.value


def test_just_crashed_marks_fade_without_any_new_event(
    dashboard_factory: Callable[..., Dashboard],
) -> None:
    """The tree's "just crashed" ghosts expire with time alone: the renderer's booked redraw
    (``notify_after``) removes them although no event arrives any more."""
    # Time scale 0.1: a ghost lives GHOST_SECONDS (10 book seconds) = 1 s of wall time,
    # several renderer intervals, so the picture shows it before it fades.
    dash = dashboard_factory(time_scale=0.1, seconds=0.5)
    c = dash.controls
    seen, gone = threading.Event(), threading.Event()

    def watch(change: dict[str, Any]) -> None:
        if "jl-ghost" in change["new"]:
            seen.set()
        elif seen.is_set():
            gone.set()

    c.tree.observe(watch, names="value")
    c.doomed.click()
    wait(dash, lambda e: e.kind == "supervisor_gave_up", "doomed-1's supervisor gives up")
    assert dash.tracer.flush(WAIT) and dash.wait_idle(WAIT)
    assert seen.wait(WAIT), "the crash was never marked in the tree"
    events = len(dash.tracer.history)
    assert gone.wait(WAIT), "the ghosts stayed in the picture"
    assert len(dash.tracer.history) == events  # no event redrew it: the booked redraw did


def test_the_dashboards_public_surface_survived_its_split_into_modules() -> None:
    """Dashboard is built from layers in several modules (issue 17): the names a notebook
    uses are all still on the class, and nothing private leaked into the public view."""
    public = {name for name in dir(Dashboard) if not name.startswith("_")}
    assert public == {
        "app",
        "close",
        "closed",
        "kill",
        "last_step",
        "pause",
        "paused",
        "play",
        "reset",
        "runtime",
        "select",
        "selected",
        "session",
        "sessions",
        "step",
        "tracer",
        "wait_idle",
    }
    assert Dashboard.__module__ == "jobber_lab.widgets._dashboard"


def test_every_widgets_module_stays_small() -> None:
    """Issue 17: no module over ~500 lines; the dashboard was 877 before its split."""
    sizes = {
        path.name: len(path.read_text(encoding="utf-8").splitlines())
        for path in Path(widgets.__file__).parent.glob("*.py")
    }
    assert "_dashboard_render.py" in sizes
    assert all(n <= 500 for n in sizes.values()), sizes
