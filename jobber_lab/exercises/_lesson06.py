"""Notebook 06: reading a trace to find when the restart window filled."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jobber_lab import otp
from jobber_lab.jobber import (
    Jobber,
    doomed_job,
)
from jobber_lab.trace import Tracer

from ._common import (
    CheckResult,
    _crash_text,
    _isolated,
    _run_until_event,
    _runtime,
)


def _secs(seconds: float) -> str:
    """A simulated time as the lesson prints it: ``20.0``, ``6.65`` (no float noise)."""
    return repr(round(seconds, 9))


DECISION_EVENTS = ("intensity_reached", "supervisor_gave_up")
"""The events in which a supervisor announces its own decision to give up.  Exercise 06 hides
them: the student works the decision out from the exits, as OTP's ``add_restart`` does."""


@dataclass(frozen=True)
class _WindowCase:
    """One recorded story of a doomed job under JobRunner (direct variant), and its truth."""

    title: str
    max_restarts: int
    max_seconds: int
    events: list[Any]  # the history without DECISION_EVENTS: what the student's code reads
    crashes: list[Any]  # the `exited` events of JobRunner's children, up to its decision
    reached: Any  # JobRunner's `intensity_reached` event: the moment it gave up


def _record_window_case(
    title: str, *, work: float, phase: float | None, max_restarts: int, max_seconds: int
) -> _WindowCase | None:
    """Run the direct variant with one doomed job crashing every ``work`` seconds until
    JobRunner gives up, on simulated time: the crashes come exactly ``work`` s apart.  The
    job starts at once (time 0, as in the lesson) or, with ``phase``, that many seconds
    after the next whole second, which sets where its crashes fall between whole seconds
    (what OTP's window counts)."""
    with _runtime() as rt:
        tracer = Tracer(rt)
        app = Jobber(
            variant="direct",
            runtime=rt,
            runner_max_restarts=max_restarts,
            runner_max_seconds=max_seconds,
        )
        try:
            runner = str(app.job_runner)
            if phase is not None:
                with rt.calling_process():
                    now = rt.now()
                    otp.sleep(int(now) + 1 + phase - now)
            app.start_job(work=doomed_job(work), id="doomed")
            _run_until_event(
                tracer, lambda e: e.kind == "child_restarted" and e.get("old_pid") == runner
            )
            tracer.flush()
        finally:
            app.stop()
            tracer.detach()
    history = [e for e in tracer.history if e.kind != "app_stopped"]
    reached = next(
        (e for e in history if e.kind == "intensity_reached" and e.get("supervisor") == runner),
        None,
    )
    if reached is None:
        return None
    children = {e.pid for e in history if e.kind == "spawned" and e.get("parent") == runner}
    crashes = [
        e
        for e in history
        if e.kind == "exited" and e.pid in children and e.seq < reached.seq
        if e.get("reason_kind") == "crash"
    ]
    events = [e for e in history if e.kind not in DECISION_EVENTS]
    return _WindowCase(title, max_restarts, max_seconds, events, crashes, reached)


def _window_cases() -> list[_WindowCase | str]:
    """The lesson's story (crashes at 5, 10, 15 and 20 s: the 4th restart, at 20.0 s, is one
    too many), then one where OTP's whole seconds decide: the job starts at 1.55 s and
    crashes at 3.25, 4.95 and 6.65 s, 3.4 s apart end to end, more than max_seconds=3, so a
    window in fractional seconds never fills; but those are seconds 3 and 6, 3 whole seconds
    apart, so OTP's window holds all 3 restarts and gives up at the 3rd."""
    cases: list[_WindowCase | str] = []
    for title, options in (
        (
            "the lesson's story (a doomed job, JobRunner max_restarts=3, max_seconds=30)",
            {"work": 5, "phase": None, "max_restarts": 3, "max_seconds": 30},
        ),
        (
            "crashes 1.7 s apart against max_restarts=2, max_seconds=3",
            {"work": 1.7, "phase": 0.55, "max_restarts": 2, "max_seconds": 3},
        ),
    ):
        case = _record_window_case(title, **options)
        cases.append(case if case is not None else f"{title}: JobRunner never gave up")
    return cases


def _judge_window(case: _WindowCase, said: Any, result: CheckResult) -> None:
    n = len(case.crashes)
    last = case.crashes[-1]
    truth = f"restart {n} (crash {n} at {_secs(last.time)} s)"
    name = case.title
    if said is None:
        result.wrong(
            f"{name}: you found no restart one too many, but JobRunner gave up at {truth}. "
            + _whole_seconds_note(case)
        )
        return
    if not (isinstance(said, tuple | list) and len(said) == 2):
        result.wrong(f"{name}: expected (time, restart number) or None, got {said!r}")
        return
    when, which = said
    if isinstance(when, bool) or not isinstance(when, int | float):
        result.wrong(f"{name}: the time must be a number of runtime seconds, got {when!r}")
        return
    if isinstance(which, bool) or not isinstance(which, int):
        result.wrong(f"{name}: the restart number must be an int, got {which!r}")
        return
    when = float(when)
    # Simulated time: JobRunner handles the crash, decides and is replaced in the crash's
    # own instant, so the answer's time is exactly the crash's.
    on_time = abs(when - last.time) < 1e-9
    if on_time and which == n:
        result.ok(f"{name}: the window filled at {truth}, restart {n} was one too many")
        return
    earlier = [i for i, e in enumerate(case.crashes, 1) if abs(e.time - when) < 1e-9 and i < n]
    if earlier:
        why = (
            f"{_secs(when)} s is crash {earlier[0]}, after which JobRunner still restarted the job "
            f"(restart {earlier[0]} was within max_restarts={case.max_restarts}). Did you count "
            "the first start as a restart? OTP's add_restart runs only for restarts"
        )
    elif when > case.reached.time:
        why = (
            f"{_secs(when)} s is after JobRunner had given up: the window filled earlier, when "
            f"JobRunner handled crash {n} and add_restart counted {case.max_restarts + 1} "
            "restarts"
        )
    elif not on_time:
        why = f"{_secs(when)} s is not the time of crash {n}"
    else:
        why = (
            f"the time is right but you said restart {which}: crash k is restart k (the first "
            "start is not a restart)"
        )
    result.wrong(f"{name}: expected {truth}; {why}")


def _whole_seconds_note(case: _WindowCase) -> str:
    window = case.crashes[-(case.max_restarts + 1) :]
    first, last = window[0].time, window[-1].time
    if last - first <= case.max_seconds:
        return "Count JobRunner's crashes, and drop only those older than max_seconds."
    return (
        f"OTP counts whole seconds (erlang:monotonic_time(1)): restarts at {_secs(first)} and "
        f"{_secs(last)} s are seconds {int(first)} and {int(last)}, {int(last) - int(first)} <= "
        f"{case.max_seconds} apart, so they share the window; in fractional seconds they are "
        f"{_secs(last - first)} s apart and would not"
    )


@_isolated
def check_window_filled(window_filled: Callable[..., Any]) -> CheckResult:
    """Exercise 06: ``window_filled(events, max_restarts, max_seconds)`` reads a trace of the
    direct variant (without the supervisor's own decision events) and returns
    ``(time, n)``: when JobRunner's restart window overflowed and which restart was one too
    many, as OTP's ``add_restart`` decides it (``None`` if it never did).  Checked against
    the runtime's ``intensity_reached`` event on two fresh recordings."""
    result = CheckResult("window_filled")
    if not callable(window_filled):
        result.wrong(
            f"expected a function window_filled(events, max_restarts, max_seconds), "
            f"got {window_filled!r}"
        )
        return result
    for case in _window_cases():
        if isinstance(case, str):
            result.wrong(f"the checker could not record its trace: {case}")
            continue
        try:
            said = window_filled(list(case.events), case.max_restarts, case.max_seconds)
        except Exception as exc:
            result.wrong(f"{case.title}: window_filled raised {_crash_text(exc)}")
            continue
        _judge_window(case, said, result)
    return result
