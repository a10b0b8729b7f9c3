"""Reading events for the drawings: ``Event`` objects or their JSON-lines dicts alike.

The timeline and the sequence diagram take "a list of events" from a live tracer
(``tracer.history``: :class:`jobber_lab.otp.Event`) or from a recorded trace read back as
plain dicts; both are read through :func:`view` so the drawings need neither the runtime nor
the tracer, and a trace loaded without code can still be drawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["EventView", "names_of", "view"]


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


def names_of(events: Iterable[EventView]) -> dict[str, str]:
    """pid -> the name a student knows it by: registered name, else spawn name or child id."""
    names: dict[str, str] = {}
    registered: dict[str, str] = {}
    for e in events:
        if e.pid is None:
            continue
        if e.kind == "named" and e.get("name"):
            registered[e.pid] = str(e.get("name"))
        elif e.kind == "spawned" and e.get("name"):
            names.setdefault(e.pid, str(e.get("name")))
        elif e.kind in ("child_started", "child_restarted") and e.get("child_id") is not None:
            names.setdefault(e.pid, str(e.get("child_id")))
    names.update(registered)
    return names
