"""DynamicSupervisor: children started on demand, identified by pid (D1-D5).

The book's ``Jobber.JobRunner`` is one.  A thin front end over the one engine in
:mod:`._supervisor_engine`: the same server as a static Supervisor, with the dynamic
child store (no ids, ``max_children``, ``extra_arguments``, a parallel shutdown).

Two ways to start one, as in Elixir::

    DynamicSupervisor.start_link(strategy=Strategy.ONE_FOR_ONE, name=JOB_RUNNER)

    class JobRunner(DynamicSupervisor):          # use DynamicSupervisor
        def init(self, arg):
            return DynamicSupervisor.init(strategy=Strategy.ONE_FOR_ONE, max_children=10)
"""

from __future__ import annotations

from typing import Any, ClassVar

from ._atoms import INFINITY, MISSING_ID, MISSING_START, Atom
from ._childspec import (
    AutoShutdown,
    ChildSpec,
    ChildType,
    Strategy,
    check_childspec,
    child_spec,
    to_childspec,
)
from ._genserver import call
from ._pid import Pid
from ._results import Error, OnStart
from ._supervisor_engine import (
    DEFAULT_MAX_RESTARTS,
    DEFAULT_MAX_SECONDS,
    DynamicInit,
    start_server,
    start_subclass,
    unknown_options,
)

__all__ = ["DynamicInit", "DynamicSupervisor"]

_OPTIONS = frozenset(
    {"strategy", "max_restarts", "max_seconds", "max_children", "extra_arguments", "auto_shutdown"}
)
_UNSET: Any = Atom("$unset")


class DynamicSupervisor:
    """``DynamicSupervisor.start_link(strategy=..., name=...)``, its client functions,
    and the base class of module-based dynamic supervisors (override ``init``)."""

    role: ClassVar[str] = "supervisor"
    child_spec_overrides: ClassVar[dict[str, Any]] = {}
    """Elixir's ``use DynamicSupervisor, restart: ...``: defaults for a subclass's spec."""

    @staticmethod
    def init(
        *,
        strategy: Any = Strategy.ONE_FOR_ONE,
        max_restarts: Any = DEFAULT_MAX_RESTARTS,
        max_seconds: Any = DEFAULT_MAX_SECONDS,
        max_children: Any = INFINITY,
        extra_arguments: Any = (),
        auto_shutdown: Any = AutoShutdown.NEVER,
    ) -> DynamicInit:
        """Elixir's ``DynamicSupervisor.init(opts)``: the flags a module's ``init(arg)``
        returns.  Checked when the supervisor starts (bad ones are ``SUPERVISOR_DATA``
        errors, D1), as Elixir checks them in the server."""
        return DynamicInit(
            strategy, max_restarts, max_seconds, max_children, extra_arguments, auto_shutdown
        )

    @classmethod
    def start_link(cls, arg: Any = _UNSET, *, name: Any = None, **options: Any) -> OnStart:
        """Start linked to the caller (D1).  Bad or unknown options are returned as
        ``Error((SUPERVISOR_DATA, ...))``; a subclass passes ``arg`` to its ``init``."""
        if cls is not DynamicSupervisor:
            return start_subclass(cls, options, DynamicInit, None if arg is _UNSET else arg, name)
        bad = unknown_options(options, _OPTIONS)
        if bad is not None:
            return bad
        if arg is not _UNSET:
            raise TypeError(
                "DynamicSupervisor.start_link(arg): only a subclass takes an init "
                f"argument; got {arg!r} (pass options as keywords)"
            )
        module = _Inline(DynamicSupervisor.init(**options))
        return start_server(module, "DynamicSupervisor", DynamicInit, None, None, name)

    @classmethod
    def child_spec(cls, arg: Any = _UNSET, **options: Any) -> ChildSpec:
        """A child spec for a parent supervisor.  The inline form takes the options (its
        ``id`` is the name, as Elixir does); a subclass takes ``arg`` and overrides."""
        if cls is not DynamicSupervisor:
            base = ChildSpec(
                id=cls,
                start=(cls.start_link, (None if arg is _UNSET else arg,)),
                type=ChildType.SUPERVISOR,
                modules=(cls,),
            )
            return child_spec(base, **{**cls.child_spec_overrides, **options})
        spec_id = options.pop("id", options.get("name", DynamicSupervisor))
        return ChildSpec(
            id=spec_id,
            start=(_start_link_from_spec, (options,)),
            type=ChildType.SUPERVISOR,
            modules=(DynamicSupervisor,),
        )

    @staticmethod
    def start_child(sup: Any, spec: Any) -> OnStart:
        """Start a child (D2): the spec is checked here, before the supervisor is touched.

        A spec without ``id`` or ``start`` is ``(invalid_child_spec, spec)`` as given, as
        Elixir's ``validate_child`` answers (a static Supervisor says ``MISSING_ID``)."""
        given = spec
        spec = to_childspec(spec)
        error = check_childspec(spec)
        if error is MISSING_ID or error is MISSING_START:
            error = (Atom("invalid_child_spec"), given)
        if error is None and spec.significant:
            error = (Atom("invalid_significant"), True)
        if error is not None:
            return Error(error)
        started: OnStart = call(sup, ("start_child", spec), INFINITY)
        return started

    @staticmethod
    def terminate_child(sup: Any, pid: Pid) -> Any:
        """Stop the child with this pid (D3): ``OK`` or ``Error(NOT_FOUND)``.  A child
        stuck RESTARTING answers to the pid it had; its queued retry is dropped."""
        return call(sup, ("terminate_child", pid), INFINITY)

    @staticmethod
    def which_children(sup: Any) -> list[tuple[Any, Any, Any, Any]]:
        """``[(UNDEFINED, pid | RESTARTING, type, modules)]`` (D4)."""
        children: list[tuple[Any, Any, Any, Any]]
        children = call(sup, ("which_children", None), INFINITY)
        return children

    @staticmethod
    def count_children(sup: Any) -> dict[str, int]:
        counts: dict[str, int] = call(sup, ("count_children", None), INFINITY)
        return counts


class _Inline:
    """The module of ``DynamicSupervisor.start_link(**options)``: init returns them."""

    def __init__(self, flags: DynamicInit) -> None:
        self._flags = flags

    def init(self, _arg: Any) -> Any:
        return self._flags


def _start_link_from_spec(options: dict[str, Any]) -> Any:
    return DynamicSupervisor.start_link(**options)
