"""``Jobber.Job``: a GenServer that runs a piece of work and retries it (book, chapter 2).

Read it beside the book's Elixir; each callback is one Elixir callback::

    use GenServer, restart: :transient         child_spec_overrides = {"restart": TRANSIENT}
    def init(args) -> {:ok, state, {:continue, :run}}     init -> InitOk(state, continue_="run")
    def handle_continue(:run, state)                       handle_continue("run", state)
    Process.send_after(self(), :retry, 5000)               send_after(self(), "retry", 5.0)
    def handle_info(:retry, state)                         handle_info("retry", state)

Two deliberate differences from the book's literal code, both shown in the course:
``max_retries=0`` means "no retries" (the book's loops forever), and every status
change is published as a ``job_status`` event so the tracer can draw it.  The
``"running"`` status is this port's too (published before each attempt, so a table can
show a job at work); the book's statuses are ``new``, ``errored``, ``failed``, ``done``.

What ``work`` may return is the book's: ``{:ok, data}`` (``("ok", data)`` or
``Ok(data)``) or the bare ``:error`` (``"error"``).  Anything else, ``{:error, reason}``
(``Error(reason)``) included, matches no ``handle_job_result/2`` clause and crashes the
job with ``FunctionClauseError``, exactly as the real app does.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from jobber_lab import otp
from jobber_lab.otp import NORMAL, GenServer, InitOk, NoReply, Registry, Restart, Stop

from .events import JobEventKind, JobStatus

__all__ = ["RETRY_DELAY", "FunctionClauseError", "Job", "JobState", "random_job_id", "via"]

log = logging.getLogger("jobber_lab.jobber")

REGISTRY = "JobRegistry"
RETRY_DELAY = 5.0
"""Seconds between a failed attempt and the retry (the book's ``5000`` ms)."""


class FunctionClauseError(Exception):
    """What Elixir raises when no ``handle_job_result/2`` clause matches ``work``'s result."""


@dataclass(frozen=True)
class JobState:
    """``%Jobber.Job{work, id, max_retries, retries: 0, status: "new"}``."""

    work: Callable[[], Any]
    id: str
    type: str | None = None
    max_retries: int = 3
    retries: int = 0
    status: str = JobStatus.NEW
    attempt: int = 0


def random_job_id() -> str:
    """``:crypto.strong_rand_bytes(5) |> Base.url_encode64(padding: false)``.

    Drawn from the current runtime's generator (``Runtime.random``), so a simulated
    runtime's ids repeat with its seed."""
    data = otp.current_runtime().random.randbytes(5)
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def via(key: str, value: str | None) -> otp.Via:
    """``{:via, Registry, {Jobber.JobRegistry, key, value}}``."""
    return Registry.via(REGISTRY, key, value)


class Job(GenServer):
    """One job.  Transient: restarted only if it crashes."""

    child_spec_overrides = {"restart": Restart.TRANSIENT}

    @classmethod
    def start_link(cls, args: Any = None, **options: Any) -> Any:
        """Give the job an id if it has none, and register it by ``via(id, type)``."""
        args = dict(args or {})
        args.setdefault("id", None)
        if args["id"] is None:
            args["id"] = random_job_id()
        return otp.start_link(cls, args, name=via(args["id"], args.get("type")), **options)

    def init(self, args: dict[str, Any]) -> Any:
        state = JobState(
            work=args["work"],
            id=args["id"],
            type=args.get("type"),
            max_retries=args.get("max_retries", 3),
        )
        _publish(state)
        return InitOk(state, continue_="run")

    def handle_continue(self, _arg: Any, state: JobState) -> Any:  # only ever "run"
        state = replace(state, status=JobStatus.RUNNING, attempt=state.attempt + 1)
        _publish(state)
        new_state = handle_job_result(state.work(), state)
        _publish(new_state)
        if new_state.status == JobStatus.ERRORED:
            otp.send_after(otp.self(), "retry", RETRY_DELAY)
            return NoReply(new_state)
        log.info("Job exiting %s", state.id)
        return Stop(NORMAL, new_state)

    def handle_info(self, message: Any, state: JobState) -> Any:
        if message == "retry":
            return NoReply(state, continue_="run")
        return super().handle_info(message, state)


def handle_job_result(result: Any, state: JobState) -> JobState:
    """The book's three ``handle_job_result/2`` clauses, plus our ``max_retries=0`` fix.

    The book matches ``{:ok, _data}`` and the bare ``:error`` only, so ``{:error, reason}``
    raises ``FunctionClauseError`` here as it does in Elixir: it is a crash (restarted by
    the supervisor), not a failed attempt (retried by the job itself).
    """
    if _is_ok(result):
        log.info("Job completed %s", state.id)
        return replace(state, status=JobStatus.DONE)
    if not _is_error(result):
        raise FunctionClauseError(
            f"no function clause matching in Jobber.Job.handle_job_result/2: work returned "
            f"{result!r}; expected ('ok', data), Ok(data) or 'error' (the bare :error)"
        )
    if state.retries == 0 and state.attempt == 1:  # the first failure (status was "new")
        log.warning("Job errored %s", state.id)
        if state.max_retries == 0:
            return replace(state, status=JobStatus.FAILED)
        return replace(state, status=JobStatus.ERRORED)
    log.warning("Job retry failed %s", state.id)
    retries = state.retries + 1
    status = JobStatus.FAILED if retries >= state.max_retries else JobStatus.ERRORED
    return replace(state, retries=retries, status=status)


def _is_ok(result: Any) -> bool:
    return isinstance(result, otp.Ok) or (
        isinstance(result, tuple) and len(result) == 2 and result[0] in ("ok", otp.OK)
    )


def _is_error(result: Any) -> bool:
    """The bare ``:error`` only: ``Error(reason)`` is ``{:error, reason}``, which no clause
    matches."""
    return (isinstance(result, str) and result == "error") or result is otp.Atom("error")


def _publish(state: JobState) -> None:
    """Every status change is an event (the tracer's job table and the log read them)."""
    rt = otp.current_runtime()
    rt.emit(
        JobEventKind.JOB_STATUS,
        otp.self(),
        job_id=state.id,
        job_type=state.type,
        status=str(state.status),  # plain text in the event, enum or (a student's) str here
        retries=state.retries,
        attempt=state.attempt,
        max_retries=state.max_retries,
    )
