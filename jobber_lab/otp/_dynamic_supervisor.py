"""DynamicSupervisor: children started on demand, identified by pid (D1-D5).

The book's ``Jobber.JobRunner`` is one.  It shares the intensity rule, the start
classification and the shutdown protocol with :mod:`._supervisor` through
:mod:`._supervision`; what differs is small: no ids, ``max_children``,
``extra_arguments`` prepended to each start, and a parallel shutdown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ._atoms import (
    EXIT,
    INFINITY,
    INVALID_MAX_CHILDREN,
    MAX_CHILDREN,
    NOT_FOUND,
    RESTARTING,
    SHUTDOWN,
    SUPERVISOR_DATA,
    UNDEFINED,
    Atom,
)
from ._childspec import ChildSpec, ChildType, Strategy, check_childspec, to_childspec
from ._events import EventKind
from ._genserver import GenServer, InitOk, InitStop, NoReply, Reply, Stop, call
from ._genserver import start_link as gen_start_link
from ._pid import Pid
from ._process import current_process
from ._results import IGNORE, OK, Error, format_reason, reason_kind
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

__all__ = ["DynamicSupervisor"]

_OPTIONS = frozenset({"strategy", "max_restarts", "max_seconds", "max_children", "extra_arguments"})


@dataclass
class _Child:
    spec: ChildSpec
    pid: Any  # Pid | RESTARTING
    key: int  # stable identity across restarts (the first pid's serial)


@dataclass
class _State:
    intensity: Intensity
    max_children: Any
    extra_arguments: tuple[Any, ...]
    children: dict[int, _Child] = field(default_factory=dict)  # key -> child, in start order


class DynamicSupervisor:
    """``DynamicSupervisor.start_link(strategy=..., name=...)`` and its client functions."""

    role: ClassVar[str] = "supervisor"

    @classmethod
    def start_link(cls, *, name: Any = None, **options: Any) -> Any:
        """Start linked to the caller (D1).  Bad options -> ``Error((SUPERVISOR_DATA, ...))``."""
        unknown = set(options) - _OPTIONS
        if unknown:
            raise TypeError(
                f"DynamicSupervisor.start_link: unknown option(s) {sorted(unknown)}; "
                f"expected some of {sorted(_OPTIONS | {'name'})}"
            )
        extra = {"name": name} if name is not None else {}
        return gen_start_link(_DynamicServer(), options, **extra)

    @classmethod
    def child_spec(cls, **options: Any) -> ChildSpec:
        """A child spec for a parent supervisor: ``id`` is the name, as Elixir does."""
        spec_id = options.pop("id", options.get("name", DynamicSupervisor))
        return ChildSpec(
            id=spec_id,
            start=(_start_link_from_spec, (options,)),
            type=ChildType.SUPERVISOR,
            modules=(DynamicSupervisor,),
        )

    @staticmethod
    def start_child(sup: Any, spec: Any) -> Any:
        """Start a child (D2): the spec is checked here, before the supervisor is touched."""
        spec = to_childspec(spec)
        error = check_childspec(spec)
        if error is None and spec.significant:
            error = (Atom("invalid_significant"), True)
        if error is not None:
            return Error(error)
        return call(sup, ("start_child", spec), INFINITY)

    @staticmethod
    def terminate_child(sup: Any, pid: Pid) -> Any:
        """Stop the child with this pid (D3): ``OK`` or ``Error(NOT_FOUND)``."""
        return call(sup, ("terminate_child", pid), INFINITY)

    @staticmethod
    def which_children(sup: Any) -> list[tuple[Any, Any, Any, Any]]:
        """``[(UNDEFINED, pid | RESTARTING, type, modules)]`` (D4)."""
        return call(sup, ("which_children", None), INFINITY)

    @staticmethod
    def count_children(sup: Any) -> dict[str, int]:
        return call(sup, ("count_children", None), INFINITY)


def _start_link_from_spec(options: dict[str, Any]) -> Any:
    return DynamicSupervisor.start_link(**options)


class _DynamicServer(GenServer):
    role = "supervisor"
    behaviour = "DynamicSupervisor"

    def init(self, options: dict[str, Any]) -> Any:
        proc = current_process()
        assert proc is not None
        proc.runtime.trap_exit(True)
        try:
            strategy = Strategy(options.get("strategy", Strategy.ONE_FOR_ONE))
        except ValueError:
            strategy = None
        if strategy is not Strategy.ONE_FOR_ONE:
            return InitStop((SUPERVISOR_DATA, (Atom("invalid_strategy"), options.get("strategy"))))
        bad = check_flags(options.get("max_restarts", 3), options.get("max_seconds", 5))
        if bad is not None:
            return InitStop((SUPERVISOR_DATA, bad))
        max_children = options.get("max_children", INFINITY)
        if max_children is not INFINITY and (
            isinstance(max_children, bool) or not isinstance(max_children, int) or max_children < 0
        ):
            return InitStop((SUPERVISOR_DATA, (INVALID_MAX_CHILDREN, max_children)))
        extra = options.get("extra_arguments", ())
        if not isinstance(extra, list | tuple):
            return InitStop((SUPERVISOR_DATA, (Atom("invalid_extra_arguments"), extra)))
        intensity = Intensity(options.get("max_restarts", 3), options.get("max_seconds", 5))
        return InitOk(_State(intensity, max_children, tuple(extra)))

    def handle_call(self, request: Any, from_: Any, state: _State) -> Any:
        op, arg = request
        if op == "start_child":
            return Reply(self._start_child(state, arg), state)
        if op == "terminate_child":
            child = next((c for c in state.children.values() if c.pid == arg), None)
            if child is None or not isinstance(arg, Pid):
                return Reply(Error(NOT_FOUND), state)
            del state.children[child.key]
            self._shutdown(state, [child])
            return Reply(OK, state)
        if op == "which_children":
            return Reply(
                [
                    (UNDEFINED, c.pid, c.spec.type, c.spec.modules_value)
                    for c in state.children.values()
                ],
                state,
            )
        if op == "count_children":
            return Reply(count_specs((c.spec, c.pid) for c in state.children.values()), state)
        return super().handle_call(request, from_, state)

    def _start_child(self, state: _State, spec: ChildSpec) -> Any:
        if state.max_children is not INFINITY and len(state.children) >= state.max_children:
            return Error(MAX_CHILDREN)
        res = start_child_process(spec, state.extra_arguments)
        if res.outcome == "ok":
            assert res.pid is not None
            key = res.pid.serial
            state.children[key] = _Child(spec, res.pid, key)
            emit_child(_rt(), EventKind.CHILD_STARTED, res.pid, spec, dynamic=True)
            return res.raw
        if res.outcome == "ignore":
            return IGNORE
        return res.raw if isinstance(res.raw, Error) else Error(res.raw)

    def handle_info(self, message: Any, state: _State) -> Any:
        if type(message) is tuple and message and message[0] is EXIT:
            _, pid, reason = message
            child = next((c for c in state.children.values() if c.pid == pid), None)
            if child is None:
                return NoReply(state)
            return self._child_exited(state, child, reason)
        if type(message) is tuple and message and message[0] is TRY_AGAIN:
            child = state.children.get(message[1])
            if child is None or child.pid is not RESTARTING:
                return NoReply(state)
            return self._restart(state, child, None)
        return super().handle_info(message, state)

    def _child_exited(self, state: _State, child: _Child, reason: Any) -> Any:
        if restart_decision(_rt(), child.spec, child.pid, reason):
            return self._restart(state, child, child.pid)
        del state.children[child.key]
        return NoReply(state)

    def _restart(self, state: _State, child: _Child, old_pid: Any) -> Any:
        rt = _rt()
        if not may_restart(rt, state.intensity, child.pid, child.spec, dynamic=True):
            del state.children[child.key]
            return Stop(SHUTDOWN, state)
        res = start_child_process(child.spec, state.extra_arguments)
        if res.outcome == "ok":
            child.pid = res.pid
            emit_child(
                rt,
                EventKind.CHILD_RESTARTED,
                res.pid,
                child.spec,
                dynamic=True,
                old_pid=None if old_pid is None else str(old_pid),
                restarts=state.intensity.in_window(),
            )
        elif res.outcome == "ignore":
            del state.children[child.key]
        else:
            retry_later(rt, res.reason, old_pid, child.spec, child.key, dynamic=True)
            child.pid = RESTARTING
        return NoReply(state)

    def terminate(self, reason: Any, state: Any) -> Any:
        if isinstance(state, _State):
            running = [c for c in state.children.values() if isinstance(c.pid, Pid)]
            state.children.clear()
            self._shutdown(state, running)
        return OK

    def _shutdown(self, state: _State, children: list[_Child]) -> None:
        """All at once (D5): one signal each, one kill deadline per shutdown value."""
        if not children:
            return
        rt = _rt()
        reasons = shutdown_children(rt, [(c.pid, c.spec) for c in children])
        for child in children:
            reason = reasons.get(child.pid)
            emit_child(
                rt,
                EventKind.CHILD_TERMINATED,
                child.pid,
                child.spec,
                dynamic=True,
                reason=format_reason(reason),
                reason_kind=reason_kind(reason),
            )


_rt = own_runtime
_self = own_pid
