"""Every duration in the API goes through one validator (issue 14, items 1-3).

NaN is refused naming the argument; ``math.inf`` means *forever* where a wait is meant
and is refused, saying what to write, where a finite value is needed; a huge value never
overflows a wait, and the scheduler thread survives whatever a timer throws at it.
"""

from __future__ import annotations

import logging
import math
import sys
import threading
import time

import pytest

from jobber_lab import cli, otp
from jobber_lab.jobber import bad_job, doomed_job, good_job
from jobber_lab.otp import (
    DOWN,
    INFINITY,
    KILL,
    TIMEOUT,
    GenServer,
    InitOk,
    Reply,
    Runtime,
    ScaledClock,
)
from jobber_lab.otp._durations import MAX_WALL_WAIT, duration, finite_duration, time_scale
from jobber_lab.otp._timers import TimerService
from jobber_lab.testing import assert_receive, refute_receive

NAN = math.nan
INF = math.inf
WAIT = 100.0  # runtime seconds: 1 s of wall time at the fixture's scale 0.01


class Echo(GenServer):
    def init(self, arg):
        return InitOk(arg)

    def handle_call(self, request, from_, state):
        return Reply(request, state)


# ----------------------------------------------------------------- the validator


@pytest.mark.parametrize(
    ("value", "error", "words"),
    [
        (NAN, ValueError, "NaN"),
        (-1, ValueError, "-1"),
        (-INF, ValueError, "-inf"),
        ("5", TypeError, "'5'"),
        (True, TypeError, "True"),
        ([1], TypeError, r"\[1\]"),
    ],
)
def test_the_validator_refuses_naming_the_argument(value, error, words):
    with pytest.raises(error, match=rf"^f\(x\): expected seconds >= 0.*{words}"):
        duration("f(x)", value)


def test_the_validator_reads_forever_and_keeps_huge_values():
    assert duration("f(x)", INF) is None
    assert duration("f(x)", None) is None
    assert duration("f(x)", INFINITY) is None
    assert duration("f(x)", 10**400) is None  # an int too big for a float is forever too
    assert duration("f(x)", 1e300) == 1e300
    assert duration("f(x)", 0) == 0.0
    with pytest.raises(TypeError, match=r"f\(x\)"):
        duration("f(x)", None, none_ok=False)
    with pytest.raises(ValueError, match=r"f\(x\).*finite.*write this instead"):
        finite_duration("f(x)", INF, instead="write this instead")
    with pytest.raises(ValueError, match=r"f\(x\).*NaN"):
        finite_duration("f(x)", NAN, instead="")


@pytest.mark.parametrize("value", [0, -1, NAN, INF, 1e-30, 1e30])
def test_time_scale_outside_its_range_is_refused(value):
    with pytest.raises(ValueError, match=r"T\(time_scale\): expected a positive number from"):
        time_scale("T(time_scale)", value)


# ------------------------------------------------------------------ the runtime


@pytest.mark.parametrize("value", [NAN, INF, -INF, 0, -0.5, 1e-30, 1e300, "fast", True])
def test_runtime_time_scale_is_checked_by_name(value):
    with pytest.raises((TypeError, ValueError), match=r"Runtime\(time_scale\)"):
        Runtime(time_scale=value)


@pytest.mark.parametrize("value", [NAN, -1, -INF, "1", None, True])
def test_runtime_grace_is_checked_by_name(value):
    with pytest.raises((TypeError, ValueError), match=r"Runtime\(grace\)"):
        Runtime(grace=value)


def test_infinite_grace_never_escalates_and_timers_keep_firing(caplog):
    """The issue's repro: grace=inf at the first kill killed the scheduler thread."""
    with Runtime(time_scale=0.01, grace=INF) as rt, rt.test_process() as me:
        assert rt.grace == INF
        stubborn = threading.Event()

        def ignores_its_death():
            try:
                otp.receive()
            except BaseException:
                stubborn.wait(2.0)  # keeps the thread busy after its logical death
                raise

        pid = otp.spawn(ignores_its_death)
        otp.exit(pid, KILL)
        otp.send_after(me, "still ticking", 1.0)
        assert_receive("still ticking", WAIT)
        assert rt.timers.thread.is_alive()
        assert "injecting AsyncKill" not in caplog.text
        stubborn.set()


@pytest.mark.parametrize(("value", "words"), [(NAN, "NaN"), (-1, "-1"), ("soon", "'soon'")])
def test_receive_and_sleep_refuse_bad_durations_by_name(me, value, words):
    with pytest.raises((TypeError, ValueError), match=rf"receive\(timeout\).*{words}"):
        otp.receive(timeout=value)
    with pytest.raises((TypeError, ValueError), match=rf"sleep\(seconds\).*{words}"):
        otp.sleep(value)


def test_receive_with_infinite_timeout_waits_for_the_message(runtime, me):
    otp.send_after(me, "late", 0.5)
    assert otp.receive(timeout=INF) == "late"


def test_receive_with_a_huge_timeout_never_overflows(runtime, me):
    otp.send_after(me, "late", 0.5)
    assert otp.receive(timeout=1e300) == "late"
    otp.send(me, "x")
    assert otp.receive(timeout=sys.float_info.max) == "x"  # now + max overflows to inf


def test_sleep_forever_is_interruptible_by_a_kill(runtime, me):
    pid, ref = otp.spawn_monitor(lambda: otp.sleep(INF))
    refute_receive((DOWN, ref, ...), 0.5)
    otp.exit(pid, KILL)
    assert_receive((DOWN, ref, ..., pid, ...), WAIT)


def test_sleep_from_plain_code_checks_its_argument(runtime):
    with pytest.raises(ValueError, match=r"sleep\(seconds\).*NaN"):
        runtime.sleep(NAN)
    runtime.sleep(0)  # plain code (not a process) sleeps on the wall clock, capped per step


def test_genserver_call_timeout_nan_is_refused_and_inf_waits(runtime, me):
    ok = Echo.start_link(0)
    pid = ok.value
    with pytest.raises(ValueError, match=r"call\(timeout\).*NaN"):
        otp.call(pid, "hi", NAN)
    with pytest.raises(ValueError, match=r"call\(timeout\)"):
        otp.call(pid, "hi", -INF)
    assert otp.call(pid, "hi", INF) == "hi"
    assert otp.call(pid, "hi", 1e300) == "hi"


def test_genserver_start_link_timeout_is_checked(runtime, me):
    with pytest.raises(ValueError, match=r"start_link\(timeout\).*NaN"):
        Echo.start_link(0, timeout=NAN)
    assert Echo.start_link(0, timeout=INF).value is not None


# ------------------------------------------------------------------------ timers


@pytest.mark.parametrize(
    ("value", "error", "words"),
    [
        (NAN, ValueError, "NaN"),
        (INF, ValueError, "never arrives needs no timer"),
        (-INF, ValueError, "-inf"),
        (None, TypeError, "None"),
        (INFINITY, TypeError, "infinity"),
    ],
)
def test_send_after_needs_a_finite_delay(me, value, error, words):
    with pytest.raises(error, match=rf"send_after\(seconds\).*{words}"):
        otp.send_after(me, "x", value)


def test_a_huge_timer_leaves_the_scheduler_alive(runtime, me):
    far = otp.send_after(me, "never", 1e300)
    far2 = otp.send_after(me, "never either", 2**1000)
    otp.send_after(me, "soon", 0.5)
    assert_receive("soon", WAIT)
    assert otp.read_timer(far) > 1e299
    assert otp.cancel_timer(far2) > 1e299
    assert runtime.timers.thread.is_alive()


def test_the_scheduler_survives_an_action_that_raises(runtime, me, caplog):
    caplog.set_level(logging.ERROR, logger="jobber_lab.otp.timers")

    def explode():
        raise OverflowError("timestamp out of range")

    def base_explode():
        raise SystemExit("not even this")

    runtime.timers.schedule(0.1, explode)
    runtime.timers.schedule(0.2, base_explode)
    otp.send_after(me, "after the explosions", 0.5)
    assert_receive("after the explosions", WAIT)
    assert runtime.timers.thread.is_alive()
    assert caplog.text.count("timer action failed") == 2


class BrokenClock:
    """A clock whose wait computation fails a few times, as an overflow would."""

    def __init__(self, failures: int) -> None:
        self.time_scale = 0.01
        self.failures = failures
        self._origin = time.monotonic()

    def now(self) -> float:
        return (time.monotonic() - self._origin) / self.time_scale

    def wall_timeout(self, deadline):
        return None if deadline is None else max(0.0, (deadline - self.now()) * self.time_scale)

    def wait(self, cond, deadline):
        if deadline is not None and self.failures > 0:
            self.failures -= 1
            raise OverflowError("timestamp out of range")
        timeout = self.wall_timeout(deadline)
        cond.wait(timeout if timeout is None else min(timeout, 0.05))


def test_the_scheduler_survives_a_clock_that_fails(caplog):
    caplog.set_level(logging.ERROR, logger="jobber_lab.otp.timers")
    clock = BrokenClock(failures=3)
    timers = TimerService(clock, name="broken")
    fired = threading.Event()
    try:
        timers.schedule(100.0, fired.set)  # 1 s of wall time: room for three failures
        assert fired.wait(5.0), "the timer never fired: the scheduler died"
        assert timers.thread.is_alive()
        assert caplog.text.count("computing the next wait failed") == 3
    finally:
        timers.stop()
    assert not timers.thread.is_alive()


def test_a_nan_delay_cannot_enter_the_heap():
    timers = TimerService(BrokenClock(failures=0), name="nan")
    try:
        with pytest.raises(ValueError, match=r"schedule\(delay\)"):
            timers.schedule(NAN, lambda: None)
    finally:
        timers.stop()


def test_the_clock_caps_every_wall_wait():
    clock = ScaledClock(0.01)
    assert clock.wall_timeout(INF) == MAX_WALL_WAIT
    assert clock.wall_timeout(1e308) == MAX_WALL_WAIT
    assert clock.wall_timeout(NAN) == 0.0
    assert clock.wall_timeout(-5) == 0.0
    assert clock.wall_timeout(None) is None
    assert MAX_WALL_WAIT < threading.TIMEOUT_MAX


# ------------------------------------------------------------- work and the CLI


@pytest.mark.parametrize("factory", [good_job, bad_job, doomed_job])
@pytest.mark.parametrize(
    ("value", "error", "words"),
    [(NAN, ValueError, "NaN"), (-1, ValueError, "-1"), ("5", TypeError, "'5'")],
)
def test_work_durations_are_checked_by_name(factory, value, error, words):
    with pytest.raises(error, match=rf"{factory.__name__}\(seconds\).*{words}"):
        factory(value)


def test_infinite_work_runs_until_killed(runtime, me):
    pid, ref = otp.spawn_monitor(good_job(INF))
    refute_receive((DOWN, ref, ...), 0.5)
    otp.exit(pid, KILL)
    assert_receive((DOWN, ref, ..., pid, ...), WAIT)


@pytest.mark.parametrize("text", ["inf", "nan", "-1", "0", "1e-30", "fast"])
def test_cli_time_scale_is_a_usage_error(text, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["demo", "--time-scale", text, "--out", ""])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--time-scale" in err and "positive number" in err
    assert "Traceback" not in err


def test_timeout_atom_still_means_timeout(me):
    assert otp.receive(timeout=0) is TIMEOUT


# ------------------------------------------------------------- short waits never hang


def _tiny_waits() -> None:
    for i in range(3000):
        otp.sleep(0.000003)
        if i % 50 == 0:  # a token taken: the queue's internal lock is free again
            otp.send(otp.self(), "tick")
            otp.receive(timeout=0.000003)


@pytest.mark.runtime(time_scale=1.0)
def test_thousands_of_microsecond_waits_never_block_forever(runtime, me):
    """CPython's timed SimpleQueue.get can turn a deadline missed by a few microseconds
    into "wait forever"; before the fix 2 of these 12 processes froze on every run."""
    refs = [otp.spawn_monitor(_tiny_waits)[1] for _ in range(12)]
    for finished in range(len(refs)):
        down = otp.receive(lambda m: type(m) is tuple and m[0] is DOWN, 20.0)
        assert down is not TIMEOUT, f"a process froze in a short wait ({finished} of 12 done)"
