"""Notebook 03: restart types, strategies, and slow crashes that never fill the window."""

from __future__ import annotations

from typing import Any

from jobber_lab import otp
from jobber_lab.jobber import (
    Jobber,
    doomed_job,
)
from jobber_lab.otp import (
    GenServer,
    Restart,
    Stop,
    Strategy,
)
from jobber_lab.trace import Tracer

from ._common import (
    CheckResult,
    _await,
    _down_of,
    _isolated,
    _nth,
    _run_until_event,
    _runtime,
)


class _Worker(GenServer):
    """Stops normally on cast "stop", crashes on cast "crash"."""

    def handle_cast(self, request: Any, state: Any) -> Any:
        if request == "stop":
            return Stop(otp.NORMAL, state)
        raise RuntimeError("Boom!")

    def handle_call(self, _request: Any, _from: Any, state: Any) -> Any:
        return otp.Reply(state, state)


def _child_pid(sup: otp.Pid, child_id: Any) -> Any:
    for cid, pid, *_ in otp.which_children(sup):
        if cid == child_id:
            return pid
    return None


def _after_exit(restart: Any, how: str) -> tuple[Any, Any]:
    """(pid before, pid after) of a single child with ``restart`` that ends ``how``."""
    with _runtime() as rt, rt.test_process():
        spec = _Worker.child_spec(None, id="worker", restart=restart)
        sup = otp.Supervisor.start_link([spec], strategy=Strategy.ONE_FOR_ONE).value  # type: ignore[union-attr]  # a failed start fails the check
        before = _child_pid(sup, "worker")
        ref = otp.monitor(before)
        otp.cast(before, how)
        _await(rt, _down_of(ref))
        after = before
        for _ in range(50):  # the supervisor handles the EXIT after our DOWN: ask until it has
            after = _child_pid(sup, "worker")
            if after != before:
                break
            otp.sleep(0.5)
        return before, after


@_isolated
def check_restart_choice(restart: Any) -> CheckResult:
    """Exercise 03.1: the restart type of a worker that is restarted when it crashes but
    left alone when it finishes normally (the book's Job)."""
    result = CheckResult(f"restart={restart!r}")
    if not isinstance(restart, Restart):
        result.wrong(f"expected one of Restart.PERMANENT/TRANSIENT/TEMPORARY, got {restart!r}")
        return result
    before, after = _after_exit(restart, "crash")
    result.expect(
        isinstance(after, otp.Pid) and after != before,
        f"after a crash it was restarted (new pid {after})",
        "after a crash it was not restarted: the failed work is lost",
    )
    before, after = _after_exit(restart, "stop")
    result.expect(
        not isinstance(after, otp.Pid),
        "after a normal exit it stayed down (its work was done)",
        f"after a normal exit it was started again ({after}): a finished job would run twice",
    )
    return result


@_isolated
def check_strategy_choice(strategy: Any) -> CheckResult:
    """Exercise 03.2: children A, B, C started in that order; C depends on B.  When B
    crashes, B and C must restart and A must keep its pid."""
    result = CheckResult(f"strategy={strategy!r}")
    if not isinstance(strategy, Strategy):
        result.wrong(
            f"expected one of Strategy.ONE_FOR_ONE/ONE_FOR_ALL/REST_FOR_ONE, got {strategy!r}"
        )
        return result
    with _runtime() as rt, rt.test_process():
        specs = [_Worker.child_spec(None, id=name) for name in "ABC"]
        sup = otp.Supervisor.start_link(specs, strategy=strategy).value  # type: ignore[union-attr]  # a failed start fails the check
        before = {name: _child_pid(sup, name) for name in "ABC"}
        ref = otp.monitor(before["B"])
        otp.cast(before["B"], "crash")
        _await(rt, _down_of(ref))
        after = before
        for _ in range(50):
            after = {name: _child_pid(sup, name) for name in "ABC"}
            if after["B"] != before["B"] and isinstance(after["B"], otp.Pid):
                break
            otp.sleep(0.5)
        want = {"A": False, "B": True, "C": True}
        for name in "ABC":
            changed = after[name] != before[name]
            result.expect(
                changed == want[name],
                f"{name}: {'restarted' if changed else 'kept its pid'} {before[name]} -> "
                f"{after[name]}",
                f"{name}: {'restarted' if changed else 'kept its pid'}, but it should "
                f"{'restart' if want[name] else 'keep its pid'}",
            )
    return result


SLOW_SPACING = 11  # runtime seconds between the slow doomed job's crashes (exercise 03.3)
SLOW_CRASHES = 6  # how many of them the checker watches: the typical answer says 4 is the end


def _bool_answer(result: CheckResult, name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return True
    result.wrong(f"{name}: answer True or False, not {value!r}")
    return False


def _count_answer(result: CheckResult, name: str, value: Any) -> bool:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return True
    result.wrong(f"{name}: answer a whole number of restarts (0, 1, 2, ...), not {value!r}")
    return False


def _slow_crasher() -> tuple[bool, list[float], list[int]]:
    """Run a doomed job that crashes every ``SLOW_SPACING`` s straight under JobRunner (the
    direct variant, the book's limits: 3 restarts in 30 s) for ``SLOW_CRASHES`` crashes.

    Returns (JobRunner gave up, the crash times from the job's start, JobRunner's count of
    the restarts in its window at each restart, as the runtime's events report it).
    """
    # 6 crashes = 66 runtime s, simulated: exactly 11 s apart, in milliseconds of wall time.
    with _runtime() as rt:
        tracer = Tracer(rt)
        app = Jobber(variant="direct", runtime=rt)
        try:
            runner = str(app.job_runner)
            start = rt.now()
            app.start_job(work=doomed_job(SLOW_SPACING), id="slow")
            is_crash = lambda e: e.kind == "exited" and e.get("reason_kind") == "crash"  # noqa: E731
            enough = _nth(SLOW_CRASHES, is_crash)
            gave_up = lambda e: e.kind == "supervisor_gave_up" and e.get("supervisor") == runner  # noqa: E731
            _run_until_event(tracer, lambda e: gave_up(e) or enough(e))
            tracer.flush()
        finally:
            app.stop()
            tracer.detach()
    history = [e for e in tracer.history if e.kind != "app_stopped"]
    crashes = [e.time - start for e in history if is_crash(e)]
    counts = [
        int(e.get("restarts"))
        for e in history
        if e.kind == "child_restarted" and e.get("supervisor") == runner
    ]
    return any(gave_up(e) for e in history), crashes, counts


@_isolated
def check_slow_crashes(gives_up: Any, most_in_window: Any) -> CheckResult:
    """Exercise 03.3 ("what if"): a doomed job whose crashes come 11 s apart, straight under
    JobRunner (``max_seconds: 30``, 3 restarts).  ``gives_up``: does JobRunner ever give
    up?  ``most_in_window``: the most restarts its 30 s window ever holds.

    The checker runs it and compares: the typical wrong answer reads ``max_restarts: 3`` as
    "3 restarts in total" and says JobRunner gives up at the 4th crash (44 s)."""
    result = CheckResult(f"gives_up={gives_up!r}, most_in_window={most_in_window!r}")
    answered = _bool_answer(result, "gives_up", gives_up)
    answered = _count_answer(result, "most_in_window", most_in_window) and answered
    if not answered:
        return result
    gave_up, crashes, counts = _slow_crasher()
    s = SLOW_SPACING
    when = ", ".join(f"{t:.0f}" for t in crashes)
    most = max(counts, default=0)
    result.expect(
        gives_up == gave_up,
        f"gives_up={gives_up}: {len(crashes)} crashes (at {when} s) and JobRunner "
        f"{'gave up' if gave_up else 'never gave up'}",
        f"gives_up={gives_up}, but in the runtime JobRunner "
        f"{'gave up' if gave_up else 'never gave up'} over {len(crashes)} crashes (at {when} s): "
        "max_restarts counts the restarts inside the last 30 s, not all of them, and 4 "
        f"restarts {SLOW_SPACING} s apart span {3 * SLOW_SPACING} s > 30 s",
    )
    result.expect(
        most_in_window == most,
        f"most_in_window={most_in_window}: JobRunner's window held at most {most} restarts "
        f"(those at {s}, {2 * s} and {3 * s} s fit: {2 * s} s apart; a 4th is {3 * s} s after "
        "the first)",
        f"most_in_window={most_in_window}, but the runtime counted at most {most} restarts in "
        "JobRunner's window (its count at each restart: "
        f"{', '.join(map(str, counts))}): the window ends at the newest restart and reaches "
        "30 s back, so restarts 22 s apart share it",
    )
    return result
