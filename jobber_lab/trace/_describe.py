"""Events in words, the way the book's Logger lines read ("Job completed ...").

One wording function for every place that shows a log: ``Tracer.log_lines`` and the
dashboard's live log both call :func:`describe`, so the course shows one vocabulary.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from jobber_lab.jobber import JobEventKind, JobStatus
from jobber_lab.otp import Event, EventKind

__all__ = ["describe"]

Labels = Mapping[str, str]


def _who(pid: Any, labels: Labels | None) -> str:
    """``<0.7.0> JobRunner``: the pid students see in iex, then the name they know."""
    if pid is None:
        return "?"
    text = str(pid)
    label = labels.get(text) if labels is not None else None
    return f"{text} {label}" if label and label != text else text


def _name(pid: Any, labels: Labels | None) -> str:
    """Just the name if there is one (``JobRunner``), else the pid."""
    text = str(pid)
    label = labels.get(text) if labels is not None else None
    return label or text


def _words(reason: Any) -> str:
    return str(reason).replace("_", " ") if reason is not None else "unknown reason"


def _job_status(event: Event, labels: Labels | None) -> str | None:
    job = event.get("job_id") or _who(event.pid, labels)
    status = event.get("status")
    if status == JobStatus.DONE:
        return f"Job completed {job}"
    if status == JobStatus.FAILED:
        return f"Job failed {job}"
    if status == JobStatus.ERRORED:
        retries = event.get("retries")
        most = event.get("max_retries")
        if retries is None:
            return f"Job errored {job}"
        if most is None:
            return f"Job errored {job} (retry {retries})"
        return f"Job errored {job} (retry {retries} of {most})"
    if status == JobStatus.RUNNING:
        attempt = event.get("attempt")
        if attempt is None or attempt == 1:
            return f"Job started {job}"
        return f"Job running {job} (attempt {attempt})"
    return None  # "new": the next line (running) says it better


def _exited(event: Event, labels: Labels | None) -> str | None:
    kind = event.get("reason_kind")
    who = _who(event.pid, labels)
    if kind == "crash":
        return f"{who} crashed: {event.get('exception') or event.get('reason')}"
    if kind == "killed":
        return f"{who} was killed"
    if kind == "shutdown":
        return None  # a supervisor stopping its children: the gave-up line already says why
    return None  # normal exits are the quiet, common case


def _child_name(event: Event, labels: Labels | None) -> str:
    """A static child's id, or a dynamic child's own label (it has no id)."""
    child_id = event.get("child_id")
    return str(child_id) if child_id is not None else _name(event.pid, labels)


def _child_started(event: Event, labels: Labels | None) -> str | None:
    sup = _who(event.get("supervisor"), labels)
    return f"{sup} started child {_child_name(event, labels)} as {event.pid}"


def _child_restarted(event: Event, labels: Labels | None) -> str | None:
    sup = _who(event.get("supervisor"), labels)
    text = (
        f"{sup} restarted child {_child_name(event, labels)}: {event.get('old_pid')} -> {event.pid}"
    )
    restarts = event.get("restarts")
    if restarts is not None:
        text += f" ({restarts} in the restart window)"
    return text


def _child_terminated(event: Event, labels: Labels | None) -> str | None:
    sup = _who(event.get("supervisor"), labels)
    return (
        f"{sup} terminated child {_child_name(event, labels)} {event.pid} ({event.get('reason')})"
    )


def _restart_failed(event: Event, labels: Labels | None) -> str | None:
    sup = _who(event.get("supervisor"), labels)
    return f"{sup} could not restart child {event.get('child_id')}: {event.get('reason')}"


def _intensity_reached(event: Event, labels: Labels | None) -> str | None:
    sup = _name(event.get("supervisor", event.pid), labels)
    return (
        f"Supervisor {sup} reached max restart intensity: {event.get('restarts')} restarts"
        f" in {event.get('max_seconds')}s (max_restarts {event.get('max_restarts')})"
    )


def _gave_up(event: Event, labels: Labels | None) -> str | None:
    sup = _name(event.get("supervisor", event.pid), labels)
    reason = str(event.get("reason") or "shutdown")
    # A supervisor gives up only when restarts exceed its intensity; it then exits shutdown,
    # so that is the reason the core reports. Say the cause, as OTP's log does.
    if reason.lstrip(":") == "shutdown" or "intensity" in reason:
        return f"Supervisor {sup} gave up (reached max restart intensity)"
    return f"Supervisor {sup} gave up ({_words(reason)})"


def _zombie(event: Event, _labels: Labels | None) -> str | None:
    return (
        f"Zombie thread: {event.pid} {event.get('name')} still runs {event.get('seconds')}s"
        f" after it died ({event.get('reason')})"
    )


def _quota_refused(event: Event, _labels: Labels | None) -> str | None:
    kind = str(event.get("job_type") or "").capitalize() or "A"
    return f"{kind} job refused: quota {event.get('quota')} reached"


def _app_started(event: Event, _labels: Labels | None) -> str | None:
    return f"Application {event.get('app')} started"


def _app_stopped(event: Event, _labels: Labels | None) -> str | None:
    return f"Application {event.get('app')} stopped ({_words(event.get('reason'))})"


def _registered(event: Event, _labels: Labels | None) -> str | None:
    verb = "registered" if event.kind == EventKind.REGISTRY_REGISTER else "unregistered"
    return f"{event.get('registry')} {verb} {event.get('key')} for {event.pid}"


_WORDS: dict[str, Callable[[Event, Labels | None], str | None]] = {
    JobEventKind.JOB_STATUS: _job_status,
    EventKind.EXITED: _exited,
    EventKind.CHILD_STARTED: _child_started,
    EventKind.CHILD_RESTARTED: _child_restarted,
    EventKind.CHILD_TERMINATED: _child_terminated,
    EventKind.RESTART_FAILED: _restart_failed,
    EventKind.INTENSITY_REACHED: _intensity_reached,
    EventKind.SUPERVISOR_GAVE_UP: _gave_up,
    EventKind.ZOMBIE: _zombie,
    JobEventKind.QUOTA_REFUSED: _quota_refused,
    EventKind.APP_STARTED: _app_started,
    EventKind.APP_STOPPED: _app_stopped,
    EventKind.REGISTRY_REGISTER: _registered,
    EventKind.REGISTRY_UNREGISTER: _registered,
}


def describe(event: Event, labels: Labels | None = None) -> str | None:
    """One readable line for ``event``, or None for plumbing a student need not read.

    ``labels`` maps pid strings to names (``{"<0.7.0>": "JobRunner"}``) so lines say who;
    ``Tracer.describe`` passes the tracer's own. Spawns, links, monitors, timers, messages and
    normal exits give None: the log tells the story, the graph shows the plumbing.
    """
    words = _WORDS.get(event.kind)
    return None if words is None else words(event, labels)
