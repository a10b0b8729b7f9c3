"""Synthetic event stories shaped like the Jobber app, for the tracer tests.

Imported by the tests as ``trace_story`` (a plain module, not a conftest: names of
conftest modules collide across test folders). The tests build events by hand (no runtime,
no threads, no sleeps) so every graph step is known exactly; ``Story`` hands out increasing
seq/time and pids like ``<1.5.0>``.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from jobber_lab.otp import Event


class Story:
    """Builds an event list the way a runtime would emit it, one fact at a time."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.time = 0.0
        self._serial = 0

    def emit(self, kind: str, pid: str | None = None, **fields: Any) -> Event:
        self.time = round(self.time + 0.01, 6)
        event = Event(len(self.events) + 1, self.time, kind, pid, fields)
        self.events.append(event)
        return event

    def wait(self, seconds: float) -> None:
        self.time = round(self.time + seconds, 6)

    def spawn(
        self, parent: str | None, behaviour: str, role: str = "worker", name: str | None = None
    ) -> str:
        self._serial += 1
        pid = f"<1.{self._serial}.0>"
        self.emit(
            "spawned", pid, parent=parent, name=name, behaviour=behaviour, role=role, linked=True
        )
        if name is not None:
            self.emit("named", pid, name=name)
        return pid

    def child(
        self,
        supervisor: str,
        behaviour: str,
        child_id: str,
        *,
        role: str = "worker",
        restart: str = "permanent",
        dynamic: bool = False,
        name: str | None = None,
        old_pid: str | None = None,
        restarts: int = 0,
    ) -> str:
        """A supervisor starts (or, with ``old_pid``, restarts) a child."""
        spawn_role = "registry" if behaviour == "Registry" else role
        pid = self.spawn(supervisor, behaviour, spawn_role, name)
        common = dict(supervisor=supervisor, child_id=child_id, restart=restart, role=role)
        if old_pid is None:
            self.emit("child_started", pid, **common, dynamic=dynamic, shutdown=5.0)
        else:
            self.emit(
                "child_restarted",
                pid,
                **common,
                old_pid=old_pid,
                dynamic=dynamic,
                restarts=restarts,
            )
        return pid

    def exit(self, pid: str, kind: str = "normal", exception: str | None = None) -> None:
        reason = {"crash": exception or "RuntimeError: boom"}.get(kind, kind)
        self.emit("exited", pid, reason=reason, reason_kind=kind, exception=exception)

    def status(self, pid: str, job_id: str, status: str, **extra: Any) -> None:
        fields = dict(job_id=job_id, job_type="import", status=status, retries=0, attempt=1)
        fields.update(extra)
        self.emit("job_status", pid, **fields)


class Jobber:
    """The book's tree: application -> Jobber.Supervisor -> JobRegistry + JobRunner."""

    def __init__(self, story: Story) -> None:
        self.story = s = story
        self.shell = s.spawn(None, "shell")
        self.master = s.spawn(self.shell, "ApplicationMaster", "application")
        self.top = s.spawn(self.master, "Supervisor", "supervisor", name="Jobber.Supervisor")
        self.registry = s.child(
            self.top, "Registry", "JobRegistry", role="supervisor", name="JobRegistry"
        )
        self.runner = s.child(
            self.top, "DynamicSupervisor", "JobRunner", role="supervisor", name="JobRunner"
        )
        s.emit("app_started", self.top, app="jobber", reason=None)

    def job_supervisor(self) -> str:
        return self.story.child(
            self.runner,
            "JobSupervisor",
            "undefined",
            role="supervisor",
            restart="temporary",
            dynamic=True,
        )

    def job(
        self,
        parent: str,
        job_id: str,
        *,
        dynamic: bool,
        old_pid: str | None = None,
        restarts: int = 0,
    ) -> str:
        s = self.story
        pid = s.child(
            parent,
            "Job",
            "Job" if not dynamic else "undefined",
            restart="transient",
            dynamic=dynamic,
            old_pid=old_pid,
            restarts=restarts,
        )
        s.emit("registry_register", pid, registry="JobRegistry", key=job_id, value="import")
        s.status(pid, job_id, "new")
        return pid


def jobber_isolated() -> tuple[Story, dict[str, Any]]:
    """Isolated variant: a good job completes; a doomed job (new id per start) is restarted 3
    times by its JobSupervisor, which then gives up; a third job is still running."""
    s = Story()
    app = Jobber(s)
    good_sup = app.job_supervisor()
    good = app.job(good_sup, "good-1", dynamic=False)
    s.status(good, "good-1", "running")
    s.status(good, "good-1", "done")
    s.exit(good)
    s.emit("registry_unregister", good, registry="JobRegistry", key="good-1", value="import")

    doomed_sup = app.job_supervisor()
    doomed: list[str] = []
    old = None
    for n in range(4):
        pid = app.job(doomed_sup, f"doomed-{n}", dynamic=False, old_pid=old, restarts=n)
        s.status(pid, f"doomed-{n}", "running")
        s.exit(pid, "crash", "RuntimeError: Boom!")
        doomed.append(pid)
        old = pid
    s.emit(
        "intensity_reached",
        doomed_sup,
        supervisor=doomed_sup,
        restarts=4,
        max_restarts=3,
        max_seconds=30,
    )
    s.emit(
        "supervisor_gave_up",
        doomed_sup,
        supervisor=doomed_sup,
        reason="reached_max_restart_intensity",
    )
    s.exit(doomed_sup, "shutdown")

    busy_sup = app.job_supervisor()
    busy = app.job(busy_sup, "busy-1", dynamic=False)
    s.status(busy, "busy-1", "running")
    s.emit("quota_refused", None, job_type="import", running=3, quota=3)
    return s, {
        "app": app,
        "good_sup": good_sup,
        "good": good,
        "doomed_sup": doomed_sup,
        "doomed": doomed,
        "busy_sup": busy_sup,
        "busy": busy,
    }


def jobber_direct() -> tuple[Story, dict[str, Any]]:
    """Direct variant: JobRunner supervises Jobs itself; a doomed job with an explicit id
    exhausts JobRunner's intensity, and Jobber.Supervisor replaces JobRunner with a new pid."""
    s = Story()
    app = Jobber(s)
    old_runner = app.runner
    pids: list[str] = []
    old = None
    for n in range(4):
        pid = app.job(old_runner, "doomed", dynamic=True, old_pid=old, restarts=n)
        s.status(pid, "doomed", "running")
        s.status(pid, "doomed", "errored", retries=1, max_retries=3)
        s.exit(pid, "crash", "RuntimeError: Boom!")
        pids.append(pid)
        old = pid
    s.emit(
        "intensity_reached",
        old_runner,
        supervisor=old_runner,
        restarts=4,
        max_restarts=3,
        max_seconds=5,
    )
    s.emit(
        "supervisor_gave_up",
        old_runner,
        supervisor=old_runner,
        reason="shutdown",
    )
    s.exit(old_runner, "shutdown")
    s.emit("unnamed", old_runner, name="JobRunner")
    new_runner = s.child(
        app.top,
        "DynamicSupervisor",
        "JobRunner",
        role="supervisor",
        name="JobRunner",
        old_pid=old_runner,
        restarts=1,
    )
    app.runner = new_runner
    return s, {"app": app, "old_runner": old_runner, "new_runner": new_runner, "jobs": pids}


def assert_same_graph(a: nx.DiGraph, b: nx.DiGraph) -> None:
    """Equal nodes, edges and every attribute (networkx's == is identity)."""
    assert dict(a.nodes(data=True)) == dict(b.nodes(data=True))
    assert {(u, v): d for u, v, d in a.edges(data=True)} == {
        (u, v): d for u, v, d in b.edges(data=True)
    }
    assert a.graph == b.graph
