"""The header: who JobRunner is, imports against the quota, and counts, as an HTML string.

JobRunner's pid is the seed's whole point about the direct variant: a doomed job used up
JobRunner's restart intensity and a *new* JobRunner took its place. So the header compares the
pid in view with the one the app started with and shouts when they differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx

from jobber_lab.draw import STATUS_COLOURS
from jobber_lab.jobber import JOB_RUNNER, JobStatus
from jobber_lab.trace import APP_PREFIX

from ._html import esc, tint

__all__ = ["HeaderFacts", "clock_text", "facts_from", "header_html", "job_runner_of"]
__all__ += ["running_imports_of"]

_CHANGED = "#ff7f0e"  # the draw layer's highlight orange: the same ring in the tree


def job_runner_of(graph: nx.DiGraph) -> str | None:
    """JobRunner's pid in this graph (it is registered by name), or None while it is down."""
    for node, attrs in graph.nodes(data=True):
        if attrs.get("name") == JOB_RUNNER:
            return str(node)
    return None


def running_imports_of(graph: nx.DiGraph) -> int:
    """Live import jobs in the tree: what ``running_imports()`` would count at this moment."""
    return sum(
        1
        for _, attrs in graph.nodes(data=True)
        if attrs.get("job_type") == "import" and not attrs.get("zombie")
    )


@dataclass(frozen=True)
class HeaderFacts:
    """What the header says, computed from one moment of the trace."""

    variant: str
    mode: str  # the runtime's ``mode``: "simulated · ×0.1", "simulated · paused", "scaled ×0.1"
    quota: int
    job_runner: str | None
    first_job_runner: str | None
    running_imports: int
    processes: int
    done: int
    failed: int
    zombies: int
    refused: int
    travel: str | None  # "seq 12 of 80 at 3.2s" while time-travelling, None when live
    replaced: str | None = None  # the pid the current JobRunner replaced (the one just lost)
    now: float | None = None  # the runtime's clock when live (travel says its own time)


def facts_from(
    graph: nx.DiGraph,
    rows: Sequence[dict[str, Any]],
    *,
    variant: str,
    mode: str,
    quota: int,
    first_job_runner: str | None,
    refused: int,
    travel: str | None,
    replaced: dict[str, str] | None = None,
    now: float | None = None,
) -> HeaderFacts:
    """Count what the header shows from the graph and the job rows of one moment."""
    processes = sum(
        1
        for node, attrs in graph.nodes(data=True)
        if not str(node).startswith(APP_PREFIX) and not attrs.get("zombie")
    )
    job_runner = job_runner_of(graph)
    return HeaderFacts(
        variant=variant,
        mode=mode,
        quota=quota,
        job_runner=job_runner,
        first_job_runner=first_job_runner,
        running_imports=running_imports_of(graph),
        processes=processes,
        done=sum(1 for r in rows if r.get("status") == JobStatus.DONE),
        failed=sum(1 for r in rows if r.get("status") == JobStatus.FAILED),
        zombies=sum(1 for _, a in graph.nodes(data=True) if a.get("zombie")),
        refused=refused,
        travel=travel,
        replaced=(replaced or {}).get(job_runner) if job_runner else None,
        now=now,
    )


def clock_text(seconds: float) -> str:
    """Runtime seconds as the header, the Step notice and the log print them (``5.000 s``):
    three decimals, as the log's times, so a line and the clock can be compared by eye."""
    return f"{seconds:.3f} s"


def _badge(text: str, colour: str, cls: str) -> str:
    return (
        f"<span class='{cls}' style='background:{colour};padding:1px 6px;border-radius:4px;"
        f"margin-right:2px;white-space:nowrap'>{text}</span>"
    )


def header_html(f: HeaderFacts) -> str:
    """One line of facts; the JobRunner badge turns orange once its pid has changed."""
    changed = f.job_runner is not None and f.first_job_runner not in (None, f.job_runner)
    if f.job_runner is None:
        down = tint(STATUS_COLOURS[JobStatus.FAILED], "80")
        runner = _badge("JobRunner: down", down, "jl-runner")
    elif changed:
        # The pid just replaced, not the first one: after two restarts "was <first>" would
        # name a process the student never saw die this time.
        gone = f.replaced or f.first_job_runner
        runner = _badge(
            f"JobRunner {esc(f.job_runner)} — a new JobRunner, replaced {esc(gone)}",
            _CHANGED,
            "jl-runner jl-runner-changed",
        )
    else:
        runner = _badge(f"JobRunner {esc(f.job_runner)}", "#e8e8e8", "jl-runner")
    full = f.running_imports >= f.quota
    imports = _badge(
        f"imports {f.running_imports} / {f.quota}" + (" (quota reached)" if full else ""),
        tint(STATUS_COLOURS[JobStatus.ERRORED]) if full else "#e8f1fb",
        "jl-imports",
    )
    counts = (
        "<span class='jl-counts' style='white-space:nowrap'>"
        f"{f.processes} processes · {f.done} done · {f.failed} failed"
        + (f" · {f.refused} imports refused" if f.refused else "")
        + "</span>"
    )
    zombies = (
        _badge(f"{f.zombies} zombie threads", tint(STATUS_COLOURS["zombie"], "80"), "jl-zombies")
        if f.zombies
        else ""
    )
    mode = (
        _badge(f"◀ time travel: {esc(f.travel)}", "#fff4cc", "jl-travel")
        if f.travel
        else _badge("● live", "#e3f4e3", "jl-live")
    )
    paused = f.mode.endswith("paused")
    clock = (
        _badge(
            ("paused · " if paused else "") + f"t = {clock_text(f.now)}",
            "#ffe066" if paused else "#eef0f4",
            "jl-clock jl-paused" if paused else "jl-clock",
        )
        if f.now is not None
        else ""
    )
    scale = (
        f"<span class='jl-mode' style='color:#666;margin-left:6px;white-space:nowrap'>"
        f"{esc(f.variant)} variant · "
        f"{esc(f.mode)}</span>"
    )
    return (
        "<div class='jl-header' style='font-family:sans-serif;font-size:13px;line-height:1.9'>"
        + " ".join(p for p in (mode, clock, runner, imports, zombies, counts, scale) if p)
        + "</div>"
    )
