"""Child specifications and the enums of supervision (S1).

A :class:`ChildSpec` is built freely and checked by :func:`check_childspec`,
because OTP *returns* spec errors (``{:error, :missing_id}``) from
``start_child`` rather than raising: the supervisor and its running children
must never be disturbed by a bad spec.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from ._atoms import (
    BRUTAL_KILL,
    INFINITY,
    INVALID_CHILD_TYPE,
    INVALID_MFA,
    INVALID_RESTART_TYPE,
    INVALID_SHUTDOWN,
    MISSING_ID,
    MISSING_START,
    Atom,
)
from ._events import plain
from ._results import ArgumentError

__all__ = [
    "INVALID_SIGNIFICANT",
    "AutoShutdown",
    "ChildSpec",
    "ChildType",
    "Restart",
    "Strategy",
    "check_childspec",
    "child_spec",
    "to_childspec",
]

INVALID_SIGNIFICANT = Atom("invalid_significant")


class Restart(enum.Enum):
    """When a child is restarted (S5)."""

    PERMANENT = "permanent"
    TRANSIENT = "transient"
    TEMPORARY = "temporary"


class ChildType(enum.Enum):
    WORKER = "worker"
    SUPERVISOR = "supervisor"


class Strategy(enum.Enum):
    """Which siblings restart with a failed child (S8, S9)."""

    ONE_FOR_ONE = "one_for_one"
    ONE_FOR_ALL = "one_for_all"
    REST_FOR_ONE = "rest_for_one"


class AutoShutdown(enum.Enum):
    """OTP 24's ``auto_shutdown``: may a significant child's end end its supervisor (§9)?"""

    NEVER = "never"
    ANY_SIGNIFICANT = "any_significant"
    ALL_SIGNIFICANT = "all_significant"


_UNSET: Any = Atom("$unset")


@dataclass(frozen=True)
class ChildSpec:
    """Elixir's child spec map.  ``start`` is ``(callable, args)``; durations are seconds.

    ``shutdown=None`` means the default: 5 seconds for a worker, ``INFINITY`` for a
    supervisor.
    """

    id: Any = _UNSET
    start: Any = _UNSET
    restart: Any = Restart.PERMANENT
    shutdown: Any = None
    type: Any = ChildType.WORKER
    modules: Any = None
    significant: bool = False

    @property
    def shutdown_value(self) -> Any:
        if self.shutdown is not None:
            return self.shutdown
        return INFINITY if self.type is ChildType.SUPERVISOR else 5.0

    @property
    def modules_value(self) -> Any:
        """``modules`` as given, else Elixir's default ``[module]``: the start function's
        class for a bound ``Module.start_link``, the function itself otherwise (S1)."""
        if self.modules is not None:
            return self.modules
        fn = self.start[0] if isinstance(self.start, tuple) and self.start else None
        if fn is None:
            return None
        return (getattr(fn, "__self__", fn),)

    def describe(self) -> dict[str, Any]:
        """Plain-data view, for logs and events (the ``offender`` of a report)."""
        return {
            "id": plain(self.id),
            "restart": getattr(self.restart, "value", str(self.restart)),
            "shutdown": plain(self.shutdown_value),
            "type": getattr(self.type, "value", str(self.type)),
            "significant": self.significant,
        }


_SPEC_KEYS = frozenset(f.name for f in fields(ChildSpec))


def child_spec(base: Any, **overrides: Any) -> ChildSpec:
    """``Supervisor.child_spec(base, overrides)``: unknown keys raise ``ArgumentError``."""
    unknown = set(overrides) - _SPEC_KEYS
    if unknown:
        raise ArgumentError(
            f"child_spec: unknown key(s) {sorted(unknown)}; expected some of {sorted(_SPEC_KEYS)}"
        )
    spec = to_childspec(base)
    if not isinstance(spec, ChildSpec):
        raise ArgumentError(f"child_spec(base): cannot make a child spec from {base!r}")
    return replace(spec, **{k: _coerce(k, v) for k, v in overrides.items()})


def _coerce(key: str, value: Any) -> Any:
    """Accept the Elixir spellings (``restart="transient"``) for the enum fields."""
    enum_type = {"restart": Restart, "type": ChildType}.get(key)
    if enum_type is not None and isinstance(value, str):
        try:
            return enum_type(value)
        except ValueError:
            return value
    return value


def to_childspec(item: Any) -> ChildSpec | Any:
    """Turn what a children list may hold into a ChildSpec.

    Accepted: a ChildSpec; a mapping with ChildSpec's keys (Elixir's map); a
    GenServer/Supervisor class (``Module`` -> ``Module.child_spec(None)``); a
    ``(Module, arg)`` pair.  Anything else is returned unchanged for
    :func:`check_childspec` to reject.
    """
    if isinstance(item, ChildSpec):
        return item
    if isinstance(item, Mapping):
        unknown = set(item) - _SPEC_KEYS
        if unknown:
            return item
        return ChildSpec(**{k: _coerce(k, v) for k, v in item.items()})
    if isinstance(item, type) and hasattr(item, "child_spec"):
        return item.child_spec(None)
    if (
        isinstance(item, tuple)
        and len(item) == 2
        and isinstance(item[0], type)
        and hasattr(item[0], "child_spec")
    ):
        return item[0].child_spec(item[1])
    return item


def check_childspec(spec: Any, auto_shutdown: AutoShutdown = AutoShutdown.NEVER) -> Any:
    """None if valid, else the OTP error term (S1): ``MISSING_ID``, ``(INVALID_MFA, v)``, ..."""
    if isinstance(spec, Mapping):
        unknown = sorted(set(spec) - _SPEC_KEYS)
        return (Atom("invalid_child_spec"), unknown)
    if not isinstance(spec, ChildSpec):
        return (Atom("invalid_child_spec"), spec)
    if spec.id is _UNSET:
        return MISSING_ID
    if spec.start is _UNSET:
        return MISSING_START
    start = spec.start
    if not (
        isinstance(start, tuple)
        and len(start) == 2
        and callable(start[0])
        and isinstance(start[1], tuple | list)
    ):
        return (INVALID_MFA, start)
    if not isinstance(spec.restart, Restart):
        return (INVALID_RESTART_TYPE, spec.restart)
    if not isinstance(spec.type, ChildType):
        return (INVALID_CHILD_TYPE, spec.type)
    shutdown = spec.shutdown
    if shutdown is not None and not (
        shutdown is INFINITY
        or shutdown is BRUTAL_KILL
        or (isinstance(shutdown, int | float) and not isinstance(shutdown, bool) and shutdown >= 0)
    ):
        return (INVALID_SHUTDOWN, shutdown)
    if spec.significant not in (True, False):
        return (INVALID_SIGNIFICANT, spec.significant)
    if spec.significant and (
        spec.restart is Restart.PERMANENT or auto_shutdown is AutoShutdown.NEVER
    ):
        # OTP rejects significant permanent children, and significance without
        # auto_shutdown would be a silent no-op.
        return (INVALID_SIGNIFICANT, True)
    return None
