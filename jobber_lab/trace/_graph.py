"""The reducer: one event in, the supervision-tree graph one step further.

The live tracer and every replay (``graph_at``, ``Tracer.load``, the summaries) run this same
function over the same events, so a recorded trace rebuilds exactly the graph that was seen
live. Nothing here looks at a clock, a thread or a runtime: the graph is a pure function of the
event sequence.

Exited processes leave the live graph, but the story of the last few seconds stays readable:
a process that crashed, gave up or was shut down by its supervisor is kept for
:data:`GHOST_SECONDS` runtime seconds as a *ghost* in ``graph.graph["ghosts"]`` (pid -> its
last attributes plus ``ghost`` = ``"crashed"``/``"killed"``/``"gave up"``/``"shut down"``,
``exited``, ``reason`` and ``parent``). Ghosts expire by event time, not by a clock, so the
graph stays a pure function of the events; the ghosts dict is replaced, never mutated, so a
copied graph never changes under its reader.

Events may arrive in an order a reader would not expect: a process's ``unnamed`` follows its
``exited``, and a child that crashes at once can exit before its supervisor reports
``child_started``. Facts about a process that already exited therefore update what is
remembered about it but never bring it back into the live graph; only a ``zombie`` event does
(a thread that would not unwind stays visible, marked).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from jobber_lab.jobber import JobEventKind
from jobber_lab.otp import Event, EventKind

from ._node import (
    APP_PREFIX,
    NodeAttrs,
    app_node,
    default_attrs,
    name_of,
    node_label,
    process_name,
)

__all__ = [
    "APP_PREFIX",
    "GHOST_SECONDS",
    "GraphState",
    "app_node",
    "apply_event",
    "build_graph",
    "ghosts",
    "name_of",
    "new_graph",
    "node_label",
    "process_name",
    "starting_point",
]

#: How many exited processes are remembered (for late events and zombies). Bounded so a long
#: run does not keep every dead process's attributes; late events arrive within a few events.
MAX_REMEMBERED_DEAD = 10_000

#: Runtime seconds a crashed (or given-up, or shut-down) process stays drawn after its exit.
GHOST_SECONDS = 10.0
#: At most this many ghosts at once: a crash storm must not fill the picture with the dead.
MAX_GHOSTS = 64


def ghosts(graph: nx.DiGraph) -> Mapping[str, Mapping[str, Any]]:
    """The processes that exited in the last :data:`GHOST_SECONDS` (see the module doc)."""
    return graph.graph.get("ghosts") or {}


def new_graph() -> nx.DiGraph:
    """An empty tree; ``graph.graph`` holds the seq and time of the last event applied and
    the ``ghosts`` of recently exited processes."""
    return nx.DiGraph(seq=0, time=None, ghosts={})


@dataclass
class GraphState:
    """What the reducer remembers beyond the live graph.

    ``dead`` keeps the attributes and parent of recently exited processes (a zombie report
    re-adds them; late events must not resurrect them). ``labels`` and ``restarted`` keep, for
    every pid ever seen, its latest label and how many times its child slot was restarted: the
    log lines and job rows need both after the process has gone. The rest serves the story
    marks: who gave up, whose parent left first (collateral damage), each pid's last exit
    reason, and each job's attempts counted across the processes that ran it.
    """

    dead: OrderedDict[str, tuple[NodeAttrs, str | None]] = field(default_factory=OrderedDict)
    labels: dict[str, str] = field(default_factory=dict)
    restarted: dict[str, int] = field(default_factory=dict)
    #: Application master pid -> its ``app:<name>`` node, which stands for it in the tree.
    aliases: dict[str, str] = field(default_factory=dict)
    max_dead: int = MAX_REMEMBERED_DEAD
    #: Supervisors that reached their restart intensity and gave up.
    gave_up: set[str] = field(default_factory=set)
    #: Child pid -> its parent that exited before it (the child goes down as collateral).
    orphans: dict[str, str] = field(default_factory=dict)
    #: Pid -> the reason it exited with (a restarted child shows its predecessor's).
    last_exit: dict[str, str] = field(default_factory=dict)
    #: Job id -> attempts so far, over every process that ran the job; pid -> attempts seen.
    attempts: dict[str, int] = field(default_factory=dict)
    attempt_seen: dict[str, int] = field(default_factory=dict)
    ghost_seconds: float = GHOST_SECONDS

    def copy(self) -> GraphState:
        """An independent copy, so a replay can start from a checkpoint without touching it."""
        dead = OrderedDict((pid, (attrs.copy(), up)) for pid, (attrs, up) in self.dead.items())
        return GraphState(
            dead,
            dict(self.labels),
            dict(self.restarted),
            dict(self.aliases),
            self.max_dead,
            set(self.gave_up),
            dict(self.orphans),
            dict(self.last_exit),
            dict(self.attempts),
            dict(self.attempt_seen),
            self.ghost_seconds,
        )


def _node(
    graph: nx.DiGraph,
    state: GraphState,
    pid: str | None,
    time: float | None,
    create: bool = True,
    role: str = "worker",
) -> NodeAttrs | None:
    """The attribute dict to update for ``pid``: live node, remembered dead one, or a new node.

    A pid never seen before is created (a tracer attached mid-run still learns the tree from
    later events); an exited pid is updated in memory only.
    """
    if pid is None:
        return None
    if pid in graph:
        return graph.nodes[pid]
    if pid in state.dead:
        return state.dead[pid][0]
    if not create:
        return None
    graph.add_node(pid, **default_attrs(pid, time))
    attrs = graph.nodes[pid]
    attrs["role"] = role
    attrs["restarts"] = state.restarted.get(pid, 0)
    _refresh(attrs, state)
    return attrs


def _refresh(attrs: NodeAttrs, state: GraphState) -> None:
    """Recompute the derived attributes (label, restarts) after any change.

    ``restarts`` has one meaning on every node: how many times this child was restarted
    ("restarted n times"). What a supervisor did to its children is ``restarts_performed``.
    """
    pid = attrs["pid"]
    attrs["label"] = name_of(attrs)
    if pid is not None:
        state.labels[pid] = attrs["label"]


def _set_parent(graph: nx.DiGraph, parent: str, child: str, dynamic: bool) -> None:
    """Make ``parent`` the one parent of ``child``: a tree node has at most one in-edge."""
    for old in list(graph.predecessors(child)):
        if old != parent:
            graph.remove_edge(old, child)
    graph.add_edge(parent, child, dynamic=dynamic)


def _forget_oldest_dead(state: GraphState) -> None:
    while len(state.dead) > state.max_dead:
        state.dead.popitem(last=False)


def apply_event(graph: nx.DiGraph, event: Event, state: GraphState) -> None:
    """Apply one event to ``graph`` (mutated in place), remembering what is needed in ``state``.

    Kinds that say nothing about the tree (links, monitors, timers, messages, registry entries,
    quota refusals) only advance ``graph.graph["seq"]`` and ``["time"]``.
    """
    handler = _HANDLERS.get(event.kind)
    if handler is not None:
        handler(graph, event, state)
    _expire_ghosts(graph, event.time, state.ghost_seconds)
    graph.graph["seq"] = event.seq
    graph.graph["time"] = event.time


def starting_point(
    start: tuple[nx.DiGraph, GraphState] | None,
) -> tuple[nx.DiGraph, GraphState]:
    """Where a replay begins: an empty tree, or a copy of ``start`` (never ``start`` itself,
    so a snapshot can be replayed from twice)."""
    if start is None:
        return new_graph(), GraphState()
    return start[0].copy(), start[1].copy()


def build_graph(
    events: Iterable[Event], start: tuple[nx.DiGraph, GraphState] | None = None
) -> nx.DiGraph:
    """The graph after ``events``, from an empty tree or from a copy of ``start``."""
    graph, state = starting_point(start)
    for event in events:
        apply_event(graph, event, state)
    return graph


# ------------------------------------------------------------------------ ghosts


def _expire_ghosts(graph: nx.DiGraph, now: float | None, seconds: float) -> None:
    table = graph.graph.get("ghosts")
    if not table or now is None:
        return
    # Ghosts are added in event order, so the first is the oldest: one look per event.
    if now - next(iter(table.values()))["exited"] <= seconds:
        return
    graph.graph["ghosts"] = {p: g for p, g in table.items() if now - g["exited"] <= seconds}


def _drop_ghost(graph: nx.DiGraph, pid: str) -> None:
    table = graph.graph.get("ghosts")
    if table and pid in table:
        graph.graph["ghosts"] = {p: g for p, g in table.items() if p != pid}


def _exit_kind(event: Event, parent: str | None, state: GraphState) -> str | None:
    """How a process left, in the picture's words; None for a normal exit (no ghost).

    A supervisor that reached its intensity "gave up"; a process stopped with ``shutdown``,
    or whose parent had already left or given up, was "shut down" (collateral damage of its
    supervisor, not its own fault); any other abnormal exit "crashed" (or was "killed").
    """
    kind = str(event.get("reason_kind") or "crash")
    if kind == "normal":
        return None
    pid = event.pid or ""
    if pid in state.gave_up:
        return "gave up"
    if kind == "shutdown" or pid in state.orphans or (parent in state.gave_up):
        return "shut down"
    return "killed" if kind == "killed" else "crashed"


def _add_ghost(
    graph: nx.DiGraph, event: Event, attrs: NodeAttrs, parent: str | None, kind: str
) -> None:
    ghost = dict(attrs)
    ghost.update(ghost=kind, exited=event.time, reason=event.get("reason"), parent=parent)
    table = dict(graph.graph.get("ghosts") or {})
    table[str(event.pid)] = ghost
    while len(table) > MAX_GHOSTS:
        del table[next(iter(table))]
    graph.graph["ghosts"] = table


# ------------------------------------------------------------------------ one handler per kind


def _spawned(graph: nx.DiGraph, event: Event, state: GraphState) -> None:
    pid = event.pid
    if pid is None:
        return
    state.dead.pop(pid, None)  # pids are never reused; be safe with a hand-made trace
    _drop_ghost(graph, pid)
    attrs = _node(graph, state, pid, event.time)
    assert attrs is not None
    attrs["started"] = event.time
    attrs["name"] = event.get("name") or attrs["name"]
    attrs["behaviour"] = str(event.get("behaviour") or attrs["behaviour"] or "")
    attrs["role"] = str(event.get("role") or attrs["role"])
    _refresh(attrs, state)
    parent = event.get("parent")
    parent = state.aliases.get(parent, parent)
    if parent is not None and parent in graph and graph.in_degree(pid) == 0:
        graph.add_edge(parent, pid, dynamic=False)


def _child(graph: nx.DiGraph, event: Event, state: GraphState) -> None:
    """``child_started`` and ``child_restarted``: the supervisor's view of its child."""
    pid = event.get("pid", event.pid)
    supervisor = event.get("supervisor")
    if pid is None:
        return
    restarted = event.kind == EventKind.CHILD_RESTARTED
    if restarted:
        old = event.get("old_pid")
        state.restarted[pid] = state.restarted.get(old, 0) + 1 if old is not None else 1
        sup = _node(graph, state, supervisor, event.time, role="supervisor")
        if sup is not None:
            sup["restarts_performed"] += 1
            sup["restarts_in_window"] = int(event.get("restarts") or 0)
            _refresh(sup, state)
    attrs = _node(graph, state, pid, event.time)
    assert attrs is not None
    attrs["restarts"] = state.restarted.get(pid, 0)
    if restarted:
        old = event.get("old_pid")
        attrs["replaced"] = None if old is None else str(old)  # the pid just replaced
        attrs["last_exit"] = state.last_exit.get(str(old)) if old is not None else None
    attrs["child_id"] = event.get("child_id")
    attrs["restart"] = None if event.get("restart") is None else str(event.get("restart"))
    attrs["dynamic"] = bool(event.get("dynamic"))
    role = event.get("role")
    if role in ("worker", "supervisor") and attrs["role"] in ("worker", "supervisor"):
        attrs["role"] = role  # a Registry or an application master keeps its own role
    _refresh(attrs, state)
    if pid in graph and supervisor is not None:
        sup_attrs = _node(graph, state, supervisor, event.time, role="supervisor")
        if sup_attrs is not None and supervisor in graph:
            _set_parent(graph, supervisor, pid, bool(event.get("dynamic")))


def _exited(graph: nx.DiGraph, event: Event, state: GraphState) -> None:
    pid = event.pid
    if pid is None:
        return
    if event.get("reason") is not None:
        state.last_exit[pid] = str(event.get("reason"))
    if pid not in graph:
        return
    attrs = graph.nodes[pid]
    if attrs["zombie"]:
        return
    parents = list(graph.predecessors(pid))
    parent = parents[0] if parents else state.orphans.get(pid)
    for child in graph.successors(pid):
        state.orphans[child] = pid
    kind = _exit_kind(event, parent, state)
    state.orphans.pop(pid, None)
    state.dead[pid] = (attrs, parents[0] if parents else None)
    _forget_oldest_dead(state)
    graph.remove_node(pid)
    if kind is not None:
        _add_ghost(graph, event, attrs, parent, kind)


def _zombie(graph: nx.DiGraph, event: Event, state: GraphState) -> None:
    pid = event.pid
    if pid is None:
        return
    parent = None
    _drop_ghost(graph, pid)  # a zombie is drawn as itself, not as a ghost
    if pid in state.dead:
        remembered, parent = state.dead.pop(pid)
        graph.add_node(pid, **remembered)
    attrs = _node(graph, state, pid, event.time)
    assert attrs is not None
    if attrs["name"] is None and attrs["behaviour"] == "" and event.get("name"):
        attrs["behaviour"] = str(event.get("name"))
    attrs["zombie"] = True
    attrs["status"] = "zombie"
    _refresh(attrs, state)
    if parent is not None and parent in graph and graph.in_degree(pid) == 0:
        graph.add_edge(parent, pid, dynamic=bool(attrs["dynamic"]))


def _named(graph: nx.DiGraph, event: Event, state: GraphState) -> None:
    attrs = _node(graph, state, event.pid, event.time, create=event.kind == EventKind.NAMED)
    if attrs is None:
        return
    name = event.get("name")
    if event.kind == EventKind.NAMED:
        attrs["name"] = name
    elif attrs["name"] == name or name is None:
        attrs["name"] = None
    _refresh(attrs, state)


def _job_status(graph: nx.DiGraph, event: Event, state: GraphState) -> None:
    pid = event.get("pid", event.pid)
    attrs = _node(graph, state, pid, event.time)
    if attrs is None:
        return
    if not attrs["zombie"] and event.get("status") is not None:
        attrs["status"] = str(event.get("status"))
    for key in ("job_id", "job_type", "retries", "attempt"):
        if event.get(key) is not None:
            attrs[key] = event.get(key)
    job_id = attrs["job_id"]
    if job_id is not None:
        _count_attempt(state, str(pid), str(job_id), event.get("attempt"))
        attrs["attempts"] = state.attempts.get(str(job_id), 0)
        _name_job_supervisor(graph, state, str(pid), job_id, attrs["status"])
    _refresh(attrs, state)


def _count_attempt(state: GraphState, pid: str, job_id: str, attempt: Any) -> None:
    """Attempts over the job's life: a restarted Job starts again at attempt 1 in a new
    process, so each process adds the attempts it made on top of the job's earlier ones."""
    if isinstance(attempt, bool) or not isinstance(attempt, int) or attempt <= 0:
        return
    seen = state.attempt_seen.get(pid, 0)
    if attempt > seen:
        state.attempts[job_id] = state.attempts.get(job_id, 0) + attempt - seen
        state.attempt_seen[pid] = attempt


def _name_job_supervisor(
    graph: nx.DiGraph, state: GraphState, pid: str, job_id: Any, status: Any
) -> None:
    """A Job's unnamed supervisor (the isolated variant's JobSupervisor) takes its job's id
    and follows its job's status: the job_status event is the only one that says which job a
    JobSupervisor runs. A job started without an id gets a new one at each restart; its
    supervisor takes the latest."""
    if pid in graph:
        parent = next(iter(graph.predecessors(pid)), None)
    else:
        parent = state.dead[pid][1] if pid in state.dead else None
    sup = _node(graph, state, parent, None, create=False)
    if sup is None or sup["role"] != "supervisor" or sup["name"]:
        return
    if (sup["job_id"], sup["job_status"]) == (job_id, status):
        return
    sup["job_id"], sup["job_status"] = job_id, status
    _refresh(sup, state)


def _app_started(graph: nx.DiGraph, event: Event, state: GraphState) -> None:
    """The application's box becomes the root above its top supervisor.

    The application master process (spawned with role "application", the top supervisor's
    parent) is folded into the box: the box takes its pid and its children, and the master's
    own node leaves, so the tree has one root per application, as the book draws it.
    """
    app = str(event.get("app"))
    key = app_node(app)
    top = event.get("pid", event.pid)
    master = None
    if top is not None and top in graph:
        master = next(
            (p for p in graph.predecessors(top) if graph.nodes[p]["role"] == "application"), None
        )
    attrs = default_attrs(key, event.time)
    attrs["label"], attrs["pid"], attrs["name"] = app, master, app
    attrs["role"] = attrs["behaviour"] = "application"
    graph.add_node(key, **attrs)
    if master is not None:
        for child in list(graph.successors(master)):
            _set_parent(graph, key, child, bool(graph.edges[master, child]["dynamic"]))
        parents = list(graph.predecessors(master))
        state.dead[master] = (graph.nodes[master], parents[0] if parents else None)
        _forget_oldest_dead(state)
        graph.remove_node(master)
        state.aliases[master] = key
    if top is not None:
        _node(graph, state, top, event.time, role="supervisor")  # a stub if attached late
        if top in graph:
            _set_parent(graph, key, top, False)


def _app_stopped(graph: nx.DiGraph, event: Event, state: GraphState) -> None:
    key = app_node(str(event.get("app")))
    if key in graph:
        graph.remove_node(key)
    for master in [m for m, node in state.aliases.items() if node == key]:
        del state.aliases[master]


def _gave_up(_graph: nx.DiGraph, event: Event, state: GraphState) -> None:
    sup = event.get("supervisor", event.pid)
    if sup is not None:
        state.gave_up.add(str(sup))


def _intensity_reached(graph: nx.DiGraph, event: Event, state: GraphState) -> None:
    sup = _node(graph, state, event.get("supervisor", event.pid), event.time, create=False)
    if sup is not None and event.get("restarts") is not None:
        sup["restarts_in_window"] = int(event.get("restarts"))


_HANDLERS = {
    EventKind.SPAWNED: _spawned,
    EventKind.CHILD_STARTED: _child,
    EventKind.CHILD_RESTARTED: _child,
    EventKind.EXITED: _exited,
    EventKind.ZOMBIE: _zombie,
    EventKind.NAMED: _named,
    EventKind.UNNAMED: _named,
    JobEventKind.JOB_STATUS: _job_status,
    EventKind.APP_STARTED: _app_started,
    EventKind.APP_STOPPED: _app_stopped,
    EventKind.INTENSITY_REACHED: _intensity_reached,
    EventKind.SUPERVISOR_GAVE_UP: _gave_up,
}
