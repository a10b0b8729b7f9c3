"""The runtime's own messages, ``Down`` and ``Exit``, and the predicates that match them.

They are NamedTuples in the book's order, so what students write against plain tuples
(patterns, unpacking, ``msg[4]``, equality) keeps working, and ``msg.reason`` reads better.
"""

from __future__ import annotations

from jobber_lab import otp
from jobber_lab.otp import DOWN, EXIT, KILL, KILLED, NOPROC, PROCESS, Down, Exit, is_down, is_exit
from jobber_lab.testing import assert_receive

WAIT = 100.0


def forever() -> None:
    otp.receive()


def test_a_monitor_delivers_a_down_in_the_books_order(me):
    pid, ref = otp.spawn_monitor(forever)
    otp.exit(pid, KILL)
    down = assert_receive((DOWN, ref, PROCESS, pid, ...), WAIT)  # a tuple pattern still matches
    assert isinstance(down, Down)
    assert (down.tag, down.ref, down.kind, down.pid, down.reason) == (
        DOWN,
        ref,
        PROCESS,
        pid,
        KILLED,
    )
    assert down == (DOWN, ref, PROCESS, pid, KILLED)  # equal to the plain tuple
    assert down[4] is KILLED  # indexing, as before
    _, _, _, _, reason = down  # unpacking, as before
    assert reason is KILLED
    assert repr(down) == repr((DOWN, ref, PROCESS, pid, KILLED))  # traces read the term back


def test_a_dead_target_gives_a_down_noproc(me):
    pid = otp.spawn(lambda: None)
    ref = otp.monitor(pid)
    down = otp.receive(lambda m: is_down(m, ref), WAIT)
    assert isinstance(down, Down)
    assert down.reason is NOPROC


def test_a_trapped_exit_signal_is_an_exit(me):
    otp.trap_exit(True)
    pid = otp.spawn_link(lambda: otp.exit("boom"))
    message = otp.receive(lambda m: is_exit(m, pid), WAIT)
    assert isinstance(message, Exit)
    assert (message.tag, message.pid, message.reason) == (EXIT, pid, "boom")
    assert message == (EXIT, pid, "boom")


def test_is_down_matches_only_its_ref_and_the_shape(me):
    ref, other = otp.make_ref(), otp.make_ref()
    down = Down.of(ref, me, "r")
    assert is_down(down) and is_down(down, ref)
    assert not is_down(down, other)
    assert is_down((DOWN, ref, PROCESS, me, "r"), ref)  # the shape decides, as in a receive
    assert not is_down((DOWN, ref, PROCESS, me), ref)  # arity
    assert not is_down(me)  # a Pid is a tuple too, never a DOWN
    assert not is_down("DOWN")
    assert not is_down(Exit.of(me, "r"))


def test_is_exit_matches_only_its_pid_and_the_shape(me):
    other = otp.spawn(forever)
    exit_message = Exit.of(me, "r")
    assert is_exit(exit_message) and is_exit(exit_message, me)
    assert not is_exit(exit_message, other)
    assert is_exit((EXIT, me, "r"), me)  # a hand-sent {:EXIT, pid, reason} counts, as in OTP
    assert not is_exit((EXIT, me), me)
    assert not is_exit(Down.of(otp.make_ref(), me, "r"))
    otp.exit(other, KILL)


def test_spawn_with_monitor_returns_the_pid_and_the_ref(me):
    pid, ref = otp.spawn(forever, monitor=True)
    assert isinstance(pid, otp.Pid)
    assert isinstance(ref, otp.Ref)
    otp.exit(pid, KILL)
    assert otp.receive(lambda m: is_down(m, ref), WAIT).reason is KILLED
