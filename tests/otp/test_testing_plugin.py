"""The pytest plugin ``jobber_lab.testing``: fixtures and ExUnit-like helpers.

The helpers must be able to *fail*, or every test built on them proves nothing.
"""

from __future__ import annotations

import threading

import pytest

from jobber_lab import otp
from jobber_lab.otp import DOWN, PROCESS, Runtime
from jobber_lab.testing import assert_receive, matches, refute_receive, runtime_for_test

WAIT = 100.0


def test_me_is_a_process_of_the_runtime(runtime, me):
    assert otp.self() == me
    assert runtime.is_alive(me)
    assert otp.current_runtime() is runtime
    assert runtime.process(me).trap_exit is False
    assert runtime.time_scale == 0.01
    assert runtime.grace == 0.2


def test_tme_is_a_trapping_process_of_the_runtime(runtime, tme):
    assert otp.self() == tme
    assert runtime.process(tme).trap_exit is True
    child = otp.spawn_link(lambda: otp.exit("boom"))  # its exit arrives as a message
    assert otp.receive(match=lambda m: m[0] is otp.EXIT and m[1] == child, timeout=5)[2] == "boom"


@pytest.mark.runtime(time_scale=0.5, grace=0.1)
def test_runtime_marker_sets_options(runtime):
    assert runtime.time_scale == 0.5
    assert runtime.grace == 0.1


def test_assert_receive_returns_the_matching_message(me):
    otp.send(me, ("other", 1))
    otp.send(me, ("job", 7, "done"))
    assert assert_receive(("job", int, ...), 0) == ("job", 7, "done")
    assert assert_receive(("other", 1), 0) == ("other", 1)


def test_assert_receive_fails_when_nothing_matches(runtime, me):
    otp.send(me, "unrelated")
    with pytest.raises(AssertionError, match=r"no message matching 'wanted' within 0\.5s"):
        assert_receive("wanted", 0.5)
    assert runtime.mailbox() == ["unrelated"]  # non-matching messages stay


def test_assert_receive_waits_for_a_later_message(me):
    otp.send_after(me, "later", 1.0)
    assert assert_receive("later", WAIT) == "later"


def test_refute_receive_fails_when_a_matching_message_arrives(me):
    otp.send(me, ("boom", 1))
    with pytest.raises(AssertionError, match="unexpected message"):
        refute_receive(("boom", ...), 0)


def test_refute_receive_fails_for_a_message_arriving_during_the_wait(me):
    otp.send_after(me, "late", 0.5)
    with pytest.raises(AssertionError, match="'late'"):
        refute_receive("late", WAIT)


def test_refute_receive_passes_and_consumes_nothing(runtime, me):
    otp.send(me, "kept")
    refute_receive("absent", 0.5)
    assert runtime.mailbox() == ["kept"]


def test_helpers_outside_a_process_raise():
    try:
        with pytest.raises(RuntimeError, match="inside a process"):
            assert_receive("x", 0)
        with pytest.raises(RuntimeError, match="inside a process"):
            refute_receive("x", 0)
    finally:
        otp.default_runtime().shutdown()  # plain code talks to the default runtime


def test_matches_patterns():
    assert matches(...)("anything")
    assert matches(int)(3) and not matches(int)("3")
    assert matches((DOWN, ..., PROCESS, ..., str))((DOWN, 1, PROCESS, 2, "r"))
    assert not matches((DOWN, ..., PROCESS, ..., str))((DOWN, 1, PROCESS, 2))  # arity
    assert not matches((DOWN, ...))([DOWN, 1])  # a list is not a tuple
    assert matches(lambda m: m > 2)(3)
    assert matches(("a", ("b", ...)))(("a", ("b", 1)))
    assert matches(otp.NORMAL)(otp.NORMAL)
    assert not matches(otp.NORMAL)("normal")


def test_the_runtime_fixture_fails_a_test_that_leaks_a_thread(monkeypatch):
    """runtime_for_test (the fixture's body) fails when shutdown reports a leaked thread."""
    release = threading.Event()
    stray = threading.Thread(target=release.wait, args=(10,), daemon=True)
    stray.start()
    gen = runtime_for_test()
    rt = next(gen)
    monkeypatch.setattr(rt, "shutdown", lambda: [stray])
    try:
        with pytest.raises(pytest.fail.Exception, match="leaked threads"):
            gen.close()
    finally:
        release.set()
        stray.join(10)
        Runtime.shutdown(rt)
    assert not stray.is_alive()


def test_the_runtime_fixture_passes_a_clean_runtime():
    gen = runtime_for_test(time_scale=0.01)
    rt = next(gen)
    with rt.test_process() as me:
        pid, ref = rt.spawn(otp.receive, monitor=True)
        otp.exit(pid, otp.KILL)
        assert_receive((DOWN, ref, PROCESS, pid, ...), WAIT)
        assert me is not None
    gen.close()  # no failure
    assert rt.closed
    assert rt.threads() == []


def test_me_dies_like_a_process(me):
    """A non-trapping test process linked to a crash gets the ExitSignal, as in ExUnit."""
    with pytest.raises(otp.ExitSignal) as info:
        otp.spawn_link(otp.exit, "linked crash")
        otp.receive(timeout=WAIT)
    assert info.value.reason == "linked crash"
