"""The Registry's tables, held by the runtime they belong to.

A table is what Elixir keeps in ETS: read directly by any process, while the registry's
partition process owns it and cleans it up. Each :class:`~jobber_lab.otp.Runtime` holds its
own :class:`RegistryTables` (``runtime.registries``), so two isolated runtimes never see each
other's registries and a table goes away with its runtime, with no module-level state.
"""

from __future__ import annotations

import threading
from typing import Any

from ._pid import Pid

__all__ = ["RegistryTables", "Table"]


class Table:
    """One registry's table: key -> (pid, value); pid -> keys.  Guarded by ``lock``."""

    def __init__(self, name: Any, owner: Pid) -> None:
        self.name = name
        self.owner = owner
        self.lock = threading.Lock()
        self.entries: dict[Any, tuple[Pid, Any]] = {}
        self.keys_of: dict[Pid, set[Any]] = {}


class RegistryTables:
    """The tables of one runtime's registries, by registry name."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_name: dict[Any, Table] = {}

    def get(self, name: Any) -> Table | None:
        """The table of the registry called ``name``, or None."""
        with self._lock:
            return self._by_name.get(name)

    def add(self, table: Table) -> None:
        """Make ``table`` the one under its name (a restarted registry replaces its old one)."""
        with self._lock:
            self._by_name[table.name] = table

    def remove(self, table: Table) -> None:
        """Forget ``table``, unless a newer registry of the same name has replaced it."""
        with self._lock:
            if self._by_name.get(table.name) is table:
                del self._by_name[table.name]
