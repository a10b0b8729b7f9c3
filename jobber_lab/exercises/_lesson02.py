"""Notebook 02: the Job GenServer's retries and a server that flushes on shutdown."""

from __future__ import annotations

from typing import Any

from jobber_lab import otp
from jobber_lab.jobber import (
    JobEventKind,
    JobStatus,
)
from jobber_lab.otp import (
    SHUTDOWN,
    TIMEOUT,
    DynamicSupervisor,
    GenServer,
    Ok,
    Restart,
    Strategy,
)
from jobber_lab.trace import Tracer

from ._common import (
    CheckResult,
    _await,
    _crash_text,
    _down_of,
    _isolated,
    _run_until_event,
    _runtime,
)


@_isolated
def check_max_retries_zero(job_class: type) -> CheckResult:
    """Exercise 02.2: a Job GenServer (init takes ``{"work", "id", "max_retries"}``) whose
    ``max_retries=0`` means *no* retries, and ``max_retries=2`` means 3 attempts in all."""
    result = CheckResult("max_retries")
    if not (isinstance(job_class, type) and issubclass(job_class, GenServer)):
        result.wrong(f"expected a GenServer subclass, got {job_class!r}")
        return result
    for max_retries, expected in ((0, 1), (2, 3)):
        attempts = _count_attempts(job_class, max_retries, result)
        if attempts is None:
            continue
        count, stopped, status = attempts
        if stopped and count == expected and status is None:
            result.wrong(
                f"max_retries={max_retries}: the job published no status: keep publish(...) "
                "in handle_continue so the checker can see how it ended"
            )
        elif stopped and count == expected and status != JobStatus.FAILED:
            result.wrong(
                f"max_retries={max_retries}: {count} attempt(s), but the job's last status was "
                f"{status!r}: every attempt failed, so it must end 'failed'"
            )
        elif stopped and count == expected:
            result.ok(
                f"max_retries={max_retries}: {count} attempt(s), then the job stopped 'failed'"
            )
        elif not stopped:
            result.wrong(
                f"max_retries={max_retries}: still retrying after {count} attempts "
                f"(expected {expected} and a stop): it loops forever"
            )
        else:
            result.wrong(f"max_retries={max_retries}: {count} attempt(s), expected {expected}")
    return result


def _count_attempts(job_class: type, max_retries: int, result: CheckResult) -> Any:
    calls: list[int] = []

    def bad_work() -> Any:
        calls.append(1)
        return "error"

    args = {"work": bad_work, "id": f"check-{max_retries}", "max_retries": max_retries}
    budget = 10 * (max_retries + 3) * 5.0  # runtime seconds: ten retry delays per attempt
    with _runtime() as rt:
        tracer = Tracer(rt)
        with rt.test_process():
            try:
                started = otp.start(job_class, args)
            except Exception as exc:
                result.wrong(
                    f"max_retries={max_retries}: starting the job raised {_crash_text(exc)}"
                )
                return None
        if not isinstance(started, Ok):
            result.wrong(f"max_retries={max_retries}: start returned {started!r}")
            return None
        pid = str(started.value)
        exited = _run_until_event(tracer, lambda e: e.kind == "exited" and e.pid == pid, budget)
        tracer.flush()
        tracer.detach()
        if exited is not None and exited.get("reason_kind") != "normal":
            result.wrong(f"max_retries={max_retries}: the job crashed: {exited.get('reason')}")
            return None
        published = [e.get("status") for e in tracer.history if e.kind == JobEventKind.JOB_STATUS]
        status = published[-1] if published else None
        return len(calls), exited is not None, status


FLUSH_LINES = ("first", "second")


@_isolated
def check_flush_on_shutdown(server_class: type) -> CheckResult:
    """Exercise 02.1: a server (``init(sink)``; each cast is a line it buffers; ``terminate``
    writes the buffer to ``sink``) whose ``terminate`` runs when its supervisor shuts it down.

    The checker watches ``terminate`` itself (a subclass records its reason), so a server that
    writes each line at once, without trapping exits, does not pass for one that cleans up.
    """
    result = CheckResult("flush on shutdown")
    if not (isinstance(server_class, type) and issubclass(server_class, GenServer)):
        result.wrong(f"expected a GenServer subclass, got {server_class!r}")
        return result
    seen: list[Any] = []

    class Watched(server_class):
        def terminate(self, reason: Any, state: Any) -> Any:
            seen.append(reason)
            return super().terminate(reason, state)

    sink: list[Any] = []
    with _runtime() as rt, rt.test_process():
        sup = DynamicSupervisor.start_link(strategy=Strategy.ONE_FOR_ONE).value  # type: ignore[union-attr]  # a failed start fails the check
        spec = Watched.child_spec(sink, restart=Restart.TEMPORARY)
        started = DynamicSupervisor.start_child(sup, spec)
        if not isinstance(started, Ok):
            result.wrong(f"starting your server under a supervisor returned {started!r}")
            return result
        pid = started.value
        ref = otp.monitor(pid)
        for line in FLUSH_LINES:
            otp.cast(pid, line)
        DynamicSupervisor.terminate_child(sup, pid)
        down = _await(rt, _down_of(ref))
    if down is TIMEOUT:
        result.wrong("your server did not exit after its supervisor shut it down")
        return result
    reason = down[4]
    if not result.expect(
        seen == [SHUTDOWN],
        "terminate/2 ran, with reason :shutdown",
        "terminate/2 did not run: the supervisor's :shutdown exit signal ended the process "
        "before any more of its code ran (see the table's 'its supervisor shuts it down' row)"
        if not seen
        else f"terminate/2 ran with {otp.format_reason(seen[0])}, expected :shutdown",
    ):
        return result
    result.expect(
        list(sink) == list(FLUSH_LINES),
        f"the sink got the buffered lines {list(FLUSH_LINES)}",
        f"terminate/2 ran, but the sink holds {list(sink)!r}, expected {list(FLUSH_LINES)!r}",
    )
    result.expect(
        reason is SHUTDOWN,
        "the server exited :shutdown, in time (no :kill needed)",
        f"the server exited {otp.format_reason(reason)}, expected :shutdown",
    )
    return result
