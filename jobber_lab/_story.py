"""The demo's narrator: the tracer's events, as the lines of the story ``jobber-lab demo`` tells.

Apart from :mod:`jobber_lab.demo`, which runs the story's steps: this only listens and
words what happened, so the text is always what the system did.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from jobber_lab.jobber import JobEventKind, JobStatus
from jobber_lab.otp import Event
from jobber_lab.trace import Tracer

if TYPE_CHECKING:
    from jobber_lab.demo import StoryResult

__all__ = ["Print", "StoryTeller"]

Print = Callable[[str], None]


class StoryTeller:
    """Turns the tracer's events into the story's lines, in event order.

    Events are collected as they come and written out at each :meth:`step`, on the story's own
    thread: by then the story has told the teller which pid is "the doomed job", so even the
    events that came first are named. A restarted job's new pid inherits the old one's part,
    and its new random id is noted (the book's ``Job.init`` draws one on every start).
    """

    def __init__(
        self, tracer: Tracer, say: Print, result: StoryResult, *, verbose: bool, explain: bool
    ) -> None:
        self._tracer = tracer
        self._explain = explain  # say once, in the first variant, why a restart has a new id
        self._say = say
        self._result = result
        self._verbose = verbose
        self._lock = threading.Lock()
        self._pending: list[Event] = []
        self._roles: dict[str, str] = {}  # job pid -> "the doomed job"
        self._names: dict[str, str] = {}  # other pids -> what the story calls them
        self._short: dict[str, str] = {}  # ... and, where it has one, its name after a job's
        self._ids: dict[str, str] = {}  # job pid -> its job id
        self._status: dict[str, str] = {}  # job pid -> last status
        self._giving_up: str | None = None  # a supervisor shutting its children down
        self._done = False

    # -- what the story tells the teller
    def role(self, pid: Any, role: str) -> None:
        self._roles[str(pid)] = role

    def name(self, pid: Any, name: str, *, short: str | None = None) -> None:
        """``short``: what to call it right after a line about its job ("its JobSupervisor")."""
        self._names[str(pid)] = name
        if short is not None:
            self._short[str(pid)] = short

    def collect(self, event: Event) -> None:
        with self._lock:
            if not self._done:
                self._pending.append(event)

    def step(self, text: str) -> None:
        """A line of the story, printed after every event so far, so the log reads in order."""
        self._drain()
        self._say(text)

    def finish(self) -> None:
        """Write what is pending and take no more events."""
        if self._done:
            return
        self._drain()
        with self._lock:
            self._done = True

    def _drain(self) -> None:
        self._tracer.flush()
        with self._lock:
            events, self._pending = self._pending, []
        for event in events:
            line = self._line(event)
            if line:
                first, *more = line.split("\n")
                self._say(f"[{event.time:6.2f} s] {first}")
                for text in more:
                    self._say(f"{'':11}{text}")

    # -- one event in words
    def _who(self, pid: Any) -> str:
        text = str(pid)
        if text in self._roles:
            job_id = self._ids.get(text)
            return f"{self._roles[text]} {job_id}" if job_id else self._roles[text]
        return self._names.get(text) or self._tracer.label_of(text) or text

    def _line(self, event: Event) -> str | None:
        if self._verbose:
            return self._tracer.describe(event)
        kind = event.kind
        if kind == JobEventKind.JOB_STATUS:
            return self._job_status(event)
        if kind == "exited":
            return self._exited(event)
        if kind == "child_restarted":
            return self._restarted(event)
        if kind == "intensity_reached":
            sup = str(event.get("supervisor", event.pid))
            self._giving_up = sup
            return (
                f"{self._who(sup)} gives up ({event.get('restarts')} restarts in "
                f"{event.get('max_seconds')} s, max {event.get('max_restarts')}), exits :shutdown"
            )
        return None

    def _job_status(self, event: Event) -> str | None:
        pid = str(event.get("pid", event.pid))
        job_id, status = event.get("job_id"), event.get("status")
        role = self._roles.get(pid)
        self._status[pid] = str(status)
        if job_id and pid not in self._ids:
            self._ids[pid] = str(job_id)  # for any pid: a restarted job's part is learnt later
            if role == "doomed job":
                self._result.doomed_ids.append(str(job_id))
        if role is None or status == JobStatus.NEW:
            return None
        who = self._who(pid)
        if status == JobStatus.RUNNING and event.get("attempt") in (None, 1):
            return f"{who} started"
        if status == JobStatus.DONE:
            return f"{who} completed"
        if status == JobStatus.ERRORED:
            return f"{who} errored (retry {event.get('retries')} of {event.get('max_retries')})"
        if status == JobStatus.FAILED:
            return f"{who} failed: no retries left"
        return None  # a retry's "running" line: --verbose shows it

    def _exited(self, event: Event) -> str | None:
        pid = str(event.pid)
        kind = event.get("reason_kind")
        if kind == "crash" and (pid in self._roles or pid in self._names):
            return f"{self._who(pid)} crashed: {event.get('exception') or event.get('reason')}"
        unfinished = self._status.get(pid) not in (None, JobStatus.DONE, JobStatus.FAILED)
        if kind in ("shutdown", "killed") and pid in self._roles and unfinished:
            by = self._who(self._giving_up) if self._giving_up else "its supervisor"
            self._result.lost.append(self._who(pid))
            return f"{self._who(pid)} was shut down with {by}: it never finished"
        return None

    def _restarted(self, event: Event) -> str | None:
        old, new = str(event.get("old_pid")), str(event.pid)
        sup = str(event.get("supervisor"))
        if old in self._roles:
            self._roles[new] = self._roles[old]
        elif old in self._names:
            self._names[new] = self._names[old]
        else:
            return None
        by = self._who(sup)
        self._result.restarts[by] = self._result.restarts.get(by, 0) + 1
        window = f"(restart {event.get('restarts')} in the window)"
        if self._names.get(new) == "JobRunner":
            return f"{by} restarted JobRunner: {old} -> {new} (JobRunner is :permanent)"
        role = self._roles.get(new, "")
        job_id = self._ids.get(new)  # the new Job's init has already reported its id
        if job_id is None:
            return f"{by} restarted the {role} as {new} {window}"
        if role == "doomed job":
            self._result.doomed_ids.append(job_id)
        short = self._short.get(sup, by)
        line = f"{short} restarted it as {new}, new id {job_id} {window}"
        if len(self._result.doomed_ids) == 2 and role == "doomed job" and self._explain:
            line += (
                "\na new id: a restart calls start_link again with the original arguments, "
                "and the book's\nJob.init draws a random id when none is given"
            )
        return line
