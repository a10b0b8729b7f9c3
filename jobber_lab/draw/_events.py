"""Reading events for the drawings: ``Event`` objects or their JSON-lines dicts alike.

The timeline and the sequence diagram take "a list of events" from a live tracer
(``tracer.history``: :class:`jobber_lab.otp.Event`) or from a recorded trace read back as
plain dicts; both are read through :func:`view` so the drawings need neither the runtime nor
the tracer, and a trace loaded without code can still be drawn.

Processes are named by the course's one naming rule, which lives in the tracer's reducer
(``jobber_lab.trace``): :func:`process_names` replays the events through that reducer and
reads the labels it keeps, so a lifeline, a timeline lane, a tree node and a log line call the
same process the same thing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from jobber_lab.otp import Event
from jobber_lab.trace import GraphState, apply_event, new_graph

__all__ = ["EventView", "Labels", "process_names", "view"]

#: What a caller may pass to name processes itself: ``tracer.label_of``, or a mapping.
Labels = Mapping[str, str] | Callable[[str], str]


@dataclass(frozen=True)
class EventView:
    """The four things a drawing reads from an event."""

    seq: int
    time: float
    kind: str
    pid: str | None
    fields: Mapping[str, Any]

    def get(self, name: str, default: Any = None) -> Any:
        return self.fields.get(name, default)


def _one(event: Any) -> EventView:
    if isinstance(event, Mapping):
        fields = event.get("fields") or {}
        return EventView(
            int(event.get("seq", 0)),
            float(event.get("time", 0.0)),
            str(event.get("kind", "")),
            event.get("pid"),
            fields,
        )
    return EventView(
        int(getattr(event, "seq", 0)),
        float(getattr(event, "time", 0.0)),
        str(getattr(event, "kind", "")),
        getattr(event, "pid", None),
        getattr(event, "fields", None) or {},
    )


def view(events: Iterable[Any]) -> list[EventView]:
    """Events as :class:`EventView`, in sequence order (a merged or shuffled list is fine)."""
    views = [_one(e) for e in events]
    views.sort(key=lambda v: (v.seq, v.time))
    return views


def process_names(events: Iterable[EventView], labels: Labels | None = None) -> dict[str, str]:
    """pid -> its name by the naming rule (the pid itself when nothing names it).

    The events are replayed through the tracer's reducer, whose labels follow the rule
    (registered name, job id, child id, behaviour); a process keeps the registered name it
    had while alive, though it is unnamed when it exits. Two things a cut window of events
    cannot know are filled in:

    - a process whose naming events fell before the window, but whose child slot was
      restarted inside it (``child_restarted`` with ``old_pid``), takes the name of the
      process that replaced it: the same child, so the same name (lesson 03's JobRunner,
      registered as ``JobRunner`` only by its successor in that window);
    - ``labels`` (``tracer.label_of`` or a mapping) names what the events do not: a lesson
      that draws the last few seconds of a long run passes the tracer that saw all of it.
    """
    evs = list(events)
    graph, state = new_graph(), GraphState()
    successor: dict[str, str] = {}
    registered: dict[str, str] = {}
    for e in evs:
        apply_event(graph, Event(e.seq, e.time, e.kind, e.pid, e.fields), state)
        if e.kind == "child_restarted" and e.get("old_pid") is not None:
            new = e.get("pid", e.pid)
            if new is not None:
                successor[str(e.get("old_pid"))] = str(new)
        elif e.kind == "named" and e.pid is not None and e.get("name"):
            registered[e.pid] = str(e.get("name"))
    names = {pid: label for pid, label in state.labels.items() if label != pid}
    # A picture shows a process over its life: the name it was registered under stays,
    # though the reducer's latest label forgets it once the process exits and is unnamed.
    names.update(registered)
    for old, new in successor.items():
        # A registered name is the strongest claim of the rule: a successor's beats whatever
        # lesser label the cut window gave the old pid; any label beats having none.
        heir = _follow(new, successor, registered)
        if heir is not None and old not in registered:
            names[old] = heir
        elif old not in names:
            heir = _follow(new, successor, names)
            if heir is not None:
                names[old] = heir
    if labels is not None:
        lookup = labels if callable(labels) else labels.get
        for pid in _pids_in(evs) | set(names):
            given = lookup(pid)
            if given and given != pid:
                names[pid] = str(given)
    return names


def _follow(pid: str, successor: Mapping[str, str], names: Mapping[str, str]) -> str | None:
    """The name of ``pid`` or of the first of its successors that has one."""
    seen: set[str] = set()
    while pid not in names and pid in successor and pid not in seen:
        seen.add(pid)
        pid = successor[pid]
    return names.get(pid)


def _pids_in(events: Iterable[EventView]) -> set[str]:
    """Every pid an event mentions, as the actor or in a field that holds a pid."""
    pids: set[str] = set()
    for e in events:
        if e.pid is not None:
            pids.add(e.pid)
        for key in ("other", "supervisor", "old_pid", "parent"):
            value = e.get(key)
            if isinstance(value, str) and value.startswith("<"):
                pids.add(value)
    return pids


def name_with_pid(pid: str, names: Mapping[str, str]) -> str:
    """``"JobRunner\\n<0.12.0>"``: the name, the pid beneath; just the pid when unnamed."""
    name = names.get(pid)
    return f"{name}\n{pid}" if name and name != pid else pid
