"""Fixtures for tests/jobber: an event collector on the test's runtime and app factories."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from jobber_events import Collector

from jobber_lab.jobber import Jobber
from jobber_lab.otp import Runtime


@pytest.fixture
def events(runtime: Runtime) -> Iterator[Collector]:
    """Every event of the test's runtime from the start of the test."""
    collector = Collector(runtime)
    yield collector
    collector.close()


@pytest.fixture
def make_app(runtime: Runtime, events: Collector) -> Iterator[Callable[..., Jobber]]:
    """``make_app(variant=..., **options)``: a Jobber on the test's runtime, stopped after."""
    apps: list[Jobber] = []

    def make(variant: str = "isolated", **options: Any) -> Jobber:
        app = Jobber(variant=variant, runtime=runtime, **options)
        apps.append(app)
        return app

    yield make
    for app in reversed(apps):
        app.stop()
