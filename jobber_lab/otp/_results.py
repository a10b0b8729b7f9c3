"""Result values, exit reasons and the exceptions of the core.

What Elixir *returns* (``{:ok, pid}``, ``{:error, reason}``) comes back as small
frozen values that ``match`` takes apart; what Elixir *exits* with is raised
(otp-semantics §0).  A signal that kills a process is a ``BaseException`` so that
``except Exception`` in user code cannot swallow it.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ._atoms import KILL, KILLED, NORMAL, SHUTDOWN, Atom
from ._pid import Pid

__all__ = [
    "IGNORE",
    "OK",
    "ArgumentError",
    "Crash",
    "Error",
    "ExitError",
    "ExitSignal",
    "NoProcError",
    "Ok",
    "OnStart",
    "format_reason",
    "is_clean",
    "reason_kind",
]


T = TypeVar("T", covariant=True)


@dataclass(frozen=True)
class Ok(Generic[T]):
    """``{:ok, value}`` (or ``{:ok, value, info}`` when ``info`` is given).

    Generic in the value: a start function returns ``Ok[Pid]``, so after
    ``isinstance(result, Ok)`` the checker knows ``result.value`` is a pid."""

    value: T
    info: Any = None


@dataclass(frozen=True)
class Error:
    """``{:error, reason}``."""

    reason: Any


OnStart = Ok[Pid] | Error | Atom
"""What a start function returns, Elixir's ``on_start``: ``{:ok, pid}`` (``Ok[Pid]``, with
``info`` for a child that gave one), ``:ignore`` (``IGNORE``) or ``{:error, reason}``."""

OK = Atom("ok")
"""The bare ``:ok``."""

IGNORE = Atom("ignore")
"""``:ignore`` from ``init`` or a child's start function."""


class Crash:
    """The exit reason of a process that raised: Elixir's ``{exception, stacktrace}``.

    It keeps the exception object and formats the traceback only when somebody
    reads it: formatting at crash time made a restart cycle 5x slower.
    """

    __slots__ = ("exception",)

    def __init__(self, exception: BaseException) -> None:
        self.exception = exception

    @property
    def traceback(self) -> str:
        """The formatted traceback, computed on demand."""
        return "".join(traceback.format_exception(self.exception))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Crash) and other.exception is self.exception

    def __hash__(self) -> int:
        return hash(id(self.exception))

    def __repr__(self) -> str:
        return f"Crash({self.exception!r})"


class ArgumentError(ValueError):
    """Elixir's ``ArgumentError`` (badarg): the call itself was malformed."""


class ExitError(Exception):
    """Raised in a caller where Elixir would ``exit`` (a failed ``call``, ``stop``).

    Catchable like ``catch :exit, reason``; ``.reason`` holds the exit term.
    """

    def __init__(self, reason: Any) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return f"exit: {format_reason(self.reason)}"


class NoProcError(ExitError):
    """``link`` to a process that does not exist, from a process not trapping exits."""


class ExitSignal(BaseException):
    """Unwinds a process thread that received a fatal exit signal.

    A ``BaseException`` so that ``except Exception`` in work code cannot keep a
    killed process running.
    """

    def __init__(self, reason: Any) -> None:
        super().__init__(reason)
        self.reason = reason


def is_clean(reason: Any) -> bool:
    """``normal``, ``shutdown`` and ``(shutdown, term)`` are clean (P1): no crash report,
    no transient restart.  Plain strings are never clean."""
    if reason is NORMAL or reason is SHUTDOWN:
        return True
    return isinstance(reason, tuple) and len(reason) == 2 and reason[0] is SHUTDOWN


def reason_kind(reason: Any) -> str:
    """Classify an exit reason for events and pictures: normal/shutdown/killed/crash."""
    if reason is NORMAL:
        return "normal"
    if is_clean(reason):
        return "shutdown"
    if reason is KILLED or reason is KILL:
        return "killed"
    return "crash"


def format_reason(reason: Any) -> str:
    """A short, readable rendering of an exit term (no traceback)."""
    if isinstance(reason, Crash):
        exc = reason.exception
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return repr(reason)
