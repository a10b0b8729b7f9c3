"""Synthetic inputs for the drawing tests (imported by name: a module called ``conftest``
would clash with the other test folders'), built to the tracer's graph contract and the core's
event kinds (``jobber_lab.otp._events``), so these tests need neither a runtime nor a tracer."""

from __future__ import annotations

from typing import Any

import networkx as nx

# The same tracer-shaped 3-ary tree the redraw benchmark times (one generator, not two).
from bench.bench_redraw import STATUSES, ternary_tree
from jobber_lab.otp import Event

__all__ = ["STATUSES", "doomed_scenario", "jobber_tree", "message_scenario", "ternary_tree"]


def jobber_tree(jobs: int = 3, *, zombie: bool = False) -> nx.DiGraph:
    """The book's tree: application -> Jobber.Supervisor -> JobRegistry + JobRunner ->
    JobSupervisor -> Job (isolated variant)."""
    g = nx.DiGraph()
    g.add_node("app:jobber", label="jobber", role="application", status="running", started=0.0)
    g.add_node(
        "<0.10.0>",
        label="Jobber.Supervisor",
        role="supervisor",
        started=0.1,
        behaviour="supervisor",
    )
    g.add_node("<0.11.0>", label="JobRegistry", role="registry", started=0.2)
    g.add_node(
        "<0.12.0>",
        label="JobRunner",
        role="supervisor",
        started=0.3,
        restarts=1,
        behaviour="dynamic_supervisor",
    )
    g.add_edge("app:jobber", "<0.10.0>", dynamic=False)
    g.add_edge("<0.10.0>", "<0.11.0>", dynamic=False)
    g.add_edge("<0.10.0>", "<0.12.0>", dynamic=False)
    for j in range(jobs):
        sup, job = f"<0.{20 + 2 * j}.0>", f"<0.{21 + 2 * j}.0>"
        g.add_node(
            sup,
            label="JobSupervisor",
            role="supervisor",
            dynamic=True,
            started=1.0 + j,
            window_restarts=j,
        )
        g.add_node(
            job,
            label=f"Job {j}",
            role="worker",
            status=STATUSES[j % 5],
            job_id=f"job{j}",
            job_type="import",
            restarts=j,
            started=1.1 + j,
            zombie=zombie and j == 0,
        )
        g.add_edge("<0.12.0>", sup, dynamic=True)
        g.add_edge(sup, job, dynamic=False)
    return g


class EventLog:
    """Builds an ordered event list the way the runtime would emit it."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def add(self, time: float, kind: str, pid: str | None = None, **fields: Any) -> Event:
        event = Event(len(self.events) + 1, time, kind, pid, fields)
        self.events.append(event)
        return event


def doomed_scenario() -> list[Event]:
    """A good job, a retried job, and a doomed job whose JobSupervisor gives up (3 in 30 s)."""
    log = EventLog()
    log.add(
        0.0,
        "spawned",
        "<0.12.0>",
        parent="<0.10.0>",
        name="JobRunner",
        behaviour="dynamic_supervisor",
        role="supervisor",
        linked=True,
    )
    log.add(0.0, "named", "<0.12.0>", name="Jobber.JobRunner")
    # good job
    log.add(
        1.0,
        "child_started",
        "<0.20.0>",
        supervisor="<0.12.0>",
        child_id=None,
        restart="temporary",
        role="supervisor",
        dynamic=True,
        shutdown=None,
    )
    log.add(
        1.0,
        "child_started",
        "<0.21.0>",
        supervisor="<0.20.0>",
        child_id="job",
        restart="transient",
        role="worker",
        dynamic=False,
        shutdown=5.0,
    )
    log.add(
        1.0,
        "job_status",
        "<0.21.0>",
        job_id="good1",
        job_type="good",
        status="new",
        retries=0,
        attempt=0,
    )
    log.add(
        1.1,
        "job_status",
        "<0.21.0>",
        job_id="good1",
        job_type="good",
        status="running",
        retries=0,
        attempt=1,
    )
    log.add(
        3.0,
        "job_status",
        "<0.21.0>",
        job_id="good1",
        job_type="good",
        status="done",
        retries=0,
        attempt=1,
    )
    log.add(3.0, "exited", "<0.21.0>", reason="normal", reason_kind="normal", exception=None)
    # retried job (errors once, then done)
    log.add(
        2.0,
        "child_started",
        "<0.22.0>",
        supervisor="<0.12.0>",
        child_id=None,
        restart="temporary",
        role="supervisor",
        dynamic=True,
        shutdown=None,
    )
    log.add(
        2.0,
        "child_started",
        "<0.23.0>",
        supervisor="<0.22.0>",
        child_id="job",
        restart="transient",
        role="worker",
        dynamic=False,
        shutdown=5.0,
    )
    log.add(
        2.0,
        "job_status",
        "<0.23.0>",
        job_id="bad1",
        job_type="bad",
        status="running",
        retries=0,
        attempt=1,
    )
    log.add(
        2.5,
        "job_status",
        "<0.23.0>",
        job_id="bad1",
        job_type="bad",
        status="errored",
        retries=1,
        attempt=1,
    )
    log.add(
        7.5,
        "job_status",
        "<0.23.0>",
        job_id="bad1",
        job_type="bad",
        status="running",
        retries=1,
        attempt=2,
    )
    log.add(
        8.0,
        "job_status",
        "<0.23.0>",
        job_id="bad1",
        job_type="bad",
        status="done",
        retries=1,
        attempt=2,
    )
    # doomed job: crashes, restarted 3 times, the 4th crash is one too many
    log.add(
        4.0,
        "child_started",
        "<0.30.0>",
        supervisor="<0.12.0>",
        child_id=None,
        restart="temporary",
        role="supervisor",
        dynamic=True,
        shutdown=None,
    )
    pid = "<0.31.0>"
    log.add(
        4.0,
        "child_started",
        pid,
        supervisor="<0.30.0>",
        child_id="job",
        restart="transient",
        role="worker",
        dynamic=False,
        shutdown=5.0,
    )
    for attempt in range(1, 5):
        t = 4.0 + 2 * attempt
        log.add(
            t,
            "job_status",
            pid,
            job_id="doomed1",
            job_type="doomed",
            status="running",
            retries=0,
            attempt=attempt,
        )
        log.add(
            t + 0.5,
            "exited",
            pid,
            reason="RuntimeError('boom')",
            reason_kind="crash",
            exception="RuntimeError: boom",
        )
        if attempt < 4:
            new = f"<0.{31 + attempt}.0>"
            log.add(
                t + 0.5,
                "child_restarted",
                new,
                supervisor="<0.30.0>",
                old_pid=pid,
                child_id="job",
                restart="transient",
                role="worker",
                dynamic=False,
                restarts=attempt,
            )
            pid = new
    log.add(
        12.5,
        "intensity_reached",
        None,
        supervisor="<0.30.0>",
        child_id="job",
        restart="transient",
        role="worker",
        dynamic=False,
        restarts=4,
        max_restarts=3,
        max_seconds=30,
    )
    log.add(
        12.5,
        "supervisor_gave_up",
        None,
        supervisor="<0.30.0>",
        child_id="job",
        restart="transient",
        role="worker",
        dynamic=False,
        reason="shutdown",
    )
    log.add(12.6, "exited", "<0.30.0>", reason="shutdown", reason_kind="shutdown", exception=None)
    return sorted(log.events, key=lambda e: (e.time, e.seq))


def message_scenario() -> list[Event]:
    log = EventLog()
    log.add(
        0.0,
        "spawned",
        "<0.12.0>",
        parent="<0.10.0>",
        name="JobRunner",
        behaviour="dynamic_supervisor",
        role="supervisor",
        linked=True,
    )
    log.add(
        0.0,
        "spawned",
        "<0.5.0>",
        parent=None,
        name="iex",
        behaviour=None,
        role="worker",
        linked=False,
    )
    log.add(
        0.1,
        "spawned",
        "<0.20.0>",
        parent="<0.12.0>",
        name=None,
        behaviour="supervisor",
        role="supervisor",
        linked=True,
    )
    log.add(
        0.2, "message_sent", "<0.5.0>", other="<0.12.0>", message="{:start_child, spec}", tag="call"
    )
    log.add(0.3, "message_sent", "<0.12.0>", other="<0.20.0>", message="start", tag="info")
    log.add(
        0.4, "message_sent", "<0.12.0>", other="<0.5.0>", message="{:ok, <0.20.0>}", tag="reply"
    )
    log.add(0.5, "message_sent", "<0.20.0>", other="<0.20.0>", message=":retry", tag="info")
    log.add(
        0.6,
        "message_sent",
        "<0.20.0>",
        other="<0.12.0>",
        message="{:EXIT, <0.20.0>, :shutdown}",
        tag="EXIT",
    )
    log.add(0.7, "message_sent", None, other="<0.12.0>", message="hello", tag="cast")
    return log.events
