"""GenServer: otp-semantics §2 (G1-G12) and the bad-return / bad-input rules.

Servers report what their callbacks saw by sending messages to the test process
(``me``), so every assertion waits on a message, never on a sleep.  Durations are
runtime seconds (x 0.01 wall).
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from jobber_lab import otp
from jobber_lab.otp import (
    ALREADY_STARTED,
    BAD_RETURN_VALUE,
    CALLING_SELF,
    DOWN,
    EXIT,
    IGNORE,
    INFINITY,
    KILL,
    KILLED,
    NOPROC,
    NORMAL,
    OK,
    PROCESS,
    SHUTDOWN,
    TIMEOUT,
    Continue,
    Crash,
    Error,
    ExitError,
    ExitSignal,
    GenServer,
    InitError,
    InitOk,
    InitStop,
    NoReply,
    Ok,
    Reply,
    Stop,
    Via,
    call,
    cast,
    monitor,
    reply,
    spawn,
    spawn_monitor,
    start,
    start_link,
    stop,
)
from jobber_lab.testing import assert_receive, refute_receive

WAIT = 100.0  # runtime seconds: 1 s wall, only ever reached when a test fails


def down(ref: otp.Ref) -> Any:
    return assert_receive((DOWN, ref, PROCESS, ..., ...), WAIT)[4]


class Recorder(GenServer):
    """Reports terminate to ``arg["to"]``; state is ``arg``; answers a few requests."""

    def init(self, arg: Any) -> Any:
        if arg.get("trap"):
            otp.trap_exit(True)
        otp.send(arg["to"], ("init", otp.self()))
        return InitOk(arg, arg.get("action"))

    def handle_call(self, request: Any, from_: Any, state: Any) -> Any:
        match request:
            case "ping":
                return Reply("pong", state)
            case ("sleep", seconds):
                otp.sleep(seconds)
                return Reply("slept", state)
            case ("stop", reason):
                return Stop(reason, state)
            case ("stop_reply", reason, value):
                return Stop(reason, state, value)
            case ("return", value):
                return value
            case ("raise", exc):
                raise exc
            case ("call_self",):
                try:
                    call(otp.self(), "ping")
                except ExitError as e:
                    return Reply(e.reason[0], state)
            case ("stop_self",):
                try:
                    stop(otp.self())
                except ExitError as e:
                    return Reply(e.reason[0], state)
            case ("spawn_link_x",):
                return Reply(otp.spawn_link(otp.receive), state)
        return Reply(("unknown", request), state)

    def handle_cast(self, request: Any, state: Any) -> Any:
        match request:
            case ("return", value):
                return value
            case ("raise", exc):
                raise exc
            case ("block",):
                otp.receive(lambda m: m == "go")
                return NoReply(state)
        otp.send(state["to"], ("cast", request))
        return NoReply(state)

    def handle_info(self, message: Any, state: Any) -> Any:
        otp.send(state["to"], ("info", message))
        return NoReply(state)

    def terminate(self, reason: Any, state: Any) -> Any:
        otp.send(state["to"], ("terminate", reason))
        if state.get("terminate_raises"):
            raise ValueError("terminate failed")
        return OK


def rec(me: otp.Pid, **extra: Any) -> dict[str, Any]:
    return {"to": me, **extra}


def start_recorder(me: otp.Pid, *, link: bool = False, **extra: Any) -> otp.Pid:
    result = (start_link if link else start)(Recorder, rec(me, **extra))
    assert isinstance(result, Ok)
    assert_receive(("init", result.value), WAIT)
    return result.value


# --------------------------------------------------------- G1 start, naming


class CountsInit(GenServer):
    def init(self, arg: Any) -> Any:
        otp.send(arg, ("init", otp.self(), otp.whereis("srv")))
        return InitOk(arg)


def test_g1a_second_start_with_same_name_is_already_started_and_init_never_runs(me):
    first = start(CountsInit, me, name="srv")
    assert isinstance(first, Ok)
    pid1 = first.value
    assert assert_receive(("init", ..., ...), WAIT) == ("init", pid1, pid1)  # named before init
    second = start(CountsInit, me, name="srv")
    assert second == Error((ALREADY_STARTED, pid1))
    refute_receive(("init", ..., ...), 1.0)
    assert otp.whereis("srv") == pid1
    assert stop(pid1) is OK


def test_g1a_already_started_loser_exits_normal(runtime, me):
    exits: list[Any] = []
    runtime.subscribe(lambda e: exits.append(e) if e.kind == "exited" else None)
    pid1 = start(CountsInit, me, name="srv").value
    assert_receive(("init", pid1, pid1), WAIT)
    assert start_link(CountsInit, me, name="srv") == Error((ALREADY_STARTED, pid1))
    assert otp.is_alive(me)  # linked loser exited normal: the link did not kill us
    runtime.flush_events()
    assert [e.get("reason_kind") for e in exits] == ["normal"]


class SlowInit(GenServer):
    def init(self, arg: Any) -> Any:
        otp.send(arg, ("init", otp.self()))
        otp.sleep(10_000)
        return InitOk(arg)


def test_g1b_start_timeout_kills_the_process(me):
    assert start_link(SlowInit, me, timeout=0.5) == Error(TIMEOUT)
    _, pid = assert_receive(("init", ...), 0)
    assert not otp.is_alive(pid)
    assert otp.is_alive(me)  # unlinked before the kill: a non-trapping caller survives


def test_g1b_start_timeout_leaves_no_exit_for_a_trapping_caller(runtime, me):
    otp.trap_exit(True)
    assert start_link(SlowInit, me, timeout=0.5) == Error(TIMEOUT)
    _, pid = assert_receive(("init", ...), 0)
    assert not otp.is_alive(pid)
    refute_receive((EXIT, pid, ...), 1.0)
    assert runtime.mailbox() == []


def test_g1_start_link_links_and_start_does_not(runtime, me):
    linked = start_recorder(me, link=True)
    assert runtime.process(linked).links == {me}
    assert linked in runtime.process(me).links
    unlinked = start_recorder(me)
    assert runtime.process(unlinked).links == set()
    for pid in (linked, unlinked):
        stop(pid)


def test_g1_start_blocks_until_init_is_done(me):
    class Slowish(GenServer):
        def init(self, arg: Any) -> Any:
            otp.sleep(2.0)
            otp.send(arg, "init done")
            return InitOk(arg)

    pid = start(Slowish, me).value
    assert_receive("init done", 0)  # already there when start returned
    stop(pid)


def test_g1_start_accepts_an_instance_and_the_class_helpers(me):
    pid = start(Recorder(), rec(me)).value
    assert_receive(("init", pid), WAIT)
    assert call(pid, "ping") == "pong"
    pid2 = Recorder.start(rec(me)).value
    assert_receive(("init", pid2), WAIT)
    for p in (pid, pid2):
        stop(p)


def test_g1_trap_exit_option_traps_before_init(runtime, me):
    class Reports(GenServer):
        def init(self, arg: Any) -> Any:
            otp.send(arg, ("trapping", runtime.process(otp.self()).trap_exit))
            return InitOk(arg)

    pid = start(Reports, me, trap_exit=True).value
    assert assert_receive(("trapping", ...), WAIT) == ("trapping", True)
    stop(pid)


def test_g1_unknown_start_option_raises_type_error(me):
    with pytest.raises(TypeError, match=r"unknown option.*nmae"):
        start_link(Recorder, rec(me), nmae="srv")
    refute_receive(("init", ...), 0)


def test_g1_bad_start_arguments_raise(me):
    with pytest.raises(TypeError, match=r"start_link\(module\).*GenServer"):
        start_link(dict, {})
    with pytest.raises(TypeError, match=r"start_link\(module\)"):
        start_link(lambda: None)
    with pytest.raises(ValueError, match=r"start_link\(timeout\).*>= 0"):
        start_link(Recorder, rec(me), timeout=-1)
    with pytest.raises(TypeError, match=r"start_link\(name\)"):
        start_link(Recorder, rec(me), name=me)
    with pytest.raises(TypeError, match=r"start_link\(name\)"):
        start_link(Recorder, rec(me), name=42)
    refute_receive(("init", ...), 0)  # nothing was spawned


# ------------------------------------------------------------ G2 init outcomes


class InitReturns(GenServer):
    """init returns (or raises) whatever ``arg["result"]`` says; terminate tells ``to``."""

    def init(self, arg: Any) -> Any:
        otp.send(arg["to"], ("init", otp.self()))
        result = arg["result"]
        if isinstance(result, BaseException):
            raise result
        return result

    def terminate(self, reason: Any, state: Any) -> Any:
        otp.send(state["to"], ("terminate", reason))


def test_g2a_trapping_caller_init_raises_error_crash_mailbox_empty_name_free(runtime, me):
    otp.trap_exit(True)
    result = start_link(InitReturns, {"to": me, "result": RuntimeError("no")}, name="g2")
    match result:
        case Error(Crash(exception=RuntimeError() as exc)):
            assert str(exc) == "no"
        case _:
            pytest.fail(f"unexpected {result!r}")
    assert_receive(("init", ...), 0)
    assert runtime.mailbox() == []  # the EXIT was flushed
    assert otp.whereis("g2") is None


def test_g2b_non_trapping_caller_dies_with_the_same_crash(me):
    with pytest.raises(ExitSignal) as info:
        start_link(InitReturns, {"to": me, "result": RuntimeError("no")})
    assert isinstance(info.value.reason, Crash)
    assert isinstance(info.value.reason.exception, RuntimeError)


def test_g2b_non_trapping_caller_process_dies_with_the_same_crash(me):
    def caller():
        start_link(InitReturns, {"to": me, "result": RuntimeError("no")})
        otp.send(me, "survived")

    _, ref = otp.spawn_monitor(caller)
    assert_receive(("init", ...), WAIT)
    reason = down(ref)
    assert isinstance(reason, Crash)
    assert isinstance(reason.exception, RuntimeError)
    assert str(reason.exception) == "no"
    refute_receive("survived", 0)


def test_g2c_init_error_exits_normal_silently_and_caller_lives(runtime, me, caplog):
    caplog.set_level(logging.DEBUG, logger="jobber_lab.otp")
    exits: list[Any] = []
    runtime.subscribe(lambda e: exits.append(e) if e.kind == "exited" else None)
    assert start_link(InitReturns, {"to": me, "result": InitError("bad")}) == Error("bad")
    _, server = assert_receive(("init", ...), 0)
    assert otp.is_alive(me)
    runtime.flush_events()
    assert [(e.pid, e.get("reason")) for e in exits] == [(str(server), repr(NORMAL))]
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize(
    ("init_result", "expected", "exit_reason"),
    [
        (IGNORE, IGNORE, NORMAL),
        (InitError("bad"), Error("bad"), NORMAL),
        (InitStop("stopped"), Error("stopped"), "stopped"),
        (InitStop((SHUTDOWN, 1)), Error((SHUTDOWN, 1)), (SHUTDOWN, 1)),
        (42, Error((BAD_RETURN_VALUE, 42)), (BAD_RETURN_VALUE, 42)),
        (InitOk("s", -1), Error((BAD_RETURN_VALUE, InitOk("s", -1))), ...),
        ("ok", Error((BAD_RETURN_VALUE, "ok")), (BAD_RETURN_VALUE, "ok")),
    ],
)
def test_g2_init_outcome_table(runtime, me, init_result, expected, exit_reason):
    """Each row: start_link's result, the exit reason, no terminate, name free, no EXIT left."""
    otp.trap_exit(True)
    exits: list[Any] = []
    runtime.subscribe(lambda e: exits.append(e) if e.kind == "exited" else None)
    result = start_link(InitReturns, {"to": me, "result": init_result}, name="g2")
    assert result == expected
    _, server = assert_receive(("init", ...), 0)
    assert otp.whereis("g2") is None
    assert not otp.is_alive(server)
    refute_receive(("terminate", ...), 1.0)
    assert runtime.mailbox() == []
    if exit_reason is not ...:
        runtime.flush_events()
        assert [e.get("reason") for e in exits if e.pid == str(server)] == [repr(exit_reason)]


# ------------------------------------------------------------------ G3 call


def test_g3a_call_timeout_then_late_reply_is_discarded_and_server_lives(runtime, me):
    pid = start_recorder(me)
    with pytest.raises(ExitError) as info:
        call(pid, ("sleep", 10.0), timeout=2.0)
    assert info.value.reason == (TIMEOUT, ("GenServer", "call", (pid, ("sleep", 10.0), 2.0)))
    # The next call is handled after the slow one: its reply proves the late reply was sent.
    assert call(pid, "ping", WAIT) == "pong"
    assert runtime.mailbox() == []
    assert otp.is_alive(pid)
    stop(pid)


def test_g3b_call_after_stop_is_noproc(me):
    pid = start_recorder(me)
    stop(pid)
    with pytest.raises(ExitError) as info:
        call(pid, "ping")
    assert info.value.reason == (NOPROC, ("GenServer", "call", (pid, "ping", 5.0)))


def test_g3b_call_to_unknown_name_is_noproc(me):
    with pytest.raises(ExitError) as info:
        call("nobody", "ping", timeout=1.0)
    assert info.value.reason[0] is NOPROC


class DeadVia:
    """A via module whose holder is gone: whereis_name says undefined."""

    def register_name(self, name: Any, pid: Any) -> bool:
        return False

    def unregister_name(self, name: Any) -> None:
        pass

    def whereis_name(self, name: Any) -> Any:
        return otp.UNDEFINED

    def send(self, name: Any, message: Any) -> None:
        raise otp.ArgumentError(f"no process registered as {name!r}")


def test_g3b_call_to_via_name_without_a_live_owner_is_noproc(me):
    with pytest.raises(ExitError) as info:
        call(Via(DeadVia(), "job"), "ping")
    assert info.value.reason[0] is NOPROC
    assert cast(Via(DeadVia(), "job"), "hello") is OK  # cast swallows it (G4)


def test_g3c_stop_without_reply_gives_the_exit_reason(me):
    pid = start_recorder(me)
    with pytest.raises(ExitError) as info:
        call(pid, ("stop", NORMAL))
    assert info.value.reason[0] is NORMAL
    assert_receive(("terminate", NORMAL), WAIT)


def test_g3_call_to_a_server_that_crashes_raises_with_the_crash(me):
    pid = start_recorder(me)
    with pytest.raises(ExitError) as info:
        call(pid, ("raise", KeyError("k")))
    cause = info.value.reason[0]
    assert isinstance(cause, Crash)
    assert isinstance(cause.exception, KeyError)


def test_g3_calling_self_is_an_error(me):
    pid = start_recorder(me)
    assert call(pid, ("call_self",)) is CALLING_SELF
    stop(pid)


def test_g3_call_by_registered_name(me):
    pid = start(Recorder, rec(me), name=otp.Atom("rec")).value
    assert_receive(("init", pid), WAIT)
    assert call(otp.Atom("rec"), "ping") == "pong"
    stop(otp.Atom("rec"))


def test_g3_call_infinity_and_bad_timeouts(me):
    pid = start_recorder(me)
    assert call(pid, "ping", INFINITY) == "pong"
    assert call(pid, "ping", None) == "pong"
    with pytest.raises(ValueError, match=r"call\(timeout\).*>= 0"):
        call(pid, "ping", -1)
    with pytest.raises(TypeError, match=r"call\(server\)"):
        call(42, "ping")
    stop(pid)


def test_g3_demonitor_leaves_no_down_after_a_successful_call(runtime, me):
    pid = start_recorder(me)
    assert call(pid, "ping") == "pong"
    stop(pid)
    assert_receive(("terminate", NORMAL), 0)
    assert runtime.mailbox() == []


# ------------------------------------------------------------ G4 cast, reply


def test_g4a_cast_always_returns_ok(me):
    pid = start_recorder(me)
    stop(pid)
    assert cast(pid, "hello") is OK
    assert cast("nobody", "hello") is OK
    assert cast(42, "hello") is OK
    assert cast(["unhashable"], "hello") is OK


class Deferred(GenServer):
    """Answers calls later, from a timer-driven handle_info or another process."""

    def handle_call(self, request: Any, from_: Any, state: Any) -> Any:
        match request:
            case ("later", value):
                otp.send_after(otp.self(), ("answer", from_, value), 1.0)
            case ("elsewhere", value):
                otp.spawn(reply, from_, value)
        return NoReply(state)

    def handle_info(self, message: Any, state: Any) -> Any:
        _, from_, value = message
        assert reply(from_, value) is OK
        return NoReply(state)


def test_g4b_noreply_then_timer_driven_reply(me):
    pid = start(Deferred).value
    assert call(pid, ("later", 42)) == 42
    assert call(pid, ("elsewhere", 43)) == 43
    stop(pid)


def test_g4_cast_is_handled(me):
    pid = start_recorder(me)
    cast(pid, "hello")
    assert_receive(("cast", "hello"), WAIT)
    stop(pid)


def test_g4_reply_to_a_dead_caller_is_ok(me):
    p, ref = otp.spawn_monitor(lambda: None)
    down(ref)
    assert reply((p, otp.make_ref()), "late") is OK
    with pytest.raises(TypeError, match=r"reply\(from_\)"):
        reply("someone", 1)


# -------------------------------------------------------- G5 callback returns


def test_g5a_bad_return_from_handle_cast_crashes_with_bad_return_value(me, caplog):
    caplog.set_level(logging.ERROR, logger="jobber_lab.otp")
    other = start_recorder(me)
    pid = start_recorder(me)
    ref = otp.monitor(pid)
    cast(pid, ("return", 42))
    assert assert_receive(("terminate", ...), WAIT) == ("terminate", (BAD_RETURN_VALUE, 42))
    assert down(ref) == (BAD_RETURN_VALUE, 42)
    assert any("bad_return_value" in r.getMessage() for r in caplog.records)
    assert call(other, "ping") == "pong"  # the rest of the runtime is unaffected
    stop(other)


@pytest.mark.parametrize(
    "bad",
    [
        None,
        ("reply", 1, "state"),
        NoReply("s", -1),
        NoReply("s", "soon"),
        Reply(1, "s", Continue),
        InitOk("s"),
    ],
)
def test_g5_wrong_shapes_from_handle_call_crash_with_bad_return_value(me, bad):
    pid = start_recorder(me)
    with pytest.raises(ExitError) as info:
        call(pid, ("return", bad))
    assert info.value.reason[0] == (BAD_RETURN_VALUE, bad)
    assert_receive(("terminate", (BAD_RETURN_VALUE, bad)), WAIT)


def test_g5_reply_from_handle_cast_is_a_bad_return(me):
    pid = start_recorder(me)
    ref = otp.monitor(pid)
    cast(pid, ("return", Reply(1, "s")))
    assert down(ref) == (BAD_RETURN_VALUE, Reply(1, "s"))


def test_g5_exception_in_callback_terminates_with_crash(me):
    pid = start_recorder(me)
    ref = otp.monitor(pid)
    cast(pid, ("raise", ZeroDivisionError("zero")))
    _, reason = assert_receive(("terminate", ...), WAIT)
    assert isinstance(reason, Crash)
    assert isinstance(reason.exception, ZeroDivisionError)
    assert down(ref) == reason


def test_g5_valid_results_and_actions_are_accepted(me):
    class Valid(GenServer):
        def handle_call(self, request: Any, from_: Any, state: Any) -> Any:
            return {
                "plain": Reply("a", state),
                "timeout": Reply("b", state, 1000),
                "infinity": Reply("c", state, INFINITY),
                "hibernate": Reply("d", state, otp.HIBERNATE),
            }[request]

    pid = start(Valid).value
    assert [call(pid, r) for r in ("plain", "timeout", "infinity", "hibernate")] == list("abcd")
    stop(pid)


# --------------------------------------------------------------- G6 continue


class Continues(GenServer):
    def init(self, arg: Any) -> Any:
        otp.send(otp.self(), "queued")
        return InitOk({"to": arg, "log": []}, Continue("run"))

    def handle_continue(self, arg: Any, state: Any) -> Any:
        state["log"].append(arg)
        if arg == "run":
            return NoReply(state, continue_="second")
        if arg == "crash":
            raise RuntimeError("work failed")
        return NoReply(state)

    def handle_info(self, message: Any, state: Any) -> Any:
        state["log"].append(message)
        return NoReply(state)

    def handle_call(self, request: Any, from_: Any, state: Any) -> Any:
        if request == "crash_later":
            return Reply("ok", state, Continue("crash"))
        return Reply(list(state["log"]), state)


def test_g6a_continue_from_init_runs_before_a_queued_message(me):
    pid = start(Continues, me).value
    assert call(pid, "log") == ["run", "second", "queued"]
    stop(pid)


def test_g6b_crash_in_continue_after_start_link_returned_ok(me):
    class CrashingWork(GenServer):
        def init(self, arg: Any) -> Any:
            return InitOk(arg, continue_="run")

        def handle_continue(self, arg: Any, state: Any) -> Any:
            raise RuntimeError("job work raised")

    otp.trap_exit(True)
    result = start_link(CrashingWork, None)
    assert isinstance(result, Ok)
    pid = result.value
    _, _, reason = assert_receive((EXIT, pid, ...), WAIT)
    assert isinstance(reason, Crash)
    assert str(reason.exception) == "job work raised"


def test_g6_continue_from_handle_call_runs_after_the_reply(me):
    pid = start(Continues, me).value
    ref = otp.monitor(pid)
    assert call(pid, "crash_later") == "ok"
    assert isinstance(down(ref), Crash)


def test_g6_missing_handle_continue_crashes(me):
    class NoContinue(GenServer):
        def init(self, arg: Any) -> Any:
            return InitOk(arg, Continue("x"))

    otp.trap_exit(True)
    pid = start_link(NoContinue).value
    _, _, reason = assert_receive((EXIT, pid, ...), WAIT)
    assert isinstance(reason, Crash)
    assert "handle_continue" in str(reason.exception)


# ------------------------------------------------------------ G7 idle timeout


def test_g7a_idle_timeout_calls_handle_info_timeout(me):
    start_recorder(me, action=0.5)
    assert_receive(("info", TIMEOUT), WAIT)


def test_g7b_a_message_cancels_the_idle_timeout(me):
    pid = start_recorder(me, action=20.0)
    cast(pid, "poke")  # handle_cast returns NoReply(state): no new timeout
    assert_receive(("cast", "poke"), WAIT)
    refute_receive(("info", TIMEOUT), 30.0)
    stop(pid)


def test_g7_zero_timeout_a_queued_message_wins(me):
    class ZeroTimeout(GenServer):
        def init(self, arg: Any) -> Any:
            otp.send(otp.self(), "queued")
            return InitOk(arg, 0)

        def handle_info(self, message: Any, state: Any) -> Any:
            otp.send(state, ("info", message))
            return NoReply(state)

    pid = start(ZeroTimeout, me).value
    assert otp.receive(timeout=WAIT) == ("info", "queued")
    refute_receive(("info", TIMEOUT), 1.0)
    stop(pid)


def test_g7_timeout_fires_no_earlier_than_asked(me):
    t0 = otp.now()
    start_recorder(me, action=3.0)
    assert_receive(("info", TIMEOUT), WAIT)
    assert otp.now() - t0 >= 3.0


# ------------------------------------------------------------- G8 stop order


def test_g8a_terminate_runs_before_the_reply(me):
    class SlowTerminate(GenServer):
        def handle_call(self, request: Any, from_: Any, state: Any) -> Any:
            return Stop(NORMAL, state, "bye")

        def terminate(self, reason: Any, state: Any) -> Any:
            otp.sleep(1.0)
            otp.send(state, ("t1", otp.now()))

    pid = start(SlowTerminate, me).value
    ref = otp.monitor(pid)
    assert call(pid, "stop") == "bye"
    t2 = otp.now()
    _, t1 = assert_receive(("t1", float), 0)  # already queued: terminate ran first
    assert t2 >= t1
    assert down(ref) is NORMAL  # and the process exits with the reason after replying


# ------------------------------------------------------- G9 when terminate runs


def test_g9a_untrapped_shutdown_from_parent_skips_terminate(me):
    otp.trap_exit(True)  # the test plays the supervisor
    pid = start_recorder(me, link=True)
    otp.exit(pid, SHUTDOWN)
    assert_receive((EXIT, pid, SHUTDOWN), WAIT)
    refute_receive(("terminate", ...), 1.0)


def test_g9b_trapping_server_runs_terminate_with_shutdown(me):
    otp.trap_exit(True)
    pid = start_recorder(me, link=True, trap=True)
    otp.exit(pid, SHUTDOWN)
    assert_receive(("terminate", SHUTDOWN), WAIT)
    assert_receive((EXIT, pid, SHUTDOWN), WAIT)


def test_g9c_terminate_exception_is_the_down_reason(me):
    pid = start_recorder(me, terminate_raises=True)
    ref = otp.monitor(pid)
    with pytest.raises(ExitError):
        call(pid, ("stop", "planned"))
    assert_receive(("terminate", "planned"), WAIT)
    reason = down(ref)
    assert isinstance(reason, Crash)
    assert isinstance(reason.exception, ValueError)
    assert str(reason.exception) == "terminate failed"


def test_g9_kill_skips_terminate(me):
    pid = start_recorder(me, trap=True)
    ref = otp.monitor(pid)
    otp.exit(pid, KILL)
    assert down(ref) is KILLED
    refute_receive(("terminate", ...), 1.0)


def test_g9_non_clean_stop_is_logged_and_clean_is_not(me, caplog):
    caplog.set_level(logging.DEBUG, logger="jobber_lab.otp")
    pid = start_recorder(me)
    stop(pid, (SHUTDOWN, "done"))
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    pid = start_recorder(me)
    stop(pid, "bad things")
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "bad things" in errors[0].getMessage()
    assert errors[0].name.startswith("jobber_lab.otp")


# ------------------------------------------------------------ G10 parent EXIT


def test_g10a_exit_from_a_non_parent_goes_to_handle_info(me):
    otp.trap_exit(True)
    pid = start_recorder(me, link=True, trap=True)
    x = call(pid, ("spawn_link_x",))
    otp.exit(x, "crashed")
    assert assert_receive(("info", ...), WAIT) == ("info", (EXIT, x, "crashed"))
    assert call(pid, "ping") == "pong"
    stop(pid)


def test_g10b_queued_casts_are_handled_before_the_parent_exit(me):
    otp.trap_exit(True)
    pid = start_recorder(me, link=True, trap=True)
    cast(pid, ("block",))  # busy until "go": what follows queues up in order
    cast(pid, 1)
    cast(pid, 2)
    otp.exit(pid, SHUTDOWN)  # the parent's EXIT lands after both casts
    otp.send(pid, "go")
    got = [otp.receive(timeout=WAIT) for _ in range(4)]
    assert got == [("cast", 1), ("cast", 2), ("terminate", SHUTDOWN), (EXIT, pid, SHUTDOWN)]


def test_g10_parent_exit_reason_is_the_exit_reason(me):
    otp.trap_exit(True)
    pid = start_recorder(me, link=True, trap=True)
    ref = otp.monitor(pid)
    otp.exit(pid, "parent says bye")
    assert_receive(("terminate", "parent says bye"), WAIT)
    assert down(ref) == "parent says bye"


def test_g10_started_without_link_has_no_parent(me):
    """``start`` (no link): an EXIT from the starter is just a message for handle_info."""
    pid = start_recorder(me, trap=True)
    otp.exit(pid, SHUTDOWN)
    assert assert_receive(("info", ...), WAIT) == ("info", (EXIT, me, SHUTDOWN))
    assert call(pid, "ping") == "pong"
    stop(pid)


# -------------------------------------------------------- G11 use GenServer


class Bare(GenServer):
    pass


def test_g11a_missing_handle_call_crashes_the_server(me):
    pid = start(Bare).value
    with pytest.raises(ExitError) as info:
        call(pid, "hello")
    cause = info.value.reason[0]
    assert isinstance(cause, Crash)
    assert isinstance(cause.exception, RuntimeError)
    assert "no handle_call/3 clause" in str(cause.exception)
    assert not otp.is_alive(pid)


def test_g11_missing_handle_cast_crashes_the_server(me):
    pid = start(Bare).value
    ref = otp.monitor(pid)
    cast(pid, "hello")
    reason = down(ref)
    assert isinstance(reason, Crash)
    assert "no handle_cast/2 clause" in str(reason.exception)


def test_g11b_unexpected_info_is_logged_and_the_server_lives(me, caplog):
    class CallsOnly(GenServer):
        def handle_call(self, request: Any, from_: Any, state: Any) -> Any:
            return Reply(request, state)

    caplog.set_level(logging.ERROR, logger="jobber_lab.otp")
    pid = start(CallsOnly).value
    otp.send(pid, "stray")
    assert call(pid, "after") == "after"  # handled after the stray message
    assert any("stray" in r.getMessage() for r in caplog.records)
    assert otp.is_alive(pid)
    stop(pid)


def test_g11_default_init_and_terminate():
    assert GenServer().init(5) == InitOk(5)
    assert GenServer().terminate(NORMAL, None) is OK


# ------------------------------------------------------------------ G12 stop


def test_g12a_stop_an_alive_server_runs_terminate_and_returns_ok(me):
    pid = start_recorder(me)
    assert stop(pid) is OK
    assert_receive(("terminate", NORMAL), 0)
    assert not otp.is_alive(pid)


def test_g12b_stop_a_dead_server_is_noproc(me):
    pid = start_recorder(me)
    stop(pid)
    with pytest.raises(ExitError) as info:
        stop(pid)
    assert info.value.reason[0] is NOPROC
    with pytest.raises(ExitError) as info:
        stop("nobody")
    assert info.value.reason[0] is NOPROC


def test_g12_stop_self_is_calling_self(me):
    pid = start_recorder(me)
    assert call(pid, ("stop_self",)) is CALLING_SELF
    stop(pid)


def test_g12_stop_with_a_reason(me):
    pid = start_recorder(me)
    assert stop(pid, (SHUTDOWN, "done")) is OK
    assert_receive(("terminate", (SHUTDOWN, "done")), 0)


def test_g12_stop_timeout_and_bad_timeout(me):
    pid = start_recorder(me)
    cast(pid, ("block",))
    with pytest.raises(ExitError) as info:
        stop(pid, NORMAL, 1.0)
    assert info.value.reason[0] is TIMEOUT
    with pytest.raises(ValueError, match=r"stop\(timeout\)"):
        stop(pid, NORMAL, -1)
    otp.send(pid, "go")
    assert_receive(("terminate", NORMAL), WAIT)  # the queued stop still arrives


# -------------------------------------------------------------- plain callers


def test_call_from_a_process_started_by_another_process(me):
    pid = start_recorder(me)

    def client():
        otp.send(me, ("client got", call(pid, "ping")))

    otp.spawn(client)
    assert_receive(("client got", "pong"), WAIT)
    stop(pid)


def test_failed_call_inside_a_callback_exits_with_the_calls_reason(runtime, me) -> None:
    """Elixir: a GenServer.call that fails inside handle_call exits the server with
    {:noproc, {GenServer, :call, ...}}, not with a wrapped exception."""

    class Forwarder(GenServer):
        def handle_call(self, request, from_, state):
            return Reply(call(state, request), state)

    dead = spawn(lambda: None)
    ref = monitor(dead)
    assert_receive((DOWN, ref, ..., ..., ...))
    server = start(Forwarder, dead).value
    ref = monitor(server)
    with pytest.raises(ExitError):
        call(server, "hi")
    _, _, _, _, reason = assert_receive((DOWN, ref, ..., ..., ...))
    assert reason[0] is NOPROC
    assert reason[1][:2] == ("GenServer", "call")


def test_uncaught_exit_in_a_plain_process_is_its_exit_reason(runtime, me) -> None:
    def body() -> None:
        raise ExitError((TIMEOUT, "waiting"))

    pid, ref = spawn_monitor(body)
    assert assert_receive((DOWN, ref, ..., pid, ...))[4] == (TIMEOUT, "waiting")
