"""Via-names: ``{:via, Module, name}``, a name resolved by another module (a Registry).

The core only needs the protocol; :mod:`._registry` implements it.  Keeping it
here lets ``send``, ``call`` and ``GenServer.start_link(name=...)`` accept a
via-name wherever a plain name goes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ._pid import Pid

__all__ = ["Via", "ViaModule"]


class ViaModule(Protocol):
    """What a module behind a via-name provides (Erlang's via callback module)."""

    def register_name(self, name: Any, pid: Pid) -> bool: ...

    def unregister_name(self, name: Any) -> None: ...

    def whereis_name(self, name: Any) -> Any: ...

    def send(self, name: Any, message: Any) -> None: ...


@dataclass(frozen=True)
class Via:
    """A name that ``module`` resolves; ``Registry.via(...)`` builds these."""

    module: Any
    name: Any

    def __repr__(self) -> str:
        return f"{{:via, {getattr(self.module, '__name__', self.module)!s}, {self.name!r}}}"
