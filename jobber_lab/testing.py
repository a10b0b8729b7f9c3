"""Test tools for jobber_lab and for students' own tests: a pytest plugin.

Installed as a ``pytest11`` entry point, so any test can ask for:

- ``runtime``: a fresh :class:`~jobber_lab.otp.Runtime` (``time_scale`` from
  ``@pytest.mark.runtime(time_scale=0.01, grace=0.2)``; a simulated one with
  ``@pytest.mark.runtime(simulated=True)``, exact and instant), shut down after the test;
  the test **fails** if any process thread leaked.
- ``me``: the test body adopted as a process of ``runtime`` (ExUnit's test pid),
  so it can ``receive``, ``link``, ``monitor`` and ``call``.

and use the ExUnit-like helpers :func:`assert_receive` / :func:`refute_receive`.
Waits are on messages with timeouts, never sleep-and-hope.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .otp import TIMEOUT, Pid, Runtime, receive

__all__ = ["assert_receive", "matches", "refute_receive", "runtime_for_test"]

_DEFAULT_OPTIONS = {"time_scale": 0.01, "grace": 0.2}


def matches(pattern: Any) -> Callable[[Any], bool]:
    """A predicate from a pattern: a callable is used as is; a tuple matches element-wise
    where ``...`` (Ellipsis) is a wildcard and a type matches instances; anything else by ``==``."""
    if callable(pattern) and not isinstance(pattern, type):
        return pattern

    def one(pat: Any, value: Any) -> bool:
        if pat is Ellipsis:
            return True
        if isinstance(pat, type):
            return isinstance(value, pat)
        if isinstance(pat, tuple):
            return (
                isinstance(value, tuple)
                and len(value) == len(pat)
                and all(one(p, v) for p, v in zip(pat, value, strict=True))
            )
        return value is pat or value == pat

    return lambda message: one(pattern, message)


def assert_receive(pattern: Any = Ellipsis, timeout: float = 1.0) -> Any:
    """Wait (runtime seconds) for a message matching ``pattern``; return it or fail.

    ``timeout`` is in runtime seconds, like every wait in a process.
    """
    message = receive(matches(pattern), timeout)
    if message is TIMEOUT:
        raise AssertionError(f"no message matching {pattern!r} within {timeout}s")
    return message


def refute_receive(pattern: Any = Ellipsis, timeout: float = 0.1) -> None:
    """Fail if a message matching ``pattern`` arrives within ``timeout``."""
    message = receive(matches(pattern), timeout)
    if message is not TIMEOUT:
        raise AssertionError(f"unexpected message {message!r}")


def runtime_for_test(**options: Any) -> Iterator[Runtime]:
    """Yield a runtime and fail if its shutdown leaves a thread behind."""
    defaults = dict(_DEFAULT_OPTIONS)
    if options.get("simulated"):
        del defaults["time_scale"]  # simulated time runs as fast as it can unless paced
    rt = Runtime(**{**defaults, **options})
    try:
        yield rt
    finally:
        leaked = rt.shutdown()
        alive = [t.name for t in rt.threads()]
        if leaked or alive:
            pytest.fail(f"leaked threads after runtime shutdown: {leaked or alive}")


@pytest.fixture
def runtime(request: pytest.FixtureRequest) -> Iterator[Runtime]:
    """A fresh runtime for one test (fails the test if a thread leaked)."""
    marker = request.node.get_closest_marker("runtime")
    options = dict(marker.kwargs) if marker is not None else {}
    yield from runtime_for_test(**options)


@pytest.fixture
def me(runtime: Runtime) -> Iterator[Pid]:
    """The test body as a process of ``runtime`` (not trapping exits)."""
    with runtime.test_process() as pid:
        yield pid


@pytest.fixture
def tme(runtime: Runtime) -> Iterator[Pid]:
    """The test body as a process that traps exits: OTP's ``process_flag(trap_exit, true)``
    at the top of most SUITE cases, ExUnit's ``Process.flag(:trap_exit, true)``; a linked
    supervisor's shutdown exit then arrives as a message instead of ending the test."""
    with runtime.test_process(trap_exit=True) as pid:
        yield pid


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "runtime(**options): options for the `runtime` fixture "
        "(time_scale, grace, simulated, seed)",
    )
