"""Fixtures for tests/draw; the builders live in draw_samples.py."""

from __future__ import annotations

import pytest
from draw_samples import doomed_scenario, message_scenario

from jobber_lab.otp import Event


@pytest.fixture
def doomed_events() -> list[Event]:
    return doomed_scenario()


@pytest.fixture
def message_events() -> list[Event]:
    return message_scenario()
