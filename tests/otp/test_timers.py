"""Timers (T1): send_after, cancel_timer, read_timer on one scheduler thread per runtime.

Durations are runtime seconds; the fixture's time_scale 0.01 makes 100 s a 1 s wall wait.
"""

from __future__ import annotations

import logging

import pytest

from jobber_lab import otp
from jobber_lab.otp import DOWN, KILL, PROCESS, TimerRef
from jobber_lab.testing import assert_receive, refute_receive

WAIT = 100.0


def forever() -> None:
    otp.receive()


def test_t1a_cancel_before_firing_returns_remaining_and_message_never_arrives(runtime, me):
    ref = otp.send_after(me, "tick", 30.0)
    assert isinstance(ref, TimerRef)
    otp.sleep(1.0)
    left = otp.cancel_timer(ref)
    assert left is not False
    assert isinstance(left, float)
    assert 0 < left < 30.0
    assert runtime.timers.pending(me) == 0
    # A later timer (deadline past the cancelled one's) arrives alone: timers fire in
    # deadline order, so the cancelled one would have come first.
    otp.send_after(me, "sentinel", 35.0)
    assert_receive("sentinel", 2 * WAIT)
    refute_receive("tick", 0)


def test_t1b_cancel_after_firing_returns_false(me):
    ref = otp.send_after(me, "tick", 0.5)
    assert_receive("tick", WAIT)
    assert otp.cancel_timer(ref) is False
    assert otp.read_timer(ref) is False


def test_t1c_timers_of_a_dead_destination_are_dropped(runtime, me):
    p, ref = otp.spawn_monitor(forever)
    for i in range(3):
        otp.send_after(p, ("later", i), 1000.0)
    assert runtime.timers.pending(p) == 3
    otp.exit(p, KILL)
    assert_receive((DOWN, ref, PROCESS, p, ...), WAIT)
    assert runtime.timers.pending(p) == 0
    assert runtime.timers.pending() == 0


def test_t1_timer_to_an_already_dead_pid_is_dropped(runtime, me):
    p, ref = otp.spawn_monitor(lambda: None)
    assert_receive((DOWN, ref, PROCESS, p, ...), WAIT)
    tref = otp.send_after(p, "too late", 1000.0)
    assert runtime.timers.pending(p) == 0
    assert otp.cancel_timer(tref) is False


def test_t1_cancel_twice_and_unknown_ref_return_false(me):
    ref = otp.send_after(me, "tick", 1000.0)
    assert otp.cancel_timer(ref) > 0
    assert otp.cancel_timer(ref) is False
    assert otp.cancel_timer(otp.make_ref()) is False
    assert otp.read_timer(otp.make_ref()) is False


def test_t1_read_timer_returns_remaining_without_cancelling(me):
    ref = otp.send_after(me, "tick", 2.0)
    left = otp.read_timer(ref)
    assert 0 < left <= 2.0
    assert_receive("tick", WAIT)
    assert otp.read_timer(ref) is False


def test_t1_zero_delay_goes_through_the_mailbox_after_earlier_messages(me):
    otp.send(me, "first")
    otp.send_after(me, "second", 0)
    assert otp.receive(timeout=WAIT) == "first"
    assert otp.receive(timeout=WAIT) == "second"


def test_t1_fires_no_earlier_than_its_delay_in_runtime_time(me):
    t0 = otp.now()
    otp.send_after(me, "tick", 5.0)
    assert_receive("tick", WAIT)
    assert otp.now() - t0 >= 5.0


def test_t1_timers_fire_in_deadline_order(me):
    for delay in (3.0, 1.0, 2.0):
        otp.send_after(me, delay, delay)
    got = [otp.receive(timeout=WAIT) for _ in range(3)]
    assert got == [1.0, 2.0, 3.0]


def test_t1_name_destination_is_resolved_when_the_timer_fires(me):
    otp.send_after("late_name", "hello", 1.0)
    otp.register("late_name")  # registered after the timer was set
    assert_receive("hello", WAIT)


def test_t1_missing_name_at_fire_time_is_silently_dropped(me, caplog):
    caplog.set_level(logging.DEBUG, logger="jobber_lab.otp")
    otp.send_after("nobody", "lost", 0.5)
    otp.send_after(me, "sentinel", 1.0)
    assert_receive("sentinel", WAIT)
    refute_receive("lost", 0)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_t1_timer_to_a_name_survives_the_holder(runtime, me):
    """A name destination is not tied to the process holding it when the timer was set."""
    p, ref = otp.spawn_monitor(forever, name="holder")
    otp.send_after("holder", "for whoever holds it", 2.0)
    otp.exit(p, KILL)
    assert_receive((DOWN, ref, PROCESS, p, ...), WAIT)
    otp.register("holder")
    assert_receive("for whoever holds it", WAIT)


def test_t1_bad_input(me):
    with pytest.raises(ValueError, match=r"send_after\(seconds\).*>= 0"):
        otp.send_after(me, "x", -1)
    with pytest.raises(TypeError, match=r"send_after\(seconds\)"):
        otp.send_after(me, "x", "soon")
    with pytest.raises(TypeError, match=r"send_after\(dest\)"):
        otp.send_after(42, "x", 1.0)
    with pytest.raises(TypeError, match=r"cancel_timer\(ref\)"):
        otp.cancel_timer("ref")
    with pytest.raises(TypeError, match=r"read_timer\(ref\)"):
        otp.read_timer(None)


def test_t1_one_scheduler_thread_per_runtime(runtime, me):
    before = set(runtime.threads())
    for i in range(50):
        otp.send_after(me, i, 1000.0)
    assert set(runtime.threads()) == before
    assert runtime.timers.pending() == 50


def test_timer_ref_is_cancelled_in_its_own_runtime_from_plain_code() -> None:
    """A TimerRef knows its runtime: plain code cancels it even when the default runtime
    is another one."""
    with otp.Runtime(time_scale=0.01) as rt:
        with rt.calling_process():
            waiter = otp.spawn(otp.receive)
            ref = otp.send_after(waiter, "never", 100)
        left = otp.cancel_timer(ref)
        assert isinstance(left, float) and left > 0
        assert otp.read_timer(ref) is False
        rt.exit(waiter, otp.KILL)
