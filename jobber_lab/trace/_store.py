"""Traces on disk: one JSON object per line, one line per event.

JSON and nothing else, so loading a trace someone sent you never runs code (no pickle, no
eval). Every line is checked before it becomes an :class:`Event`: a student who hand-edits a
trace, or a kernel killed mid-write, gets an error naming the file, the line and the problem,
not a KeyError three layers down.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable
from typing import Any

from jobber_lab.otp._events import Event

__all__ = ["TraceFormatError", "event_from_dict", "read_events", "write_events"]

_KEYS = ("seq", "time", "kind", "pid", "fields")


class TraceFormatError(ValueError):
    """A trace file that is not valid JSON lines of events; says where and what is wrong."""

    def __init__(self, path: str, line: int, problem: str) -> None:
        super().__init__(f"{path}, line {line}: {problem}")
        self.path = path
        self.line = line
        self.problem = problem


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def event_from_dict(data: Any) -> Event:
    """An Event from its ``to_dict()`` form; ValueError saying which key is wrong and why."""
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {_type_name(data)}")
    missing = [key for key in _KEYS if key not in data]
    if missing:
        raise ValueError(f"missing key(s) {', '.join(missing)} (an event has {', '.join(_KEYS)})")
    seq, time, kind, pid, fields = (data[key] for key in _KEYS)
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise ValueError(f"'seq' must be a non-negative integer, got {seq!r}")
    if not isinstance(time, (int, float)) or isinstance(time, bool) or not math.isfinite(time):
        raise ValueError(f"'time' must be a finite number, got {time!r}")
    if not isinstance(kind, str) or not kind:
        raise ValueError(f"'kind' must be a non-empty string, got {kind!r}")
    if pid is not None and not isinstance(pid, str):
        raise ValueError(f"'pid' must be a string or null, got {_type_name(pid)} {pid!r}")
    if not isinstance(fields, dict):
        raise ValueError(f"'fields' must be a JSON object, got {_type_name(fields)}")
    return Event(seq, float(time), kind, pid, fields)


def write_events(path: str | os.PathLike[str], events: Iterable[Event]) -> int:
    """Write ``events`` as JSON lines; returns how many. Fails loudly on non-plain data."""
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for event in events:
            try:
                line = json.dumps(event.to_dict(), ensure_ascii=False, allow_nan=False)
            except (TypeError, ValueError) as exc:
                raise TypeError(
                    f"event seq {event.seq} ({event.kind}) holds data that is not plain JSON: {exc}"
                ) from exc
            out.write(line + "\n")
            count += 1
    return count


def read_events(path: str | os.PathLike[str]) -> list[Event]:
    """Every event in a JSON-lines trace, checked; TraceFormatError at the first bad line.

    Blank lines are skipped. Sequence numbers must increase, because replay and
    ``graph_at(seq)`` rely on the order.
    """
    name = os.fspath(path)
    try:
        with open(path, encoding="utf-8", newline="") as src:
            text = src.read()
    except UnicodeDecodeError as exc:
        raise TraceFormatError(name, 1, f"not UTF-8 text ({exc.reason})") from exc
    lines = text.split("\n")
    ends_cleanly = text.endswith("\n")
    events: list[Event] = []
    previous: int | None = None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        last = number == len(lines)
        try:
            data = json.loads(line, parse_constant=_no_constants)
        except ValueError as exc:
            if last and not ends_cleanly:
                problem = f"truncated last line (no newline, JSON breaks off: {exc})"
            else:
                problem = f"malformed JSON ({exc})"
            raise TraceFormatError(name, number, problem) from exc
        try:
            event = event_from_dict(data)
        except ValueError as exc:
            raise TraceFormatError(name, number, str(exc)) from exc
        if previous is not None and event.seq <= previous:
            raise TraceFormatError(
                name, number, f"seq {event.seq} does not follow seq {previous} (must increase)"
            )
        previous = event.seq
        events.append(event)
    return events


def _no_constants(word: str) -> Any:
    raise ValueError(f"{word} is not allowed in a trace")
