"""The seed README's story, told by the running system (``jobber-lab demo`` and ``tree``).

Each step starts real jobs on a real runtime and waits on the tracer for the
event that ends it, so the narration printed is what actually happened, in the
order it happened, at any time scale.  ``simulated=True`` (``jobber-lab demo
--simulated``) tells it on simulated time: the book's timings, exact, the same
text on every run, in a fraction of a second.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobber_lab import jobber, otp
from jobber_lab.jobber import JobEventKind, JobStatus
from jobber_lab.otp import Event, Runtime
from jobber_lab.trace import Tracer, text_tree

__all__ = ["StoryResult", "live_tree", "run_story", "write_tree_picture"]

Print = Callable[[str], None]
WAIT = 30.0  # wall seconds: generous, never reached unless something is broken
SIM_WAIT = 3600.0  # runtime seconds, in simulated time: the story needs 25


@dataclass
class StoryResult:
    """What one variant's story showed, for tests and the summary."""

    variant: str
    job_runner_before: str = ""
    job_runner_after: str = ""
    refused_imports: int = 0
    running_imports: list[dict[str, Any]] = field(default_factory=list)
    tree: str = ""
    events: int = 0
    lost: list[str] = field(default_factory=list)  # jobs shut down before they finished
    restarts: dict[str, int] = field(default_factory=dict)  # who restarted -> how often
    doomed_ids: list[str] = field(default_factory=list)  # one random id per (re)start


def _exit_of(pid: Any) -> Callable[[Event], bool]:
    text = str(pid)
    return lambda e: e.kind == "exited" and e.pid == text


def _wait(tracer: Tracer, predicate: Callable[[Event], bool], what: str) -> Event:
    event = _wait_for(tracer, predicate)
    if event is None:
        raise RuntimeError(f"demo: gave up waiting for {what}")
    return event


def _wait_for(tracer: Tracer, predicate: Callable[[Event], bool]) -> Event | None:
    """The first event matching ``predicate``: on a simulated runtime, time is let pass
    (deadline by deadline) until it comes; on a scaled one, wall time passes by itself."""
    rt = _RUNTIMES.get(tracer)
    if rt is not None and rt.simulated:
        found: list[Event] = []
        checked = [0]  # like Tracer.wait_for: each event is looked at once, when it is new

        def seen() -> bool:
            history = tracer.history
            for event in history[checked[0] :]:
                if predicate(event):
                    found.append(event)
                    return True
            checked[0] = len(history)
            return False

        rt.run_until(seen, timeout=SIM_WAIT)
        return found[0] if found else None
    return tracer.wait_for(predicate, WAIT)


# The runtime each of the demo's tracers follows (so a wait knows whether to move time).
_RUNTIMES: weakref.WeakKeyDictionary[Tracer, Runtime] = weakref.WeakKeyDictionary()


def _traced(rt: Runtime) -> Tracer:
    tracer = Tracer(rt)
    _RUNTIMES[tracer] = rt
    return tracer


def _runtime(name: str, time_scale: float, simulated: bool) -> Runtime:
    if simulated:
        return Runtime(simulated=True, seed=0, name=name)
    return Runtime(time_scale=time_scale, name=name)


def _job_pid(app: jobber.Jobber, tracer: Tracer, result: Any) -> str:
    """The Job's pid (as the tracer prints it): the started pid (direct) or the
    JobSupervisor's child (isolated), read from the tracer so a job that already ended
    is still found."""
    if app.variant == "direct":
        return str(result.value)
    supervisor = str(result.value)
    started = _wait(
        tracer,
        lambda e: e.kind == "child_started" and e.get("supervisor") == supervisor,
        "the job to start",
    )
    return str(started.pid)


_TITLES = {
    "direct": "the direct variant: JobRunner supervises every Job itself",
    "isolated": "the isolated variant (the book's fix): a JobSupervisor per Job",
}


def run_story(
    variant: str = "isolated",
    *,
    time_scale: float = 0.01,
    seconds: float = 5,
    say: Print = print,
    verbose: bool = False,
    quota: bool = True,
    number: int | None = None,
    simulated: bool = False,
) -> StoryResult:
    """Good, bad and doomed jobs, then (``quota``) four imports, on a fresh runtime; narrated.

    The narration names jobs by their part in the story ("the doomed job") beside their ids,
    and says only what the story needs; ``verbose`` prints every event the tracer can put in
    words instead (registry entries, children started, the final shutdown).
    """
    result = StoryResult(variant)
    rt = _runtime(f"demo-{variant}", time_scale, simulated)
    tracer = _traced(rt)
    teller = _StoryTeller(tracer, say, result, verbose=verbose, explain=number in (None, 1))
    tracer.on_change(teller.collect)
    app = jobber.Jobber(variant=variant, runtime=rt)
    say = teller.step
    try:
        heading = f"{number}. " if number is not None else ""
        say(f"\n=== {heading}{_TITLES.get(variant, variant)} ===")
        before = app.job_runner
        result.job_runner_before = str(before)
        teller.name(before, "JobRunner")
        say(f"Process.whereis(JobRunner) = {before}")
        bad_pid, doomed = _start_three_jobs(app, tracer, teller, variant, seconds)
        _wait_for_the_give_up(tracer, variant, str(before), bad_pid, doomed)
        after = app.job_runner
        result.job_runner_after = str(after)
        say(
            f"Process.whereis(JobRunner) = {after}"
            + (
                "  <- a new JobRunner, started empty"
                if after != before
                else "  (unchanged: the JobSupervisor contained the crash)"
            )
        )
        if quota:
            _run_imports(app, say, result)
        tracer.flush()
        result.tree = text_tree(tracer.graph)
        if verbose:
            say("-- the live supervision tree --")
            say(result.tree)
        else:
            teller.finish()  # the app's final shutdown is not part of the story
    finally:
        app.stop()
        teller.finish()  # --verbose: every event, the shutdown's too
        rt.shutdown()
        tracer.detach()
        result.events = len(tracer.history)
    return result


def _start_three_jobs(
    app: jobber.Jobber, tracer: Tracer, teller: _StoryTeller, variant: str, seconds: float
) -> tuple[str, Any]:
    """The good, the bad (three retries) and the doomed job, each named by its part in the
    story.  Returns the bad job's pid and the doomed job's ``start_job`` result."""
    good = app.start_job(work=jobber.good_job(seconds))
    teller.role(_job_pid(app, tracer, good), "good job")
    bad = app.start_job(work=jobber.bad_job(seconds), max_retries=3)
    bad_pid = _job_pid(app, tracer, bad)
    teller.role(bad_pid, "bad job")
    doomed = app.start_job(work=jobber.doomed_job(seconds))
    teller.role(_job_pid(app, tracer, doomed), "doomed job")
    if variant == "isolated":
        teller.name(doomed.value, "the doomed job's JobSupervisor", short="its JobSupervisor")
    return bad_pid, doomed


def _wait_for_the_give_up(
    tracer: Tracer, variant: str, job_runner: str, bad_pid: str, doomed: Any
) -> None:
    """Until the doomed job's supervisor gave up (its JobSupervisor, or in the direct
    variant JobRunner itself) and what follows it: JobRunner's restart (direct), or the
    bad job's end (isolated)."""
    gave_up = str(doomed.value) if variant == "isolated" else job_runner
    _wait(
        tracer,
        lambda e: e.kind == "supervisor_gave_up" and e.get("supervisor") == gave_up,
        "the doomed job's supervisor to give up",
    )
    if variant == "direct":
        _wait(
            tracer,
            lambda e: e.kind == "child_restarted" and e.get("old_pid") == gave_up,
            "JobRunner's restart",
        )
    else:
        _wait(tracer, _exit_of(bad_pid), "the bad job")


def _run_imports(app: jobber.Jobber, say: Print, result: StoryResult) -> None:
    """Four import jobs against the quota of three: the fourth is refused."""
    say("-- four import jobs against the quota of 3 --")
    # Long imports: all three are still running when the 4th asks and when
    # running_imports() is read, however slow the machine (the app stops them after).
    imports = [app.start_job(work=jobber.good_job(3600), type="import") for _ in range(4)]
    result.refused_imports = sum(1 for r in imports if isinstance(r, otp.Error))
    for i, r in enumerate(imports, 1):
        say(f'start_job(type: "import") #{i} -> {_as_term(r)}')
    result.running_imports = app.running_imports()
    say(
        f"running_imports() -> {len(result.running_imports)} running: "
        + ", ".join(row["id"] for row in result.running_imports)
    )


def _as_term(result: Any) -> str:
    """``Ok(<1.20.0>)`` as the book's iex session shows it: ``{:ok, <1.20.0>}``."""
    if isinstance(result, otp.Ok):
        return f"{{:ok, {result.value}}}"
    if isinstance(result, otp.Error):
        return f"{{:error, {otp.format_reason(result.reason)}}}"
    return otp.format_reason(result)


class _StoryTeller:
    """Turns the tracer's events into the story's lines, in event order.

    Events are collected as they come and written out at each :meth:`step`, on the story's own
    thread: by then the story has told the teller which pid is "the doomed job", so even the
    events that came first are named. A restarted job's new pid inherits the old one's part,
    and its new random id is noted (the book's ``Job.init`` draws one on every start).
    """

    def __init__(
        self, tracer: Tracer, say: Print, result: StoryResult, *, verbose: bool, explain: bool
    ) -> None:
        self._tracer = tracer
        self._explain = explain  # say once, in the first variant, why a restart has a new id
        self._say = say
        self._result = result
        self._verbose = verbose
        self._lock = threading.Lock()
        self._pending: list[Event] = []
        self._roles: dict[str, str] = {}  # job pid -> "the doomed job"
        self._names: dict[str, str] = {}  # other pids -> what the story calls them
        self._short: dict[str, str] = {}  # ... and, where it has one, its name after a job's
        self._ids: dict[str, str] = {}  # job pid -> its job id
        self._status: dict[str, str] = {}  # job pid -> last status
        self._giving_up: str | None = None  # a supervisor shutting its children down
        self._done = False

    # -- what the story tells the teller
    def role(self, pid: Any, role: str) -> None:
        self._roles[str(pid)] = role

    def name(self, pid: Any, name: str, *, short: str | None = None) -> None:
        """``short``: what to call it right after a line about its job ("its JobSupervisor")."""
        self._names[str(pid)] = name
        if short is not None:
            self._short[str(pid)] = short

    def collect(self, event: Event) -> None:
        with self._lock:
            if not self._done:
                self._pending.append(event)

    def step(self, text: str) -> None:
        """A line of the story, printed after every event so far, so the log reads in order."""
        self._drain()
        self._say(text)

    def finish(self) -> None:
        """Write what is pending and take no more events."""
        if self._done:
            return
        self._drain()
        with self._lock:
            self._done = True

    def _drain(self) -> None:
        self._tracer.flush()
        with self._lock:
            events, self._pending = self._pending, []
        for event in events:
            line = self._line(event)
            if line:
                first, *more = line.split("\n")
                self._say(f"[{event.time:6.2f} s] {first}")
                for text in more:
                    self._say(f"{'':11}{text}")

    # -- one event in words
    def _who(self, pid: Any) -> str:
        text = str(pid)
        if text in self._roles:
            job_id = self._ids.get(text)
            return f"{self._roles[text]} {job_id}" if job_id else self._roles[text]
        return self._names.get(text) or self._tracer.label_of(text) or text

    def _line(self, event: Event) -> str | None:
        if self._verbose:
            return self._tracer.describe(event)
        kind = event.kind
        if kind == JobEventKind.JOB_STATUS:
            return self._job_status(event)
        if kind == "exited":
            return self._exited(event)
        if kind == "child_restarted":
            return self._restarted(event)
        if kind == "intensity_reached":
            sup = str(event.get("supervisor", event.pid))
            self._giving_up = sup
            return (
                f"{self._who(sup)} gives up ({event.get('restarts')} restarts in "
                f"{event.get('max_seconds')} s, max {event.get('max_restarts')}), exits :shutdown"
            )
        return None

    def _job_status(self, event: Event) -> str | None:
        pid = str(event.get("pid", event.pid))
        job_id, status = event.get("job_id"), event.get("status")
        role = self._roles.get(pid)
        self._status[pid] = str(status)
        if job_id and pid not in self._ids:
            self._ids[pid] = str(job_id)  # for any pid: a restarted job's part is learnt later
            if role == "doomed job":
                self._result.doomed_ids.append(str(job_id))
        if role is None or status == JobStatus.NEW:
            return None
        who = self._who(pid)
        if status == JobStatus.RUNNING and event.get("attempt") in (None, 1):
            return f"{who} started"
        if status == JobStatus.DONE:
            return f"{who} completed"
        if status == JobStatus.ERRORED:
            return f"{who} errored (retry {event.get('retries')} of {event.get('max_retries')})"
        if status == JobStatus.FAILED:
            return f"{who} failed: no retries left"
        return None  # a retry's "running" line: --verbose shows it

    def _exited(self, event: Event) -> str | None:
        pid = str(event.pid)
        kind = event.get("reason_kind")
        if kind == "crash" and (pid in self._roles or pid in self._names):
            return f"{self._who(pid)} crashed: {event.get('exception') or event.get('reason')}"
        unfinished = self._status.get(pid) not in (None, JobStatus.DONE, JobStatus.FAILED)
        if kind in ("shutdown", "killed") and pid in self._roles and unfinished:
            by = self._who(self._giving_up) if self._giving_up else "its supervisor"
            self._result.lost.append(self._who(pid))
            return f"{self._who(pid)} was shut down with {by}: it never finished"
        return None

    def _restarted(self, event: Event) -> str | None:
        old, new = str(event.get("old_pid")), str(event.pid)
        sup = str(event.get("supervisor"))
        if old in self._roles:
            self._roles[new] = self._roles[old]
        elif old in self._names:
            self._names[new] = self._names[old]
        else:
            return None
        by = self._who(sup)
        self._result.restarts[by] = self._result.restarts.get(by, 0) + 1
        window = f"(restart {event.get('restarts')} in the window)"
        if self._names.get(new) == "JobRunner":
            return f"{by} restarted JobRunner: {old} -> {new} (JobRunner is :permanent)"
        role = self._roles.get(new, "")
        job_id = self._ids.get(new)  # the new Job's init has already reported its id
        if job_id is None:
            return f"{by} restarted the {role} as {new} {window}"
        if role == "doomed job":
            self._result.doomed_ids.append(job_id)
        short = self._short.get(sup, by)
        line = f"{short} restarted it as {new}, new id {job_id} {window}"
        if len(self._result.doomed_ids) == 2 and role == "doomed job" and self._explain:
            line += (
                "\na new id: a restart calls start_link again with the original arguments, "
                "and the book's\nJob.init draws a random id when none is given"
            )
        return line


def summary_table(results: list[StoryResult]) -> list[str]:
    """The closing comparison of the variants, as aligned text rows."""
    rows = [("", [r.variant for r in results])]
    rows.append(
        (
            "JobRunner pid changed?",
            [
                f"yes: {r.job_runner_before} -> {r.job_runner_after}"
                if r.job_runner_after != r.job_runner_before
                else "no"
                for r in results
            ],
        )
    )
    rows.append(("jobs lost", [", ".join(r.lost) if r.lost else "none" for r in results]))
    rows.append(
        (
            "restarts",
            [", ".join(f"{who} {n}x" for who, n in r.restarts.items()) or "none" for r in results],
        )
    )
    rows.append(("doomed job's ids", [" -> ".join(r.doomed_ids) for r in results]))
    head = max(len(label) for label, _ in rows)
    widths = [max(len(cells[i]) for _, cells in rows) for i in range(len(results))]
    return [
        (
            f"{label:<{head}}  "
            + "  ".join(f"{c:<{w}}" for c, w in zip(cells, widths, strict=True))
        ).rstrip()
        for label, cells in rows
    ]


def live_tree(
    variant: str = "isolated",
    *,
    time_scale: float = 0.01,
    settle: float = 2.0,
    simulated: bool = False,
) -> tuple[jobber.Jobber, Tracer]:
    """Start Jobber with a few long jobs running, so the tree has JobSupervisors and Jobs.

    The caller owns the result: draw from ``tracer.graph``, then ``app.stop()``.
    """
    rt = _runtime(f"tree-{variant}", time_scale, simulated)
    tracer = _traced(rt)
    app = jobber.Jobber(variant=variant, runtime=rt, auto_shutdown=False)
    long = 3600  # runtime seconds: they stay alive while we draw
    app.start_job(work=jobber.good_job(long))
    app.start_job(work=jobber.good_job(long), type="import")
    app.start_job(work=jobber.bad_job(long), type="report")
    done = app.start_job(work=jobber.good_job(settle))  # ends: its JobSupervisor lingers
    _wait(
        tracer,
        lambda e: e.kind == JobEventKind.JOB_STATUS and e.get("status") == JobStatus.DONE,
        "the short job to finish",
    )
    _ = done
    tracer.flush()
    return app, tracer


def write_tree_picture(
    path: str | Path,
    *,
    variant: str = "isolated",
    time_scale: float = 0.01,
    crashes: int = 2,
    simulated: bool = False,
) -> Path:
    """The picture of ``jobber-lab tree`` and ``jobber-lab demo``: a live Jobber telling its
    story, drawn from the tracer's graph.

    Two long good jobs (``good-1``, ``import-2``) run while ``doomed-3`` crashes ``crashes``
    times: the picture shows each job by its id, status and try, the crashed attempts as
    ghosts and the restarted job's ``↻n`` -- what a student looks for first.
    """
    from jobber_lab.draw import save_tree  # noqa: PLC0415 - matplotlib only for a picture

    rt = _runtime(f"tree-{variant}", time_scale, simulated)
    tracer = _traced(rt)
    app = jobber.Jobber(variant=variant, runtime=rt, auto_shutdown=False)
    try:
        app.start_job(work=jobber.good_job(3600), id="good-1")
        app.start_job(work=jobber.good_job(3600), id="import-2", type="import")
        app.start_job(work=jobber.doomed_job(), id="doomed-3", max_retries=5)
        seen = _wait_for(
            tracer,
            lambda e: (
                e.kind == JobEventKind.JOB_STATUS
                and e.get("job_id") == "doomed-3"
                and e.get("status") == JobStatus.RUNNING
                and _crashes(tracer, "doomed-3") >= crashes
            ),
        )
        if seen is None:
            raise RuntimeError(f"jobber-lab tree: doomed-3 did not crash {crashes} times")
        if crashes:
            # The new Job reports "running" from its init, before its supervisor reports the
            # restart: wait for that too, or the picture can miss the job's ↻n.
            job = str(seen.get("pid", seen.pid))
            restarted = _wait_for(
                tracer, lambda e: e.kind == "child_restarted" and str(e.get("pid", e.pid)) == job
            )
            if restarted is None:
                raise RuntimeError("jobber-lab tree: doomed-3's restart was never reported")
        tracer.flush()
        title = f"Jobber supervision tree ({variant}, live): doomed-3 after {crashes} crashes"
        return save_tree(tracer.graph, path, title=title, root="Jobber")
    finally:
        app.stop()
        rt.shutdown()
        tracer.detach()


def _crashes(tracer: Tracer, job_id: str) -> int:
    """Crashed processes of ``job_id`` so far, by the tracer's labels (the naming rule)."""
    return sum(
        1
        for e in tracer.history
        if e.kind == "exited"
        and e.get("reason_kind") == "crash"
        and tracer.label_of(e.pid or "") == job_id
    )


def main_demo(
    *,
    variants: list[str],
    time_scale: float,
    picture: str | None,
    say: Print = print,
    verbose: bool = False,
    simulated: bool = False,
) -> list[StoryResult]:
    """``jobber-lab demo``: the seed README's story, direct variant first, then the fix.

    ``simulated``: on simulated time, so every line (pids, ids, times) is the same on every
    run; the wall time it took is left out for that reason.
    """
    started = time.monotonic()
    if simulated:
        say(
            "The seed's story, told by a running Jobber on simulated time: the book's "
            "timings\n(5 s jobs, a 30 s restart window), exact, and the same on every run."
        )
    else:
        say(
            "The seed's story, told by a running Jobber. Times are runtime seconds: the book's "
            f"timings\n(5 s jobs, a 30 s restart window) at time scale {time_scale:g}, so one "
            f"runtime second takes {time_scale * 1000:g} ms."
        )
    results = []
    for number, variant in enumerate(variants, 1):
        quota = number == len(variants)  # the quota once, in the last variant told
        results.append(
            run_story(
                variant,
                time_scale=time_scale,
                say=say,
                verbose=verbose,
                quota=quota,
                number=number if len(variants) > 1 else None,
                simulated=simulated,
            )
        )
    if picture:
        out = write_tree_picture(picture, time_scale=time_scale, simulated=simulated)
        say(f"\nwrote {out} from the live tree")
    took = "simulated time" if simulated else _took(started)
    if len(results) > 1:  # the story ends with its comparison
        say(f"\n=== what the two variants did with the same doomed job ({took}) ===")
        for row in summary_table(results):
            say(row)
    else:
        say(f"demo finished ({took})")
    return results


def _took(started: float) -> str:
    return f"{time.monotonic() - started:.1f} s of wall time"
