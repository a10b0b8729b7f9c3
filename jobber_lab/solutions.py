"""The exercises' solutions, shown only when a student asks (issue 15).

A solution used to be a hidden code cell, which "Run All" executed: "all right!" appeared under
the student's "not yet" and the solution's definitions overwrote the attempt for the rest of
the lesson. Here a solution is text. :func:`show_solution` displays it folded (a
``<details>`` element: nothing shows until the student clicks) and never runs it;
:func:`solution_code` returns it, which is how the notebook tests run each solution through
the same text a student would copy.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

__all__ = ["SOLUTIONS", "Solution", "show_solution", "solution_code"]

#: Exercise id ("<lesson>-<n>", e.g. ``"03-1"``) -> the solution's code, as a student would
#: type it in the exercise cell (it ends by calling its checker).
SOLUTIONS: dict[str, str] = {
    "01-1": """\
answers = {"normal": False, "shutdown": True, "crash": True, "kill while trapping": True}
check_exit_reasons(answers)
""",
    "01-2": """\
def ping_server():
    while True:                       # loop() in Elixir: a process is a recursive loop
        match otp.receive():
            case ("ping", sender):
                otp.send(sender, "pong")
            case _:
                pass                  # ignore what we do not understand

check_ping_server(ping_server)
""",
    "07-1": """\
def sum_of_squares(parent, n):
    total = 0
    for i in range(n):
        total += i * i
        if i % 10_000 == 0:
            otp.checkpoint()          # a cancellation point: a kill unwinds the thread here
    otp.send(parent, ("sum", total))

check_killable(sum_of_squares)
""",
    "02-1": """\
class Flusher(GenServer):
    \"\"\"Buffers lines; writes them to its sink in terminate/2.\"\"\"

    def init(self, sink):
        otp.trap_exit(True)  # Process.flag(:trap_exit, true): a shutdown is now a message
        return InitOk((sink, []))

    def handle_cast(self, line, state):
        sink, lines = state
        return NoReply((sink, [*lines, line]))

    def terminate(self, reason, state):
        sink, lines = state
        sink.extend(lines)

check_flush_on_shutdown(Flusher)
""",
    "02-2": """\
def handle_job_result(result, state):
    match result, state.status:
        case ("ok", _data), _:
            return replace(state, status="done")
        case "error", "new":
            # the first failure: with no retries allowed, it is already the last one
            return replace(state, status="failed" if state.max_retries == 0 else "errored")
        case "error", "errored":
            new_state = replace(state, retries=state.retries + 1)
            if new_state.retries >= state.max_retries:
                return replace(new_state, status="failed")
            return new_state
    raise FunctionClauseError(f"no clause of handle_job_result matches {result!r}")

check_max_retries_zero(Job)
""",
    "03-1": """\
my_restart = Restart.TRANSIENT  # use GenServer, restart: :transient, as the book's Job
check_restart_choice(my_restart)
""",
    "03-2": """\
my_strategy = Strategy.REST_FOR_ONE  # restarts the crashed child and those started after it
check_strategy_choice(my_strategy)
""",
    "03-3": """\
# 4 restarts 11 s apart span 33 s, more than the 30 s window: at most 3 ever share it
# (those at 11, 22 and 33 s, 22 s apart), so max_restarts: 3 is never exceeded.
# Whole seconds change nothing: stamps of times 33 s apart differ by at least 33.
gives_up = False
most_in_window = 3
check_slow_crashes(gives_up, most_in_window)
""",
    "04-1": """\
what_if = {                                   # True: JobRunner starts a new JobSupervisor
    "permanent": {"doomed": True, "killed": True},    # restarted whatever the reason
    "transient": {"doomed": False, "killed": True},   # giving up exits :shutdown, clean
    "temporary": {"doomed": False, "killed": False},  # never restarted: the book's choice
}
check_restart_what_if(what_if)
""",
    "04-2": """\
class MyJobSupervisor(Supervisor):
    def init(self, args):
        job = Job.child_spec(args, significant=True)  # its end may end us
        return supervisor_init([job], strategy=Strategy.ONE_FOR_ONE, max_seconds=30,
                               auto_shutdown="any_significant")

    @classmethod
    def child_spec(cls, arg=None, **overrides):
        return super().child_spec(arg, restart=Restart.TEMPORARY, **overrides)  # use Supervisor, restart: :temporary

check_job_supervisor(MyJobSupervisor)
""",
    "05-1": """\
class Quota(GenServer):
    \"\"\"One process counts and starts: it handles one call at a time, the BEAM's lock.\"\"\"

    def init(self, app):
        return InitOk(app)

    def handle_call(self, request, from_, app):
        _start, args = request                    # ("start", args)
        running = [row for row in app.running_imports() if otp.is_alive(row["pid"])]
        if len(running) >= 3:                     # alive only: stale entries (flaw 3)
            return Reply(Error("import_quota_reached"), app)
        return Reply(app.start_job(**args), app)  # registered before the next call

def start_job(app, **args):
    if args.get("type") != "import":
        return app.start_job(**args)             # the quota is about imports only
    return otp.call("Quota", ("start", args))    # GenServer.call(Quota, {:start, args})

check_start_job(start_job, server=Quota)
""",
    "06-1": """\
import math

def window_filled(events, max_restarts, max_seconds):
    runner = next(e.pid for e in events
                  if e.kind == "child_started" and e.get("child_id") == "JobRunner")
    children = {e.pid for e in events if e.kind == "spawned" and e.get("parent") == runner}
    restarts = []  # the whole seconds of the restarts still in the window, as OTP keeps them
    n = 0
    for e in events:
        if e.kind == "exited" and e.pid in children and e.get("reason_kind") == "crash":
            n += 1                               # crash n asks for restart n
            now = math.floor(e.time)             # erlang:monotonic_time(1): whole seconds
            restarts = [t for t in restarts if t >= now - max_seconds] + [now]
            if len(restarts) > max_restarts:     # one too many: JobRunner gives up here
                return e.time, n
    return None                                  # the window never overflowed

check_window_filled(window_filled)
""",
}


def solution_code(exercise: str) -> str:
    """The solution of ``exercise`` (``"03-1"``) as source text."""
    try:
        return SOLUTIONS[exercise]
    except KeyError:
        known = ", ".join(sorted(SOLUTIONS))
        raise KeyError(
            f"solution_code(exercise): no exercise {exercise!r}; expected one of {known}"
        ) from None


@dataclass(frozen=True)
class Solution:
    """A solution that shows itself folded in a notebook and is never executed."""

    exercise: str
    code: str

    def _repr_html_(self) -> str:
        return (
            '<details class="jl-solution"><summary style="cursor:pointer">'
            f"Show the solution of exercise {html.escape(self.exercise)}</summary>"
            '<pre style="margin:4px 0 0 0">'
            f"{html.escape(self.code)}</pre>"
            "<p>It has not run: copy it into your exercise cell and run that.</p></details>"
        )

    def __repr__(self) -> str:
        # A plain-text front end gets no folding, so it gets no code either.
        return (
            f"solution {self.exercise} (folded; print(solution_code({self.exercise!r})) shows it)"
        )


def show_solution(exercise: str) -> Solution:
    """Display the solution of ``exercise`` folded; it appears when clicked, and never runs."""
    return Solution(exercise, solution_code(exercise))
