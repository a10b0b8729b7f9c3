"""The tracer: runtime events in, a live supervision-tree graph, a history and replay out.

``Tracer(runtime)`` follows a runtime; ``tracer.graph`` is a networkx ``DiGraph`` snapshot of
the live tree (nodes keyed by pid string, plus ``"app:<name>"`` for applications; edges parent
-> child with ``dynamic``; ``graph.graph["ghosts"]`` the processes that just crashed, gave up or
were shut down). Every process is named by one rule, :func:`process_name`. The graph is a
pure function of the event sequence: the live tracer, ``graph_at`` and a loaded trace all
run :func:`apply_event`, so replays are exact.
Imports networkx and the core only, never matplotlib: drawing lives in ``jobber_lab.draw``.
"""

from __future__ import annotations

from ._describe import describe
from ._graph import (
    APP_PREFIX,
    GHOST_SECONDS,
    GraphState,
    app_node,
    apply_event,
    build_graph,
    ghosts,
    name_of,
    new_graph,
    node_label,
    process_name,
)
from ._store import TraceFormatError, event_from_dict, read_events, write_events
from ._summaries import DEFAULT_WINDOW, job_rows, log_lines, replay, supervisor_rows
from ._text import text_tree
from ._tracer import Snapshot, Tracer

__all__ = [
    "APP_PREFIX",
    "DEFAULT_WINDOW",
    "GHOST_SECONDS",
    "GraphState",
    "Snapshot",
    "TraceFormatError",
    "Tracer",
    "app_node",
    "apply_event",
    "build_graph",
    "describe",
    "event_from_dict",
    "ghosts",
    "job_rows",
    "log_lines",
    "name_of",
    "new_graph",
    "node_label",
    "process_name",
    "read_events",
    "replay",
    "supervisor_rows",
    "text_tree",
    "write_events",
]
