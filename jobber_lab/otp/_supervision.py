"""The rules the supervisor engine (:mod:`._supervisor_engine`) applies: one mechanism
per rule, each small enough to test and to read beside ``supervisor.erl``.

- :class:`Intensity` is the restart-intensity rule (S6), in exactly one place.
- :func:`shutdown_children` is the shutdown protocol (S10), for one child or for
  many in parallel (D5).
- :func:`report` writes supervisor reports with ``errorContext``, ``reason`` and
  ``offender``, like OTP's SASL reports.
"""

from __future__ import annotations

import heapq
import logging
import math
from collections.abc import Iterable, Mapping
from typing import Any

from ._atoms import BRUTAL_KILL, DOWN, EXIT, INFINITY, KILL, KILLED, NOPROC, SHUTDOWN, Atom
from ._childspec import ChildSpec, ChildType, Restart
from ._events import EventKind, plain
from ._pid import Pid
from ._process import current_process
from ._results import format_reason, is_clean
from ._runtime import Runtime

__all__ = [
    "Intensity",
    "report",
    "shutdown_children",
]

log = logging.getLogger("jobber_lab.otp.supervisor")


class Intensity:
    """OTP's ``add_restart``: at most ``max_restarts`` in ``max_seconds`` (S6).

    Timestamps are whole seconds of *runtime* time; the window's lower bound is
    inclusive; the count is per supervisor (one_for_all counts once).
    """

    def __init__(self, max_restarts: int, max_seconds: float) -> None:
        self.max_restarts = max_restarts
        self.max_seconds = max_seconds
        self.restarts: list[int] = []

    def add(self, now: float) -> bool:
        """Record a restart at runtime time ``now``; False means: give up."""
        second = math.floor(now)
        threshold = second - self.max_seconds
        self.restarts = [t for t in self.restarts if t >= threshold]
        self.restarts.append(second)
        return len(self.restarts) <= self.max_restarts

    def in_window(self) -> int:
        return len(self.restarts)


def check_flags(max_restarts: Any, max_seconds: Any) -> Any:
    """None if the intensity flags are valid, else the error term (S2)."""
    if isinstance(max_restarts, bool) or not isinstance(max_restarts, int) or max_restarts < 0:
        return (Atom("invalid_intensity"), max_restarts)
    if (
        isinstance(max_seconds, bool)
        or not isinstance(max_seconds, int | float)
        or not max_seconds > 0
    ):
        return (Atom("invalid_period"), max_seconds)
    return None


def expected_shutdown_reason(reason: Any, spec: ChildSpec) -> bool:
    """S10: which exit reasons a shut-down child may give without a shutdown_error."""
    if reason is SHUTDOWN:
        return True
    if spec.shutdown_value is BRUTAL_KILL and reason is KILLED:
        return True
    return spec.restart is not Restart.PERMANENT and is_clean(reason)


SHUTDOWN_WINDOW = 32
"""How many children a supervisor shuts down at the same time (D5's "all at once",
bounded): waking thousands of threads at once was 4x slower than a small window."""


def shutdown_children(
    rt: Runtime, victims: list[tuple[Pid, ChildSpec]], window: int = SHUTDOWN_WINDOW
) -> dict[Pid, Any]:
    """Shut children down (S10), up to ``window`` at a time (D5), each by its own shutdown.

    Monitors each child, sends ``shutdown`` (or ``kill`` for brutal_kill), waits up to
    its shutdown time, kills it if it is late, and takes its ``EXIT`` out of the mailbox
    so no restart follows.  Returns pid -> exit reason.

    One selective receive takes both the ``EXIT`` (which a linked child's death always
    delivers first) and the ``DOWN``, so each message is looked at about once: scanning
    the mailbox from the start for every child made shutting down thousands quadratic.
    """
    queue = list(victims)
    queue.reverse()  # pop() from the end keeps the given order
    pending: dict[Any, tuple[Pid, ChildSpec]] = {}
    by_pid: dict[Pid, Any] = {}
    exits: dict[Pid, Any] = {}
    deadlines: list[tuple[float, int, Any]] = []
    reasons: dict[Pid, Any] = {}

    def launch() -> None:
        while queue and len(pending) < window:
            pid, spec = queue.pop()
            ref = rt.monitor(pid)
            pending[ref] = (pid, spec)
            by_pid[pid] = ref
            value = spec.shutdown_value
            if value is BRUTAL_KILL:
                rt.exit(pid, KILL)
            else:
                rt.exit(pid, SHUTDOWN)
                if value is not INFINITY:
                    heapq.heappush(deadlines, (rt.now() + float(value), ref.serial, ref))

    def relevant(m: Any) -> bool:
        return type(m) is tuple and (
            (len(m) == 5 and m[0] is DOWN and m[1] in pending)
            or (len(m) == 3 and m[0] is EXIT and m[1] in by_pid)
        )

    launch()
    while pending:
        wait = _kill_the_late(rt, deadlines, pending)
        msg = rt.receive(relevant, wait)
        if type(msg) is not tuple:
            continue  # a deadline passed
        if msg[0] is EXIT:
            exits[msg[1]] = msg[2]
            continue
        ref, reason = msg[1], msg[4]
        pid, spec = pending.pop(ref)
        del by_pid[pid]
        if pid in exits:
            exit_reason = exits.pop(pid)
        else:  # not linked, or it died unlinked: look once more, then forget it
            rt.unlink(pid)
            flushed = rt.receive(
                lambda m, p=pid: type(m) is tuple and m[0] is EXIT and m[1] == p, 0
            )
            exit_reason = flushed[2] if type(flushed) is tuple else reason
        if reason is NOPROC:
            reason = exit_reason  # it was already dead: its EXIT holds the real reason
        reasons[pid] = reason
        if not expected_shutdown_reason(reason, spec):
            report(rt, "shutdown_error", reason, pid, spec)
        launch()
    return reasons


def _kill_the_late(
    rt: Runtime, deadlines: list[tuple[float, int, Any]], pending: Mapping[Any, tuple[Pid, Any]]
) -> float | None:
    """Kill every child still pending past its shutdown time (D5's ``kill`` after the
    ``shutdown`` timeout) and drop the deadlines of those already gone; returns the seconds
    until the next deadline (None: none left, wait for the rest as long as they take)."""
    while deadlines and (deadlines[0][2] not in pending or deadlines[0][0] <= rt.now()):
        _, _, ref = heapq.heappop(deadlines)
        if ref in pending:
            rt.exit(pending[ref][0], KILL)
    return max(0.0, deadlines[0][0] - rt.now()) if deadlines else None


def report(rt: Runtime, context: str, reason: Any, pid: Any, spec: ChildSpec | None) -> None:
    """A supervisor report: ``errorContext``, ``reason``, ``offender`` (as OTP logs them)."""
    if not log.isEnabledFor(logging.ERROR):
        return  # building the offender costs more than a restart when nobody reads it
    offender = {"pid": str(pid), **(spec.describe() if spec is not None else {})}
    me = rt.process(_self_pid())
    log.error(
        "supervisor report: supervisor=%s errorContext=%s reason=%s offender=%s",
        me.name if me is not None and me.name is not None else _self_pid(),
        context,
        format_reason(reason),
        offender,
        extra={"errorContext": context, "reason": reason, "offender": offender},
    )


def _self_pid() -> Pid | None:
    proc = current_process()
    return proc.pid if proc is not None else None


def own_runtime() -> Runtime:
    """The runtime of the supervisor process running this code."""
    proc = current_process()
    assert proc is not None, "supervision code runs inside its supervisor's process"
    return proc.runtime


def own_pid() -> Pid:
    proc = current_process()
    assert proc is not None, "supervision code runs inside its supervisor's process"
    return proc.pid


def restart_decision(rt: Runtime, spec: ChildSpec, pid: Any, reason: Any) -> bool:
    """S5's table, in one place: should the supervisor restart a child that exited?

    Logs ``child_terminated`` where OTP does (any abnormal exit, and every exit of a
    permanent child).  False means: keep the spec idle (transient) or drop it (temporary).
    """
    clean = is_clean(reason)
    if not clean or spec.restart is Restart.PERMANENT:
        report(rt, "child_terminated", reason, pid, spec)
    return spec.restart is Restart.PERMANENT or (spec.restart is Restart.TRANSIENT and not clean)


def child_fields(spec: ChildSpec, *, dynamic: bool) -> dict[str, Any]:
    """What every supervision event says about its child: enough to draw the tree."""
    return {
        "supervisor": str(_self_pid()),
        "child_id": None if dynamic else plain(spec.id),
        "restart": spec.restart.value,
        "role": "supervisor" if spec.type.value == "supervisor" else "worker",
        "dynamic": dynamic,
    }


def emit_child(
    rt: Runtime,
    kind: str,
    pid: Any,
    spec: ChildSpec,
    *,
    dynamic: bool,
    **extra: Any,
) -> None:
    """The events a tracer draws the tree from (parent, id, restart, role, dynamic)."""
    rt.emit(kind, pid, **child_fields(spec, dynamic=dynamic), **extra)


REACHED_MAX_RESTART_INTENSITY = Atom("reached_max_restart_intensity")
"""The reason of the report a supervisor logs as it gives up, under ``errorContext=shutdown``
(OTP's ``report_error(shutdown, reached_max_restart_intensity, ...)``)."""

TRY_AGAIN = Atom("$try_again_restart")
"""The message a supervisor sends itself to retry a failed restart (S7)."""


def may_restart(
    rt: Runtime, intensity: Intensity, pid: Any, spec: ChildSpec, *, dynamic: bool
) -> bool:
    """S6 before each restart: True to go on; False after reporting and announcing that the
    supervisor gives up (the caller then drops the child and stops with ``shutdown``)."""
    if intensity.add(rt.now()):
        return True
    report(rt, "shutdown", REACHED_MAX_RESTART_INTENSITY, pid, spec)
    emit_give_up(rt, intensity, spec, dynamic=dynamic)
    return False


def retry_later(
    rt: Runtime, reason: Any, old_pid: Any, spec: ChildSpec, key: Any, *, dynamic: bool
) -> None:
    """S7: a restart's start failed; report it and queue a retry to ourselves, so other
    requests (a shutdown) can run in between.  The caller marks the child RESTARTING."""
    report(rt, "start_error", reason, old_pid, spec)
    emit_child(rt, EventKind.RESTART_FAILED, None, spec, dynamic=dynamic, reason=repr(reason))
    rt.send(own_pid(), (TRY_AGAIN, key))


def count_specs(children: Iterable[tuple[ChildSpec, Any]]) -> dict[str, int]:
    """``count_children`` from ``(spec, pid)`` pairs: ``active`` counts live pids only (S13)."""
    counts = {"specs": 0, "active": 0, "supervisors": 0, "workers": 0}
    for spec, pid in children:
        counts["specs"] += 1
        counts["active"] += isinstance(pid, Pid)
        counts["supervisors" if spec.type is ChildType.SUPERVISOR else "workers"] += 1
    return counts


def emit_give_up(rt: Runtime, intensity: Intensity, spec: ChildSpec, *, dynamic: bool) -> None:
    """S6 giving up: ``intensity_reached`` then ``supervisor_gave_up``, naming the child
    whose failure was one too many."""
    fields = child_fields(spec, dynamic=dynamic)
    rt.emit(
        EventKind.INTENSITY_REACHED,
        None,
        **fields,
        restarts=intensity.in_window(),
        max_restarts=intensity.max_restarts,
        max_seconds=intensity.max_seconds,
    )
    rt.emit(EventKind.SUPERVISOR_GAVE_UP, None, **fields, reason="shutdown")
