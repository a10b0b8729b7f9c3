"""One moment of the trace, live or in the past, read consistently for every view.

The tree, the table, the log and the header are all computed from the same events, so time
travel shows them exactly as they were together at that seq (the tracer's graph is a pure
function of the event sequence: ``graph_at`` replays the same reducer).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from jobber_lab.jobber import JobEventKind
from jobber_lab.otp import Event, EventKind
from jobber_lab.trace import Tracer, describe, job_rows, replay

from ._log import LOG_LINES

__all__ = ["Moment", "read_moment"]


@dataclass(frozen=True)
class Moment:
    """Everything the views need, for the live state or one past seq."""

    graph: nx.DiGraph
    rows: list[dict[str, Any]]
    lines: list[str]
    line_seqs: list[int]  # the seq of the event each line tells (to mark a step's lines)
    refused: int
    replaced: dict[str, str]  # new pid -> the pid its supervisor's restart replaced
    now: float | None  # runtime seconds at this moment (ages the running jobs)
    seq: int  # the last event applied (0: before anything)
    last_seq: int  # the newest event in the history
    at: int | None  # the seq asked for, None = live


def read_moment(tracer: Tracer, at: int | None, now: float | None) -> Moment:
    """The live moment (``at`` None; ``now`` is the runtime's clock) or the one after ``at``.

    Live: the graph and the history are one :meth:`Tracer.snapshot`, so the table never runs
    ahead of the tree. Past: the history prefix up to ``at`` and
    ``graph_at(at)`` (the same replay), timed at the last event of the prefix.
    """
    if at is None:
        graph, events, _ = tracer.snapshot()
    else:
        graph, events = None, tracer.history
    last_seq = events[-1].seq if events else 0
    if at is not None:
        events = [e for e in events if e.seq <= at]
        graph = tracer.graph_at(int(at))
        now = events[-1].time if events else 0.0
    assert graph is not None
    told = _told(events)[-LOG_LINES:]
    return Moment(
        graph=graph,
        rows=job_rows(events),
        lines=[line for _, line in told],
        line_seqs=[seq for seq, _ in told],
        refused=sum(1 for e in events if e.kind == JobEventKind.QUOTA_REFUSED),
        replaced={
            str(e.pid): str(e.get("old_pid"))
            for e in events
            if e.kind == EventKind.CHILD_RESTARTED and e.get("old_pid") is not None
        },
        now=now,
        seq=events[-1].seq if events else 0,
        last_seq=last_seq,
        at=at,
    )


def _told(events: list[Event]) -> list[tuple[int, str]]:
    """(seq, line) for each event worth reading, in ``trace.log_lines``'s words and format
    (names as known at each event's moment): the seq lets the log mark a step's lines."""
    out = []
    for event, _graph, state in replay(events):
        text = describe(event, state.labels)
        if text is not None:
            out.append((event.seq, f"{event.time:8.3f}s  {text}"))
    return out
