"""One process = one thread + one mailbox, plus the bookkeeping OTP needs.

A process can be *logically* dead (it no longer exists for the runtime: names
released, links and monitors notified) while its thread still unwinds; see the
kill ladder in :mod:`._runtime`.
"""

from __future__ import annotations

import queue
import threading
from collections import deque
from typing import TYPE_CHECKING, Any

from ._pid import Pid, Ref

if TYPE_CHECKING:
    from ._runtime import Runtime

__all__ = ["Process", "current_process"]

_local = threading.local()


def current_process() -> Process | None:
    """The process whose thread is running this code, if any.

    A thread adopted by a runtime that has since shut down (a notebook's shell process
    after ``runtime.shutdown()``) is plain code again, not a dead process forever.
    """
    proc = getattr(_local, "process", None)
    if proc is not None and proc.adopted and proc.runtime.closed:
        _local.process = None
        return None
    return proc


def _set_current(proc: Process | None) -> None:
    _local.process = proc


class Process:
    """The runtime's record of one process.  Mutated under the runtime lock, except the
    mailbox.

    The mailbox is a deque that any thread may append to and only the owner removes
    from; every append also drops a token into ``wake``, a C-level ``SimpleQueue`` the
    owner blocks on.  That is several times cheaper than a ``threading.Condition``
    (pure Python) and is what keeps a ``call`` near the raw-queue floor.  Tokens only
    say "look again"; the deque is the truth, so a stale token costs one re-check.
    """

    __slots__ = (
        "adopted",
        "aliases",
        "alive",
        "behaviour",
        "dead_at",
        "dict",
        "escalated",
        "finishing",
        "group",
        "links",
        "lock",
        "mailbox",
        "monitored_by",
        "monitors",
        "name",
        "parent",
        "pid",
        "quiet",
        "reason",
        "role",
        "runtime",
        "seat",
        "thread",
        "trap_exit",
        "wake",
    )

    def __init__(
        self,
        runtime: Runtime,
        pid: Pid,
        *,
        parent: Pid | None,
        behaviour: str,
        role: str,
    ) -> None:
        self.runtime = runtime
        self.pid = pid
        self.parent = parent
        self.behaviour = behaviour
        self.role = role
        self.lock = threading.Lock()  # guards ``aliases`` against a racing reply
        self.wake: queue.SimpleQueue[None] = queue.SimpleQueue()
        self.mailbox: deque[Any] = deque()
        self.alive = True
        self.reason: Any = None
        self.dead_at: float | None = None
        self.trap_exit = False
        self.links: set[Pid] = set()
        self.monitors: dict[Ref, Pid] = {}  # monitors this process holds on others
        self.monitored_by: dict[Ref, Pid] = {}  # monitors others hold on this process
        self.aliases: set[Ref] = set()  # open calls whose replies are still wanted
        self.name: Any = None
        self.thread: threading.Thread | None = None
        self.adopted = False
        self.quiet = False  # a stand-in for plain code: no events
        self.escalated = False
        self.finishing = False  # the thread left user code and is in the runtime's epilogue
        self.group: Any = None  # the application (master pid) a process belongs to, inherited
        self.dict: dict[Any, Any] = {}  # the process dictionary (Registry keys live here)
        self.seat: Any = None  # its place at the baton, in a simulated runtime (see _baton)

    def __repr__(self) -> str:
        state = "alive" if self.alive else f"dead {self.reason!r}"
        return f"<Process {self.pid} {self.behaviour} {state}>"
