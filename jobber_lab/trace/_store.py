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
from collections.abc import Callable, Iterable
from typing import Any

from jobber_lab.otp import Event

__all__ = ["TraceFormatError", "event_from_dict", "read_events", "replay_file", "write_events"]

_KEYS = ("seq", "time", "kind", "pid", "fields")

# Limits for a trace from a stranger: the runtime writes flat events of short strings, so
# anything near these is hand-made or hostile, and refusing it keeps every later reader safe.
MAX_LINE_CHARS = 1_000_000
MAX_FIELD_DEPTH = 16
MAX_FIELD_ITEMS = 10_000

# Fields the graph, the summaries and the pictures read, with the JSON types they accept.
_TEXT = (str,)
_FIELD_TYPES: dict[str, tuple[tuple[type, ...], str]] = {
    **dict.fromkeys(
        (
            "pid",
            "parent",
            "supervisor",
            "old_pid",
            "other",
            "name",
            "behaviour",
            "role",
            "status",
            "app",
            "reason",
            "reason_kind",
            "job_id",
            "job_type",
            "restart",
        ),
        (_TEXT, "a string or null"),
    ),
    **dict.fromkeys(
        ("restarts", "max_restarts", "attempt", "retries", "max_retries"),
        ((int,), "a non-negative integer or null"),
    ),
    **dict.fromkeys(("max_seconds", "seconds"), ((int, float), "a number >= 0 or null")),
    **dict.fromkeys(("dynamic", "linked"), ((bool,), "true, false or null")),
    "child_id": ((str, int, float, bool), "a string, a number, a boolean or null"),
}


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
    _check_fields(fields)
    return Event(seq, float(time), kind, pid, fields)


def _check_fields(fields: dict[str, Any]) -> None:
    """Each known field has the type its readers expect; no value nests deep or grows big.

    Without this a dict as a ``name`` or ``restarts: "many"`` would fail later, in the
    graph code, as a TypeError naming neither the file nor the line.
    """
    _check_shape(fields)
    for key, value in fields.items():
        rule = _FIELD_TYPES.get(key)
        if rule is None or value is None:
            continue
        types, expected = rule
        wrong = not isinstance(value, types) or (isinstance(value, bool) and bool not in types)
        if not wrong and isinstance(value, int | float) and not isinstance(value, bool):
            wrong = not math.isfinite(value) or value < 0
        if wrong:
            raise ValueError(
                f"field {key!r} must be {expected}, got {_type_name(value)} {_short(value)}"
            )


def _check_shape(fields: dict[str, Any]) -> None:
    """Depth and size limits on the parsed fields, walked without recursion."""
    stack: list[tuple[Any, int]] = [(fields, 1)]
    items = 0
    while stack:
        value, depth = stack.pop()
        if depth > MAX_FIELD_DEPTH:
            raise ValueError(f"'fields' nests deeper than {MAX_FIELD_DEPTH} levels")
        children = value.values() if isinstance(value, dict) else value
        if isinstance(value, dict | list):
            items += len(value)
            if items > MAX_FIELD_ITEMS:
                raise ValueError(f"'fields' holds more than {MAX_FIELD_ITEMS} values")
            stack.extend((child, depth + 1) for child in children)


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
    return [event for _, event in _read_numbered(path)]


def replay_file(path: str | os.PathLike[str], feed: Callable[[Event], None]) -> None:
    """Read a trace and hand each event to ``feed`` (a tracer's), line by line.

    The fields are checked on reading, but the replay is the last line of defence: any
    exception ``feed`` raises on a stranger's event becomes a TraceFormatError naming the
    file and line, so loading a trace can fail in one way only.
    """
    name = os.fspath(path)
    for number, event in _read_numbered(path):
        try:
            feed(event)
        except Exception as exc:
            problem = f"event seq {event.seq} ({event.kind}) cannot be replayed: "
            raise TraceFormatError(name, number, problem + f"{type(exc).__name__}: {exc}") from exc


def _read_numbered(path: str | os.PathLike[str]) -> list[tuple[int, Event]]:
    name = os.fspath(path)
    try:
        with open(path, encoding="utf-8", newline="") as src:
            text = src.read()
    except UnicodeDecodeError as exc:
        raise TraceFormatError(name, 1, f"not UTF-8 text ({exc.reason})") from exc
    lines = text.split("\n")
    ends_cleanly = text.endswith("\n")
    events: list[tuple[int, Event]] = []
    previous: int | None = None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        last = number == len(lines)
        if len(line) > MAX_LINE_CHARS:
            raise TraceFormatError(name, number, f"line longer than {MAX_LINE_CHARS} characters")
        try:
            data = json.loads(line, parse_constant=_no_constants)
        except RecursionError as exc:
            raise TraceFormatError(name, number, "JSON nested too deeply to read") from exc
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
        events.append((number, event))
    return events


def _no_constants(word: str) -> Any:
    raise ValueError(f"{word} is not allowed in a trace")
