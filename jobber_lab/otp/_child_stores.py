"""What differs between Supervisor and DynamicSupervisor: how each keeps its children.

The engine (:mod:`._supervisor_engine`) asks a store for a child by pid or key, for the group
a strategy restarts, for the batches a shutdown stops, and to start one; the two stores
answer for a static supervisor's ordered specs and a dynamic one's anonymous children.
:func:`launch` is how either starts a child: every result is a value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._atoms import ALREADY_PRESENT, ALREADY_STARTED, INFINITY, MAX_CHILDREN, RESTARTING, UNDEFINED
from ._childspec import ChildSpec, Restart, Strategy, check_childspec, to_childspec
from ._pid import Pid
from ._process import current_process
from ._results import IGNORE, Crash, Error, ExitError, ExitSignal, Ok

if TYPE_CHECKING:
    from ._supervisor_engine import SupervisorServer, SupState

__all__ = ["Child", "DynamicChildren", "StaticChildren", "Store", "launch"]


def launch(spec: ChildSpec, extra_args: tuple[Any, ...] = ()) -> Any:
    """Call ``spec.start`` in the supervisor's process: ``Ok(pid[, info])``, ``IGNORE``
    or ``Error(reason)`` (S3, D2).

    As ``supervisor.erl`` catches whatever the start function throws, a raise becomes
    ``Error(Crash(exc))`` and an ``exit(reason)`` (or a failed call) ``Error(reason)``:
    the supervisor itself stays up.  A signal from outside still unwinds it.
    """
    fn, args = spec.start
    try:
        result = fn(*extra_args, *args)
    except ExitSignal as signal:
        proc = current_process()
        if proc is None or not proc.alive:
            raise  # killed from outside while starting: that is the supervisor's end
        return Error(signal.reason)
    except ExitError as exc:
        return Error(exc.reason)
    except Exception as exc:
        return Error(Crash(exc))
    if isinstance(result, Ok) and isinstance(result.value, Pid):
        return result
    if result is IGNORE or isinstance(result, Error):
        return result
    return Error(result)


@dataclass(eq=False)
class Child:
    """One supervised child; ``pid`` is a Pid, ``UNDEFINED`` or ``RESTARTING``."""

    spec: ChildSpec
    pid: Any = UNDEFINED
    key: Any = None  # what a retry message names: the id, or a dynamic serial
    last: Any = None  # the pid it had before it went RESTARTING
    restarts: int = 0


class StaticChildren:
    """The ordered list of specs of a ``Supervisor`` (S3, S12, S13)."""

    dynamic = False
    extra_arguments: tuple[Any, ...] = ()

    def __init__(self) -> None:
        self.children: list[Child] = []  # in start order

    def all(self) -> list[Child]:
        return self.children

    def by_pid(self, pid: Any) -> Child | None:
        return next((c for c in self.children if c.pid == pid), None)

    def by_key(self, key: Any) -> Child | None:
        return next((c for c in self.children if c.key == key), None)

    def find(self, child_id: Any) -> Child | None:
        """S12(c): ids, not pids, name static children."""
        return None if isinstance(child_id, Pid) else self.by_key(child_id)

    def add(self, spec: ChildSpec) -> Child:
        child = Child(spec, key=spec.id)
        self.children.append(child)
        return child

    def remove(self, child: Child) -> None:
        if child in self.children:
            self.children.remove(child)

    def settle(self, child: Child) -> None:
        """A child that ended for good: a temporary spec goes, others wait idle (S5)."""
        if child.spec.restart is Restart.TEMPORARY:
            self.remove(child)
        else:
            child.pid = UNDEFINED

    def ignored(self, child: Child) -> None:
        """A restart whose start returned IGNORE: the spec stays, with no pid."""
        child.pid = UNDEFINED

    def group(self, child: Child, strategy: Strategy) -> list[Child]:
        """Who restarts with ``child`` (S8, S9), in start order."""
        if strategy is Strategy.ONE_FOR_ONE:
            return [child]
        first = 0 if strategy is Strategy.ONE_FOR_ALL else self.children.index(child)
        return self.children[first:]

    def batches(self, children: list[Child]) -> list[list[Child]]:
        """Static children go down one at a time, in reverse start order (S10)."""
        return [[c] for c in reversed(children)]

    def listing(self) -> list[tuple[Any, Any, Any, Any]]:
        return [
            (c.spec.id, c.pid, c.spec.type, c.spec.modules_value) for c in reversed(self.children)
        ]

    def start_child(self, server: SupervisorServer, state: SupState, item: Any) -> Any:
        """S12: checked here, appended after the others; failures wrapped with the spec."""
        spec = to_childspec(item)
        error = check_childspec(spec, state.auto_shutdown)
        if error is not None:
            return Error(error)
        existing = self.find(spec.id)
        if existing is not None:
            if isinstance(existing.pid, Pid):
                return Error((ALREADY_STARTED, existing.pid))
            return Error(ALREADY_PRESENT)
        result = launch(spec)
        if isinstance(result, Ok):
            self.add(spec).pid = result.value
            server.announce(spec, result.value, dynamic=False)
            return result
        if result is IGNORE:
            if spec.restart is not Restart.TEMPORARY:
                self.add(spec)
            return Ok(UNDEFINED)
        reason = result.reason
        if isinstance(reason, tuple) and len(reason) == 2 and reason[0] is ALREADY_STARTED:
            return result  # a name clash passes through unwrapped (S12)
        return Error((reason, spec))


class DynamicChildren:
    """The children of a ``DynamicSupervisor``, keyed by identity (D2-D4)."""

    dynamic = True

    def __init__(self, max_children: Any, extra_arguments: tuple[Any, ...]) -> None:
        self.max_children = max_children
        self.extra_arguments = extra_arguments
        self.children: dict[int, Child] = {}  # key -> child, in start order

    def all(self) -> list[Child]:
        return list(self.children.values())

    def by_pid(self, pid: Any) -> Child | None:
        return next((c for c in self.children.values() if c.pid == pid), None)

    def by_key(self, key: Any) -> Child | None:
        return self.children.get(key)

    def find(self, pid: Any) -> Child | None:
        """A child by its pid; a RESTARTING child answers to the pid it had (D3)."""
        if not isinstance(pid, Pid):
            return None
        return next(
            (
                c
                for c in self.children.values()
                if c.pid == pid or (c.pid is RESTARTING and c.last == pid)
            ),
            None,
        )

    def remove(self, child: Child) -> None:
        self.children.pop(child.key, None)

    def settle(self, child: Child) -> None:
        """A dynamic child that ended for good is forgotten (D5)."""
        self.remove(child)

    def ignored(self, child: Child) -> None:
        """IGNORE on restart drops the child (D5)."""
        self.remove(child)

    def group(self, child: Child, _strategy: Strategy) -> list[Child]:
        return [child]  # a dynamic supervisor is always one_for_one

    def batches(self, children: list[Child]) -> list[list[Child]]:
        """All at once (D5): one batch, shut down in parallel."""
        return [children] if children else []

    def listing(self) -> list[tuple[Any, Any, Any, Any]]:
        return [
            (UNDEFINED, c.pid, c.spec.type, c.spec.modules_value) for c in self.children.values()
        ]

    def start_child(self, server: SupervisorServer, _state: SupState, spec: ChildSpec) -> Any:
        """D2: ``max_children`` counts restarting children too; results pass through."""
        if self.max_children is not INFINITY and len(self.children) >= self.max_children:
            return Error(MAX_CHILDREN)
        result = launch(spec, self.extra_arguments)
        if isinstance(result, Ok):
            pid = result.value
            self.children[pid.serial] = Child(spec, pid, key=pid.serial)
            server.announce(spec, pid, dynamic=True)
        return result


Store = StaticChildren | DynamicChildren
