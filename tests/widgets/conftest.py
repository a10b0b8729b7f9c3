"""Fixtures for the dashboard tests: dashboards that are always closed, thread-leak checks,
and a capture of exceptions raised in any thread (``threading.excepthook``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from jobber_lab.widgets import Dashboard

#: Short and fast: the book's 1-second work at 1/100 speed is 10 ms of wall time.
FAST = {"time_scale": 0.01, "seconds": 1}


def _new_threads(before: set[threading.Thread], wait: float = 5.0) -> list[threading.Thread]:
    """Threads started since ``before`` that are still alive after up to ``wait`` seconds."""
    deadline = time.monotonic() + wait
    for thread in threading.enumerate():
        if thread not in before:
            thread.join(max(0.0, deadline - time.monotonic()))
    return [t for t in threading.enumerate() if t not in before and t.is_alive()]


@pytest.fixture
def new_threads() -> Callable[..., list[threading.Thread]]:
    """``new_threads(before)``: threads started since ``before`` still alive after a wait."""
    return _new_threads


@pytest.fixture
def thread_errors() -> Iterator[list[Any]]:
    """Every exception that escaped a thread during the test (the test may assert it empty)."""
    caught: list[Any] = []
    previous = threading.excepthook

    def hook(args: Any) -> None:
        caught.append(args)
        previous(args)

    threading.excepthook = hook
    try:
        yield caught
    finally:
        threading.excepthook = previous
    assert not caught, f"exceptions in threads: {[(a.thread, a.exc_value) for a in caught]}"


@pytest.fixture
def dashboard_factory(thread_errors: list[Any]) -> Iterator[Callable[..., Dashboard]]:
    """Build dashboards (fast time scale by default); all closed after the test, and the test
    fails if any thread it started is still alive, or any renderer hit an error."""
    before = set(threading.enumerate())
    made: list[Dashboard] = []

    def make(*args: Any, **kwargs: Any) -> Dashboard:
        dash = Dashboard(*args, **{**FAST, "keep_others": True, **kwargs})
        made.append(dash)
        return dash

    yield make
    for dash in made:
        dash.close()
    leaked = _new_threads(before)
    assert not leaked, f"threads left behind: {[t.name for t in leaked]}"
    errors = [(d.renderer.errors, d.renderer.last_error) for d in made if d.renderer.errors]
    assert not errors, f"renderer errors: {errors}"


@pytest.fixture
def dashboard(dashboard_factory: Callable[..., Dashboard]) -> Dashboard:
    return dashboard_factory()
