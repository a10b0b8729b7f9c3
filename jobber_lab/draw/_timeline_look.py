"""The look of the timeline: its colours, sizes and point markers, in one place.

Split out of :mod:`._timeline` so that reading the events (:mod:`._timeline_story`, which
collects marks by the kinds named here) and drawing them share one table without a cycle.
"""

from __future__ import annotations

from jobber_lab.jobber import JobStatus

from ._style import STATUS_COLOURS

__all__ = ["WINDOW_NOTE"]

_CRASH = "#8b0000"
_WINDOW = "#d9534f"
_WINDOW_ALPHA = 0.13
_RESTART_GREEN = "#2a7f62"
_TEXT = 9.0  # points: every label, tick and legend entry
_LANE = 0.55  # inches per lane: two lines of 9-pt text with air between lanes

#: How the legend explains the shaded window: OTP stamps each restart with the whole second
#: it happened in (otp-semantics S6), so "5 s" admits restarts up to almost 6 s apart.
WINDOW_NOTE = "intensity window (OTP counts whole seconds)"

# Point markers: kind -> (marker, colour, size, legend text)
_MARKS: dict[str, tuple[str, str, float, str]] = {
    JobStatus.NEW: ("o", STATUS_COLOURS[JobStatus.NEW], 36, "new"),
    "retry": (">", "#6a3d9a", 49, "retry"),
    JobStatus.ERRORED: ("X", STATUS_COLOURS[JobStatus.ERRORED], 64, "errored"),
    JobStatus.DONE: ("o", STATUS_COLOURS[JobStatus.DONE], 49, "done"),
    JobStatus.FAILED: ("s", STATUS_COLOURS[JobStatus.FAILED], 49, "failed"),
    "crash": ("*", _CRASH, 140, "crash"),
    "restart": ("^", _RESTART_GREEN, 64, "restarted"),
    "restarter": ("^", "none", 64, "supervisor restarted a child"),
    "exit": ("|", "#333333", 120, "exit"),
    "intensity": ("D", _WINDOW, 49, "intensity reached"),
    "gave_up": ("v", _CRASH, 100, "supervisor gave up"),
    "zombie": ("P", STATUS_COLOURS["zombie"], 81, "zombie thread"),
}
#: Marks drawn off the lane's centre line (in lanes, up is negative: the y axis is inverted),
#: so a restart at the instant of a crash shows beside the crash star, not over it.
_MARK_OFFSET = {"restart": -0.3, "restarter": -0.3}
_ATTEMPT_COLOURS = {  # how an attempt ended -> bar colour
    JobStatus.DONE: STATUS_COLOURS[JobStatus.DONE],
    JobStatus.ERRORED: STATUS_COLOURS[JobStatus.ERRORED],
    JobStatus.FAILED: STATUS_COLOURS[JobStatus.FAILED],
    "crash": _CRASH,
    None: STATUS_COLOURS[JobStatus.RUNNING],
}
_ATTEMPT_LEGEND = (
    (None, "attempt (running)"),
    (JobStatus.DONE, "attempt → done"),
    (JobStatus.ERRORED, "attempt → errored"),
    (JobStatus.FAILED, "attempt → failed"),
    ("crash", "attempt → crash"),
)
