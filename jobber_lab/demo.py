"""The seed README's story, told by the running system (``jobber-lab demo`` and ``tree``).

Each step starts real jobs on a real runtime and waits on the tracer for the
event that ends it, so the narration printed is what actually happened, in the
order it happened, at any time scale.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jobber_lab import jobber, otp
from jobber_lab.otp import Event, Runtime
from jobber_lab.trace import Tracer, text_tree

__all__ = ["StoryResult", "live_tree", "run_story", "write_tree_picture"]

Print = Callable[[str], None]
WAIT = 30.0  # wall seconds: generous, never reached unless something is broken


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


def _exit_of(pid: Any) -> Callable[[Event], bool]:
    text = str(pid)
    return lambda e: e.kind == "exited" and e.pid == text


def _wait(tracer: Tracer, predicate: Callable[[Event], bool], what: str) -> Event:
    event = tracer.wait_for(predicate, WAIT)
    if event is None:
        raise RuntimeError(f"demo: gave up waiting for {what}")
    return event


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


def run_story(
    variant: str = "isolated",
    *,
    time_scale: float = 0.01,
    seconds: float = 5,
    say: Print = print,
) -> StoryResult:
    """Good, bad and doomed jobs, then four imports, on a fresh runtime; narrated."""
    result = StoryResult(variant)
    rt = Runtime(time_scale=time_scale, name=f"demo-{variant}")
    tracer = Tracer(rt)
    narrate = _Narrator(tracer, say)
    tracer.on_change(narrate)
    app = jobber.Jobber(variant=variant, runtime=rt)
    say = narrate.step
    try:
        say(
            f"\n=== Jobber, {variant} variant (time scale {time_scale}: the book's "
            f"{seconds:g} s jobs take {seconds * time_scale * 1000:.0f} ms) ==="
        )
        say("-- a good job, a bad job (3 retries) and a doomed job --")
        good = app.start_job(work=jobber.good_job(seconds))
        bad = app.start_job(work=jobber.bad_job(seconds), max_retries=3)
        good_pid, bad_pid = _job_pid(app, tracer, good), _job_pid(app, tracer, bad)
        before = app.job_runner
        result.job_runner_before = str(before)
        say(f"Process.whereis(JobRunner) = {before}")
        doomed = app.start_job(work=jobber.doomed_job(seconds))
        _wait(tracer, _exit_of(good_pid), "the good job")
        gave_up = str(doomed.value) if variant == "isolated" else str(before)
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
        after = app.job_runner
        result.job_runner_after = str(after)
        say(
            f"Process.whereis(JobRunner) = {after}"
            + (
                "  <- a new JobRunner: the doomed job took the old one down"
                if after != before
                else "  (unchanged: the JobSupervisor contained the crash)"
            )
        )
        say("-- four import jobs against a quota of 3 --")
        imports = [app.start_job(work=jobber.good_job(seconds), type="import") for _ in range(4)]
        result.refused_imports = sum(1 for r in imports if isinstance(r, otp.Error))
        for r in imports:
            say(f"start_job(type='import') -> {r}")
        result.running_imports = app.running_imports()
        say(
            f"running_imports() -> {len(result.running_imports)} running: "
            + ", ".join(row["id"] for row in result.running_imports)
        )
        tracer.flush()
        result.tree = text_tree(tracer.graph)
        say("-- the live supervision tree --")
        say(result.tree)
    finally:
        app.stop()
        rt.shutdown()
        tracer.detach()
        result.events = len(tracer.history)
    return result


class _Narrator:
    """Prints each event the tracer can put in words, with its runtime time."""

    def __init__(self, tracer: Tracer, say: Print) -> None:
        self._tracer = tracer
        self._say = say
        self._lock = threading.Lock()

    def __call__(self, event: Event) -> None:
        text = self._tracer.describe(event)
        if text:
            with self._lock:
                self._say(f"[{event.time:7.2f}s] {text}")

    def step(self, text: str) -> None:
        """A line of the story: printed after every event so far, so the log reads in order."""
        self._tracer.flush()
        with self._lock:
            self._say(text)


def live_tree(
    variant: str = "isolated", *, time_scale: float = 0.01, settle: float = 2.0
) -> tuple[jobber.Jobber, Tracer]:
    """Start Jobber with a few long jobs running, so the tree has JobSupervisors and Jobs.

    The caller owns the result: draw from ``tracer.graph``, then ``app.stop()``.
    """
    rt = Runtime(time_scale=time_scale, name=f"tree-{variant}")
    tracer = Tracer(rt)
    app = jobber.Jobber(variant=variant, runtime=rt, auto_shutdown=False)
    long = 3600  # runtime seconds: they stay alive while we draw
    app.start_job(work=jobber.good_job(long))
    app.start_job(work=jobber.good_job(long), type="import")
    app.start_job(work=jobber.bad_job(long), type="report")
    done = app.start_job(work=jobber.good_job(settle))  # ends: its JobSupervisor lingers
    _wait(
        tracer,
        lambda e: e.kind == "job_status" and e.get("status") == "done",
        "the short job to finish",
    )
    _ = done
    tracer.flush()
    return app, tracer


def write_tree_picture(
    path: str | Path, *, variant: str = "isolated", time_scale: float = 0.01
) -> Path:
    """``jobber-lab tree``: a live app's tree, drawn from the tracer's graph."""
    from jobber_lab.draw import save_tree

    app, tracer = live_tree(variant, time_scale=time_scale)
    try:
        graph = tracer.graph
        out = Path(path)
        save_tree(graph, out, title=f"Jobber supervision tree ({variant}, live)")
        return out
    finally:
        app.stop()
        app.runtime.shutdown()
        tracer.detach()


def main_demo(
    *, variants: list[str], time_scale: float, picture: str | None, say: Print = print
) -> list[StoryResult]:
    started = time.monotonic()
    results = [run_story(v, time_scale=time_scale, say=say) for v in variants]
    if picture:
        out = write_tree_picture(picture, time_scale=time_scale)
        say(f"\nwrote {out} from the live tree")
    say(f"\ndemo finished in {time.monotonic() - started:.1f} s")
    return results
