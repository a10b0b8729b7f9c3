"""The report a GenServer logs when it terminates abnormally, as Elixir's Logger writes it.

Elixir's ``Logger.Translator`` turns OTP's ``{gen_server, terminate}`` report into::

    GenServer #PID<0.95.0> terminating
    ** (RuntimeError) Boom!
        lib/counter.ex:12: Counter.handle_call/3
    Last message (from #PID<0.90.0>): :inc
    State: 1
    Client #PID<0.90.0> is alive

:class:`TerminateReport` keeps each part as a field (a test, the dashboard or a notebook
reads them from the log record's ``report`` attribute) and renders that text, with
Python's frames in place of Elixir's, so the course can set the two side by side.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass
from typing import Any

from ._atoms import Atom
from ._pid import Pid
from ._results import Crash

__all__ = ["NO_MESSAGE", "TerminateReport", "inspect"]

NO_MESSAGE = Atom("$no_message")
"""``last_message`` of a server that had handled no message yet."""


def inspect(term: Any) -> str:
    """Elixir's ``inspect/1`` for the shapes this port uses: ``:atom``, ``#PID<0.1.0>``,
    ``"string"``, ``{tuple}``, ``[list]``, ``%{map}``, ``nil``, ``true``."""
    if term is None:
        return "nil"
    if term is True or term is False:
        return str(term).lower()
    if isinstance(term, Pid):
        return f"#PID{term}"
    if isinstance(term, Atom):
        return repr(term)
    if isinstance(term, str):
        return '"' + term.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if type(term) is tuple:
        return "{" + ", ".join(inspect(t) for t in term) + "}"
    if type(term) is list:
        return "[" + ", ".join(inspect(t) for t in term) + "]"
    if type(term) is dict:
        return "%{" + ", ".join(f"{inspect(k)} => {inspect(v)}" for k, v in term.items()) + "}"
    return repr(term)


@dataclass(frozen=True)
class TerminateReport:
    """One part per field, as OTP's ``{gen_server, terminate}`` report has them."""

    server: Pid
    name: Any  # the registered name, or None
    module: str
    reason: Any
    last_message: Any  # NO_MESSAGE when none was handled
    client: Pid | None  # the caller, when the last message was a call
    client_alive: bool
    state: Any

    def text(self) -> str:
        """The report as Elixir's Logger prints it."""
        who = self.name if self.name is not None else inspect(self.server)
        lines = [f"GenServer {who} terminating", *_reason_lines(self.reason)]
        if self.last_message is not NO_MESSAGE:
            frm = f" (from {inspect(self.client)})" if self.client is not None else ""
            lines.append(f"Last message{frm}: {inspect(self.last_message)}")
        lines.append(f"State: {inspect(self.state)}")
        if self.client is not None:
            status = "alive" if self.client_alive else "dead"
            lines.append(f"Client {inspect(self.client)} is {status}")
        return "\n".join(lines)

    __str__ = text  # logging formats the record only if a handler emits it


def _reason_lines(reason: Any) -> list[str]:
    """``** (Exception) message`` and its frames for a crash; ``** (stop) reason`` else."""
    if not isinstance(reason, Crash):
        return [f"** (stop) {inspect(reason)}"]
    exc = reason.exception
    banner = f"** ({type(exc).__name__}) {exc}".rstrip()
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if not f.filename.startswith(_CORE)] or frames
    # Innermost call first, as an Erlang stacktrace (and so Elixir's report) lists it; Python's
    # traceback runs the other way.
    return [banner, *(f"    {f.filename}:{f.lineno}: {f.name}" for f in reversed(own))]


_CORE = os.path.dirname(os.path.abspath(__file__)) + os.sep
"""Frames of the core itself (the loop that called the callback) are left out of the
stack, as Elixir's report starts at the user's code."""
