"""Supervisor: static children, three strategies, restart intensity (S1-S13, §9).

A thin front end over the one engine in :mod:`._supervisor_engine` (the same server
runs a DynamicSupervisor); here are only the ways in, as in Elixir::

    Supervisor.start_link([Registry.child_spec(...), ...], strategy=Strategy.ONE_FOR_ONE)

    class JobberSupervisor(Supervisor):
        def init(self, arg):
            return supervisor_init(children, strategy=Strategy.ONE_FOR_ONE)
"""

from __future__ import annotations

from typing import Any, ClassVar

from ._atoms import INFINITY
from ._childspec import AutoShutdown, ChildSpec, ChildType, Strategy, child_spec
from ._genserver import call
from ._results import ArgumentError, OnStart
from ._supervisor_engine import (
    DEFAULT_MAX_RESTARTS,
    DEFAULT_MAX_SECONDS,
    SupervisorInit,
    start_server,
    start_subclass,
    unknown_options,
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

_FLAGS = frozenset({"strategy", "max_restarts", "max_seconds", "auto_shutdown"})


def supervisor_init(
    children: list[Any],
    *,
    strategy: Strategy | str | None = None,
    max_restarts: int = DEFAULT_MAX_RESTARTS,
    max_seconds: float = DEFAULT_MAX_SECONDS,
    auto_shutdown: AutoShutdown | str = AutoShutdown.NEVER,
) -> SupervisorInit:
    """Elixir's ``Supervisor.init(children, opts)`` with Elixir's defaults (3 in 5 s)."""
    if strategy is None:
        raise ArgumentError("supervisor_init: expected strategy= to be given (e.g. ONE_FOR_ONE)")
    if not isinstance(children, list | tuple):
        raise TypeError(f"supervisor_init(children): expected a list, got {children!r}")
    return SupervisorInit(list(children), strategy, max_restarts, max_seconds, auto_shutdown)


class Supervisor:
    """Base class for module-based supervisors; ``Supervisor.start_link(children, ...)``
    starts one from a plain list."""

    role: ClassVar[str] = "supervisor"
    child_spec_overrides: ClassVar[dict[str, Any]] = {}
    """Elixir's ``use Supervisor, restart: :temporary``: defaults for ``child_spec``."""

    def init(self, arg: Any) -> Any:
        raise NotImplementedError(
            f"{type(self).__name__}.init(arg) must return supervisor_init(...)"
        )

    @classmethod
    def start_link(cls, arg: Any = None, *, name: Any = None, **flags: Any) -> OnStart:
        """Start linked to the caller; ``Ok(pid)``, ``IGNORE`` or ``Error(...)`` (S3, S4).

        An option no supervisor knows is ``Error((SUPERVISOR_DATA, (UNKNOWN_OPTIONS,
        [names])))``, returned before anything is spawned.
        """
        if cls is not Supervisor:
            return start_subclass(cls, flags, SupervisorInit, arg, name)
        bad = unknown_options(flags, _FLAGS)
        if bad is not None:
            return bad
        module = _Inline(supervisor_init(arg if arg is not None else [], **flags))
        return start_server(module, "Supervisor", SupervisorInit, None, arg, name)

    @classmethod
    def child_spec(cls, arg: Any = None, **overrides: Any) -> ChildSpec:
        overrides = {**cls.child_spec_overrides, **overrides}
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

    def init(self, _arg: Any) -> Any:
        return self._init


# ------------------------------------------------------------ client API (S12)


def start_child(sup: Any, spec: Any) -> OnStart:
    """Add and start a child after the existing ones (S12)."""
    started: OnStart = call(sup, ("start_child", spec), INFINITY)
    return started


def terminate_child(sup: Any, child_id: Any) -> Any:
    """Stop a child by id (a DynamicSupervisor takes its pid); its spec stays unless temporary."""
    return call(sup, ("terminate_child", child_id), INFINITY)


def restart_child(sup: Any, child_id: Any) -> OnStart:
    started: OnStart = call(sup, ("restart_child", child_id), INFINITY)
    return started


def delete_child(sup: Any, child_id: Any) -> Any:
    return call(sup, ("delete_child", child_id), INFINITY)


def which_children(sup: Any) -> list[tuple[Any, Any, Any, Any]]:
    """``[(id, pid | RESTARTING | UNDEFINED, type, modules)]``, newest first (S13)."""
    children: list[tuple[Any, Any, Any, Any]] = call(sup, ("which_children", None), INFINITY)
    return children


def count_children(sup: Any) -> dict[str, int]:
    """``{specs, active, supervisors, workers}`` (S13)."""
    counts: dict[str, int] = call(sup, ("count_children", None), INFINITY)
    return counts
