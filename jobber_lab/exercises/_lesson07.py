"""Notebook 07 (appendix to 01): a CPU-bound body that a kill still stops (scaled clock)."""

from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from jobber_lab import otp
from jobber_lab.otp import (
    DOWN,
    KILL,
    TIMEOUT,
    Runtime,
)

from ._common import (
    FAST,
    WAIT,
    CheckResult,
    _await,
    _down_of,
    _isolated,
)

KILLABLE_N = 10**12  # a sum no test ever finishes: the kill always lands mid-loop


@_isolated
def check_killable(body: Callable[[Any, int], Any]) -> CheckResult:
    """Exercise 07.1: ``body(parent, n)`` sums ``i * i`` for ``i`` below ``n``, sends
    ``("sum", total)`` to ``parent``, and a kill in the middle of the sum unwinds its thread
    at once, by itself.

    The runtime here never injects an exception (``grace=math.inf``), so the only way the
    killed thread can end is a cancellation point inside the loop: an answer that is killable
    only by the ladder's last resort fails, and the runtime's shutdown cleans it up.
    """
    result = CheckResult("a killable sum")
    if not callable(body):
        result.wrong(f"expected a function body(parent, n) to spawn, got {body!r}")
        return result
    # Scaled, not simulated: the loop under test never calls the runtime, so on simulated
    # time it would hold the baton and stall the world (outside the simulation's promise).
    rt = Runtime(time_scale=FAST, name="checker", grace=math.inf)
    try:
        with rt.test_process() as me:
            if not _check_sum(rt, me, body, result):
                return result
            _check_unwinds(rt, me, body, result)
    finally:
        rt.shutdown(timeout=0.5)  # a thread that never unwinds gets the injection here
    return result


def _check_sum(rt: Runtime, me: otp.Pid, body: Callable[..., Any], result: CheckResult) -> bool:
    """The work itself: a small sum arrives, right."""
    n = 1000
    _pid, ref = otp.spawn_monitor(body, me, n)
    is_sum = lambda m: type(m) is tuple and len(m) == 2 and m[0] == "sum"  # noqa: E731
    got = _await(rt, lambda m: is_sum(m) or _down_of(ref)(m))
    if got is TIMEOUT:
        result.wrong(f"body(parent, {n}) sent no ('sum', total) within {WAIT:.0f} s")
        return False
    if got[0] is DOWN:
        result.wrong(f"body(parent, {n}) ended ({otp.format_reason(got[4])}) without a sum")
        return False
    want = sum(i * i for i in range(n))
    return result.expect(
        got[1] == want,
        f"body(parent, {n}) sent ('sum', {want})",
        f"body(parent, {n}) sent {got!r}, expected ('sum', {want})",
    )


def _check_unwinds(rt: Runtime, me: otp.Pid, body: Callable[..., Any], result: CheckResult) -> None:
    """Kill it inside the body's own code, then see whether its thread ends without help."""
    pid = otp.spawn(body, me, KILLABLE_N)
    proc = rt.process(pid)
    thread = proc.thread if proc is not None else None
    if thread is None:
        result.wrong(f"body(parent, {KILLABLE_N}) ended at once: it cannot have summed anything")
        return
    code = getattr(body, "__code__", None)
    deadline = time.monotonic() + WAIT
    while code is not None and not _runs(thread, code) and time.monotonic() < deadline:
        time.sleep(0.001)  # wait for a condition (the body is on the thread's stack)
    otp.exit(pid, KILL)
    thread.join(1.0)  # a cancellation point in the loop unwinds it in microseconds
    result.expect(
        not thread.is_alive(),
        "killed in the middle of the sum, its thread unwound at once (a cancellation point)",
        "killed in the middle of the sum, its thread still runs: the loop reaches no "
        "cancellation point (time.sleep is not one); call otp.checkpoint() inside the loop",
    )


def _runs(thread: threading.Thread, code: Any) -> bool:
    """Is ``code`` on ``thread``'s stack right now?"""
    frame = sys._current_frames().get(thread.ident or -1)
    while frame is not None:
        if frame.f_code is code:
            return True
        frame = frame.f_back
    return False
