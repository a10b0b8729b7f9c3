"""draw_timeline: one lane per job / supervisor, the intensity window visible."""

from __future__ import annotations

from draw_samples import doomed_scenario
from matplotlib.figure import Figure

from jobber_lab.draw import draw_timeline
from jobber_lab.draw._timeline import timeline_lanes


def _lanes(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_yticklabels()]


def test_one_lane_per_job_and_the_supervisor_that_gave_up(doomed_events) -> None:
    fig = draw_timeline(doomed_events)
    assert _lanes(fig) == [
        "good job good1",
        "bad job bad1",
        "doomed job doomed1",
        "supervisor <0.30.0>",
    ]


def test_restarted_pids_stay_in_their_jobs_lane(doomed_events) -> None:
    _, pid_lane = timeline_lanes(doomed_events)
    assert {pid_lane[p] for p in ("<0.31.0>", "<0.32.0>", "<0.33.0>", "<0.34.0>")} == {2}


def test_intensity_window_is_shaded_and_ends_where_it_gave_up(doomed_events) -> None:
    fig = draw_timeline(doomed_events)
    ax = fig.axes[0]
    windows = [p for p in ax.patches if p.get_alpha() == 0.13]
    assert len(windows) == 2  # the supervisor's lane and its job's
    for patch in windows:
        assert abs(patch.get_x() + patch.get_width() - 12.5) < 1e-9
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    for entry in ("crash", "restarted", "errored", "retry", "intensity window", "gave up"):
        assert entry in legend


def test_max_seconds_argument_overrides_the_event() -> None:
    fig = draw_timeline(doomed_scenario(), max_seconds=2)
    windows = [p for p in fig.axes[0].patches if p.get_alpha() == 0.13]
    assert windows and all(abs(p.get_width() - 2) < 1e-9 for p in windows)


def test_events_as_plain_dicts_and_empty_input(doomed_events) -> None:
    fig = draw_timeline([e.to_dict() for e in doomed_events])
    assert len(_lanes(fig)) == 4
    empty = draw_timeline([])
    assert isinstance(empty, Figure) and _lanes(empty) == []
