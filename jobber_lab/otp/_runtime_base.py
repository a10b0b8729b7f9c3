"""What the parts of :class:`~jobber_lab.otp.Runtime` share: its state, declared once.

The runtime is one class made of mixins, one module per concern (spawning, adopting a thread,
mailboxes, links and signals, names, the kill ladder), as its simulation controls already were
(:mod:`._sim`). Each part reads the runtime's state and calls its siblings; this base
declares both for the type checker, so each module reads on its own. ``Runtime.__init__``
makes the state.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._atoms import Atom
from ._pid import Pid, Ref
from ._process import Process
from ._via import Via

if TYPE_CHECKING:
    from ._baton import Baton
    from ._clock import Clock
    from ._events import EventBus
    from ._timers import TimerService


__all__ = ["RuntimeBase", "remove_first"]


class RuntimeBase:
    """The runtime's state and the methods its parts call on each other."""

    number: int
    name: str
    clock: Clock
    grace: float
    trace_messages: bool
    copy_messages: bool
    events: EventBus
    timers: TimerService
    _sim: Baton | None
    _lock: threading.RLock
    _serials: itertools.count[int]
    _refs: itertools.count[int]
    _procs: dict[Pid, Process]  # the live processes
    _threads: dict[Pid, Process]  # processes whose thread may still run
    _names: dict[Any, Pid]
    _zombies: dict[Pid, Process]
    _zombie_count: int
    _closed: bool

    if TYPE_CHECKING:  # defined by the parts; declared here for the type checker only

        @property
        def time_scale(self) -> float:
            raise NotImplementedError

        def now(self) -> float:
            raise NotImplementedError

        def make_ref(self) -> Ref:
            raise NotImplementedError

        def _caller(self) -> Process | None:
            raise NotImplementedError

        def _require_process(self, what: str) -> Process:
            raise NotImplementedError

        def _deliver(
            self, pid: Pid, message: Any, sender: Process | None = None, tag: str = "info"
        ) -> None:
            raise NotImplementedError

        def resolve(self, dest: Any) -> Pid | None:
            raise NotImplementedError

        def _check_name_free(self, name: Any) -> None:
            raise NotImplementedError

        def _register_locked(self, proc: Process, name: Any) -> None:
            raise NotImplementedError

        def _signal(self, target: Pid, sender: Pid | None, reason: Any, *, via_link: bool) -> None:
            raise NotImplementedError

        def _die(self, proc: Process, reason: Any) -> None:
            raise NotImplementedError

        def _schedule_escalation(self, proc: Process) -> None:
            raise NotImplementedError

        def _new_process(
            self, *, parent: Pid | None, behaviour: str, role: str, trap_exit: bool = False
        ) -> Process:
            raise NotImplementedError

        def _admit(self, proc: Process, name: Any, *, linked: bool, quiet: bool = False) -> None:
            raise NotImplementedError

        def _join_or_leak(self, procs: list[Process], deadline: float) -> list[threading.Thread]:
            raise NotImplementedError


def _is_name(x: Any) -> bool:
    return isinstance(x, str | Atom | Via)


def _via_module(dest: Any) -> Any:
    """The registry-like module behind a via-name, if ``dest`` is one."""
    return dest.module if type(dest) is Via else None


def _serial(pid: Pid) -> int:
    return pid.serial


def _check_pid(what: str, pid: Any) -> None:
    if not isinstance(pid, Pid):
        raise TypeError(f"{what}(pid): expected a Pid, got {pid!r}")


def remove_first(box: Any, predicate: Callable[[Any], bool]) -> bool:
    """Remove the first message ``predicate`` accepts, in place (the owner's thread only:
    other threads may append meanwhile, so the deque is never replaced)."""
    for i in range(len(box)):
        if predicate(box[i]):
            del box[i]
            return True
    return False
