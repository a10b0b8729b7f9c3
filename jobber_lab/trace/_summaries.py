"""Tables and log lines for the UI, computed from the event history.

Each summary replays the events through the same reducer as the live graph (so a restart is
counted by one rule, in one place) and reads off what it needs. They are pure functions of
the events: a recorded trace gives the same tables as the live run did.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import networkx as nx

from jobber_lab.jobber import JobEventKind
from jobber_lab.otp import Event, EventKind

from ._describe import describe
from ._graph import GraphState, apply_event, new_graph, starting_point
from ._node import NodeAttrs

__all__ = ["DEFAULT_WINDOW", "job_rows", "log_lines", "replay", "supervisor_rows"]

#: Seconds of restart history counted when a supervisor's max_seconds is not known
#: (OTP's default max_seconds; the book's JobSupervisor uses 30).
DEFAULT_WINDOW = 5.0

Start = tuple[nx.DiGraph, GraphState]


def replay(
    events: Iterable[Event], start: Start | None = None
) -> Iterator[tuple[Event, nx.DiGraph, GraphState]]:
    """Apply ``events`` one by one, yielding the event with the graph and state just after it.

    The graph and state are the same objects every time (mutated in place): read, don't keep.
    """
    graph, state = starting_point(start)
    for event in events:
        apply_event(graph, event, state)
        yield event, graph, state


def _attrs(graph: nx.DiGraph, state: GraphState, pid: str | None) -> NodeAttrs | None:
    if pid is None:
        return None
    if pid in graph:
        return graph.nodes[pid]
    remembered = state.dead.get(pid)
    return None if remembered is None else remembered[0]


def job_rows(events: Iterable[Event], start: Start | None = None) -> list[dict[str, Any]]:
    """One row per job id seen in ``job_status`` events, in the order jobs first appeared.

    Row keys: ``id``, ``type``, ``status`` (latest), ``attempts`` (distinct attempts seen,
    counted per process), ``retries`` (latest), ``restarts`` (how many times the supervisor
    restarted the job's latest process, carried from pid to pid: a job started 4 times has 3;
    a doomed job without an explicit id gets a new id per start, so each of its rows carries
    the count of its own process), ``pid`` (latest), ``started`` (spawn time of its first
    process, else its first status time), ``ended`` (exit time of its latest process or None),
    ``alive``.
    """
    rows: dict[Any, dict[str, Any]] = {}
    attempts: dict[Any, set[tuple[str | None, Any]]] = {}
    job_of_pid: dict[str, Any] = {}
    state = GraphState()
    for event, graph, state in replay(events, start):
        if event.kind == JobEventKind.JOB_STATUS:
            pid = event.get("pid", event.pid)
            job_id = event.get("job_id") or pid
            row = rows.get(job_id)
            if row is None:
                attrs = _attrs(graph, state, pid)
                started = attrs["started"] if attrs and attrs["started"] is not None else None
                row = rows[job_id] = {
                    "id": job_id,
                    "type": None,
                    "status": None,
                    "attempts": 0,
                    "retries": None,
                    "restarts": 0,
                    "pid": pid,
                    "started": event.time if started is None else started,
                    "ended": None,
                    "alive": True,
                }
                attempts[job_id] = set()
            if row["pid"] != pid:
                row.update(pid=pid, ended=None, alive=True)
            for key, field in (("type", "job_type"), ("status", "status"), ("retries", "retries")):
                if event.get(field) is not None:
                    row[key] = event.get(field)
            if (event.get("attempt") or 0) > 0:  # "new" (attempt 0) is not an attempt
                attempts[job_id].add((pid, event.get("attempt")))
            if pid is not None:
                job_of_pid[pid] = job_id
        elif event.kind in (EventKind.EXITED, EventKind.ZOMBIE):
            job_id = job_of_pid.get(event.pid or "")
            row = rows.get(job_id)
            if row is not None and row["pid"] == event.pid and row["alive"]:
                row.update(ended=event.time, alive=False)
    for job_id, row in rows.items():
        row["attempts"] = len(attempts[job_id])
        row["restarts"] = state.restarted.get(row["pid"], 0)
    return list(rows.values())


def supervisor_rows(
    events: Iterable[Event],
    start: Start | None = None,
    now: float | None = None,
    window: float | Mapping[str, float] = DEFAULT_WINDOW,
) -> list[dict[str, Any]]:
    """One row per supervisor seen, in order of appearance, with its restarts in the window.

    ``child_restarted`` events do not say the supervisor's ``max_seconds``, so the window is:
    the ``max_seconds`` of its ``intensity_reached`` event if it had one, else ``window``
    (seconds, or a mapping from label or behaviour to seconds such as ``{"JobSupervisor": 30}``;
    supervisors matching neither get :data:`DEFAULT_WINDOW`). Restarts counted are
    ``child_restarted`` and ``restart_failed`` events (OTP counts failed restart attempts too) with
    ``time >= now - window``; ``now`` defaults to the time of the last event. OTP rounds times
    to whole seconds; this count uses the event times as they are, so it can differ by one at
    the edge of the window.

    Row keys: ``pid``, ``label``, ``restarts`` (in the window), ``total_restarts``, ``window``,
    ``max_restarts`` and ``max_seconds`` (None unless intensity was reached), ``alive``,
    ``gave_up``.
    """
    rows: dict[str, dict[str, Any]] = {}
    times: dict[str, list[float]] = {}
    last_time: float | None = None
    state = GraphState()
    graph = new_graph() if start is None else start[0]
    if graph.graph.get("time") is not None:
        last_time = graph.graph["time"]

    def row_of(pid: str) -> dict[str, Any]:
        if pid not in rows:
            rows[pid] = {
                "pid": pid,
                "label": pid,
                "restarts": 0,
                "total_restarts": 0,
                "window": None,
                "max_restarts": None,
                "max_seconds": None,
                "alive": True,
                "gave_up": False,
            }
            times[pid] = []
        return rows[pid]

    for event, graph, state in replay(events, start):
        last_time = event.time
        kind = event.kind
        if kind in (EventKind.SPAWNED, EventKind.CHILD_STARTED, EventKind.CHILD_RESTARTED):
            attrs = _attrs(graph, state, event.get("pid", event.pid))
            if attrs is not None and attrs["role"] == "supervisor" and attrs["pid"] is not None:
                row_of(attrs["pid"])
        sup = event.get("supervisor")
        if kind in (EventKind.CHILD_RESTARTED, EventKind.RESTART_FAILED) and sup is not None:
            times[row_of(sup)["pid"]].append(event.time)
        elif kind == EventKind.INTENSITY_REACHED:
            row = row_of(sup if sup is not None else str(event.pid))
            row["max_restarts"] = event.get("max_restarts")
            row["max_seconds"] = event.get("max_seconds")
        elif kind == EventKind.SUPERVISOR_GAVE_UP:
            row_of(sup if sup is not None else str(event.pid))["gave_up"] = True
        elif kind in (EventKind.EXITED, EventKind.ZOMBIE) and event.pid in rows:
            rows[event.pid]["alive"] = False
    at = now if now is not None else last_time
    for pid, row in rows.items():
        row["label"] = state.labels.get(pid, pid)
        seconds = _window_seconds(row, window, graph, state)
        row["window"] = seconds
        row["total_restarts"] = len(times[pid])
        row["restarts"] = 0 if at is None else sum(1 for t in times[pid] if t >= at - seconds)
    return list(rows.values())


def _window_seconds(
    row: Mapping[str, Any],
    window: float | Mapping[str, float],
    graph: nx.DiGraph,
    state: GraphState,
) -> float:
    """The window a supervisor's restarts are counted in: its own ``max_seconds`` once it
    reached its intensity, else ``window`` (a mapping: by label, else by behaviour)."""
    if row["max_seconds"] is not None:
        return float(row["max_seconds"])
    if isinstance(window, Mapping):
        # By label, else by behaviour: a JobSupervisor is labelled by its job's id.
        attrs = _attrs(graph, state, row["pid"])
        behaviour = attrs["behaviour"] if attrs is not None else None
        by_behaviour = (
            window.get(behaviour, DEFAULT_WINDOW) if behaviour is not None else DEFAULT_WINDOW
        )
        return float(window.get(row["label"], by_behaviour))
    return float(window)


def log_lines(
    events: Iterable[Event], start: Start | None = None, n: int | None = None, times: bool = True
) -> list[str]:
    """Readable lines for the events worth reading (see :func:`describe`), oldest first.

    Names are the ones known at each event's moment. ``n`` keeps the last ``n`` lines;
    ``times`` prefixes each with the runtime time in seconds.
    """
    lines: list[str] = []
    for event, _graph, state in replay(events, start):
        text = describe(event, state.labels)
        if text is not None:
            lines.append(f"{event.time:8.3f}s  {text}" if times else text)
    if n is not None:
        return lines[-n:] if n > 0 else []
    return lines
