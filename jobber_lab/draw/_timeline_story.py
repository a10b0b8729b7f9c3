"""Reading a timeline out of the events: its lanes, and the story drawn on them.

Split out of :mod:`._timeline` (which draws): a job keeps one lane through its restarts,
lanes are named by the course's one naming rule, and :class:`_Story` collects the attempts,
marks and intensity windows that the drawing steps then put on those lanes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jobber_lab.jobber import JobEventKind, JobStatus

from ._events import EventView, Labels, process_names, view
from ._timeline_look import _MARKS

__all__ = ["timeline_lanes"]


# ----------------------------------------------------------------------------- lanes


@dataclass
class _Lane:
    key: tuple[str, str]
    first: float
    pids: list[str] = field(default_factory=list)
    label: str = ""


def timeline_lanes(
    events: Iterable[Any], labels: Labels | None = None
) -> tuple[list[str], dict[str, int]]:
    """The lanes :func:`draw_timeline` would draw: (labels top to bottom, pid -> lane index).

    A lane per job (by ``job_id``), per supervisor that restarted, gave up or failed a
    restart, and per other process that crashed or became a zombie. A label is the
    process's name by the naming rule (a job: its id), and beneath it what it is and its pid
    (``first -> last`` when restarts ran it in several processes): ``"JobRunner\nsupervisor
    <0.12.0>"``, ``"doomed-3\ndoomed job <0.31.0> → <0.34.0>"``.
    """
    lanes, pid_lane = _lanes(view(events), labels)
    return [lane.label for lane in lanes], dict(pid_lane)


def _lanes(evs: list[EventView], labels: Labels | None) -> tuple[list[_Lane], dict[str, int]]:
    book = _LaneBook()
    for e in evs:
        book.read(e)
    # A job that crashed and was restarted: the new pid's job_status joined the job's lane;
    # a new pid seen only through child_restarted joined its old pid's lane.
    _name_lanes(book.lanes, evs, labels)
    return book.lanes, book.pid_lane


#: Event kinds that give the supervisor they are about a lane.
_SUPERVISOR_TROUBLE = ("intensity_reached", "supervisor_gave_up", "restart_failed")


class _LaneBook:
    """The lanes in the order they are first met, and the lane each pid is drawn on."""

    def __init__(self) -> None:
        self.lanes: list[_Lane] = []
        self.by_key: dict[tuple[str, str], int] = {}
        self.pid_lane: dict[str, int] = {}

    def read(self, e: EventView) -> None:
        """Give the process (or job) this event is about a lane, if it earns one."""
        if e.kind == JobEventKind.JOB_STATUS and e.pid is not None:
            self._job_status(e.pid, e.get("job_id"), e.time)
        elif e.kind == "child_restarted" and e.pid is not None:
            self._restarted(e.pid, e.get("old_pid"), e.get("supervisor"), e.time)
        elif e.kind in _SUPERVISOR_TROUBLE:
            sup = e.get("supervisor") or e.pid
            if sup is not None:
                self._process(str(sup), e.time)
        elif _crashed_or_zombie(e) and e.pid is not None and e.pid not in self.pid_lane:
            self._process(e.pid, e.time)

    def _job_status(self, pid: str, job: Any, when: float) -> None:
        """A job's lane is its id's (all its pids); a status without a job id, its pid's."""
        if job is not None:
            self._attach(pid, self._lane_for(("job", str(job)), when))
        elif pid not in self.pid_lane:
            self._process(pid, when)

    def _restarted(self, pid: str, old: Any, sup: Any, when: float) -> None:
        """The new pid joins its old pid's lane; the supervisor that restarted it gets one."""
        if old is not None and str(old) in self.pid_lane:
            self._attach(pid, self.pid_lane[str(old)])
        if sup is not None:
            self._process(str(sup), when)

    def _process(self, pid: str, when: float) -> None:
        self._attach(pid, self._lane_for(("proc", pid), when))

    def _lane_for(self, key: tuple[str, str], when: float) -> int:
        if key not in self.by_key:
            self.by_key[key] = len(self.lanes)
            self.lanes.append(_Lane(key, when))
        return self.by_key[key]

    def _attach(self, pid: str, index: int) -> None:
        if pid not in self.pid_lane:
            self.pid_lane[pid] = index
            self.lanes[index].pids.append(pid)


def _crashed_or_zombie(e: EventView) -> bool:
    return (e.kind == "exited" and e.get("reason_kind") == "crash") or e.kind == "zombie"


def _supervisors(evs: Iterable[EventView]) -> set[str]:
    """Pids known to be supervisors: by their role, or by supervising someone."""
    found: set[str] = set()
    for e in evs:
        if e.get("supervisor"):
            found.add(str(e.get("supervisor")))
        started = e.kind in ("spawned", "child_started", "child_restarted")
        if started and e.pid is not None and e.get("role") == "supervisor":
            found.add(e.pid)
    return found


def _name_lanes(lanes: list[_Lane], evs: list[EventView], labels: Labels | None) -> None:
    names = process_names(evs, labels)
    supervisors = _supervisors(evs)
    job_types = {str(e.get("job_id")): e.get("job_type") for e in evs if e.get("job_type")}
    for lane in lanes:
        kind, ident = lane.key
        # A job is called by its id, as the naming rule calls the app's processes.
        name = ident if kind == "job" else names.get(ident, ident)
        pids = lane.pids or [ident]
        where = pids[0] if len(pids) == 1 else f"{pids[0]} → {pids[-1]}"
        if kind == "job":
            what = job_types.get(ident)
            where = f"{what} job {where}" if what else f"job {where}"
        elif ident in supervisors:
            where = f"supervisor {where}"
        unnamed = kind == "proc" and name == ident
        lane.label = where if unnamed else f"{name}\n{where}"


# ----------------------------------------------------------------------------- the story


@dataclass
class _Story:
    """What the events say happened, gathered in one pass, in the lanes' coordinates."""

    pid_lane: Mapping[str, int]
    t_start: float
    t_end: float
    origin: float = 0.0  # the runtime time drawn as 0; every time below is relative to it
    marks: dict[str, list[tuple[float, int]]] = field(
        default_factory=lambda: {k: [] for k in _MARKS}
    )
    bars: list[tuple[int, float, float, Any]] = field(default_factory=list)
    open_attempt: dict[str, float] = field(default_factory=dict)  # pid -> its attempt's start
    lifetimes: dict[str, list[float]] = field(default_factory=dict)  # pid -> [start, end]
    windows: list[tuple[str, float]] = field(default_factory=list)  # supervisor, when
    window_len: dict[str, float] = field(default_factory=dict)
    max_restarts: dict[str, Any] = field(default_factory=dict)
    give_ups: list[float] = field(default_factory=list)
    ran: set[str] = field(default_factory=set)  # pids that have started an attempt

    def at(self, e: EventView) -> float:
        """The event's time on the drawn axis."""
        return e.time - self.origin

    def mark(self, kind: str, when: float, pid: str) -> None:
        if pid in self.pid_lane:
            self.marks[kind].append((when, self.pid_lane[pid]))

    def close_attempt(self, pid: str, when: float, how: Any) -> None:
        start = self.open_attempt.pop(pid, None)
        if start is not None and pid in self.pid_lane:
            self.bars.append((self.pid_lane[pid], start, when, how))

    # one reader per event kind ------------------------------------------------------

    def started(self, e: EventView, pid: str) -> None:
        self.lifetimes.setdefault(pid, [self.at(e), self.t_end])
        sup = e.get("supervisor")
        if e.kind == "child_restarted":
            self.mark("restart", self.at(e), pid)
            if sup is not None:
                self.mark("restarter", self.at(e), str(sup))

    def job_status(self, e: EventView, pid: str) -> None:
        self.lifetimes.setdefault(pid, [self.at(e), self.t_end])
        status = e.get("status")
        if status == JobStatus.NEW:
            self.mark(JobStatus.NEW, self.at(e), pid)
        elif status == JobStatus.RUNNING:
            self.close_attempt(pid, self.at(e), None)
            self.open_attempt[pid] = self.at(e)
            # A retry is the same process running its job again (the book's Job sends
            # itself :retry); a restarted process's first attempt is marked as a restart.
            # Counted here, not read from attempt/retries fields, which not every
            # publisher sends (lesson 02's does not; the book's first error keeps 0).
            if pid in self.ran:
                self.mark("retry", self.at(e), pid)
            self.ran.add(pid)
        elif status in (JobStatus.DONE, JobStatus.ERRORED, JobStatus.FAILED):
            self.close_attempt(pid, self.at(e), status)
            self.mark(str(status), self.at(e), pid)

    def exited(self, e: EventView, pid: str) -> None:
        if pid in self.lifetimes:
            self.lifetimes[pid][1] = self.at(e)
        crashed = e.get("reason_kind") == "crash"
        self.close_attempt(pid, self.at(e), "crash" if crashed else None)
        self.mark("crash" if crashed else "exit", self.at(e), pid)

    def intensity(self, e: EventView, sup: str) -> None:
        self.mark("intensity", self.at(e), sup)
        if e.get("max_seconds") is not None:
            self.window_len[sup] = float(e.get("max_seconds"))
        self.max_restarts[sup] = e.get("max_restarts")
        self.windows.append((sup, self.at(e)))

    def gave_up(self, e: EventView, sup: str) -> None:
        self.mark("gave_up", self.at(e), sup)
        self.give_ups.append(self.at(e))
        self.windows.append((sup, self.at(e)))


def _read_story(evs: list[EventView], pid_lane: Mapping[str, int], origin: float = 0.0) -> _Story:
    story = _Story(pid_lane, evs[0].time - origin, max(e.time for e in evs) - origin, origin=origin)
    for e in evs:
        pid = e.pid
        if e.kind in ("spawned", "child_started", "child_restarted") and pid is not None:
            story.started(e, pid)
        elif e.kind == JobEventKind.JOB_STATUS and pid is not None and pid in pid_lane:
            story.job_status(e, pid)
        elif e.kind == "exited" and pid is not None:
            story.exited(e, pid)
        elif e.kind == "intensity_reached":
            story.intensity(e, str(e.get("supervisor") or pid))
        elif e.kind == "supervisor_gave_up":
            story.gave_up(e, str(e.get("supervisor") or pid))
        elif e.kind == "zombie" and pid is not None:
            story.mark("zombie", story.at(e), pid)
    for pid in list(story.open_attempt):
        story.close_attempt(pid, story.t_end, None)
    return story
