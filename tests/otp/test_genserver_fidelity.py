"""Issue 12, GenServer: Elixir's terminate report as a structured record, a Stop reply
that survives a failing terminate, ``call(None, ...)`` as a noproc exit, and a via name
without a registering module refused before anything is spawned (G3, G8, G9, R5)."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from jobber_lab import otp
from jobber_lab.otp import (
    DOWN,
    NOPROC,
    ArgumentError,
    Crash,
    ExitError,
    GenServer,
    InitOk,
    Reply,
    Stop,
    Via,
    call,
    cast,
    start,
)
from jobber_lab.testing import assert_receive

WAIT = 100.0


class Counter(GenServer):
    """The issue's example: state 1, ``:inc`` raises ``Boom!``."""

    def init(self, arg: Any) -> Any:
        return InitOk(arg)

    def handle_call(self, request: Any, from_: Any, state: Any) -> Any:
        if request is otp.Atom("inc"):
            raise RuntimeError("Boom!")
        if request is otp.Atom("deep"):
            _fail_deeper()
        return Reply(state, state)

    def handle_cast(self, request: Any, state: Any) -> Any:
        return Stop(("bye", request), state)


def _fail_deeper() -> None:
    raise RuntimeError("from a helper")


def _report(caplog: pytest.LogCaptureFixture) -> logging.LogRecord:
    [record] = [r for r in caplog.records if hasattr(r, "report")]
    return record


def test_crash_report_reads_like_elixirs_and_carries_its_parts(runtime, me, caplog):
    caplog.set_level(logging.ERROR, logger="jobber_lab.otp")
    pid = start(Counter, 1).value
    ref = otp.monitor(pid)
    with pytest.raises(ExitError):
        call(pid, otp.Atom("inc"))
    assert_receive((DOWN, ref, ..., ..., ...), WAIT)
    record = _report(caplog)
    report = record.report
    assert (report.server, report.last_message, report.client) == (pid, otp.Atom("inc"), me)
    assert report.state == 1 and report.client_alive is True
    assert isinstance(report.reason, Crash) and record.crash_reason is report.reason
    text = record.getMessage()
    lines = text.splitlines()
    assert lines[0] == f"GenServer #PID{pid} terminating"
    assert lines[1] == "** (RuntimeError) Boom!"
    frames = [line for line in lines[2:] if line.startswith("    ")]
    assert frames and "handle_call" in frames[0]  # the user's frame first, not the loop's
    assert not any("_genserver.py" in line for line in frames)
    assert f"Last message (from #PID{me}): :inc" in lines
    assert "State: 1" in lines
    assert lines[-1] == f"Client #PID{me} is alive"


def test_crash_report_lists_the_innermost_call_first_as_elixir_does(runtime, me, caplog):
    caplog.set_level(logging.ERROR, logger="jobber_lab.otp")
    pid = start(Counter, 1).value
    ref = otp.monitor(pid)
    with pytest.raises(ExitError):
        call(pid, otp.Atom("deep"))
    assert_receive((DOWN, ref, ..., ..., ...), WAIT)
    lines = _report(caplog).getMessage().splitlines()
    frames = [line for line in lines[2:] if line.startswith("    ")]
    assert [f.rsplit(": ", 1)[1] for f in frames] == ["_fail_deeper", "handle_call"]


def test_crash_report_for_a_stop_from_a_cast_has_no_client(runtime, me, caplog):
    caplog.set_level(logging.ERROR, logger="jobber_lab.otp")
    pid = start(Counter, {"n": "x"}).value
    ref = otp.monitor(pid)
    cast(pid, "now")
    assert_receive((DOWN, ref, ..., ..., ...), WAIT)
    text = _report(caplog).getMessage()
    assert text.splitlines()[1:] == [
        '** (stop) {"bye", "now"}',
        'Last message: {:$gen_cast, "now"}',
        'State: %{"n" => "x"}',
    ]


class StopsBadly(GenServer):
    """``{:stop, reason, reply, state}``, then terminate fails in the way ``arg`` says."""

    def handle_call(self, request: Any, from_: Any, state: Any) -> Any:
        return Stop("normal-ish", state, reply="the reply")

    def terminate(self, reason: Any, state: Any) -> Any:
        if state == "raise":
            raise ValueError("terminate failed")
        otp.exit("terminate_exit")


@pytest.mark.parametrize("how", ["raise", "exit"])
def test_stop_reply_reaches_the_caller_even_if_terminate_fails(runtime, me, caplog, how):
    caplog.set_level(logging.CRITICAL, logger="jobber_lab.otp")
    pid = start(StopsBadly, how).value
    ref = otp.monitor(pid)
    assert call(pid, "stop") == "the reply"
    reason = assert_receive((DOWN, ref, ..., ..., ...), WAIT)[4]
    if how == "exit":
        assert reason == "terminate_exit"
    else:
        assert isinstance(reason, Crash) and isinstance(reason.exception, ValueError)


def test_call_none_exits_noproc_like_elixir(runtime, me):
    with pytest.raises(ExitError) as info:
        call(None, "pop")
    assert info.value.reason == (NOPROC, ("GenServer", "call", (None, "pop", 5.0)))


def test_call_garbage_server_is_still_a_type_error(runtime, me):
    with pytest.raises(TypeError, match="server"):
        call(42, "pop")


class _NotAViaModule:
    pass


def test_via_name_without_register_callbacks_is_refused_before_spawning(runtime, me):
    before = set(runtime.processes())
    with pytest.raises(ArgumentError, match="register_name"):
        start(Counter, 1, name=Via(_NotAViaModule(), "x"))
    with pytest.raises(ArgumentError, match="whereis_name"):
        otp.Supervisor.start_link([], strategy=otp.Strategy.ONE_FOR_ONE, name=Via("Via", "my_name"))
    assert set(runtime.processes()) == before
