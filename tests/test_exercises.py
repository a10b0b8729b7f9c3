"""The checkers catch the typical wrong answer (issue 13): for each, the wrong answer fails
with a line that says what is wrong, and the notebook's solution passes.

The checkers start and shut down their own runtimes; each test checks that no thread of
theirs is left behind.
"""

from __future__ import annotations

import math
import re
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from jobber_lab import exercises, otp
from jobber_lab.exercises import (
    CheckResult,
    check_exit_reasons,
    check_flush_on_shutdown,
    check_job_supervisor,
    check_killable,
    check_max_retries_zero,
    check_restart_choice,
    check_restart_what_if,
    check_slow_crashes,
    check_start_job,
    check_strategy_choice,
    check_window_filled,
)
from jobber_lab.jobber import FunctionClauseError, Job
from jobber_lab.otp import (
    Error,
    GenServer,
    InitOk,
    NoReply,
    Reply,
    Restart,
    Stop,
    Strategy,
    Supervisor,
    supervisor_init,
)
from jobber_lab.solutions import SOLUTIONS, solution_code


@pytest.fixture(autouse=True)
def no_leftover_threads() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    left = [t for t in threading.enumerate() if t not in before and t.is_alive()]
    assert not left, f"a checker left threads behind: {left}"


def wrong_lines(result: CheckResult) -> list[str]:
    return [text for good, text in result.lines if not good]


# ------------------------------------------------------------------ 01.2 exit reasons

SOLUTION_01 = {"normal": False, "shutdown": True, "crash": True, "kill while trapping": True}


def test_exit_reasons_solution_passes() -> None:
    assert check_exit_reasons(SOLUTION_01)


def test_exit_reasons_refuses_no_as_an_answer() -> None:
    # "no" is truthy: read as bool it would pass for "shutdown" and "crash"
    answers = {**SOLUTION_01, "normal": "no", "crash": "yes"}
    result = check_exit_reasons(answers)
    assert not result
    assert any("answer True or False, not 'no'" in line for line in wrong_lines(result))
    assert any("not 'yes'" in line for line in wrong_lines(result))


# ------------------------------------------------------------------ 07.1 a killable loop


def killable_sum(parent: otp.Pid, n: int) -> None:
    total = 0
    for i in range(n):
        total += i * i
        if i % 10_000 == 0:
            otp.checkpoint()
    otp.send(parent, ("sum", total))


def plain_sum(parent: otp.Pid, n: int) -> None:
    """The lesson's starting point: pure Python, no cancellation point in the loop."""
    total = 0
    for i in range(n):
        total += i * i
    otp.send(parent, ("sum", total))


def napping_sum(parent: otp.Pid, n: int) -> None:
    """The typical wrong fix: time.sleep in the loop (C code, not a runtime call)."""
    total = 0
    for i in range(n):
        total += i * i
        if i % 10_000 == 0:
            time.sleep(0.0001)
    otp.send(parent, ("sum", total))


def sum_off_by_one(parent: otp.Pid, n: int) -> None:
    total = 0
    for i in range(1, n + 1):
        total += i * i
        otp.checkpoint()
    otp.send(parent, ("sum", total))


def test_killable_solution_passes() -> None:
    result = check_killable(killable_sum)
    assert result, result


@pytest.mark.parametrize("body", [plain_sum, napping_sum], ids=["no checkpoint", "time.sleep"])
def test_a_loop_without_a_cancellation_point_fails(body: Callable[..., None]) -> None:
    result = check_killable(body)
    assert not result
    [line] = wrong_lines(result)
    assert "its thread still runs" in line and "otp.checkpoint()" in line


def test_a_wrong_sum_fails_before_any_kill() -> None:
    result = check_killable(sum_off_by_one)
    assert not result
    assert "expected ('sum', 332833500)" in wrong_lines(result)[0]


# ------------------------------------------------------------------ 02.1 flush on shutdown


def make_flusher(trap_in: str) -> type:
    """The notebook's Flusher, trapping exits in ``init``, in ``terminate`` (too late), or
    nowhere (``""``, as the notebook gives it)."""

    class Flusher(GenServer):
        def init(self, sink: list[Any]) -> Any:
            if trap_in == "init":
                otp.trap_exit(True)
            return InitOk((sink, []))

        def handle_cast(self, line: Any, state: Any) -> Any:
            sink, lines = state
            return NoReply((sink, [*lines, line]))

        def terminate(self, reason: Any, state: Any) -> Any:
            if trap_in == "terminate":
                otp.trap_exit(True)
            sink, lines = state
            sink.extend(lines)

    return Flusher


class EagerFlusher(GenServer):
    """Writes each line at once and never traps: the sink is right, terminate never runs."""

    def init(self, sink: list[Any]) -> Any:
        return InitOk(sink)

    def handle_cast(self, line: Any, sink: list[Any]) -> Any:
        sink.append(line)
        return NoReply(sink)


def test_flush_solution_passes() -> None:
    assert check_flush_on_shutdown(make_flusher("init"))


@pytest.mark.parametrize("trap_in", ["", "terminate"])
def test_flush_without_trapping_in_init_fails(trap_in: str) -> None:
    result = check_flush_on_shutdown(make_flusher(trap_in))
    assert not result
    [line] = wrong_lines(result)
    assert "terminate/2 did not run" in line


def test_flush_that_writes_eagerly_without_terminate_fails() -> None:
    result = check_flush_on_shutdown(EagerFlusher)
    assert not result
    assert any("terminate/2 did not run" in line for line in wrong_lines(result))


def test_flush_refuses_a_non_genserver() -> None:
    result = check_flush_on_shutdown(object)
    assert not result
    assert "expected a GenServer subclass" in wrong_lines(result)[0]


# ------------------------------------------------------------------ 02 max_retries: 0


@dataclass(frozen=True)
class State:
    work: Callable[[], Any]
    id: str
    max_retries: int = 3
    retries: int = 0
    status: str = "new"


def make_job(first_failure_when_no_retries: str) -> type:
    """The notebook's Job, whose first failure with max_retries=0 sets the given status."""

    def handle_job_result(result: Any, state: State) -> State:
        match result, state.status:
            case ("ok", _), _:
                return replace(state, status="done")
            case "error", "new":
                if state.max_retries == 0:
                    return replace(state, status=first_failure_when_no_retries)
                return replace(state, status="errored")
            case "error", "errored":
                new_state = replace(state, retries=state.retries + 1)
                if new_state.retries >= state.max_retries:
                    return replace(new_state, status="failed")
                return new_state
        raise FunctionClauseError(repr(result))

    def publish(state: State, status: str | None = None) -> None:
        otp.current_runtime().emit(
            "job_status", otp.self(), job_id=state.id, status=status or state.status
        )

    class NotebookJob(GenServer):
        def init(self, args: dict[str, Any]) -> Any:
            state = State(work=args["work"], id=args["id"], max_retries=args["max_retries"])
            publish(state)
            return InitOk(state, continue_="run")

        def handle_continue(self, arg: Any, state: State) -> Any:
            publish(state, "running")
            new_state = handle_job_result(state.work(), state)
            publish(new_state)
            if new_state.status == "errored":
                otp.send_after(otp.self(), "retry", 5)
                return NoReply(new_state)
            return Stop(otp.NORMAL, new_state)

        def handle_info(self, message: Any, state: State) -> Any:
            return NoReply(state, continue_="run")

    return NotebookJob


def test_max_retries_solution_passes() -> None:
    assert check_max_retries_zero(make_job("failed"))


def test_max_retries_fix_that_ends_done_fails() -> None:
    result = check_max_retries_zero(make_job("done"))
    assert not result
    [line] = wrong_lines(result)
    assert "max_retries=0" in line and "'done'" in line and "'failed'" in line


# ------------------------------------------------------------------ 03 supervisors


def test_restart_choice_solution_passes() -> None:
    assert check_restart_choice(Restart.TRANSIENT)


@pytest.mark.parametrize("wrong", [Restart.PERMANENT, Restart.TEMPORARY])
def test_restart_choice_wrong_types_fail(wrong: Restart) -> None:
    result = check_restart_choice(wrong)
    assert not result
    [line] = wrong_lines(result)
    expected = "would run twice" if wrong is Restart.PERMANENT else "work is lost"
    assert expected in line


def test_strategy_choice_solution_passes() -> None:
    assert check_strategy_choice(Strategy.REST_FOR_ONE)


def test_strategy_one_for_all_fails_on_a() -> None:
    result = check_strategy_choice(Strategy.ONE_FOR_ALL)
    assert not result
    assert wrong_lines(result) == ["A: restarted, but it should keep its pid"]


def test_slow_crashes_solution_passes() -> None:
    # the notebook's solution text, answers as a student would copy them
    namespace: dict[str, Any] = {"check_slow_crashes": check_slow_crashes}
    exec(SOLUTIONS["03-3"], namespace)
    assert (namespace["gives_up"], namespace["most_in_window"]) == (False, 3)
    result = check_slow_crashes(False, 3)
    assert result, result


def test_slow_crashes_gives_up_at_the_fourth_crash_fails() -> None:
    # the typical wrong answer: max_restarts read as "3 restarts in total"
    result = check_slow_crashes(True, 3)
    assert not result
    [line] = wrong_lines(result)
    assert "never gave up" in line and "not all of them" in line


@pytest.mark.parametrize("most", [2, 4])
def test_slow_crashes_wrong_window_count_fails(most: int) -> None:
    result = check_slow_crashes(False, most)
    assert not result
    [line] = wrong_lines(result)
    assert f"most_in_window={most}, but the runtime counted at most 3" in line


def test_slow_crashes_refuses_strings_and_floats() -> None:
    result = check_slow_crashes("no", 3.0)
    assert not result
    assert wrong_lines(result) == [
        "gives_up: answer True or False, not 'no'",
        "most_in_window: answer a whole number of restarts (0, 1, 2, ...), not 3.0",
    ]


# ------------------------------------------------------------------ 04 JobSupervisor


class SolutionSupervisor(Supervisor):
    def init(self, args: Any) -> Any:
        job = Job.child_spec(args, significant=True)
        return supervisor_init(
            [job], strategy=Strategy.ONE_FOR_ONE, max_seconds=30, auto_shutdown="any_significant"
        )

    @classmethod
    def child_spec(cls, arg: Any = None, **overrides: Any) -> Any:
        return super().child_spec(arg, restart=Restart.TEMPORARY, **overrides)


class DefaultWindowSupervisor(SolutionSupervisor):
    """Forgot the book's max_seconds: 30 (Elixir's default 5 s is left)."""

    def init(self, args: Any) -> Any:
        job = Job.child_spec(args, significant=True)
        return supervisor_init(
            [job], strategy=Strategy.ONE_FOR_ONE, auto_shutdown="any_significant"
        )


class PermanentSupervisor(SolutionSupervisor):
    @classmethod
    def child_spec(cls, arg: Any = None, **overrides: Any) -> Any:
        return super(SolutionSupervisor, cls).child_spec(arg, **overrides)  # default: permanent


def test_job_supervisor_solution_passes() -> None:
    result = check_job_supervisor(SolutionSupervisor)
    assert result, result


def test_job_supervisor_without_max_seconds_30_fails() -> None:
    result = check_job_supervisor(DefaultWindowSupervisor)
    assert not result
    # (its 1 s-apart doomed job may or may not fill a 5 s window: that line can go either way)
    [line] = [text for text in wrong_lines(result) if "every 8 s" in text]
    assert "kept restarting it" in line


def test_a_permanent_job_supervisor_fails_when_killed() -> None:
    result = check_job_supervisor(PermanentSupervisor)
    assert not result
    assert any("killed, it was started again" in line for line in wrong_lines(result))


WHAT_IF = {
    "permanent": {"doomed": True, "killed": True},
    "transient": {"doomed": False, "killed": True},
    "temporary": {"doomed": False, "killed": False},
}


def test_what_if_solution_passes() -> None:
    result = check_restart_what_if(WHAT_IF)
    assert result, result
    assert len(result.lines) == 6


def test_what_if_transient_is_enough_fails_on_the_shutdown_of_giving_up() -> None:
    # the typical wrong model: "a JobSupervisor that gave up failed, so transient restarts it"
    answers = {**WHAT_IF, "transient": {"doomed": True, "killed": True}}
    result = check_restart_what_if(answers)
    assert not result
    [line] = wrong_lines(result)
    assert line.startswith("transient, doomed") and "exited :shutdown" in line
    assert "clean exits" in line


def test_what_if_transient_like_temporary_fails_when_killed() -> None:
    answers = {**WHAT_IF, "transient": {"doomed": False, "killed": False}}
    [line] = wrong_lines(check_restart_what_if(answers))
    assert line.startswith("transient, killed") and ":killed is one" in line


def test_what_if_refuses_non_bool_and_missing_answers() -> None:
    answers = {**WHAT_IF, "permanent": {"doomed": "yes"}}
    lines = wrong_lines(check_restart_what_if(answers))
    assert lines == [
        "permanent, doomed: answer True or False, not 'yes'",
        "permanent, killed: no answer (True = JobRunner restarts it, False = not)",
    ]


# ------------------------------------------------------------------ 05 the import quota


class Quota(GenServer):
    """The notebook's solution: one process counts and starts, one call at a time."""

    def init(self, app: Any) -> Any:
        return InitOk(app)

    def handle_call(self, request: Any, from_: Any, app: Any) -> Any:
        _start, args = request
        running = [row for row in app.running_imports() if otp.is_alive(row["pid"])]
        if len(running) >= 3:
            return Reply(Error("import_quota_reached"), app)
        return Reply(app.start_job(**args), app)


def solution_start_job(app: Any, **args: Any) -> Any:
    if args.get("type") != "import":
        return app.start_job(**args)
    return otp.call("Quota", ("start", args))


def book_start_job(app: Any, **args: Any) -> Any:
    """The book's quota, with flaw 1 fixed: count, then start, with nothing in between."""
    if args.get("type") != "import":
        return app.start_job(**args)
    if len(app.running_imports()) >= 3:
        return Error("import_quota_reached")
    return app.start_job(**args)


def make_counting_start_job() -> Callable[..., Any]:
    """The typical wrong quota: counts imports started, per app, and never frees a place.

    Its count and increment are atomic without a lock: the checker's callers are processes
    on simulated time, one at a time, and nothing between the two waits in the runtime."""
    started: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()

    def start_job(app: Any, **args: Any) -> Any:
        if args.get("type") != "import":
            return app.start_job(**args)
        if started.get(app, 0) >= 3:
            return Error("import_quota_reached")
        started[app] = started.get(app, 0) + 1
        return app.start_job(**args)

    return start_job


def test_quota_solution_passes() -> None:
    result = check_start_job(solution_start_job, server=Quota)
    assert result, result


def test_the_same_solution_without_its_server_fails() -> None:
    result = check_start_job(solution_start_job)
    assert not result
    assert "server=Quota" in wrong_lines(result)[-1], wrong_lines(result)


def test_a_quota_that_counts_and_starts_without_serialising_fails() -> None:
    result = check_start_job(book_start_job)
    assert not result
    assert any("check-then-start is not atomic" in line for line in wrong_lines(result))


def test_a_server_that_is_not_a_genserver_is_named() -> None:
    result = check_start_job(solution_start_job, server=object)
    assert not result
    assert any("check_start_job(server)" in line for line in wrong_lines(result))


def test_a_quota_that_never_frees_fails() -> None:
    result = check_start_job(make_counting_start_job())
    assert not result
    [line] = wrong_lines(result)
    assert "finished, a new import was refused" in line


# ------------------------------------------------------------------ 06 JobRunner's window


def _runner_children(events: list[Any]) -> set[Any]:
    runner = next(
        e.pid for e in events if e.kind == "child_started" and e.get("child_id") == "JobRunner"
    )
    return {e.pid for e in events if e.kind == "spawned" and e.get("parent") == runner}


def _crashes(events: list[Any]) -> list[Any]:
    children = _runner_children(events)
    return [
        e
        for e in events
        if e.kind == "exited" and e.pid in children and e.get("reason_kind") == "crash"
    ]


def _window(crashes: list[Any], max_restarts: int, max_seconds: int, stamp: Any) -> Any:
    """add_restart over ``crashes``, with ``stamp`` turning an event into its timestamp."""
    kept: list[float] = []
    for n, e in enumerate(crashes, 1):
        now = stamp(e)
        kept = [t for t in kept if t >= now - max_seconds] + [now]
        if len(kept) > max_restarts:
            return e.time, n
    return None


def run_solution_06() -> Callable[..., Any]:
    """The solution exactly as SOLUTIONS shows it: its definitions, and the function it checks."""
    box: list[Any] = []
    exec(solution_code("06-1"), {"check_window_filled": box.append})
    [window_filled] = box
    return window_filled


def test_window_solution_passes() -> None:
    result = check_window_filled(run_solution_06())
    assert result, result
    assert len(result.lines) == 2


def test_a_window_in_fractional_seconds_fails_where_whole_seconds_decide() -> None:
    def fractional(events: list[Any], max_restarts: int, max_seconds: int) -> Any:
        return _window(_crashes(events), max_restarts, max_seconds, lambda e: e.time)

    result = check_window_filled(fractional)
    assert not result
    [line] = wrong_lines(result)  # the lesson's story has wide margins: only the second fails
    assert "you found no restart one too many" in line and "whole seconds" in line, line


def test_counting_the_first_start_as_a_restart_fails() -> None:
    def with_first_start(events: list[Any], max_restarts: int, max_seconds: int) -> Any:
        children = _runner_children(events)
        first = next(e for e in events if e.kind == "spawned" and e.pid in children)
        kept = [math.floor(first.time)]  # the typical slip: the first start is no restart
        for n, e in enumerate(_crashes(events), 1):
            now = math.floor(e.time)
            kept = [t for t in kept if t >= now - max_seconds] + [now]
            if len(kept) > max_restarts:
                return e.time, n
        return None

    result = check_window_filled(with_first_start)
    assert not result
    assert any("first start as a restart" in line for line in wrong_lines(result))


def test_the_checkers_first_trace_is_the_lessons_story_at_exact_times() -> None:
    """Simulated, the checker records the lesson's story itself: crashes at 5, 10, 15 and
    20 s, JobRunner's decision at 20.0 s, so the lesson's answer (20.0, 4) is its answer.
    Seen through the public checker: a spy answer records the traces it is shown."""
    solution = run_solution_06()
    shown: list[tuple[list[Any], int, int]] = []

    def spy(events: list[Any], max_restarts: int, max_seconds: int) -> Any:
        shown.append((list(events), max_restarts, max_seconds))
        return solution(events, max_restarts, max_seconds)

    result = check_window_filled(spy)
    assert result, result
    assert [limits for _, *limits in shown] == [[3, 30], [2, 3]]
    [lesson, whole_seconds] = [events for events, *_ in shown]

    def crash_times(events: list[Any]) -> list[float]:
        return [
            round(e.time, 9)
            for e in events
            if e.kind == "exited" and e.get("reason_kind") == "crash"
        ]

    assert crash_times(lesson) == [5.0, 10.0, 15.0, 20.0]
    assert crash_times(whole_seconds) == [3.25, 4.95, 6.65]
    assert not any(e.kind in ("intensity_reached", "supervisor_gave_up") for e in lesson)
    assert solution(lesson, 3, 30) == (20.0, 4)
    assert any("crash 4 at 20.0 s" in text for good, text in result.lines if good)


def test_exercises_exports_the_same_public_names() -> None:
    """The package split kept the public surface: every notebook's import still works."""
    assert set(exercises.__all__) == {
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
    }
    for name in exercises.__all__:
        assert getattr(exercises, name).__module__.startswith("jobber_lab.exercises")


def test_a_window_answer_a_moment_off_the_crash_fails() -> None:
    """The times are exact: the crash's time, not about it."""
    solution = run_solution_06()

    def late(events: list[Any], max_restarts: int, max_seconds: int) -> Any:
        when, n = solution(events, max_restarts, max_seconds)
        return when + 0.01, n

    lines = wrong_lines(check_window_filled(late))
    assert len(lines) == 2 and all("after JobRunner had given up" in line for line in lines)


def test_checker_verdicts_repeat_exactly() -> None:
    """Simulated runtimes: the same answer gets the same lines, word for word, every run
    (pids too, but for their first number: each new runtime has a number of its own)."""

    def lines(result: CheckResult) -> list[tuple[bool, str]]:
        return [(good, re.sub(r"<\d+\.", "<N.", text)) for good, text in result.lines]

    first = lines(check_job_supervisor(DefaultWindowSupervisor))
    assert lines(check_job_supervisor(DefaultWindowSupervisor)) == first
    assert check_slow_crashes(True, 3).lines == check_slow_crashes(True, 3).lines


def test_always_the_fourth_crash_fails_against_other_limits() -> None:
    def fourth(events: list[Any], max_restarts: int, max_seconds: int) -> Any:
        crashes = _crashes(events)
        return (crashes[3].time, 4) if len(crashes) >= 4 else None

    result = check_window_filled(fourth)
    assert not result
    [line] = wrong_lines(result)
    assert "max_restarts=2" in line, line


def test_a_wrong_shape_of_answer_is_named() -> None:
    result = check_window_filled(lambda events, max_restarts, max_seconds: "20 s")
    assert not result
    assert all("expected (time, restart number)" in line for line in wrong_lines(result))
    assert not check_window_filled("window_filled")


def test_every_exercises_module_stays_small() -> None:
    """Issue 17: one small module per lesson; exercises.py was 1281 lines before the split."""
    sizes = {
        path.name: len(path.read_text(encoding="utf-8").splitlines())
        for path in Path(exercises.__file__).parent.glob("*.py")
    }
    assert {f"_lesson0{n}.py" for n in range(1, 8)} <= set(sizes)
    assert all(n <= 500 for n in sizes.values()), sizes
