"""Process identifiers that print like Erlang's ``<0.42.0>``."""

from __future__ import annotations

__all__ = ["Pid", "Ref"]


class Pid(tuple[int, int, str]):
    """A process identifier; never reused within a runtime.

    The middle number is a per-runtime serial; the first is the runtime's number,
    so pids of two isolated runtimes never compare equal.

    A tuple underneath, ``(node, serial, printed form)``, for speed: pids are dict keys
    on every send, monitor and reply, and a tuple's hash runs in C where a Python
    ``__hash__`` would cost a function call each time; the printed form is made once
    because every event carries it.
    """

    __slots__ = ()

    def __new__(cls, node: int, serial: int) -> Pid:
        return tuple.__new__(cls, (node, serial, f"<{node}.{serial}.0>"))

    @property
    def node(self) -> int:
        return self[0]

    @property
    def serial(self) -> int:
        return self[1]

    def __eq__(self, other: object) -> bool:
        return type(other) is Pid and tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = tuple.__hash__

    def __repr__(self) -> str:
        return self[2]

    __str__ = __repr__

    def __reduce__(self) -> tuple[type[Pid], tuple[int, int]]:
        return (Pid, (self[0], self[1]))

    def __copy__(self) -> Pid:
        return self

    def __deepcopy__(self, memo: object) -> Pid:
        return self

    # A pid is a name, not a sequence: no ordering (like Erlang's, only by accident).
    def __lt__(self, other: object) -> bool:
        return NotImplemented

    __le__ = __gt__ = __ge__ = __lt__


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
