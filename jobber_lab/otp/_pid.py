"""Process identifiers that print like Erlang's ``<0.42.0>``."""

from __future__ import annotations

__all__ = ["Pid", "Ref"]


class Pid:
    """A process identifier; never reused within a runtime.

    The middle number is a per-runtime serial; the first is the runtime's number,
    so pids of two isolated runtimes never compare equal.
    """

    __slots__ = ("_hash", "node", "serial")

    def __init__(self, node: int, serial: int) -> None:
        self.node = node
        self.serial = serial
        self._hash = hash((node, serial))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pid) and other.serial == self.serial and other.node == self.node

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"<{self.node}.{self.serial}.0>"

    def __copy__(self) -> Pid:
        return self

    def __deepcopy__(self, memo: object) -> Pid:
        return self

    __str__ = __repr__


class Ref:
    """A unique reference (monitors, timers, calls); prints like ``#Ref<0.7>``."""

    __slots__ = ("node", "serial")

    def __init__(self, node: int, serial: int) -> None:
        self.node = node
        self.serial = serial

    def __repr__(self) -> str:
        return f"#Ref<{self.node}.{self.serial}>"

    def __copy__(self) -> Ref:
        return self  # refs are compared by identity: a copy must be the same ref

    def __deepcopy__(self, memo: object) -> Ref:
        return self
