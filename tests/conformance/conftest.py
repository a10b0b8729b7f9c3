"""Fixtures for the ported upstream suites (Elixir's ExUnit files, OTP's common_test SUITEs).

Every test runs on the plugin's ``runtime`` fixture (time scale 0.01: a runtime second is
10 ms of wall time), so OTP's millisecond figures become runtime seconds and stay fast.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from jobber_lab.otp import Pid, Runtime


@pytest.fixture
def tme(runtime: Runtime) -> Iterator[Pid]:
    """The test body as a process that traps exits: OTP's ``process_flag(trap_exit, true)``
    at the top of most SUITE cases, and ExUnit's ``Process.flag(:trap_exit, true)``."""
    with runtime.test_process(trap_exit=True) as pid:
        yield pid
