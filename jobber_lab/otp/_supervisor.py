"""Supervisor: static children, three strategies, restart intensity (S1-S13, §9).

Like Erlang's ``supervisor.erl``, every restart goes through one path
(:meth:`_SupervisorServer._restart`): the intensity check, then a strategy,
where strategies are small variations (which siblings go down and come back)
on a shared terminate/start cycle.

Two ways to start one, as in Elixir::

    Supervisor.start_link([Registry.child_spec(...), ...], strategy=Strategy.ONE_FOR_ONE)

    class JobberSupervisor(Supervisor):
        def init(self, arg):
            return supervisor_init(children, strategy=Strategy.ONE_FOR_ONE)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ._atoms import (
    ALREADY_PRESENT,
    ALREADY_STARTED,
    BAD_RETURN,
    DUPLICATE_CHILD_NAME,
    EXIT,
    FAILED_TO_START_CHILD,
    INFINITY,
    NOT_FOUND,
    RESTARTING,
    RUNNING,
    SHUTDOWN,
    START_SPEC,
    SUPERVISOR_DATA,
    UNDEFINED,
    Atom,
)
from ._childspec import (
    AutoShutdown,
    ChildSpec,
    ChildType,
    Restart,
    Strategy,
    check_childspec,
    to_childspec,
)
from ._events import EventKind
from ._genserver import GenServer, InitOk, InitStop, NoReply, Reply, Stop, call
from ._genserver import start_link as gen_start_link
from ._pid import Pid
from ._results import IGNORE, OK, ArgumentError, Error, Ok, format_reason, reason_kind
from ._supervision import (
    TRY_AGAIN,
    Intensity,
    check_flags,
    count_specs,
    emit_child,
    may_restart,
    own_pid,
    own_runtime,
    restart_decision,
    retry_later,
    shutdown_children,
    start_child_process,
)

__all__ = [
    "Supervisor",
    "SupervisorInit",
    "count_children",
    "delete_child",
    "restart_child",
    "start_child",
    "supervisor_init",
    "terminate_child",
    "which_children",
]


@dataclass(frozen=True)
class SupervisorInit:
    """What ``init`` returns: Elixir's ``{:ok, {flags, children}}``."""

    children: list[Any]
    strategy: Any
    max_restarts: Any = 3
    max_seconds: Any = 5
    auto_shutdown: Any = AutoShutdown.NEVER


def supervisor_init(
    children: list[Any],
    *,
    strategy: Strategy | str | None = None,
    max_restarts: int = 3,
    max_seconds: float = 5,
    auto_shutdown: AutoShutdown | str = AutoShutdown.NEVER,
) -> SupervisorInit:
    """Elixir's ``Supervisor.init(children, opts)`` with Elixir's defaults (3 in 5 s)."""
    if strategy is None:
        raise ArgumentError("supervisor_init: expected strategy= to be given (e.g. ONE_FOR_ONE)")
    if not isinstance(children, list | tuple):
        raise TypeError(f"supervisor_init(children): expected a list, got {children!r}")
    return SupervisorInit(list(children), strategy, max_restarts, max_seconds, auto_shutdown)


@dataclass
class _Child:
    spec: ChildSpec
    pid: Any = UNDEFINED  # Pid | UNDEFINED | RESTARTING
    restarts: int = 0


@dataclass
class _State:
    strategy: Strategy
    intensity: Intensity
    auto_shutdown: AutoShutdown
    children: list[_Child] = field(default_factory=list)  # in start order


class Supervisor:
    """Base class for module-based supervisors; ``Supervisor.start_link(children, ...)``
    starts one from a plain list."""

    role: ClassVar[str] = "supervisor"

    def init(self, arg: Any) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__}.init(arg) must return supervisor_init(...)"
        )

    @classmethod
    def start_link(cls, arg: Any = None, *, name: Any = None, **flags: Any) -> Any:
        """Start linked to the caller; ``Ok(pid)``, ``IGNORE`` or ``Error(...)`` (S3, S4)."""
        if cls is Supervisor:
            init = supervisor_init(arg if arg is not None else [], **flags)
            module: Any = _Inline(init)
            behaviour = "Supervisor"
        else:
            if flags:
                raise TypeError(f"{cls.__name__}.start_link: unknown options {sorted(flags)}")
            module = cls()
            behaviour = cls.__name__
        options = {"name": name} if name is not None else {}
        return gen_start_link(_SupervisorServer(module, behaviour), arg, **options)

    @classmethod
    def child_spec(cls, arg: Any = None, **overrides: Any) -> ChildSpec:
        from ._childspec import child_spec

        base = ChildSpec(
            id=overrides.pop("id", cls if cls is not Supervisor else overrides.get("name")),
            start=(cls.start_link, (arg,)),
            type=ChildType.SUPERVISOR,
            modules=(cls,),
        )
        if cls is Supervisor:
            raise TypeError("Supervisor.child_spec: subclass Supervisor for a child supervisor")
        return child_spec(base, **overrides)


class _Inline(Supervisor):
    def __init__(self, init: SupervisorInit) -> None:
        self._init = init

    def init(self, arg: Any) -> Any:
        return self._init


class _SupervisorServer(GenServer):
    """The supervisor's process: a GenServer that traps exits and owns the children."""

    role = "supervisor"

    def __init__(self, module: Supervisor, behaviour: str) -> None:
        self.module = module
        self.behaviour = behaviour

    # ------------------------------------------------------------- init (S3)

    def init(self, arg: Any) -> Any:
        rt = _runtime()
        rt.trap_exit(True)
        result = self.module.init(arg)
        if result is IGNORE:
            return IGNORE
        if not isinstance(result, SupervisorInit):
            return InitStop((BAD_RETURN, (self.behaviour, "init", result)))
        try:
            strategy = Strategy(result.strategy)
        except ValueError:
            return InitStop((SUPERVISOR_DATA, (Atom("invalid_strategy"), result.strategy)))
        try:
            auto = AutoShutdown(result.auto_shutdown)
        except ValueError:
            return InitStop(
                (SUPERVISOR_DATA, (Atom("invalid_auto_shutdown"), result.auto_shutdown))
            )
        bad = check_flags(result.max_restarts, result.max_seconds)
        if bad is not None:
            return InitStop((SUPERVISOR_DATA, bad))
        state = _State(strategy, Intensity(result.max_restarts, result.max_seconds), auto)
        seen: set[Any] = set()
        for item in result.children:
            spec = to_childspec(item)
            error = check_childspec(spec, auto)
            if error is not None:
                return InitStop((START_SPEC, error))
            if spec.id in seen:
                return InitStop((START_SPEC, (DUPLICATE_CHILD_NAME, spec.id)))
            seen.add(spec.id)
            state.children.append(_Child(spec))
        for index, child in enumerate(state.children):
            failure = self._start(child)
            if failure is not None:
                self._terminate_all(state, state.children[:index])
                return InitStop((SHUTDOWN, (FAILED_TO_START_CHILD, child.spec.id, failure)))
        state.children = [c for c in state.children if not (c.pid is UNDEFINED and _temporary(c))]
        return InitOk(state)

    def _start(self, child: _Child, *, announce: bool = True) -> Any:
        """Start one child; None on success (or ignore), else the failure reason."""
        res = start_child_process(child.spec)
        if res.outcome == "ok":
            child.pid = res.pid
            if announce:
                emit_child(_runtime(), EventKind.CHILD_STARTED, res.pid, child.spec, dynamic=False)
            return None
        if res.outcome == "ignore":
            child.pid = UNDEFINED
            return None
        return res.reason

    # ------------------------------------------------------------- calls (S12)

    def handle_call(self, request: Any, from_: Any, state: _State) -> Any:
        op, arg = request
        if op == "which_children":
            return Reply(
                [
                    (c.spec.id, c.pid, c.spec.type, c.spec.modules_value)
                    for c in reversed(state.children)
                ],
                state,
            )
        if op == "count_children":
            return Reply(count_specs((c.spec, c.pid) for c in state.children), state)
        if op == "start_child":
            return Reply(self._start_child(state, arg), state)
        child = _find(state, arg)
        if child is None:
            return Reply(Error(NOT_FOUND), state)
        if op == "terminate_child":
            if isinstance(child.pid, Pid):
                self._shutdown(state, [child])
            if _temporary(child):
                state.children.remove(child)
            else:
                child.pid = UNDEFINED
            return Reply(OK, state)
        if op == "restart_child":
            if child.pid is RESTARTING:
                return Reply(Error(RESTARTING), state)
            if isinstance(child.pid, Pid):
                return Reply(Error(RUNNING), state)
            failure = self._start(child)
            if failure is not None:
                return Reply(Error(failure), state)
            return Reply(Ok(child.pid), state)
        if op == "delete_child":
            if child.pid is RESTARTING:
                return Reply(Error(RESTARTING), state)
            if isinstance(child.pid, Pid):
                return Reply(Error(RUNNING), state)
            state.children.remove(child)
            return Reply(OK, state)
        raise ArgumentError(f"unknown supervisor request {request!r}")

    def _start_child(self, state: _State, item: Any) -> Any:
        spec = to_childspec(item)
        error = check_childspec(spec, state.auto_shutdown)
        if error is not None:
            return Error(error)
        existing = _find(state, spec.id)
        if existing is not None:
            if isinstance(existing.pid, Pid):
                return Error((ALREADY_STARTED, existing.pid))
            return Error(ALREADY_PRESENT)
        child = _Child(spec)
        res = start_child_process(spec)
        if res.outcome == "ok":
            child.pid = res.pid
            state.children.append(child)
            emit_child(_runtime(), EventKind.CHILD_STARTED, res.pid, spec, dynamic=False)
            return Ok(res.pid, res.info) if res.info is not None else Ok(res.pid)
        if res.outcome == "ignore":
            if not _temporary(child):
                state.children.append(child)
            return Ok(UNDEFINED)
        reason = res.reason
        if isinstance(reason, tuple) and len(reason) == 2 and reason[0] is ALREADY_STARTED:
            return Error(reason)
        return Error((reason, spec))

    # ---------------------------------------------------------- exits (S5-S9)

    def handle_info(self, message: Any, state: _State) -> Any:
        if type(message) is tuple and message and message[0] is EXIT:
            _, pid, reason = message
            child = next((c for c in state.children if c.pid == pid), None)
            if child is None:
                return NoReply(state)  # an EXIT from a stranger is ignored (S5)
            return self._child_exited(state, child, reason)
        if type(message) is tuple and message and message[0] is TRY_AGAIN:
            child = next((c for c in state.children if c.spec.id == message[1]), None)
            if child is None or child.pid is not RESTARTING:
                return NoReply(state)
            return self._restart(state, child)
        return super().handle_info(message, state)

    def _child_exited(self, state: _State, child: _Child, reason: Any) -> Any:
        if restart_decision(_runtime(), child.spec, child.pid, reason):
            return self._restart(state, child)
        if child.spec.restart is Restart.TEMPORARY:
            state.children.remove(child)
        else:
            child.pid = UNDEFINED
        if child.spec.significant and self._auto_shutdown_due(state):
            return Stop(SHUTDOWN, state)
        return NoReply(state)

    def _auto_shutdown_due(self, state: _State) -> bool:
        if state.auto_shutdown is AutoShutdown.ANY_SIGNIFICANT:
            return True
        if state.auto_shutdown is AutoShutdown.ALL_SIGNIFICANT:
            return not any(c.spec.significant and isinstance(c.pid, Pid) for c in state.children)
        return False

    def _restart(self, state: _State, child: _Child) -> Any:
        """The one restart path: intensity, then the strategy's terminate/start cycle."""
        rt = _runtime()
        if not may_restart(rt, state.intensity, child.pid, child.spec, dynamic=False):
            state.children.remove(child)
            return Stop(SHUTDOWN, state)
        previous: dict[int, Any] = {id(child): child.pid}
        child.pid = UNDEFINED
        group = [child]
        if state.strategy is not Strategy.ONE_FOR_ONE:
            first = 0 if state.strategy is Strategy.ONE_FOR_ALL else state.children.index(child)
            group = state.children[first:]
            others = [c for c in group if c is not child and isinstance(c.pid, Pid)]
            previous.update((id(c), c.pid) for c in others)
            self._shutdown(state, others)
            for c in others:
                c.pid = UNDEFINED
            state.children = [c for c in state.children if not (c in others and _temporary(c))]
            group = [c for c in group if c in state.children]
        for member in group:
            old = previous.get(id(member))
            failure = self._start(member, announce=False)
            if failure is not None:
                retry_later(rt, failure, old, member.spec, member.spec.id, dynamic=False)
                member.pid = RESTARTING
                break
            if member is child:
                member.restarts += 1
            if isinstance(member.pid, Pid):
                emit_child(
                    rt,
                    EventKind.CHILD_RESTARTED,
                    member.pid,
                    member.spec,
                    dynamic=False,
                    old_pid=None if old is None or not isinstance(old, Pid) else str(old),
                    restarts=state.intensity.in_window(),
                )
        return NoReply(state)

    # ----------------------------------------------------------- termination

    def terminate(self, reason: Any, state: Any) -> Any:
        if isinstance(state, _State):
            self._terminate_all(state, state.children)
        return OK

    def _terminate_all(self, state: _State, children: list[_Child]) -> None:
        """Stop children one by one in reverse start order (S10, S11)."""
        for child in reversed(children):
            if isinstance(child.pid, Pid):
                self._shutdown(state, [child])
                child.pid = UNDEFINED

    def _shutdown(self, state: _State, children: list[_Child]) -> None:
        """Shut down the given children in reverse start order, one at a time."""
        rt = _runtime()
        for child in reversed(children):
            pid = child.pid
            reasons = shutdown_children(rt, [(pid, child.spec)])
            reason = reasons.get(pid)
            emit_child(
                rt,
                EventKind.CHILD_TERMINATED,
                pid,
                child.spec,
                dynamic=False,
                reason=format_reason(reason),
                reason_kind=reason_kind(reason),
            )


def _temporary(child: _Child) -> bool:
    return child.spec.restart is Restart.TEMPORARY


def _find(state: _State, child_id: Any) -> _Child | None:
    if isinstance(child_id, Pid):
        return None  # S12(c): ids, not pids, name static children
    return next((c for c in state.children if c.spec.id == child_id), None)


_runtime = own_runtime
_self = own_pid


# ------------------------------------------------------------ client API (S12)


def start_child(sup: Any, spec: Any) -> Any:
    """Add and start a child after the existing ones (S12)."""
    return call(sup, ("start_child", spec), INFINITY)


def terminate_child(sup: Any, child_id: Any) -> Any:
    """Stop a child by id (a DynamicSupervisor takes its pid); its spec stays unless temporary."""
    return call(sup, ("terminate_child", child_id), INFINITY)


def restart_child(sup: Any, child_id: Any) -> Any:
    return call(sup, ("restart_child", child_id), INFINITY)


def delete_child(sup: Any, child_id: Any) -> Any:
    return call(sup, ("delete_child", child_id), INFINITY)


def which_children(sup: Any) -> list[tuple[Any, Any, Any, Any]]:
    """``[(id, pid | RESTARTING | UNDEFINED, type, modules)]``, newest first (S13)."""
    return call(sup, ("which_children", None), INFINITY)


def count_children(sup: Any) -> dict[str, int]:
    """``{specs, active, supervisors, workers}`` (S13)."""
    return call(sup, ("count_children", None), INFINITY)
