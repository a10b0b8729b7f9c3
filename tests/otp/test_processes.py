"""Processes, mailboxes, links, monitors and exit signals: otp-semantics §1 (P1-P6).

Every test runs in its own runtime (the ``runtime`` fixture, time_scale 0.01) with
the test body adopted as a process (``me``).  Waits are on messages with timeouts
in runtime seconds (x 0.01 for wall time), never on sleeps.
"""

from __future__ import annotations

import logging
import re
import threading

import pytest

from jobber_lab import otp
from jobber_lab.otp import (
    DOWN,
    EXIT,
    KILL,
    KILLED,
    NOPROC,
    NORMAL,
    PROCESS,
    SHUTDOWN,
    TIMEOUT,
    ArgumentError,
    Crash,
    NoProcError,
    Pid,
    Runtime,
    exit_signal,  # the P2 name; otp.exit(pid, r) is the same call
    is_clean,
)
from jobber_lab.testing import assert_receive, refute_receive

WAIT = 100.0  # runtime seconds (1 s wall at time_scale 0.01): generous, only hit on failure


def forever() -> None:
    """A process body that waits until it is killed."""
    otp.receive()


def down_reason(ref: otp.Ref, pid: Pid | None = None) -> object:
    """Wait for the DOWN of monitor ``ref`` and return its reason."""
    message = assert_receive((DOWN, ref, PROCESS, ... if pid is None else pid, ...), WAIT)
    return message[4]


def spawn_waiting_for_death() -> tuple[Pid, otp.Ref]:
    """A monitored process that waits forever."""
    return otp.spawn_monitor(forever)


# ------------------------------------------------------------------ P1 reasons


def test_p1a_shutdown_tuple_kills_linked_non_trapping(me):
    def b_body():
        otp.spawn_link(otp.exit, (SHUTDOWN, "done"))
        otp.receive()

    b, ref = otp.spawn_monitor(b_body)
    assert down_reason(ref, b) == (SHUTDOWN, "done")


def test_p1b_normal_exit_leaves_linked_process_alive(me):
    def b_body():
        a = otp.spawn_link(otp.exit, NORMAL)
        ref = otp.monitor(a)
        otp.receive(lambda m: m[0] is DOWN and m[1] is ref)
        otp.send(me, ("a_done", a))
        otp.receive()

    b, ref = otp.spawn_monitor(b_body)
    assert_receive(("a_done", Pid), WAIT)
    assert otp.is_alive(b)
    otp.exit(b, KILL)
    assert down_reason(ref) is KILLED


def test_p1c_is_clean():
    assert is_clean("normal") is False
    assert is_clean("shutdown") is False
    assert is_clean(("shutdown", 1)) is False
    assert is_clean(NORMAL) is True
    assert is_clean(SHUTDOWN) is True
    assert is_clean((SHUTDOWN, "done")) is True
    assert is_clean(KILLED) is False
    assert is_clean(KILL) is False
    assert is_clean(Crash(ValueError())) is False


def test_p1_string_normal_is_not_a_clean_exit(me):
    def b_body():
        otp.spawn_link(otp.exit, "normal")  # a string, not the atom
        otp.receive()

    b, ref = otp.spawn_monitor(b_body)
    assert down_reason(ref, b) == "normal"


# ------------------------------------------------------------ P2 exit signals


def test_p2a_kill_is_untrappable(me):
    p, ref = otp.spawn_monitor(forever, trap_exit=True)
    assert otp.exit(p, KILL) is True
    assert down_reason(ref, p) is KILLED


def test_p2b_trapped_exit_signal_becomes_message(me):
    def body():
        otp.send(me, ("got", otp.receive()))
        otp.receive()

    p, ref = otp.spawn_monitor(body, trap_exit=True)
    assert exit_signal(p, "boom") is True
    assert assert_receive(("got", ...), WAIT) == ("got", (EXIT, me, "boom"))
    assert otp.is_alive(p)
    otp.exit(p, KILL)
    assert down_reason(ref) is KILLED


def test_p2c_linked_process_of_killed_process_dies_killed(me):
    a, aref = spawn_waiting_for_death()

    def b_body():
        otp.link(a)
        otp.send(me, "linked")
        otp.receive()

    b, bref = otp.spawn_monitor(b_body)
    assert_receive("linked", WAIT)
    otp.exit(a, KILL)
    assert down_reason(aref, a) is KILLED
    assert down_reason(bref, b) is KILLED


def test_p2_normal_signal_from_another_process_is_dropped(me):
    p, ref = spawn_waiting_for_death()
    otp.exit(p, NORMAL)  # signals are handled in the sender's call: the answer is final now
    refute_receive((DOWN, ref, ..., ..., ...), 1.0)
    assert otp.is_alive(p)
    otp.exit(p, KILL)
    assert down_reason(ref) is KILLED


def test_p2_normal_signal_to_trapping_process_is_a_message(me):
    def body():
        otp.send(me, ("got", otp.receive()))

    p, ref = otp.spawn_monitor(body, trap_exit=True)
    otp.exit(p, NORMAL)
    assert assert_receive(("got", ...), WAIT) == ("got", (EXIT, me, NORMAL))
    assert down_reason(ref) is NORMAL


def test_p2_exit_self_normal_terminates_the_caller(me):
    def body():
        otp.exit(otp.self(), NORMAL)
        otp.send(me, "survived")  # never runs

    p, ref = otp.spawn_monitor(body)
    assert down_reason(ref, p) is NORMAL
    refute_receive("survived")


def test_p2_other_reason_kills_non_trapping_receiver(me):
    p, ref = spawn_waiting_for_death()
    otp.exit(p, "boom")
    assert down_reason(ref, p) == "boom"


def test_p2_kill_via_link_kills_non_trapping_with_kill(me):
    """A linked process that exits with reason ``kill`` sends ``kill``, not ``killed``."""

    def b_body():
        otp.spawn_link(otp.exit, KILL)
        otp.receive()

    b, ref = otp.spawn_monitor(b_body)
    assert down_reason(ref, b) is KILL


def test_p2_kill_via_link_is_trappable(me):
    otp.trap_exit(True)
    a = otp.spawn_link(otp.exit, KILL)
    assert assert_receive((EXIT, a, ...), WAIT) == (EXIT, a, KILL)
    assert otp.is_alive(me)


def test_p2_killed_process_own_reason_is_killed_and_links_get_killed(me):
    otp.trap_exit(True)
    a = otp.spawn_link(forever)
    otp.exit(a, KILL)
    assert assert_receive((EXIT, a, ...), WAIT) == (EXIT, a, KILLED)


def test_p2_exit_signal_to_dead_pid_is_a_no_op(me):
    p, ref = otp.spawn_monitor(lambda: None)
    down_reason(ref)
    assert otp.exit(p, "boom") is True


def test_p2_chain_of_links_dies_without_recursion(me):
    """A thousand linked processes die from one signal (the signal loop is iterative)."""
    ready = threading.Barrier(2)

    def chain(n: int) -> None:
        if n:
            otp.spawn_link(chain, n - 1)
        else:
            ready.wait(5)
        otp.receive()

    head, ref = otp.spawn_monitor(chain, 300)
    ready.wait(5)
    otp.exit(head, "domino")
    assert down_reason(ref, head) == "domino"


# ----------------------------------------------------------------- P3 links


def test_p3a_link_to_dead_pid_raises_when_not_trapping(me):
    dead, ref = otp.spawn_monitor(lambda: None)
    down_reason(ref)
    with pytest.raises(NoProcError) as info:
        otp.link(dead)
    assert info.value.reason is NOPROC
    assert otp.is_alive(me)


def test_p3b_link_to_dead_pid_when_trapping_gives_noproc_message(me):
    dead, ref = otp.spawn_monitor(lambda: None)
    down_reason(ref)
    otp.trap_exit(True)
    assert otp.link(dead) is True
    assert assert_receive((EXIT, dead, ...), WAIT) == (EXIT, dead, NOPROC)


def test_p3c_after_unlink_partner_crash_leaves_caller_alive(me):
    a, ref = spawn_waiting_for_death()
    otp.link(a)
    otp.unlink(a)
    otp.exit(a, "boom")
    assert down_reason(ref) == "boom"
    otp.checkpoint()  # would raise ExitSignal if the signal had reached us
    assert otp.is_alive(me)


def test_p3_link_is_bidirectional_and_idempotent(runtime, me):
    a, _ = spawn_waiting_for_death()
    otp.link(a)
    otp.link(a)
    assert runtime.process(me).links == {a}
    assert runtime.process(a).links == {me}
    otp.trap_exit(True)
    otp.exit(a, "boom")
    assert assert_receive((EXIT, a, ...), WAIT) == (EXIT, a, "boom")
    refute_receive((EXIT, ..., ...), 1.0)


def test_p3_spawn_link_links_before_the_child_runs(me):
    otp.trap_exit(True)
    child = otp.spawn_link(lambda: 1 / 0)
    _, _, reason = assert_receive((EXIT, child, ...), WAIT)
    assert isinstance(reason, Crash)
    assert isinstance(reason.exception, ZeroDivisionError)


def test_p3_queued_exit_message_stays_after_unlink(me):
    otp.trap_exit(True)
    a, ref = spawn_waiting_for_death()
    otp.link(a)
    otp.exit(a, "boom")
    down_reason(ref)  # link signals are delivered before DOWNs: the EXIT is queued
    otp.unlink(a)
    assert assert_receive((EXIT, a, ...), 0) == (EXIT, a, "boom")


def test_p3_unlink_unknown_pid_is_fine(me):
    a, ref = otp.spawn_monitor(lambda: None)
    down_reason(ref)
    assert otp.unlink(a) is True


# -------------------------------------------------------------- P4 monitors


def test_p4a_monitor_dead_pid_gives_immediate_noproc(me):
    dead, ref = otp.spawn_monitor(lambda: None)
    down_reason(ref)
    ref2 = otp.monitor(dead)
    assert assert_receive((DOWN, ref2, ..., ..., ...), 0) == (DOWN, ref2, PROCESS, dead, NOPROC)


def test_p4b_two_monitors_give_two_downs(me):
    p, ref0 = spawn_waiting_for_death()
    ref1 = otp.monitor(p)
    ref2 = otp.monitor(p)
    assert len({id(ref0), id(ref1), id(ref2)}) == 3
    otp.exit(p, "bye")
    assert down_reason(ref1, p) == "bye"
    assert down_reason(ref2, p) == "bye"
    assert down_reason(ref0, p) == "bye"


def test_p4c_demonitor_with_flush_leaves_no_down(runtime, me):
    p, ref1 = spawn_waiting_for_death()
    ref2 = otp.monitor(p)
    otp.exit(p, "bye")
    down_reason(ref2)  # DOWNs go out in monitor order: ref1's is queued already
    assert otp.demonitor(ref1, flush=True) is True
    refute_receive((DOWN, ..., ..., ..., ...), 1.0)
    assert runtime.mailbox() == []


def test_p4_demonitor_without_flush_keeps_a_queued_down(me):
    p, ref1 = spawn_waiting_for_death()
    ref2 = otp.monitor(p)
    otp.exit(p, "bye")
    down_reason(ref2)
    otp.demonitor(ref1)
    assert down_reason(ref1) == "bye"


def test_p4_demonitor_before_exit_means_no_down(me):
    p, ref = spawn_waiting_for_death()
    otp.demonitor(ref)
    ref2 = otp.monitor(p)
    otp.exit(p, "bye")
    down_reason(ref2)
    refute_receive((DOWN, ref, ..., ..., ...), 1.0)


def test_p4_monitor_by_name(runtime, me):
    p, _ = spawn_waiting_for_death()
    otp.register("watched", p)
    ref = otp.monitor("watched")
    otp.exit(p, "bye")
    assert down_reason(ref, p) == "bye"
    ref2 = otp.monitor("nobody")
    assert assert_receive((DOWN, ref2, ..., ..., ...), 0) == (DOWN, ref2, PROCESS, "nobody", NOPROC)


def test_p4_link_exit_is_queued_before_the_down_of_a_self_terminating_process(me):
    """Link signals go out before DOWNs, even when the dying thread delivers them (R6, G2)."""
    otp.trap_exit(True)
    for i in range(50):
        p, ref = otp.spawn(otp.exit, ("bye", i), link=True, monitor=True)
        assert down_reason(ref, p) == ("bye", i)
        assert assert_receive((EXIT, p, ...), 0) == (EXIT, p, ("bye", i))


def test_p4_link_exit_comes_first_in_the_mailbox(me):
    """The ordering itself, deterministically: one thread appends both messages to our
    mailbox, so an unfiltered receive sees which went first (DOWN-first fails every time)."""
    otp.trap_exit(True)
    for i in range(20):
        p, ref = otp.spawn(otp.exit, ("bye", i), link=True, monitor=True)
        assert otp.receive(timeout=300) == (EXIT, p, ("bye", i))
        assert otp.receive(timeout=300) == (DOWN, ref, PROCESS, p, ("bye", i))


# ----------------------------------------------------- P5 mailbox, send, receive


def test_p5a_selective_receive_leaves_the_others_in_order(runtime, me):
    for m in ("a", "b", "c"):
        otp.send(me, m)
    assert otp.receive(lambda m: m == "b", 0) == "b"
    assert runtime.mailbox() == ["a", "c"]
    assert otp.receive(timeout=0) == "a"
    assert otp.receive(timeout=0) == "c"


def test_p5b_send_to_dead_pid_returns_normally(me):
    p, ref = otp.spawn_monitor(lambda: None)
    down_reason(ref)
    assert otp.send(p, "hello") == "hello"


def test_p5c_thousand_sends_from_one_sender_arrive_in_order(me):
    def sender():
        for i in range(1000):
            otp.send(me, ("n", i))

    otp.spawn(sender)
    got = [assert_receive(("n", int), WAIT)[1] for _ in range(1000)]
    assert got == list(range(1000))


def test_p5_receive_timeout_returns_timeout_and_zero_polls(runtime, me):
    t0 = otp.now()
    assert otp.receive(timeout=2.0) is TIMEOUT
    assert otp.now() - t0 >= 2.0
    assert otp.receive(timeout=0) is TIMEOUT
    otp.send(me, "x")
    assert otp.receive(timeout=0) == "x"


def test_p5_receive_wakes_up_for_a_later_matching_message(me):
    def body():
        otp.send(me, "noise")
        otp.send(me, "signal")

    otp.spawn(body)
    assert otp.receive(lambda m: m == "signal", WAIT) == "signal"
    assert otp.receive(timeout=0) == "noise"


def test_p5_send_to_unregistered_name_raises_argument_error(me):
    with pytest.raises(ArgumentError, match="nobody"):
        otp.send("nobody", "hello")


def test_p5_send_to_registered_name(me):
    otp.register("me")
    otp.send("me", "by name")
    assert assert_receive("by name", 0) == "by name"


def test_p5_pids_print_like_erlang_and_are_never_reused(runtime, me):
    pids = []
    for _ in range(20):
        p, ref = otp.spawn_monitor(lambda: None)
        down_reason(ref)
        pids.append(p)
    assert len(set(pids)) == 20
    assert all(re.fullmatch(r"<\d+\.\d+\.0>", str(p)) for p in pids)
    assert str(me).startswith(f"<{runtime.number}.")


def test_p5_pids_of_two_runtimes_differ(runtime, me):
    with Runtime(time_scale=0.01) as other:
        assert other.number != runtime.number
        assert Pid(other.number, me.serial) != me


# ---------------------------------------------------------- P6 outcomes


def test_p6a_raise_gives_crash_reason_and_one_crash_report(me, caplog):
    caplog.set_level(logging.ERROR, logger="jobber_lab.otp")

    def body():
        raise ValueError("bad input")

    p, ref = otp.spawn_monitor(body)
    reason = down_reason(ref, p)
    assert isinstance(reason, Crash)
    assert isinstance(reason.exception, ValueError)
    assert "bad input" in reason.traceback
    reports = [r for r in caplog.records if r.name.startswith("jobber_lab.otp")]
    assert len(reports) == 1
    assert "crash report" in reports[0].getMessage()
    assert str(p) in reports[0].getMessage()


def test_p6b_exit_with_shutdown_tuple_logs_no_crash_report(me, caplog):
    caplog.set_level(logging.DEBUG, logger="jobber_lab.otp")
    p, ref = otp.spawn_monitor(otp.exit, (SHUTDOWN, 1))
    assert down_reason(ref, p) == (SHUTDOWN, 1)
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_p6_body_return_is_normal_and_exit_reason_is_kept(me):
    p, ref = otp.spawn_monitor(lambda: 42)
    assert down_reason(ref, p) is NORMAL
    p, ref = otp.spawn_monitor(otp.exit, "my reason")
    assert down_reason(ref, p) == "my reason"


def test_p6_except_exception_cannot_swallow_an_exit_signal(me):
    def body():
        try:
            otp.receive()
        except Exception:  # an ExitSignal is a BaseException: not caught here
            otp.send(me, "swallowed")

    p, ref = otp.spawn_monitor(body)
    otp.exit(p, "boom")
    assert down_reason(ref) == "boom"
    refute_receive("swallowed")


def test_spawn_passes_arguments(me):
    def body(a, b, *, c):
        otp.send(me, (a, b, c))

    otp.spawn(body, 1, 2, c=3)
    assert assert_receive((1, 2, 3), WAIT) == (1, 2, 3)


def test_self_outside_a_process_raises():
    with pytest.raises(RuntimeError, match="self"):
        otp.self()


# ------------------------------------------------------------------- names


def test_register_whereis_unregister(runtime, me):
    p, ref = spawn_waiting_for_death()
    assert otp.register("worker", p) is True
    assert otp.whereis("worker") == p
    assert "worker" in runtime.registered()
    with pytest.raises(ArgumentError, match="already registered"):
        otp.register("worker", me)
    assert otp.unregister("worker") is True
    assert otp.whereis("worker") is None
    with pytest.raises(ArgumentError):
        otp.unregister("worker")
    otp.exit(p, KILL)
    down_reason(ref)


def test_name_is_released_when_the_process_dies(me):
    p, ref = otp.spawn_monitor(forever, name=otp.Atom("job_runner"))
    assert otp.whereis(otp.Atom("job_runner")) == p
    otp.exit(p, "bye")
    down_reason(ref)
    assert otp.whereis(otp.Atom("job_runner")) is None
    p2, ref2 = otp.spawn_monitor(forever, name=otp.Atom("job_runner"))
    assert otp.whereis(otp.Atom("job_runner")) == p2
    otp.exit(p2, KILL)
    down_reason(ref2)


def test_a_process_has_at_most_one_name(me):
    otp.register("first")
    with pytest.raises(ArgumentError, match="already has the name"):
        otp.register("second")


def test_register_dead_pid_raises(me):
    p, ref = otp.spawn_monitor(lambda: None)
    down_reason(ref)
    with pytest.raises(ArgumentError, match="not alive"):
        otp.register("ghost", p)


def test_spawn_with_a_taken_name_raises_and_leaves_no_process(runtime, me):
    otp.register("taken")
    before = runtime.processes()
    with pytest.raises(ArgumentError, match="taken"):
        otp.spawn(forever, name="taken")
    assert runtime.processes() == before
    with pytest.raises(TypeError, match=r"spawn\(name\)"):
        otp.spawn(forever, name=42)
    assert runtime.processes() == before


# -------------------------------------------------------------- bad input


def test_spawn_of_a_non_callable_raises_type_error(me):
    with pytest.raises(TypeError, match=r"spawn\(fn\).*callable"):
        otp.spawn(42)


@pytest.mark.parametrize("call", ["receive", "sleep"])
def test_negative_timeouts_raise_value_error(me, call):
    fn = {"receive": lambda: otp.receive(timeout=-1), "sleep": lambda: otp.sleep(-0.5)}[call]
    with pytest.raises(ValueError, match=rf"{call}\((timeout|seconds)\).*>= 0"):
        fn()


def test_non_numeric_timeout_raises_type_error(me):
    with pytest.raises(TypeError, match=r"receive\(timeout\)"):
        otp.receive(timeout="soon")
    with pytest.raises(TypeError, match=r"receive\(timeout\)"):
        otp.receive(timeout=True)


@pytest.mark.parametrize("dest", [42, 3.5, None, ("a", "b"), b"bytes"])
def test_send_to_something_not_a_pid_or_name_raises_type_error(me, dest):
    with pytest.raises(TypeError, match=r"send\(dest\).*Pid or a registered name"):
        otp.send(dest, "hello")


def test_bad_pids_and_refs_raise_type_error(me):
    with pytest.raises(TypeError, match=r"link\(pid\)"):
        otp.link("someone")
    with pytest.raises(TypeError, match=r"unlink\(pid\)"):
        otp.unlink(7)
    with pytest.raises(TypeError, match=r"exit\(pid\)"):
        otp.exit("someone", KILL)
    with pytest.raises(TypeError, match=r"is_alive\(pid\)"):
        otp.is_alive("someone")
    with pytest.raises(TypeError, match=r"monitor\(target\)"):
        otp.monitor(42)
    with pytest.raises(TypeError, match=r"demonitor\(ref\)"):
        otp.demonitor("ref")
    with pytest.raises(TypeError, match=r"receive\(match\)"):
        otp.receive("pattern", 0)
    with pytest.raises(TypeError, match=r"register\(name\)"):
        otp.register(42)


def test_bad_runtime_options_raise():
    with pytest.raises(ValueError, match="time_scale"):
        Runtime(time_scale=0)
    with pytest.raises(TypeError, match="time_scale"):
        Runtime(time_scale="fast")
    with pytest.raises(ValueError, match="grace"):
        Runtime(grace=-1)


def test_receive_outside_a_process_raises(runtime):
    with pytest.raises(RuntimeError, match="inside a process"):
        runtime.receive(timeout=0)


# --------------------------------------------------------- runtime lifecycle


def test_shutdown_ends_every_process_and_thread():
    rt = Runtime(time_scale=0.01, grace=0.2)
    pids = [rt.spawn(forever) for _ in range(5)]
    threads = [rt.process(p).thread for p in pids]
    assert rt.shutdown() == []
    assert rt.closed
    assert rt.processes() == []
    assert not any(t.is_alive() for t in threads)
    assert rt.threads() == []
    with pytest.raises(RuntimeError, match="shut down"):
        rt.spawn(forever)


def test_process_threads_are_daemons(runtime, me):
    p, ref = spawn_waiting_for_death()
    assert runtime.process(p).thread.daemon
    otp.exit(p, KILL)
    down_reason(ref)


def test_module_api_from_plain_code_uses_the_default_runtime():
    rt = otp.default_runtime()
    try:
        done = threading.Event()
        pid = otp.spawn(done.set)
        assert pid.node == 0
        assert done.wait(5)
        assert otp.current_runtime() is rt
    finally:
        assert rt.shutdown() == []
    assert otp.default_runtime() is not rt  # a shut-down default is replaced
    otp.default_runtime().shutdown()


def test_copy_messages_debug_mode_sends_a_copy() -> None:
    """§7: with copy_messages=True a message is deep-copied on send, as the BEAM does,
    while pids and refs stay themselves."""
    with otp.Runtime(time_scale=0.01, copy_messages=True) as rt, rt.calling_process() as me:
        payload = {"items": [1, 2]}
        ref = otp.make_ref()
        otp.send(me.pid, (ref, me.pid, payload))
        payload["items"].append(3)  # the sender mutates after sending
        got_ref, got_pid, got = otp.receive(timeout=1)
        assert got == {"items": [1, 2]}
        assert got_ref is ref and got_pid == me.pid


def test_shell_spans_calls_like_iex_and_ends_cleanly() -> None:
    """A notebook makes its thread a process once (no `with` across cells) and ends it."""
    rt = otp.Runtime(time_scale=0.01)
    try:
        shell = rt.shell()
        assert otp.self() == shell.pid
        otp.send(shell.pid, "hello")
        assert otp.receive(timeout=1) == "hello"
        child = otp.spawn_link(otp.exit, "boom")  # trapping by default: the shell survives
        assert otp.receive(timeout=100) == (otp.EXIT, child, "boom")
        shell.exit()
        shell.exit()  # twice is harmless
        assert not rt.is_alive(shell.pid)
        with pytest.raises(RuntimeError, match="not called from a process"):
            otp.self()
    finally:
        rt.shutdown()


def test_thread_adopted_by_a_shut_down_runtime_is_plain_code_again() -> None:
    rt = otp.Runtime(time_scale=0.01)
    shell = rt.shell()
    rt.shutdown()  # without shell.exit(): the notebook just shut its runtime down
    assert not rt.is_alive(shell.pid)
    with pytest.raises(RuntimeError, match="not called from a process"):
        otp.self()
    with otp.Runtime(time_scale=0.01) as other, other.calling_process() as me:
        assert otp.self() == me.pid
