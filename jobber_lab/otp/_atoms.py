"""Atoms: Erlang's interned constants, as a tiny Python type.

Why not plain strings?  A user-supplied ``"normal"`` must never be mistaken for
the clean exit reason ``:normal`` (otp-semantics §0), so atoms are their own
type and compare by identity.  They print the way Elixir prints them.
"""

from __future__ import annotations

import threading
from typing import ClassVar

__all__ = [
    "ALREADY_PRESENT",
    "ALREADY_REGISTERED",
    "ALREADY_STARTED",
    "BAD_RETURN",
    "BAD_RETURN_VALUE",
    "BRUTAL_KILL",
    "CALLING_SELF",
    "DOWN",
    "DUPLICATE_CHILD_NAME",
    "EXIT",
    "FAILED_TO_START_CHILD",
    "HIBERNATE",
    "INFINITY",
    "INVALID_CHILD_TYPE",
    "INVALID_MAX_CHILDREN",
    "INVALID_MFA",
    "INVALID_RESTART_TYPE",
    "INVALID_SHUTDOWN",
    "KILL",
    "KILLED",
    "MAX_CHILDREN",
    "MISSING_ID",
    "MISSING_START",
    "NOPROC",
    "NORMAL",
    "NOT_FOUND",
    "NOT_STARTED",
    "PROCESS",
    "RESTARTING",
    "RUNNING",
    "SHUTDOWN",
    "START_SPEC",
    "SUPERVISOR_DATA",
    "TIMEOUT",
    "UNDEFINED",
    "VIA",
    "Atom",
]


class Atom:
    """An interned symbol: ``Atom("normal") is NORMAL``."""

    __slots__ = ("name",)
    _table: ClassVar[dict[str, Atom]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()
    name: str

    def __new__(cls, name: str) -> Atom:
        if not isinstance(name, str) or not name:
            raise TypeError(f"Atom name must be a non-empty str, got {name!r}")
        atom = cls._table.get(name)
        if atom is None:
            with cls._lock:
                atom = cls._table.get(name)
                if atom is None:
                    atom = object.__new__(cls)
                    object.__setattr__(atom, "name", name)
                    cls._table[name] = atom
        return atom

    def __setattr__(self, key: str, value: object) -> None:
        raise AttributeError("atoms are immutable")

    def __repr__(self) -> str:
        return f":{self.name}"

    __str__ = __repr__

    def __reduce__(self) -> tuple[type[Atom], tuple[str]]:
        return (Atom, (self.name,))

    def __copy__(self) -> Atom:
        return self

    def __deepcopy__(self, memo: object) -> Atom:
        return self


NORMAL = Atom("normal")
SHUTDOWN = Atom("shutdown")
KILL = Atom("kill")
KILLED = Atom("killed")
NOPROC = Atom("noproc")
TIMEOUT = Atom("timeout")
UNDEFINED = Atom("undefined")
RESTARTING = Atom("restarting")
INFINITY = Atom("infinity")
BRUTAL_KILL = Atom("brutal_kill")
HIBERNATE = Atom("hibernate")
EXIT = Atom("EXIT")
DOWN = Atom("DOWN")
PROCESS = Atom("process")
VIA = Atom("via")
CALLING_SELF = Atom("calling_self")
ALREADY_STARTED = Atom("already_started")
ALREADY_PRESENT = Atom("already_present")
ALREADY_REGISTERED = Atom("already_registered")
BAD_RETURN_VALUE = Atom("bad_return_value")
BAD_RETURN = Atom("bad_return")
NOT_FOUND = Atom("not_found")
NOT_STARTED = Atom("not_started")
RUNNING = Atom("running")
MISSING_ID = Atom("missing_id")
MISSING_START = Atom("missing_start")
INVALID_MFA = Atom("invalid_mfa")
INVALID_RESTART_TYPE = Atom("invalid_restart_type")
INVALID_SHUTDOWN = Atom("invalid_shutdown")
INVALID_CHILD_TYPE = Atom("invalid_child_type")
INVALID_MAX_CHILDREN = Atom("invalid_max_children")
MAX_CHILDREN = Atom("max_children")
START_SPEC = Atom("start_spec")
SUPERVISOR_DATA = Atom("supervisor_data")
DUPLICATE_CHILD_NAME = Atom("duplicate_child_name")
FAILED_TO_START_CHILD = Atom("failed_to_start_child")
