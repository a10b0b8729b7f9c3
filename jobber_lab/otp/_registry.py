"""Registry with unique keys (R1-R6): names for dynamic processes, the book's JobRegistry.

As in Elixir, the table is read directly by any process (Elixir reads ETS;
reads do not check liveness) while one *partition* process owns the cleanup:
every registering process is linked to it, and the partition, trapping exits,
drops a dead owner's keys when its ``EXIT`` arrives (R6).

One deliberate simplification: Elixir's Registry is a supervisor over
partitions; here the registry *is* its one partition process (partitions > 1
are out of scope, otp-semantics §8), so the tree shows a single node.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._atoms import ALREADY_REGISTERED, UNDEFINED, Atom
from ._childspec import ChildSpec, child_spec
from ._events import EventKind, plain
from ._gen_terms import InitOk, NoReply, Reply
from ._genserver import GenServer, call
from ._genserver import start_link as gen_start_link
from ._matchspec import compile_spec
from ._pid import Pid
from ._process import current_process
from ._registry_tables import Table
from ._results import OK, ArgumentError, Error, Ok, OnStart
from ._runtime import Runtime, current_runtime
from ._signals import is_exit
from ._via import Via

__all__ = ["Registry"]


def _table(registry: Any, rt: Runtime | None = None) -> Table:
    rt = rt or current_runtime()
    table = rt.registries.get(registry)
    if table is None or not rt.is_alive(table.owner):
        raise ArgumentError(f"unknown registry: {registry!r} (is it started?)")
    return table


class _Partition(GenServer):
    """Owns a table; removes a process's keys when its EXIT arrives."""

    role = "registry"
    behaviour = "Registry"

    def init(self, name: Any) -> Any:
        proc = current_process()
        assert proc is not None
        proc.runtime.trap_exit(True)
        table = Table(name, proc.pid)
        proc.runtime.registries.add(table)
        return InitOk({"table": table, "suspended": False, "deferred": []})

    def handle_call(self, request: Any, from_: Any, state: dict[str, Any]) -> Any:
        if request == "sync":
            return Reply(OK, state)
        if request == "suspend":
            state["suspended"] = True
            return Reply(OK, state)
        if request == "resume":
            state["suspended"] = False
            for pid in state.pop("deferred"):
                _cleanup(state["table"], pid)
            state["deferred"] = []
            return Reply(OK, state)
        return super().handle_call(request, from_, state)

    def handle_info(self, message: Any, state: dict[str, Any]) -> Any:
        if is_exit(message):
            _, pid, _reason = message  # unpacked: whoever sent it, the shape decides (as OTP)
            if state["suspended"]:
                state["deferred"].append(pid)
            else:
                _cleanup(state["table"], pid)
            return NoReply(state)
        return super().handle_info(message, state)

    def terminate(self, _reason: Any, state: Any) -> Any:
        proc = current_process()
        if proc is not None and isinstance(state, dict):
            proc.runtime.registries.remove(state["table"])
        return OK


def _cleanup(table: Table, pid: Pid) -> None:
    """Drop every key ``pid`` still holds (it may have been replaced meanwhile, R2)."""
    removed = []
    with table.lock:
        for key in table.keys_of.pop(pid, set()):
            entry = table.entries.get(key)
            if entry is not None and entry[0] == pid:
                del table.entries[key]
                removed.append((key, entry[1]))
    rt = current_runtime()
    for key, value in removed:
        _emit(rt, EventKind.REGISTRY_UNREGISTER, pid, table.name, key, value)


def _emit(rt: Runtime, kind: str, pid: Pid, registry: Any, key: Any, value: Any) -> None:
    """One event per (un)registration, its terms as plain text (the one shape all three
    emitting sites share, so a picture or log reads them alike)."""
    rt.emit(kind, pid, registry=plain(registry), key=plain(key), value=plain(value))


class Registry:
    """Elixir's ``Registry`` (unique keys only), as functions on the registry's name."""

    @staticmethod
    def start_link(*, keys: Any = None, name: Any = None) -> OnStart:
        """Start a registry (R1); ``keys="unique"`` and a ``name`` are required."""
        if keys not in ("unique", Atom("unique")):
            raise ArgumentError(
                f"Registry.start_link(keys=...): expected keys='unique', got {keys!r}"
            )
        if name is None or not isinstance(name, str | Atom):
            raise ArgumentError(f"Registry.start_link(name=...): expected a name, got {name!r}")
        return gen_start_link(_Partition, name, name=name)

    @staticmethod
    def child_spec(*, keys: Any = None, name: Any = None, **overrides: Any) -> ChildSpec:
        base = ChildSpec(
            id=name if name is not None else Registry,
            start=(_start_from_spec, (keys, name)),
            modules=(Registry,),
        )
        return child_spec(base, **overrides)

    # -------------------------------------------------------------- writes

    @staticmethod
    def register(registry: Any, key: Any, value: Any = None) -> Ok[Pid] | Error:
        """Register the *calling* process under ``key`` (R2); links it to the registry.

        ``Ok(owner_pid)`` or ``Error((ALREADY_REGISTERED, holder))``.  A key held by a
        dead process not yet cleaned up is taken over.
        """
        rt = current_runtime()
        proc = current_process()
        if proc is None:
            raise RuntimeError("Registry.register must be called from a process")
        table = _table(registry, rt)
        _hashable("Registry.register(key)", key)
        with table.lock:
            entry = table.entries.get(key)
            if entry is not None and rt.is_alive(entry[0]):
                return Error((ALREADY_REGISTERED, entry[0]))
            if entry is not None:
                table.keys_of.get(entry[0], set()).discard(key)
            table.entries[key] = (proc.pid, value)
            table.keys_of.setdefault(proc.pid, set()).add(key)
        rt.link(table.owner)
        _emit(rt, EventKind.REGISTRY_REGISTER, proc.pid, registry, key, value)
        return Ok(table.owner)

    @staticmethod
    def unregister(registry: Any, key: Any) -> Any:
        """Remove the caller's ``key`` (R4); unlink once it holds none.  Always ``OK``."""
        rt = current_runtime()
        proc = current_process()
        if proc is None:
            raise RuntimeError("Registry.unregister must be called from a process")
        table = _table(registry, rt)
        removed = None
        with table.lock:
            entry = table.entries.get(key)
            if entry is not None and entry[0] == proc.pid:
                del table.entries[key]
                removed = entry
                mine = table.keys_of.get(proc.pid, set())
                mine.discard(key)
                none_left = not mine
                if none_left:
                    table.keys_of.pop(proc.pid, None)
        if removed is not None:
            if none_left:
                rt.unlink(table.owner)
            _emit(rt, EventKind.REGISTRY_UNREGISTER, proc.pid, registry, key, removed[1])
        return OK

    # --------------------------------------------------------------- reads

    @staticmethod
    def lookup(registry: Any, key: Any) -> list[tuple[Pid, Any]]:
        """``[(pid, value)]`` or ``[]``; no liveness check (R3)."""
        _hashable("Registry.lookup(key)", key)
        table = _table(registry)
        with table.lock:
            entry = table.entries.get(key)
        return [entry] if entry is not None else []

    @staticmethod
    def keys(registry: Any, pid: Pid) -> list[Any]:
        table = _table(registry)
        with table.lock:
            return sorted(table.keys_of.get(pid, ()), key=repr)

    @staticmethod
    def values(registry: Any, key: Any, pid: Pid) -> list[Any]:
        table = _table(registry)
        with table.lock:
            entry = table.entries.get(key)
        return [entry[1]] if entry is not None and entry[0] == pid else []

    @staticmethod
    def match(registry: Any, key: Any, pattern: Any, guards: list[Any] | None = None) -> list[Any]:
        """Elixir's ``Registry.match/4``: ``[(pid, value)]`` under ``key`` whose value
        matches ``pattern`` (``"_"`` anything, ``"$1"`` binds) and every guard, written
        as in :meth:`select`: ``Registry.match(reg, "k", (1, "$1", "_"), [("is_atom",
        "$1")])``.  No liveness check (R3)."""
        guards = [] if guards is None else guards
        if not isinstance(guards, list):
            raise ArgumentError(f"match(guards): expected a list of guards, got {guards!r}")
        run = compile_spec([(pattern, guards, [True])])
        table = _table(registry)
        with table.lock:
            entry = table.entries.get(key)
        if entry is None or not run(entry[1])[0]:
            return []
        return [entry]

    @staticmethod
    def count(registry: Any) -> int:
        table = _table(registry)
        with table.lock:
            return len(table.entries)

    @staticmethod
    def select(registry: Any, spec: list[tuple[Any, list[Any], list[Any]]]) -> list[Any]:
        """Elixir's match-spec select over ``(key, pid, value)`` (R3).

        The book's ``running_imports`` reads::

            Registry.select(JobRegistry, [(("$1", "$2", "$3"), [("==", "$3", "import")],
                                           [{"id": "$1", "pid": "$2", "type": "$3"}])])

        ``"$N"`` binds, ``"_"`` matches anything; guards are ``(op, a, b)`` with
        ``== != < > <= >=`` or ``(test, a)`` with ``is_atom is_binary is_integer is_pid``;
        the body's last element is the result template.
        """
        run = compile_spec(spec)
        table = _table(registry)
        with table.lock:
            rows = [(k, pid, v) for k, (pid, v) in table.entries.items()]
        results = []
        for row in rows:
            found, value = run(row)
            if found:
                results.append(value)
        return results

    @staticmethod
    def select_where(
        registry: Any,
        predicate: Callable[[Any, Pid, Any], bool],
        project: Callable[[Any, Pid, Any], Any] | None = None,
    ) -> list[Any]:
        """The Pythonic select: ``predicate(key, pid, value)``, optional ``project(...)``."""
        if not callable(predicate):
            raise TypeError(f"select_where(predicate): expected a callable, got {predicate!r}")
        table = _table(registry)
        with table.lock:
            rows = [(k, pid, v) for k, (pid, v) in table.entries.items()]
        return [project(*row) if project is not None else row for row in rows if predicate(*row)]

    @staticmethod
    def sync(registry: Any) -> Any:
        """Return once the registry has handled every EXIT queued before this call (R6)."""
        table = _table(registry)
        return call(table.owner, "sync", None)

    @staticmethod
    def suspend(registry: Any) -> Any:
        """Test hook: defer cleanups until :meth:`resume` (R2 b)."""
        return call(_table(registry).owner, "suspend")

    @staticmethod
    def resume(registry: Any) -> Any:
        return call(_table(registry).owner, "resume")

    @staticmethod
    def via(registry: Any, key: Any, value: Any = None) -> Via:
        """A name usable wherever a name is: ``{:via, Registry, {registry, key, value}}`` (R5)."""
        _hashable("Registry.via(key)", key)
        return Via(_VIA, (registry, key, value))


def _start_from_spec(keys: Any, name: Any) -> Any:
    return Registry.start_link(keys=keys, name=name)


def _hashable(what: str, key: Any) -> None:
    try:
        hash(key)
    except TypeError:
        raise TypeError(f"{what}: expected a hashable key, got {key!r}") from None


class _ViaRegistry:
    """The via-callback module for Registry names (R5)."""

    __name__ = "Registry"

    def register_name(self, name: Any, pid: Pid) -> bool:
        registry, key, value = name
        proc = current_process()
        if proc is None or proc.pid != pid:
            raise ArgumentError("Registry via names register the calling process only")
        return isinstance(Registry.register(registry, key, value), Ok)

    def unregister_name(self, name: Any) -> None:
        registry, key, _ = name
        Registry.unregister(registry, key)

    def whereis_name(self, name: Any) -> Any:
        registry, key, _ = name
        rt = current_runtime()
        try:
            entries = Registry.lookup(registry, key)
        except ArgumentError:
            return UNDEFINED
        if entries and rt.is_alive(entries[0][0]):
            return entries[0][0]
        return UNDEFINED

    def send(self, name: Any, message: Any) -> None:
        pid = self.whereis_name(name)
        if not isinstance(pid, Pid):
            raise ArgumentError(f"send: no process is registered under {name!r}")
        current_runtime().send(pid, message)


_VIA = _ViaRegistry()
