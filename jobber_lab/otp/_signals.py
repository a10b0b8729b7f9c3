"""The two messages the runtime itself sends: a monitor's ``Down`` and a trapped ``Exit``.

Both are NamedTuples in the book's order, ``{:DOWN, ref, :process, pid, reason}`` and
``{:EXIT, pid, reason}``, so everything written against plain tuples keeps working: a tuple
pattern such as ``(DOWN, ref, ..., ..., ...)``, unpacking, ``msg[4]``, equality with a tuple.
What the names add is reading: ``msg.reason`` instead of ``msg[4]``, and one predicate,
:func:`is_down` / :func:`is_exit`, instead of a hand-written matcher at every ``receive``.

The predicates look at the shape, as Erlang's ``receive`` does: a ``{:EXIT, pid, reason}``
that somebody sent by hand is an EXIT too (a supervisor treats it like one, as OTP's does).
So code reached by such a message unpacks it rather than reading fields.

``repr`` stays the plain tuple's: traces keep a message's text, and the pictures read the
book's term back from it.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ._atoms import DOWN, EXIT, PROCESS, Atom
from ._pid import Pid, Ref

__all__ = ["Down", "Exit", "is_down", "is_exit"]


class Down(NamedTuple):
    """``{:DOWN, ref, :process, pid, reason}``: what a monitor delivers once (P4)."""

    tag: Atom
    ref: Ref
    kind: Atom
    pid: Any  # the Pid, or the name that was monitored when nothing had it
    reason: Any

    @classmethod
    def of(cls, ref: Ref, pid: Any, reason: Any) -> Down:
        """The DOWN for monitor ``ref`` of ``pid``, ended with ``reason``."""
        return cls(DOWN, ref, PROCESS, pid, reason)

    def __repr__(self) -> str:
        return tuple.__repr__(self)


class Exit(NamedTuple):
    """``{:EXIT, pid, reason}``: an exit signal, turned into a message by ``trap_exit``."""

    tag: Atom
    pid: Any  # the sender: a Pid, or None for a signal from outside any process
    reason: Any

    @classmethod
    def of(cls, pid: Any, reason: Any) -> Exit:
        """The EXIT from ``pid`` with ``reason``."""
        return cls(EXIT, pid, reason)

    def __repr__(self) -> str:
        return tuple.__repr__(self)


def is_down(message: Any, ref: Ref | None = None) -> bool:
    """Whether ``message`` is a DOWN (for monitor ``ref``, when given).

    ``receive(lambda m: is_down(m, ref))`` is Elixir's
    ``receive do {:DOWN, ^ref, :process, _pid, reason} -> ... end``."""
    return (
        isinstance(message, tuple)
        and not isinstance(message, Pid)
        and len(message) == 5
        and message[0] is DOWN
        and (ref is None or message[1] is ref)
    )


def is_exit(message: Any, pid: Pid | None = None) -> bool:
    """Whether ``message`` is an EXIT (from ``pid``, when given).

    ``receive(lambda m: is_exit(m, pid))`` is Elixir's
    ``receive do {:EXIT, ^pid, reason} -> ... end``."""
    return (
        isinstance(message, tuple)
        and not isinstance(message, Pid)
        and len(message) == 3
        and message[0] is EXIT
        and (pid is None or message[1] == pid)
    )


# ------------------------------------------------- the runtime's signal queue (internal)


class LinkSignal(NamedTuple):
    """An exit signal on its way to ``target`` (P2): it becomes an :class:`Exit` message if
    the target traps exits, or kills it, or is dropped."""

    target: Pid
    sender: Pid | None
    reason: Any
    via_link: bool


class DownNotice(NamedTuple):
    """A :class:`Down` on its way to the process that monitored the dead one."""

    watcher: Pid
    down: Down


Pending = LinkSignal | DownNotice
"""What a death leaves to deliver: link signals first, then DOWNs (G2, R6)."""
