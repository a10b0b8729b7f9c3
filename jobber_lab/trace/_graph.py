"""The reducer: one event in, the supervision-tree graph one step further.

The live tracer and every replay (``graph_at``, ``Tracer.load``, the summaries) run this same
function over the same events, so a recorded trace rebuilds exactly the graph that was seen
live. Nothing here looks at a clock, a thread or a runtime: the graph is a pure function of the
event sequence.

Events may arrive in an order a reader would not expect: a process's ``unnamed`` follows its
``exited``, and a child that crashes at once can exit before its supervisor reports
``child_started``. Facts about a process that already exited therefore update what is
remembered about it but never bring it back into the live graph; only a ``zombie`` event does
(a thread that would not unwind stays visible, marked).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from jobber_lab.otp._events import Event, EventKind

__all__ = [
    "APP_PREFIX",
    "GraphState",
    "app_node",
    "apply_event",
    "build_graph",
    "new_graph",
    "node_label",
]

APP_PREFIX = "app:"

#: How many exited processes are remembered (for late events and zombies). Bounded so a long
#: run does not keep every dead process's attributes; late events arrive within a few events.
MAX_REMEMBERED_DEAD = 10_000

_UNDEFINED_IDS = (None, "undefined", ":undefined")


def app_node(app: str) -> str:
    """The graph key of an application's node (``"app:jobber"``): not a pid, so never clashes."""
    return f"{APP_PREFIX}{app}"


def node_label(pid: str, name: Any, child_id: Any, behaviour: Any) -> str:
    """What a reader calls a process: its registered name, else its child id, else its kind.

    The one label rule: the graph, the log lines and the summaries all use it.
    """
    if name:
        return str(name)
    if child_id not in _UNDEFINED_IDS:
        return str(child_id)
    if behaviour:
        return str(behaviour)
    return pid


def new_graph() -> nx.DiGraph:
    """An empty tree; ``graph.graph`` holds the seq and time of the last event applied."""
    return nx.DiGraph(seq=0, time=None)


@dataclass
class GraphState:
    """What the reducer remembers beyond the live graph.

    ``dead`` keeps the attributes and parent of recently exited processes (a zombie report
    re-adds them; late events must not resurrect them). ``labels`` and ``restarted`` keep, for
    every pid ever seen, its latest label and how many times its child slot was restarted: the
    log lines and job rows need both after the process has gone.
    """

    dead: OrderedDict[str, tuple[dict[str, Any], str | None]] = field(default_factory=OrderedDict)
    labels: dict[str, str] = field(default_factory=dict)
    restarted: dict[str, int] = field(default_factory=dict)
    #: Application master pid -> its ``app:<name>`` node, which stands for it in the tree.
    aliases: dict[str, str] = field(default_factory=dict)
    max_dead: int = MAX_REMEMBERED_DEAD

    def copy(self) -> GraphState:
        """An independent copy, so a replay can start from a checkpoint without touching it."""
        dead = OrderedDict((pid, (dict(attrs), up)) for pid, (attrs, up) in self.dead.items())
        return GraphState(
            dead, dict(self.labels), dict(self.restarted), dict(self.aliases), self.max_dead
        )


def _defaults(pid: str, time: float | None) -> dict[str, Any]:
    # Every node carries every attribute, so the draw layer never needs .get() fallbacks.
    return {
        "label": pid,
        "pid": pid,
        "name": None,
        "role": "worker",
        "behaviour": "",
        "status": "running",
        "restarts": 0,
        "window_restarts": 0,
        "job_id": None,
        "job_type": None,
        "retries": None,
        "attempt": None,
        "child_id": None,
        "restart": None,
        "dynamic": False,
        "zombie": False,
        "started": time,
        "times_restarted": 0,
        "restarts_performed": 0,
    }


def _node(
    graph: nx.DiGraph,
    state: GraphState,
    pid: str | None,
    time: float | None,
    create: bool = True,
    role: str = "worker",
) -> dict[str, Any] | None:
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
    graph.add_node(pid, **_defaults(pid, time))
    attrs = graph.nodes[pid]
    attrs["role"] = role
    attrs["times_restarted"] = state.restarted.get(pid, 0)
    _refresh(attrs, state)
    return attrs


def _refresh(attrs: dict[str, Any], state: GraphState) -> None:
    """Recompute the derived attributes (label, restarts) after any change."""
    pid = attrs["pid"]
    attrs["label"] = node_label(pid, attrs["name"], attrs["child_id"], attrs["behaviour"])
    if attrs["role"] == "supervisor":
        attrs["restarts"] = attrs["restarts_performed"]
    else:
        attrs["restarts"] = attrs["times_restarted"]
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
    graph.graph["seq"] = event.seq
    graph.graph["time"] = event.time


def build_graph(
    events: Iterable[Event], start: tuple[nx.DiGraph, GraphState] | None = None
) -> nx.DiGraph:
    """The graph after ``events``, from an empty tree or from a copy of ``start``."""
    if start is None:
        graph, state = new_graph(), GraphState()
    else:
        graph, state = start[0].copy(), start[1].copy()
    for event in events:
        apply_event(graph, event, state)
    return graph


# ------------------------------------------------------------------------ one handler per kind


def _spawned(graph: nx.DiGraph, event: Event, state: GraphState) -> None:
    pid = event.pid
    if pid is None:
        return
    state.dead.pop(pid, None)  # pids are never reused; be safe with a hand-made trace
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
            sup["window_restarts"] = int(event.get("restarts") or 0)
            _refresh(sup, state)
    attrs = _node(graph, state, pid, event.time)
    assert attrs is not None
    attrs["times_restarted"] = state.restarted.get(pid, 0)
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
    if pid is None or pid not in graph:
        return
    attrs = graph.nodes[pid]
    if attrs["zombie"]:
        return
    parents = list(graph.predecessors(pid))
    state.dead[pid] = (attrs, parents[0] if parents else None)
    _forget_oldest_dead(state)
    graph.remove_node(pid)


def _zombie(graph: nx.DiGraph, event: Event, state: GraphState) -> None:
    pid = event.pid
    if pid is None:
        return
    parent = None
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
    attrs = _node(graph, state, event.get("pid", event.pid), event.time)
    if attrs is None:
        return
    if not attrs["zombie"] and event.get("status") is not None:
        attrs["status"] = str(event.get("status"))
    for key in ("job_id", "job_type", "retries", "attempt"):
        if event.get(key) is not None:
            attrs[key] = event.get(key)
    _refresh(attrs, state)


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
    attrs = _defaults(key, event.time)
    attrs.update(label=app, pid=master, name=app, role="application", behaviour="application")
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


def _intensity_reached(graph: nx.DiGraph, event: Event, state: GraphState) -> None:
    sup = _node(graph, state, event.get("supervisor", event.pid), event.time, create=False)
    if sup is not None and event.get("restarts") is not None:
        sup["window_restarts"] = int(event.get("restarts"))


_HANDLERS = {
    EventKind.SPAWNED: _spawned,
    EventKind.CHILD_STARTED: _child,
    EventKind.CHILD_RESTARTED: _child,
    EventKind.EXITED: _exited,
    EventKind.ZOMBIE: _zombie,
    EventKind.NAMED: _named,
    EventKind.UNNAMED: _named,
    EventKind.JOB_STATUS: _job_status,
    EventKind.APP_STARTED: _app_started,
    EventKind.APP_STOPPED: _app_stopped,
    EventKind.INTENSITY_REACHED: _intensity_reached,
}
