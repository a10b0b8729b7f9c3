"""The one supervisor engine behind Supervisor and DynamicSupervisor.

Like Erlang's ``supervisor.erl``: one server (:class:`SupervisorServer`), one state
record (:class:`SupState`), one restart path (:meth:`SupervisorServer._restart`), one
shutdown path (:meth:`SupervisorServer._shutdown`).  What differs between the two
front ends lives in two small child stores (:mod:`._child_stores`):

- :class:`StaticChildren`: the ordered list of specs, named by id; strategies,
  ``restart_child`` / ``delete_child``, an ignored or finished child keeps its spec.
- :class:`DynamicChildren`: children keyed by identity, ``max_children``,
  ``extra_arguments`` prepended to each start, a parallel shutdown; a finished child
  is forgotten.

Every start result is a value: ``Ok(pid[, info])``, ``IGNORE`` or ``Error(reason)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ._atoms import (
    BAD_RETURN,
    DUPLICATE_CHILD_NAME,
    FAILED_TO_START_CHILD,
    INFINITY,
    INVALID_MAX_CHILDREN,
    NOT_FOUND,
    RESTARTING,
    RUNNING,
    SHUTDOWN,
    START_SPEC,
    SUPERVISOR_DATA,
    UNDEFINED,
    Atom,
)
from ._child_stores import Child, DynamicChildren, StaticChildren, Store, launch
from ._childspec import AutoShutdown, ChildSpec, Restart, Strategy, check_childspec, to_childspec
from ._events import EventKind
from ._gen_terms import InitOk, InitStop, NoReply, Reply, Stop
from ._genserver import GenServer
from ._genserver import start_link as gen_start_link
from ._pid import Pid
from ._results import IGNORE, OK, ArgumentError, Error, Ok, OnStart, format_reason, reason_kind
from ._signals import is_exit
from ._supervision import (
    TRY_AGAIN,
    Intensity,
    check_flags,
    count_specs,
    emit_child,
    may_restart,
    own_runtime,
    restart_decision,
    retry_later,
    shutdown_children,
)

__all__ = [
    "DEFAULT_MAX_RESTARTS",
    "DEFAULT_MAX_SECONDS",
    "UNKNOWN_OPTIONS",
    "DynamicChildren",
    "DynamicInit",
    "StaticChildren",
    "SupervisorInit",
    "SupervisorServer",
    "launch",
    "start_server",
    "start_subclass",
    "unknown_options",
]

DEFAULT_MAX_RESTARTS = 3
"""Elixir's default intensity (raw Erlang says 1): at most 3 restarts ..."""
DEFAULT_MAX_SECONDS = 5
"""... in 5 seconds (S2, D1).  Defined here only; both front ends use it."""

UNKNOWN_OPTIONS = Atom("unknown_options")
"""``(SUPERVISOR_DATA, (UNKNOWN_OPTIONS, [names]))``: an option no supervisor knows."""


def unknown_options(given: Any, known: frozenset[str]) -> Error | None:
    """The error value for options outside ``known`` (returned, as Elixir returns
    ``{:error, {:supervisor_data, ...}}``), or None when all are known."""
    unknown = sorted(set(given) - known)
    return Error((SUPERVISOR_DATA, (UNKNOWN_OPTIONS, unknown))) if unknown else None


# ------------------------------------------------------------------ init values


@dataclass(frozen=True)
class SupervisorInit:
    """What a static supervisor's ``init`` returns: Elixir's ``{:ok, {flags, children}}``."""

    children: list[Any]
    strategy: Any
    max_restarts: Any = DEFAULT_MAX_RESTARTS
    max_seconds: Any = DEFAULT_MAX_SECONDS
    auto_shutdown: Any = AutoShutdown.NEVER


@dataclass(frozen=True)
class DynamicInit:
    """What a DynamicSupervisor's ``init`` returns: Elixir's ``{:ok, flags}``."""

    strategy: Any = Strategy.ONE_FOR_ONE
    max_restarts: Any = DEFAULT_MAX_RESTARTS
    max_seconds: Any = DEFAULT_MAX_SECONDS
    max_children: Any = INFINITY
    extra_arguments: Any = ()
    auto_shutdown: Any = AutoShutdown.NEVER


@dataclass
class SupState:
    """The one state record (``supervisor.erl``'s ``#state{}``)."""

    strategy: Strategy
    intensity: Intensity
    auto_shutdown: AutoShutdown
    store: Store = field(default_factory=StaticChildren)


# ------------------------------------------------------------------ the server


class SupervisorServer(GenServer):
    """A supervisor's process: a GenServer that traps exits and owns its children.

    ``module.init(arg)`` must return ``expects`` (:class:`SupervisorInit` for a
    ``Supervisor``, :class:`DynamicInit` for a ``DynamicSupervisor``) or ``IGNORE``.
    """

    role = "supervisor"

    def __init__(self, module: Any, behaviour: str, expects: type, term: Any = None) -> None:
        self.module = module
        self.behaviour = behaviour
        self.expects = expects
        self.term = behaviour if term is None else term  # the module, in error terms

    # ------------------------------------------------------------- init (S3, S4, D1)

    def init(self, arg: Any) -> Any:
        own_runtime().trap_exit(True)
        result = self.module.init(arg)
        if result is IGNORE:
            return IGNORE
        if not isinstance(result, self.expects):
            return InitStop((BAD_RETURN, (self.term, "init", result)))
        if isinstance(result, DynamicInit):
            return self._init_dynamic(result)
        assert isinstance(result, SupervisorInit)  # the one other class `expects` can be
        return self._init_static(result)

    def _init_static(self, flags: SupervisorInit) -> Any:
        try:
            strategy = Strategy(flags.strategy)
        except ValueError:
            return InitStop((SUPERVISOR_DATA, (Atom("invalid_strategy"), flags.strategy)))
        try:
            auto = AutoShutdown(flags.auto_shutdown)
        except ValueError:
            return InitStop((SUPERVISOR_DATA, (Atom("invalid_auto_shutdown"), flags.auto_shutdown)))
        bad = check_flags(flags.max_restarts, flags.max_seconds)
        if bad is not None:
            return InitStop((SUPERVISOR_DATA, bad))
        store = StaticChildren()
        state = SupState(strategy, Intensity(flags.max_restarts, flags.max_seconds), auto, store)
        for item in flags.children:
            spec = to_childspec(item)
            error = check_childspec(spec, auto)
            if error is not None:
                return InitStop((START_SPEC, error))
            if store.find(spec.id) is not None:
                return InitStop((START_SPEC, (DUPLICATE_CHILD_NAME, spec.id)))
            store.add(spec)
        for index, child in enumerate(store.children):
            result = launch(child.spec)
            if isinstance(result, Error):
                self._shutdown(store, [c for c in store.children[:index] if isinstance(c.pid, Pid)])
                return InitStop((SHUTDOWN, (FAILED_TO_START_CHILD, child.spec.id, result.reason)))
            if isinstance(result, Ok):
                child.pid = result.value
                self.announce(child.spec, child.pid, dynamic=False)
        for child in list(store.children):
            if child.pid is UNDEFINED and child.spec.restart is Restart.TEMPORARY:
                store.remove(child)
        return InitOk(state)

    def _init_dynamic(self, flags: DynamicInit) -> Any:
        try:
            strategy = Strategy(flags.strategy)
        except ValueError:
            strategy = None
        if strategy is not Strategy.ONE_FOR_ONE:
            return InitStop((SUPERVISOR_DATA, (Atom("invalid_strategy"), flags.strategy)))
        bad = check_flags(flags.max_restarts, flags.max_seconds)
        if bad is not None:
            return InitStop((SUPERVISOR_DATA, bad))
        if flags.auto_shutdown not in (AutoShutdown.NEVER, "never"):  # no significant children
            return InitStop((SUPERVISOR_DATA, (Atom("invalid_auto_shutdown"), flags.auto_shutdown)))
        limit = flags.max_children
        if limit is not INFINITY and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 0
        ):
            return InitStop((SUPERVISOR_DATA, (INVALID_MAX_CHILDREN, limit)))
        extra = flags.extra_arguments
        if not isinstance(extra, list | tuple):
            return InitStop((SUPERVISOR_DATA, (Atom("invalid_extra_arguments"), extra)))
        intensity = Intensity(flags.max_restarts, flags.max_seconds)
        store = DynamicChildren(limit, tuple(extra))
        return InitOk(SupState(strategy, intensity, AutoShutdown.NEVER, store))

    def announce(self, spec: ChildSpec, pid: Pid, *, dynamic: bool) -> None:
        emit_child(own_runtime(), EventKind.CHILD_STARTED, pid, spec, dynamic=dynamic)

    # ------------------------------------------------------- calls (S12, S13, D2-D4)

    def handle_call(self, request: Any, _from: Any, state: SupState) -> Any:
        op, arg = request
        store = state.store
        if op == "which_children":
            return Reply(store.listing(), state)
        if op == "count_children":
            return Reply(count_specs((c.spec, c.pid) for c in store.all()), state)
        if op == "start_child":
            return Reply(store.start_child(self, state, arg), state)
        if op == "terminate_child":
            return Reply(self._terminate_child(state, arg), state)
        if op in ("restart_child", "delete_child") and isinstance(store, StaticChildren):
            child = store.find(arg)
            if child is None:
                return Reply(Error(NOT_FOUND), state)
            if child.pid is RESTARTING:
                return Reply(Error(RESTARTING), state)
            if isinstance(child.pid, Pid):
                return Reply(Error(RUNNING), state)
            if op == "delete_child":
                store.remove(child)
                return Reply(OK, state)
            result = launch(child.spec)
            if isinstance(result, Ok):
                child.pid = result.value
                self.announce(child.spec, child.pid, dynamic=False)
                return Reply(result, state)  # with the start function's info, as OTP
            return Reply(Ok(UNDEFINED) if result is IGNORE else result, state)
        raise ArgumentError(f"unknown supervisor request {request!r}")

    def _terminate_child(self, state: SupState, arg: Any) -> Any:
        """S12 / D3: stop it (a RESTARTING child has nothing to stop) and settle it; a
        queued retry for it then finds nothing to do."""
        store = state.store
        child = store.find(arg)
        if child is None:
            return Error(NOT_FOUND)
        if isinstance(child.pid, Pid):
            self._shutdown(store, [child])
        store.settle(child)
        return OK

    # ------------------------------------------------------------ exits (S5-S9, D5)

    def handle_info(self, message: Any, state: SupState) -> Any:
        if is_exit(message):
            _, pid, reason = message  # unpacked: a hand-sent EXIT is handled alike (S5)
            child = state.store.by_pid(pid)
            if child is None:
                return NoReply(state)  # an EXIT from a stranger is ignored (S5)
            return self._child_exited(state, child, reason)
        if type(message) is tuple and message and message[0] is TRY_AGAIN:
            child = state.store.by_key(message[1])
            if child is None or child.pid is not RESTARTING:
                return NoReply(state)  # terminated or deleted meanwhile: drop the retry
            return self._restart(state, child)
        return super().handle_info(message, state)

    def _child_exited(self, state: SupState, child: Child, reason: Any) -> Any:
        if restart_decision(own_runtime(), child.spec, child.pid, reason):
            return self._restart(state, child)
        state.store.settle(child)
        if child.spec.significant and self._auto_shutdown_due(state):
            return Stop(SHUTDOWN, state)
        return NoReply(state)

    def _auto_shutdown_due(self, state: SupState) -> bool:
        if state.auto_shutdown is AutoShutdown.ANY_SIGNIFICANT:
            return True
        if state.auto_shutdown is AutoShutdown.ALL_SIGNIFICANT:
            return not any(c.spec.significant and isinstance(c.pid, Pid) for c in state.store.all())
        return False

    def _restart(self, state: SupState, child: Child) -> Any:
        """The one restart path: intensity (S6), then the strategy's group goes down in
        reverse order and comes back in start order (S8, S9); a failed start marks the
        child RESTARTING and queues a retry (S7)."""
        rt = own_runtime()
        store = state.store
        if not may_restart(rt, state.intensity, child.pid, child.spec, dynamic=store.dynamic):
            store.remove(child)
            return Stop(SHUTDOWN, state)
        previous: dict[int, Any] = {id(child): child.pid}
        child.pid = UNDEFINED
        group = store.group(child, state.strategy)
        if len(group) > 1:
            others = [c for c in group if c is not child and isinstance(c.pid, Pid)]
            previous.update((id(c), c.pid) for c in others)
            self._shutdown(store, others)
            for c in others:
                c.pid = UNDEFINED
                if c.spec.restart is Restart.TEMPORARY:
                    store.remove(c)
            group = [c for c in group if c in store.all()]
        for member in group:
            old = previous.get(id(member))
            result = launch(member.spec, store.extra_arguments)
            if isinstance(result, Error):
                retry_later(rt, result.reason, old, member.spec, member.key, dynamic=store.dynamic)
                if isinstance(old, Pid):
                    member.last = old
                member.pid = RESTARTING
                break
            if result is IGNORE:
                store.ignored(member)
                continue
            member.pid = result.value
            if member is child:
                member.restarts += 1
            emit_child(
                rt,
                EventKind.CHILD_RESTARTED,
                member.pid,
                member.spec,
                dynamic=store.dynamic,
                old_pid=str(old) if isinstance(old, Pid) else None,
                restarts=state.intensity.in_window(),
            )
        return NoReply(state)

    # ------------------------------------------------------------ shutdown (S10, S11)

    def terminate(self, _reason: Any, state: Any) -> Any:
        if isinstance(state, SupState):
            store = state.store
            self._shutdown(store, [c for c in store.all() if isinstance(c.pid, Pid)])
            for child in store.all():
                child.pid = UNDEFINED
        return OK

    def _shutdown(self, store: Store, children: list[Child]) -> None:
        """The one shutdown path: the store says in which batches (static: one at a
        time in reverse start order; dynamic: all at once), S10 does the rest."""
        rt = own_runtime()
        for batch in store.batches(children):
            reasons = shutdown_children(rt, [(c.pid, c.spec) for c in batch])
            for child in batch:
                reason = reasons.get(child.pid)
                emit_child(
                    rt,
                    EventKind.CHILD_TERMINATED,
                    child.pid,
                    child.spec,
                    dynamic=store.dynamic,
                    reason=format_reason(reason),
                    reason_kind=reason_kind(reason),
                )


# ------------------------------------------------------------------------ start


def start_server(
    module: Any, behaviour: str, init_type: type, term: type | None, arg: Any, name: Any
) -> OnStart:
    """The one start path of both front ends: this engine's server around ``module`` (an
    inline module or the user's), started linked under ``name`` when one is given.
    ``term`` is the user's class (None for an inline module)."""
    extra = {"name": name} if name is not None else {}
    return gen_start_link(SupervisorServer(module, behaviour, init_type, term), arg, **extra)


def start_subclass(
    cls: type, options: dict[str, Any], init_type: type, arg: Any, name: Any
) -> OnStart:
    """Start a user's supervisor module.  Its flags belong in what its ``init`` returns, so
    any option given here is unknown (returned as an error before anything is spawned)."""
    bad = unknown_options(options, frozenset())
    if bad is not None:
        return bad
    return start_server(cls(), cls.__name__, init_type, cls, arg, name)
