"""The seed README's story, told by the running system (``jobber-lab demo`` and ``tree``).

Each step starts real jobs on a real runtime and waits on the tracer for the
event that ends it, so the narration printed is what actually happened, in the
order it happened, at any time scale.  ``simulated=True`` (``jobber-lab demo
--simulated``) tells it on simulated time: the book's timings, exact, the same
text on every run, in a fraction of a second.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobber_lab import jobber, otp
from jobber_lab.jobber import JobEventKind, JobStatus
from jobber_lab.otp import Event, Runtime
from jobber_lab.trace import Tracer, text_tree

from ._story import Print, StoryTeller

__all__ = ["StoryResult", "live_tree", "run_story", "write_tree_picture"]

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
    """The first event matching ``predicate``: on a simulated runtime ``Tracer.wait_for``
    lets time pass (deadline by deadline) until it comes; on a scaled one it waits."""
    return tracer.wait_for(predicate, SIM_WAIT if tracer.simulated else WAIT)


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
    tracer = Tracer(rt)
    teller = StoryTeller(tracer, say, result, verbose=verbose, explain=number in (None, 1))
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
    app: jobber.Jobber, tracer: Tracer, teller: StoryTeller, variant: str, seconds: float
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
    tracer = Tracer(rt)
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
    tracer = Tracer(rt)
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
