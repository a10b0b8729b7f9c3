"""What the two Registry ExUnit files share: their setup and ``register_task`` /
``kill_and_assert_down`` helpers, against this port's API."""

from __future__ import annotations

from typing import Any

from conformance_support import assert_receive

from jobber_lab.otp import (
    DOWN,
    KILL,
    Ok,
    Pid,
    Registry,
    exit,
    monitor,
    receive,
    send,
    spawn,
    unlink,
)
from jobber_lab.otp import self as self_pid


def start_registry(name: str) -> Pid:
    """``start_supervised({Registry, keys: :unique, name: name})``: started, and not
    linked to the test (start_supervised links it to the test supervisor instead)."""
    result = Registry.start_link(keys="unique", name=name)
    assert isinstance(result, Ok), result
    unlink(result.value)
    return result.value


def register_task(registry: Any, key: Any, value: Any) -> tuple[Pid, Pid]:
    """The ExUnit files' ``register_task/3``: another process registers ``key``."""
    parent = self_pid()

    def body() -> None:
        send(parent, Registry.register(registry, key, value))
        receive()

    task = spawn(body)
    owner = assert_receive(lambda m: isinstance(m, Ok))
    return owner.value, task


def kill_and_assert_down(pid: Pid) -> None:
    """The ExUnit files' ``kill_and_assert_down/1``."""
    ref = monitor(pid)
    exit(pid, KILL)
    assert_receive((DOWN, ref, ..., ..., ...))
