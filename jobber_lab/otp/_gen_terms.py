"""The GenServer's vocabulary: what a callback returns, and the tags of its messages.

``InitOk(state)`` is ``{:ok, state}``, ``Reply(r, state)`` is ``{:reply, r, state}``, and so
on: one small frozen value per shape Elixir writes as a tuple, so a typo is an error and
not a silently unmatched tuple. The server loop (:mod:`._genserver`) and its clients
(:mod:`._gen_client`) both speak it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._atoms import HIBERNATE, INFINITY, Atom
from ._pid import Pid, Ref

__all__ = [
    "NO_REPLY",
    "Continue",
    "From",
    "InitError",
    "InitOk",
    "InitStop",
    "NoReply",
    "Reply",
    "Stop",
]

GEN_CALL = Atom("$gen_call")


GEN_CAST = Atom("$gen_cast")


GEN_STOP = Atom("$gen_stop")


_UNSET: Any = Atom("$unset")


NO_REPLY = Atom("$no_reply")
"""``Stop(...)`` without a reply (from any callback other than a call that answers)."""


From = tuple[Pid, Ref]
"""Who is waiting for a reply: pass it to :func:`reply`."""


@dataclass(frozen=True)
class Continue:
    """``{:continue, arg}``: run ``handle_continue(arg, state)`` before the next message."""

    arg: Any


@dataclass(frozen=True)
class InitOk:
    """``{:ok, state}`` / ``{:ok, state, action}`` from ``init``."""

    state: Any
    action: Any = None
    continue_: Any = field(default=_UNSET, kw_only=True, repr=False)


@dataclass(frozen=True)
class InitError:
    """``{:error, reason}`` from ``init``: start fails quietly (exit ``normal``)."""

    reason: Any


@dataclass(frozen=True)
class InitStop:
    """``{:stop, reason}`` from ``init``: start fails and the process exits ``reason``."""

    reason: Any


@dataclass(frozen=True)
class Reply:
    """``{:reply, reply, state}`` (optionally with an action)."""

    reply: Any
    state: Any
    action: Any = None
    continue_: Any = field(default=_UNSET, kw_only=True, repr=False)


@dataclass(frozen=True)
class NoReply:
    """``{:noreply, state}``; ``NoReply(state, continue_="run")`` is the book's continue."""

    state: Any
    action: Any = None
    continue_: Any = field(default=_UNSET, kw_only=True, repr=False)


@dataclass(frozen=True)
class Stop:
    """``{:stop, reason, state}`` or, from ``handle_call``, ``{:stop, reason, reply, state}``."""

    reason: Any
    state: Any
    reply: Any = NO_REPLY


def _action_of(result: Any) -> Any:
    cont = getattr(result, "continue_", _UNSET)
    return Continue(cont) if cont is not _UNSET else result.action


def _valid_action(action: Any) -> bool:
    return (
        action is None
        or action is HIBERNATE
        or action is INFINITY
        or isinstance(action, Continue)
        or (isinstance(action, int | float) and not isinstance(action, bool) and action >= 0)
    )
