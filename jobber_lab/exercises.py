"""Automatic checks for the course's exercises (notebooks 01-07).

Each ``check_*`` function runs the student's code on a fresh runtime, compares what
happened with what OTP (or the book) says should happen, and returns a
:class:`CheckResult`: a list of ✓ / ✗ lines that Jupyter shows as the cell's output, truthy
when every line is a ✓.  A checker never raises because of the student's code: an exception,
a wrong return value or a loop that never ends is reported as a ✗ line saying what came and
what was expected.  Every runtime a checker starts is shut down before it returns.

The runtimes are simulated (``Runtime(simulated=True, seed=0)``) at the book's timings: one
process at a time on a virtual clock, so a verdict is the same on an idle laptop and on a
loaded CI runner, and the times a ✓ line prints are exact.  Waits are in runtime seconds
and cost no wall time.  The one exception is :func:`check_killable` (notebook 07), whose
point is a thread stuck in a CPU loop outside the runtime: it runs on a scaled clock.
"""

from __future__ import annotations

import functools
import math
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from jobber_lab import otp
from jobber_lab.jobber import (
    JOB_RUNNER,
    Jobber,
    JobStatus,
    JobSupervisor,
    doomed_job,
    good_job,
)
from jobber_lab.otp import (
    DOWN,
    KILL,
    SHUTDOWN,
    TIMEOUT,
    ChildSpec,
    DynamicSupervisor,
    Error,
    GenServer,
    Ok,
    Restart,
    Runtime,
    Stop,
    Strategy,
    Supervisor,
)
from jobber_lab.trace import Tracer

__all__ = [
    "CheckResult",
    "check_exit_reasons",
    "check_flush_on_shutdown",
    "check_job_supervisor",
    "check_killable",
    "check_max_retries_zero",
    "check_ping_server",
    "check_restart_choice",
    "check_restart_what_if",
    "check_slow_crashes",
    "check_start_job",
    "check_strategy_choice",
    "check_window_filled",
]

SEED = 0  # every checker's simulated runtime: the same story on every run
BUDGET = 600.0  # runtime seconds: the most a checker's wait lets pass (instant when simulated)
FAST = 0.002  # check_killable's scaled clock: wall seconds per runtime second
WAIT = 5.0  # wall seconds: the most a wait on check_killable's scaled clock may take


@dataclass
class CheckResult:
    """What a checker found: one line per fact, ✓ right or ✗ wrong (with what came)."""

    title: str
    lines: list[tuple[bool, str]] = field(default_factory=list)

    def ok(self, text: str) -> None:
        self.lines.append((True, text))

    def wrong(self, text: str) -> None:
        self.lines.append((False, text))

    def expect(self, condition: bool, right: str, wrong: str) -> bool:
        self.lines.append((True, right) if condition else (False, wrong))
        return condition

    @property
    def passed(self) -> bool:
        return bool(self.lines) and all(good for good, _ in self.lines)

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        verdict = "all right!" if self.passed else "not yet: see the ✗ lines"
        body = "\n".join(f"  {'✓' if good else '✗'} {text}" for good, text in self.lines)
        return f"{self.title}: {verdict}\n{body}"


def _isolated(check: Callable[..., CheckResult]) -> Callable[..., CheckResult]:
    """Run a checker on a thread of its own, so it works whatever the caller is (a notebook
    that acts as a process, a button handler, ...) and leaves the caller's state alone."""

    @functools.wraps(check)
    def run(*args: Any, **kwargs: Any) -> CheckResult:
        box: list[Any] = []

        def body() -> None:
            try:
                box.append((True, check(*args, **kwargs)))
            except BaseException as exc:
                box.append((False, exc))

        thread = threading.Thread(target=body, name=f"jobber-lab {check.__name__}", daemon=True)
        thread.start()
        thread.join()
        good, value = box[0]
        if not good:
            raise value
        return value

    return run


def _crash_text(exc: BaseException) -> str:
    last = traceback.format_exception_only(type(exc), exc)[-1].strip()
    return last


@contextmanager
def _runtime(**options: Any) -> Iterator[Runtime]:
    """A fresh simulated runtime at the book's timings (see the module's docstring)."""
    rt = Runtime(simulated=True, seed=SEED, name="checker", **options)
    try:
        yield rt
    finally:
        rt.shutdown()


def _await(rt: Runtime, match: Callable[[Any], bool], seconds: float = BUDGET) -> Any:
    """Receive the first matching message within ``seconds`` runtime seconds, else TIMEOUT.

    On a simulated runtime a wait that nothing ends jumps to its timeout at once; on
    check_killable's scaled one ``seconds`` is capped at ``WAIT`` wall seconds."""
    if not rt.simulated:
        seconds = min(seconds, WAIT / rt.time_scale)
    return otp.receive(match, timeout=seconds)


def _run_until_event(
    rt: Runtime, tracer: Tracer, predicate: Callable[[Any], bool], seconds: float = BUDGET
) -> Any:
    """Let simulated time pass until the tracer holds an event matching ``predicate`` (each
    event is shown to it once, in order); that event, or None after ``seconds``.

    ``Tracer.wait_for`` would wait on the wall clock while simulated time stands still:
    ``rt.run_until`` moves it, one deadline at a time, and stops at the first match."""
    found: list[Any] = []
    last = [-1]

    def matched() -> bool:
        for event in tracer.history:
            if event.seq > last[0]:
                last[0] = event.seq
                if predicate(event):
                    found.append(event)
                    return True
        return False

    rt.run_until(matched, timeout=seconds)
    return found[0] if found else None


def _down_of(ref: otp.Ref) -> Callable[[Any], bool]:
    return lambda m: otp.is_down(m, ref)


# ------------------------------------------------------------------------ notebook 01


@_isolated
def check_ping_server(body: Callable[[], Any]) -> CheckResult:
    """Exercise 01.1: ``body`` is a process that answers every ``("ping", sender)`` with
    ``"pong"`` and keeps running, even after a message it does not expect."""
    result = CheckResult("ping server")
    if not callable(body):
        result.wrong(f"expected a function to spawn, got {body!r}")
        return result
    with _runtime() as rt, rt.test_process() as me:
        pid, ref = otp.spawn_monitor(body)
        otp.send(pid, "hello?")  # a stray message first: it must not stop the server
        pongs = 0
        for _ in range(3):
            otp.send(pid, ("ping", me))
            got = _await(rt, lambda m: m == "pong" or _down_of(ref)(m), 5.0)
            if got == "pong":
                pongs += 1
            elif got is not TIMEOUT:
                how = otp.format_reason(got[4])
                result.wrong(f"the server ended ({how}) after {pongs} pong(s): it must loop")
                return result
        result.expect(
            pongs == 3,
            "three pings got three pongs",
            f"three pings got {pongs} pong(s): reply with otp.send(sender, 'pong') and loop",
        )
        result.expect(
            otp.is_alive(pid),
            "the server is still alive after them (it loops)",
            "the server stopped after answering: wrap the receive in `while True:`",
        )
    return result


def _linked_partner_kills(reason_name: str) -> bool:
    """Live: does a process that does not trap exits die when its linked partner ends so?"""
    how = {
        "normal": lambda: None,
        "shutdown": lambda: otp.exit(SHUTDOWN),
        "crash": lambda: (_ for _ in ()).throw(RuntimeError("Boom!")),
    }[reason_name]
    with _runtime() as rt, rt.test_process():

        def observer() -> None:
            otp.spawn_link(how)
            otp.sleep(5)

        _pid, ref = otp.spawn_monitor(observer)
        down = _await(rt, _down_of(ref))
        return down is not TIMEOUT and down[4] is not otp.NORMAL


def _kill_beats_trap_exit() -> bool:
    with _runtime() as rt, rt.test_process():

        def trapper() -> None:
            otp.trap_exit(True)
            otp.sleep(5)

        pid, ref = otp.spawn_monitor(trapper)
        otp.sleep(0.5)
        otp.exit(pid, KILL)
        down = _await(rt, _down_of(ref))
        return down is not TIMEOUT and down[4] is otp.KILLED


@_isolated
def check_exit_reasons(answers: dict[str, bool]) -> CheckResult:
    """Exercise 01.2: for each way a linked partner ends, does a process that does not trap
    exits die with it?  Keys ``normal``, ``shutdown``, ``crash``, and ``kill while trapping``
    (does ``exit(pid, KILL)`` kill a process that traps exits?).  Checked live."""
    result = CheckResult("exit reasons")
    if not isinstance(answers, dict):
        result.wrong(f"expected a dict of answers (True = it dies), got {answers!r}")
        return result
    truth = {name: _linked_partner_kills(name) for name in ("normal", "shutdown", "crash")}
    truth["kill while trapping"] = _kill_beats_trap_exit()
    for key, dies in truth.items():
        said = answers.get(key)
        fact = "dies" if dies else "lives on"
        if said is None or said is Ellipsis:
            result.wrong(f"{key!r}: no answer (True = it dies, False = it lives on)")
        elif not isinstance(said, bool):
            # "no" is truthy in Python: never guess what a non-bool answer means
            result.wrong(f"{key!r}: answer True or False, not {said!r}")
        else:
            result.expect(
                bool(said) == dies,
                f"{key!r}: it {fact} (measured just now)",
                f"{key!r}: you said it {'dies' if said else 'lives on'}, but it {fact}",
            )
    return result


# ------------------------------------------------------------ notebook 07 (appendix to 01)


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


# ------------------------------------------------------------------------ notebook 02


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
        exited = _run_until_event(rt, tracer, lambda e: e.kind == "exited" and e.pid == pid, budget)
        tracer.flush()
        tracer.detach()
        if exited is not None and exited.get("reason_kind") != "normal":
            result.wrong(f"max_retries={max_retries}: the job crashed: {exited.get('reason')}")
            return None
        published = [e.get("status") for e in tracer.history if e.kind == "job_status"]
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


# ------------------------------------------------------------------------ notebook 03


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
            _run_until_event(rt, tracer, lambda e: gave_up(e) or enough(e))
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


# ------------------------------------------------------------------------ notebook 04


@_isolated
def check_job_supervisor(supervisor_class: type) -> CheckResult:
    """Exercise 04: a JobSupervisor that contains a doomed job *and* ends with its job,
    so none linger under JobRunner (the auto_shutdown fix)."""
    result = CheckResult(f"{getattr(supervisor_class, '__name__', supervisor_class)}")
    if not (isinstance(supervisor_class, type) and issubclass(supervisor_class, Supervisor)):
        result.wrong(f"expected a Supervisor subclass, got {supervisor_class!r}")
        return result
    try:
        spec = supervisor_class.child_spec({"work": good_job(1)})
    except Exception as exc:
        result.wrong(f"child_spec raised {_crash_text(exc)}")
        return result
    if not isinstance(spec, ChildSpec):
        result.wrong(f"child_spec returned {spec!r}, not a ChildSpec")
        return result
    with _runtime() as rt:
        tracer = Tracer(rt)
        app = Jobber(runtime=rt)
        try:
            _check_not_restarted_when_killed(app, supervisor_class, result)
            _check_contained(app, tracer, supervisor_class, result)
        finally:
            app.stop()
            tracer.detach()
    # A fresh app: the 30 s window is told from 5 s by crashes exactly 8 s apart.
    with _runtime() as rt:
        tracer = Tracer(rt)
        app = Jobber(runtime=rt)
        try:
            _check_window(app, tracer, supervisor_class, result)
        finally:
            app.stop()
            tracer.detach()
    return result


def _check_not_restarted_when_killed(
    app: Jobber, supervisor_class: type, result: CheckResult
) -> None:
    """Temporary, by behaviour: kill the JobSupervisor; JobRunner must not start it again."""
    started = _start_under_runner(app, supervisor_class, {"work": good_job(1000), "id": "kill"})
    if not isinstance(started, Ok):
        result.wrong(f"starting it under JobRunner returned {started!r}")
        return
    with app.runtime.calling_process():
        ref = otp.monitor(started.value)
        otp.exit(started.value, KILL)
        _await(app.runtime, _down_of(ref))
        # JobRunner got the EXIT before our DOWN, so this call is answered after it handled it
        children = DynamicSupervisor.count_children(JOB_RUNNER)
    result.expect(
        children["active"] == 0,
        "killed, it was not restarted by JobRunner (it is temporary)",
        f"killed, it was started again by JobRunner (count_children: {children}): "
        "a JobSupervisor must be Restart.TEMPORARY (use Supervisor, restart: :temporary)",
    )


def _nth(n: int, predicate: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """A predicate for :func:`_run_until_event`, true at the ``n``-th event matching
    ``predicate`` (it counts: show it each event once)."""
    seen = [0]

    def check(event: Any) -> bool:
        if predicate(event):
            seen[0] += 1
        return seen[0] >= n

    return check


def _check_window(app: Jobber, tracer: Tracer, supervisor_class: type, result: CheckResult) -> None:
    """Doomed crashes 8 s apart: 4 of them fit in 30 s (it gives up), never in 5 s."""
    started = _start_under_runner(app, supervisor_class, {"work": doomed_job(8), "id": "slow"})
    if not isinstance(started, Ok):
        result.wrong(f"starting a doomed job returned {started!r}")
        return
    sup = str(started.value)
    is_crash = lambda e: e.kind == "exited" and e.get("reason_kind") == "crash"  # noqa: E731
    fifth_crash = _nth(5, is_crash)
    end = _run_until_event(
        app.runtime, tracer, lambda e: (e.kind == "exited" and e.pid == sup) or fifth_crash(e)
    )
    crashes = sum(1 for e in tracer.history if is_crash(e))
    result.expect(
        end is not None and end.pid == sup and crashes == 4,
        "a doomed job crashing every 8 s: 4 crashes within 30 s, then it gave up (max_seconds=30)",
        f"a doomed job crashing every 8 s crashed {crashes} times and its supervisor "
        f"{'ended' if end is not None and end.pid == sup else 'kept restarting it'}: with "
        "Elixir's default max_seconds=5 no 4 restarts ever fit; the book sets max_seconds=30",
    )


def _start_under_runner(app: Jobber, supervisor_class: type[Any], args: dict[str, Any]) -> Any:
    with app.runtime.calling_process():
        return DynamicSupervisor.start_child(JOB_RUNNER, supervisor_class.child_spec(args))


def _check_contained(
    app: Jobber, tracer: Tracer, supervisor_class: type, result: CheckResult
) -> None:
    runner = app.job_runner
    started = _start_under_runner(app, supervisor_class, {"work": good_job(1), "id": "good"})
    if not isinstance(started, Ok):
        result.wrong(f"starting it under JobRunner returned {started!r}")
        return
    sup = str(started.value)
    rt = app.runtime
    done = _run_until_event(
        rt,
        tracer,
        lambda e: (
            e.kind == "job_status"
            and e.get("job_id") == "good"
            and e.get("status") == JobStatus.DONE
        ),
    )
    if done is None:
        result.wrong("the good job never reported 'done': does init start a Job with args?")
        return
    # auto_shutdown ends it in the same instant; a second of runtime is a wide margin
    gone = _run_until_event(rt, tracer, lambda e: e.kind == "exited" and e.pid == sup, 1.0)
    result.expect(
        gone is not None,
        "after the good job finished, its JobSupervisor ended too (nothing lingers)",
        f"its JobSupervisor still runs after the job ended: count_children(JobRunner) = "
        f"{app.count_children()} (make the Job significant, auto_shutdown='any_significant')",
    )
    started = _start_under_runner(app, supervisor_class, {"work": doomed_job(1)})
    if not isinstance(started, Ok):
        result.wrong(f"starting a doomed job returned {started!r}")
        return
    sup = str(started.value)
    ended = _run_until_event(rt, tracer, lambda e: e.kind == "exited" and e.pid == sup)
    crashes = [e for e in tracer.history if e.kind == "exited" and e.get("reason_kind") == "crash"]
    result.expect(
        ended is not None and len(crashes) == 4,
        f"the doomed job ran 4 times, then its JobSupervisor gave up ({len(crashes)} crashes)",
        f"the doomed job crashed {len(crashes)} time(s) and its supervisor "
        f"{'ended' if ended else 'still runs'}: expected 4 crashes (1 + 3 restarts), then an end",
    )
    tracer.flush()
    result.expect(
        app.job_runner == runner,
        f"JobRunner kept its pid {runner}: the crash was contained",
        f"JobRunner changed from {runner} to {app.job_runner}: the crash escaped",
    )


WHAT_IF_RESTARTS = ("permanent", "transient", "temporary")
WHAT_IF_ENDINGS = ("doomed", "killed")

#: Why JobRunner did what it did, for the line of a wrong answer: (restart, restarted) -> why.
_WHAT_IF_WHY = {
    ("permanent", True): "a permanent child is restarted whatever its exit reason",
    ("transient", True): "a transient child is restarted after an abnormal exit, "
    "and :killed is one",
    ("transient", False): "for a transient child :normal, :shutdown and {:shutdown, _} are "
    "clean exits: a supervisor that gives up exits :shutdown",
    ("temporary", False): "a temporary child is never restarted, whatever its exit reason",
}


@_isolated
def check_restart_what_if(answers: dict[str, dict[str, bool]]) -> CheckResult:
    """Exercise 04.1: the JobSupervisor as permanent, transient or temporary, its job doomed
    (it gives up) or the JobSupervisor killed: does JobRunner start a new JobSupervisor?
    ``answers[restart][ending]`` is True (it does) or False (it lets it go); each of the six
    cases is run live on a fresh app."""
    result = CheckResult("what if the JobSupervisor were ...")
    if not isinstance(answers, dict):
        result.wrong(f"expected a dict of dicts of answers (True = restarted), got {answers!r}")
        return result
    for restart in WHAT_IF_RESTARTS:
        row = answers.get(restart)
        for ending in WHAT_IF_ENDINGS:
            said = row.get(ending) if isinstance(row, dict) else None
            case = f"{restart}, {ending}"
            if said is None or said is Ellipsis:
                result.wrong(f"{case}: no answer (True = JobRunner restarts it, False = not)")
                continue
            if not isinstance(said, bool):
                result.wrong(f"{case}: answer True or False, not {said!r}")
                continue
            restarted, reason = _runner_after(Restart(restart), ending)
            did = "JobRunner started a new one" if restarted else "JobRunner let it go"
            why = _WHAT_IF_WHY[(restart, restarted)]
            result.expect(
                said == restarted,
                f"{case}: it exited {reason}, {did}",
                f"{case}: you said JobRunner {'restarts it' if said else 'lets it go'}; it "
                f"exited {reason} and {did}: {why}",
            )
    return result


def _runner_after(restart: Restart, ending: str) -> tuple[bool, str]:
    """Live: a JobSupervisor with ``restart`` under a fresh JobRunner ends ``ending``; did
    JobRunner start another?  (Its exit reason, as Elixir prints it, comes too.)"""
    work = doomed_job() if ending == "doomed" else good_job(1000)
    with _runtime() as rt:
        app = Jobber(runtime=rt)
        try:
            with rt.calling_process():
                spec = JobSupervisor.child_spec({"work": work}, restart=restart)
                sup = DynamicSupervisor.start_child(JOB_RUNNER, spec).value  # type: ignore[union-attr]  # a failed start fails the check
                ref = otp.monitor(sup)
                if ending == "killed":
                    otp.exit(sup, KILL)
                down = _await(rt, _down_of(ref))
                # JobRunner got the EXIT before our DOWN: this call is answered after it acted
                active = DynamicSupervisor.count_children(JOB_RUNNER)["active"]
        finally:
            app.stop()
    reason = "(never)" if down is TIMEOUT else otp.format_reason(down[4])
    return active == 1, reason


# ------------------------------------------------------------------------ notebook 05


QUOTA_NAME = "Quota"
"""The name under which :func:`check_start_job` starts the answer's ``server``."""


@_isolated
def check_start_job(
    start_job: Callable[..., Any], quota: int = 3, *, server: Any = None
) -> CheckResult:
    """Exercise 05: ``start_job(app, **args)`` with an import quota of 3: only import jobs
    count against it, other jobs always start, and 20 callers at once never get more than 3
    imports running.  ``app`` is a Jobber whose own quota is switched off.

    ``server`` is the answer's ``Quota`` GenServer class, if it has one: the checker starts
    it, with the app as its init argument, under the name ``"Quota"`` in each fresh runtime
    (as the app's supervision tree would), so ``start_job`` can ``otp.call("Quota", ...)``.
    Every caller is a process of that runtime, as in Elixir.
    """
    result = CheckResult("start_job with an import quota")
    if not callable(start_job):
        result.wrong(f"expected a function start_job(app, **args), got {start_job!r}")
        return result
    if server is not None and not (isinstance(server, type) and issubclass(server, GenServer)):
        result.wrong(f"check_start_job(server): expected a GenServer class, got {server!r}")
        return result
    long = good_job(1000)
    with _quota_app(server, result) as app:
        if app is None:
            return result
        got = [
            _start_as_process(app, start_job, work=long, type="import") for _ in range(quota + 1)
        ]
        admitted = sum(isinstance(r, Ok) for r in got)
        result.expect(
            admitted == quota and isinstance(got[-1], Error),
            f"one at a time: {quota} imports started, the {quota + 1}th refused with {got[-1]!r}",
            f"one at a time: {admitted} of {quota + 1} imports started (expected {quota}, "
            f"the last refused); results: {got}",
        )
        other = _start_as_process(app, start_job, work=long, type="report")
        result.expect(
            isinstance(other, Ok),
            "a 'report' job still starts while the import quota is full",
            f"a 'report' job was refused while imports were full ({other!r}): the quota "
            "should only limit imports",
        )
    with _quota_app(server, result) as app:
        if app is None:
            return result
        _check_concurrent_callers(app, start_job, quota, result, long)
    with _quota_app(server, result) as app:
        if app is None:
            return result
        _check_quota_frees(app, start_job, quota, result)
    if any(":noproc" in text for good, text in result.lines if not good):
        result.wrong(
            f"start_job called a server that is not running (noproc): pass your GenServer "
            f"class as check_start_job(start_job, server=Quota), and call it as {QUOTA_NAME!r}"
        )
    return result


@contextmanager
def _quota_app(server: Any, result: CheckResult) -> Iterator[Jobber | None]:
    """A fresh runtime and quota-free Jobber, with the answer's ``server`` started in it
    (``None`` and a wrong line if it would not start)."""
    with _runtime() as rt:
        app = Jobber(runtime=rt, import_quota=1_000_000)
        try:
            if server is not None:
                with rt.calling_process():
                    started = _safe(server.start, app, name=QUOTA_NAME)
                if not isinstance(started, Ok):
                    result.wrong(
                        f"{server.__name__}.start(app, name={QUOTA_NAME!r}) -> {started!r}: "
                        "its init should return InitOk(state)"
                    )
                    yield None
                    return
            yield app
        finally:
            app.stop()


def _start_as_process(app: Jobber, start_job: Callable[..., Any], **args: Any) -> Any:
    """``start_job(app, **args)`` called by a process of the app's runtime."""
    with app.runtime.calling_process():
        return _safe(start_job, app, **args)


def _check_concurrent_callers(
    app: Jobber, start_job: Callable[..., Any], quota: int, result: CheckResult, work: Any
) -> None:
    """20 callers at the same instant, each a process of the runtime (as in Elixir).

    A check-then-start that is not serialised admits more: each caller counts, then waits in
    its ``start_child`` call, and the other callers run and count meanwhile, before any
    import has started.  On the BEAM that interleaving needs no second core, and simulated
    time keeps it: one process at a time, switching at each wait, in the same order on
    every run, so the wrong answer is caught whatever the machine's load.  One process
    spawns the callers: a spawn from outside the runtime returns only once the world is
    still again, so each caller would be done before the next began.
    """
    rt = app.runtime
    results: list[Any] = []
    with rt.test_process() as me:

        def caller() -> None:
            otp.send(me, ("started", _safe(start_job, app, work=work, type="import")))

        def launcher() -> None:
            refs = {otp.spawn_monitor(caller)[1] for _ in range(20)}
            while refs:
                down = otp.receive(lambda m: _down_of_any(m, refs))
                refs.discard(down[1])
                otp.send(me, ("ended", down[4]))

        otp.spawn(launcher)
        ended = 0
        while ended < 20:
            got = _await(rt, lambda m: type(m) is tuple and m[:1] in (("started",), ("ended",)))
            if got is TIMEOUT:
                results.append(f"only {ended} of the 20 callers ended")
                break
            if got[0] == "started":
                results.append(got[1])
            else:
                ended += 1
                if got[1] is not otp.NORMAL:
                    results.append(f"a caller exited {otp.format_reason(got[1])}")
    admitted = sum(isinstance(r, Ok) for r in results)
    failed = [r for r in results if not isinstance(r, Ok | Error)]
    result.expect(
        admitted == quota and not failed,
        f"20 callers at once: exactly {quota} imports admitted",
        f"20 callers at once: {admitted} imports admitted (quota {quota}): "
        + (
            f"{failed[0]}"
            if failed
            else "check-then-start is not atomic"
            if admitted > quota
            else "too few"
        ),
    )


def _down_of_any(message: Any, refs: set[otp.Ref]) -> bool:
    return otp.is_down(message) and message[1] in refs


def _check_quota_frees(
    app: Jobber, start_job: Callable[..., Any], quota: int, result: CheckResult
) -> None:
    """Imports that finished free their places: the typical wrong quota counts starts."""
    for _ in range(quota):
        _start_as_process(app, start_job, work=good_job(1), type="import")
    with app.runtime.calling_process():
        waited = 0.0
        while app.running_imports() and waited < 60:  # entries go as the jobs end (at 1 s)
            otp.sleep(0.5)
            waited += 0.5
    if app.running_imports():
        result.wrong(f"{quota} short imports never ended: {app.running_imports()}")
        return
    again = _start_as_process(app, start_job, work=good_job(1), type="import")
    result.expect(
        isinstance(again, Ok),
        f"after {quota} imports finished, a new import starts (the quota frees up)",
        f"after {quota} imports finished, a new import was refused ({again!r}): count the "
        "imports running now (running_imports()), not the ones ever started",
    )


def _safe(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except Exception as exc:
        return f"raised {_crash_text(exc)}"


# ------------------------------------------------------------------------ notebook 06


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
                rt, tracer, lambda e: e.kind == "child_restarted" and e.get("old_pid") == runner
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
