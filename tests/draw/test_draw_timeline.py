"""draw_timeline: one lane per job / supervisor, named by the naming rule, the intensity
window visible and explained, the figure's layout holding every label."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from draw_samples import doomed_scenario
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.text import Text

from jobber_lab.draw import draw_timeline
from jobber_lab.draw._timeline import WINDOW_NOTE, timeline_lanes
from jobber_lab.jobber import Jobber, doomed_job
from jobber_lab.testing import runtime_for_test
from jobber_lab.trace import Tracer

JOB = "doomed-3"


def _lanes(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_yticklabels()]


def _legend(fig: Figure) -> list[str]:
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


def test_one_lane_per_job_and_the_supervisor_that_gave_up(doomed_events) -> None:
    lanes = _lanes(draw_timeline(doomed_events))
    assert lanes[:3] == [
        "good1\ngood job <0.21.0>",
        "bad1\nbad job <0.23.0>",
        "doomed1\ndoomed job <0.31.0> → <0.34.0>",
    ]
    # An unnamed JobSupervisor: by its pid, or by its job's id once the reducer names it so.
    assert lanes[3] in ("supervisor <0.30.0>", "doomed1\nsupervisor <0.30.0>")


def test_restarted_pids_stay_in_their_jobs_lane(doomed_events) -> None:
    _, pid_lane = timeline_lanes(doomed_events)
    assert {pid_lane[p] for p in ("<0.31.0>", "<0.32.0>", "<0.33.0>", "<0.34.0>")} == {2}


def test_intensity_window_is_shaded_explained_and_ends_where_it_gave_up(doomed_events) -> None:
    fig = draw_timeline(doomed_events)
    ax = fig.axes[0]
    windows = [p for p in ax.patches if p.get_alpha() == 0.13]
    # Only on the lane of the supervisor that counted it: not on its job's lane.
    _, pid_lane = timeline_lanes(doomed_events)
    assert [p.get_y() + p.get_height() / 2 for p in windows] == [pid_lane["<0.30.0>"]]
    for patch in windows:
        assert abs(patch.get_x() + patch.get_width() - 12.5) < 1e-9
    legend = _legend(fig)
    for entry in ("crash", "restarted", "errored", "retry", WINDOW_NOTE, "gave up"):
        assert entry in legend
    assert "whole seconds" in WINDOW_NOTE


def test_max_seconds_argument_overrides_the_event() -> None:
    fig = draw_timeline(doomed_scenario(), max_seconds=2)
    windows = [p for p in fig.axes[0].patches if p.get_alpha() == 0.13]
    assert windows and all(abs(p.get_width() - 2) < 1e-9 for p in windows)


def _marks(fig: Figure, kind: str) -> list[tuple[float, float]]:
    """The (time, y) of every marker of ``kind`` drawn (the scatter is labelled by kind)."""
    found = [c for c in fig.axes[0].collections if c.get_label() == kind]
    assert all(isinstance(c, PathCollection) for c in found)
    return [(float(x), float(y)) for c in found for x, y in c.get_offsets()]


def test_origin_draws_that_runtime_time_as_zero_and_says_so(doomed_events) -> None:
    plain, shifted = draw_timeline(doomed_events), draw_timeline(doomed_events, origin=10.0)
    assert [x - 10.0 for x, _ in _marks(plain, "crash")] == [x for x, _ in _marks(shifted, "crash")]
    lo, _hi = shifted.axes[0].get_xlim()
    assert lo == pytest.approx(plain.axes[0].get_xlim()[0] - 10.0)
    assert "since the story began" in shifted.axes[0].get_xlabel()
    assert "runtime time 10 s = 0" in shifted.axes[0].get_xlabel()
    assert plain.axes[0].get_xlabel() == "runtime time (s)"
    for bad in (True, "0", float("nan")):
        with pytest.raises(ValueError, match="origin"):
            draw_timeline(doomed_events, origin=bad)  # type: ignore[arg-type]


def _retried_without_counts() -> list[dict[str, object]]:
    """A job publishing neither attempt nor retries (lesson 02's publish), three attempts."""
    rows: list[dict[str, object]] = []
    for t, status in (
        (0.0, "new"),
        (0.0, "running"),
        (1.0, "errored"),
        (6.0, "running"),
        (7.0, "errored"),
        (12.0, "running"),
        (13.0, "done"),
    ):
        rows.append(
            {
                "seq": len(rows),
                "time": t,
                "kind": "job_status",
                "pid": "<0.5.0>",
                "fields": {"job_id": "bad", "status": status},
            }
        )
    return rows


def test_every_running_after_a_process_first_is_a_retry() -> None:
    fig = draw_timeline(_retried_without_counts())
    assert [x for x, _ in _marks(fig, "retry")] == [6.0, 12.0]


def test_one_bar_per_attempt_and_restart_beside_the_crash(doomed_events) -> None:
    fig = draw_timeline(doomed_events)
    _, pid_lane = timeline_lanes(doomed_events)
    lane = pid_lane["<0.31.0>"]
    bars = [
        p
        for p in fig.axes[0].patches
        if p.get_alpha() is None and abs(p.get_y() + p.get_height() / 2 - lane) < 1e-9
    ]
    assert len(bars) == 4  # four processes, four attempts, each its own bar
    assert all(p.get_edgecolor()[:3] == (1.0, 1.0, 1.0) for p in bars)  # the gap between
    crashes, restarts = _marks(fig, "crash"), _marks(fig, "restart")
    for x, y in restarts:
        assert (x, y) not in crashes  # never drawn over the star of the same instant
    # The supervisor that restarted them shows it on its own lane.
    sup = pid_lane["<0.30.0>"]
    assert {round(y) for _, y in _marks(fig, "restarter")} == {sup}
    assert "supervisor restarted a child" in _legend(fig)


def test_events_as_plain_dicts_and_empty_input(doomed_events) -> None:
    fig = draw_timeline([e.to_dict() for e in doomed_events])
    assert _lanes(fig) == _lanes(draw_timeline(doomed_events))
    empty = draw_timeline([])
    assert isinstance(empty, Figure) and _lanes(empty) == []


def test_every_label_and_the_legend_lie_inside_the_figure(doomed_events) -> None:
    fig = draw_timeline(doomed_events, title="a doomed job")
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert min(t.get_fontsize() for t in texts) >= 9
    # The tight box is what a viewer trimming to the drawn content (Jupyter's inline
    # bbox_inches="tight") keeps: all of it must already be inside the figure.
    drawn = fig.get_tightbbox(renderer)
    width, height = fig.get_size_inches()
    assert drawn.x0 >= -0.01 and drawn.y0 >= -0.01, drawn
    assert drawn.x1 <= width + 0.01 and drawn.y1 <= height + 0.01, drawn
    assert fig.legends, "the legend is part of the figure's layout"


def test_drawn_on_the_callers_axes_with_the_legend_beside(doomed_events) -> None:
    fig = Figure(figsize=(10.5, 4))
    ax = fig.add_axes((0.2, 0.15, 0.56, 0.75))
    assert draw_timeline(doomed_events, ax=ax) is fig
    assert ax.get_legend() is not None and not fig.legends


# --------------------------------------------------------------- names in real runs


@contextmanager
def _runtime():
    yield from runtime_for_test(time_scale=0.01)


def _doomed_run(variant: str) -> dict[str, object]:
    """A doomed job until its supervisor gives up (and, direct, JobRunner is replaced):
    the lanes of the whole history, of a window cut after the app started, and of that
    window named with the tracer's help."""
    with _runtime() as runtime:
        tracer = Tracer(runtime)
        app = Jobber(variant=variant, runtime=runtime)
        try:
            app.start_job(work=doomed_job(), id=JOB)
            first = tracer.wait_for(lambda e: e.get("job_id") == JOB, 10)
            assert first is not None
            if variant == "direct":
                replaced = tracer.wait_for(
                    lambda e: e.kind == "child_restarted" and e.get("child_id") == "JobRunner",
                    10,
                )
            else:
                replaced = tracer.wait_for(lambda e: e.kind == "supervisor_gave_up", 10)
            assert replaced is not None
            assert tracer.flush()
            history = tracer.history
            window = [e for e in history if e.seq >= first.seq]
            return {
                "whole": timeline_lanes(history)[0],
                "window": timeline_lanes(window)[0],
                "helped": timeline_lanes(window, labels=tracer.label_of)[0],
            }
        finally:
            app.stop()
            tracer.detach()


def _names(lanes: object) -> list[str]:
    assert isinstance(lanes, list)
    return [label.split("\n")[0] for label in lanes]


def test_a_process_has_one_name_in_every_run_and_window() -> None:
    direct, isolated = _doomed_run("direct"), _doomed_run("isolated")
    # The doomed job is called by its id in both variants.
    assert _names(direct["whole"])[0] == _names(isolated["whole"])[0] == JOB
    # JobRunner is JobRunner whether the window holds its naming events or not (lesson 03
    # draws a cut window, lesson 04 the whole run).
    assert "JobRunner" in _names(direct["whole"])
    assert "JobRunner" in _names(direct["window"])
    # What no event of the window names, the tracer does (Jobber.Supervisor restarted it).
    assert "Jobber.Supervisor" in _names(direct["helped"])
    assert "Jobber.Supervisor" in _names(direct["whole"])
    assert _names(direct["helped"]) == _names(direct["whole"])
