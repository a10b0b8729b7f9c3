"""Events: sequence numbers, order, the dispatcher thread, broken subscribers, flush.

ARCHITECTURE.md "Events": emitting never blocks the emitter and never runs subscriber
code on its thread; one dispatcher delivers events in sequence order; events are plain
data (a trace is JSON lines).
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

import pytest

from jobber_lab import otp
from jobber_lab.otp import DOWN, KILL, PROCESS, Event, EventBus, EventKind
from jobber_lab.otp._events import plain
from jobber_lab.testing import assert_receive

WAIT = 100.0


class Collect:
    """A subscriber that keeps events and the threads it was called on."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.threads: set[threading.Thread] = set()

    def __call__(self, event: Event) -> None:
        self.events.append(event)
        self.threads.add(threading.current_thread())

    def kinds(self, pid: Any = None) -> list[str]:
        return [e.kind for e in self.events if pid is None or e.pid == str(pid)]


def test_events_have_consecutive_sequence_numbers_in_delivery_order(runtime, me):
    seen = Collect()
    runtime.subscribe(seen)
    for _ in range(20):
        p, ref = otp.spawn_monitor(lambda: None)
        assert_receive((DOWN, ref, PROCESS, p, ...), WAIT)
    assert runtime.flush_events()
    seqs = [e.seq for e in seen.events]
    assert len(seqs) >= 40
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    times = [e.time for e in seen.events]
    assert times == sorted(times)


def test_lifecycle_events_of_one_process_come_in_order(runtime, me):
    seen = Collect()
    runtime.subscribe(seen)
    p, ref = otp.spawn_monitor(otp.receive, name="worker")
    otp.exit(p, "boom")
    assert_receive((DOWN, ref, PROCESS, p, ...), WAIT)
    runtime.flush_events()
    assert seen.kinds(p) == [
        EventKind.SPAWNED,
        EventKind.NAMED,
        EventKind.EXITED,
        EventKind.UNNAMED,
    ]
    spawned = seen.events[0]
    assert spawned.get("parent") == str(me)
    assert spawned.get("name") == "worker"
    exited = next(e for e in seen.events if e.kind == EventKind.EXITED)
    assert exited.get("reason") == "'boom'"
    assert exited.get("reason_kind") == "crash"


@pytest.mark.parametrize(
    ("how", "kind", "exception"),
    [
        ("return", "normal", None),
        ("shutdown", "shutdown", None),
        ("kill", "killed", None),
        ("raise", "crash", "ValueError: bad"),
    ],
)
def test_exited_events_classify_the_reason(runtime, me, how, kind, exception):
    def body():
        if how == "raise":
            raise ValueError("bad")
        if how == "shutdown":
            otp.exit((otp.SHUTDOWN, "done"))
        if how == "kill":
            otp.receive()

    seen = Collect()
    runtime.subscribe(seen)
    p, ref = otp.spawn_monitor(body)
    if how == "kill":
        otp.exit(p, KILL)
    assert_receive((DOWN, ref, PROCESS, p, ...), WAIT)
    runtime.flush_events()
    (exited,) = [e for e in seen.events if e.kind == EventKind.EXITED and e.pid == str(p)]
    assert exited.get("reason_kind") == kind
    assert exited.get("exception") == exception


def test_link_events(runtime, me):
    seen = Collect()
    runtime.subscribe(seen)
    p, ref = otp.spawn_monitor(otp.receive)
    otp.link(p)
    otp.unlink(p)
    otp.exit(p, KILL)
    assert_receive((DOWN, ref, PROCESS, p, ...), WAIT)
    runtime.flush_events()
    links = [(e.kind, e.pid, e.get("other")) for e in seen.events if "link" in e.kind]
    assert links == [(EventKind.LINKED, str(me), str(p)), (EventKind.UNLINKED, str(me), str(p))]


def test_subscriber_runs_on_the_dispatcher_never_on_the_emitting_thread(runtime, me):
    seen = Collect()
    runtime.subscribe(seen)
    runtime.emit("custom", me, note="from the test thread")
    p, ref = otp.spawn_monitor(lambda: None)
    assert_receive((DOWN, ref, PROCESS, p, ...), WAIT)
    runtime.flush_events()
    assert seen.threads == {runtime.events.thread}
    assert threading.current_thread() not in seen.threads
    assert "custom" in seen.kinds()


def test_a_failing_subscriber_does_not_stop_the_others(runtime, me, caplog):
    caplog.set_level(logging.ERROR, logger="jobber_lab.otp")

    def broken(event: Event) -> None:
        raise RuntimeError("subscriber bug")

    before, after = Collect(), Collect()
    runtime.subscribe(before)
    runtime.subscribe(broken)
    runtime.subscribe(after)
    for i in range(5):
        runtime.emit("custom", None, i=i)
    assert runtime.flush_events()
    assert [e.get("i") for e in before.events] == [0, 1, 2, 3, 4]
    assert [e.get("i") for e in after.events] == [0, 1, 2, 3, 4]
    failures = [r for r in caplog.records if r.name.startswith("jobber_lab.otp.events")]
    assert len(failures) == 5
    assert "subscriber" in failures[0].getMessage()


def test_emitting_never_blocks_on_a_slow_subscriber(runtime, me):
    release = threading.Event()
    seen = Collect()

    def blocked(event: Event) -> None:
        release.wait(10)

    runtime.subscribe(blocked)
    runtime.subscribe(seen)
    for i in range(200):  # the dispatcher is stuck on the first: all of these queue up
        runtime.emit("custom", None, i=i)
    p, ref = otp.spawn_monitor(lambda: None)  # process life goes on too
    assert_receive((DOWN, ref, PROCESS, p, ...), WAIT)
    assert seen.events == []
    assert runtime.flush_events(timeout=0.01) is False
    release.set()
    assert runtime.flush_events()
    assert [e.get("i") for e in seen.events if e.kind == "custom"] == list(range(200))


def test_flush_waits_until_every_emitted_event_was_delivered(runtime):
    seen = Collect()
    gate = threading.Event()

    def slow(event: Event) -> None:
        gate.wait(10)

    runtime.subscribe(slow)
    runtime.subscribe(seen)
    for i in range(10):
        runtime.emit("custom", None, i=i)
    done: list[bool] = []
    flusher = threading.Thread(target=lambda: done.append(runtime.flush_events()))
    flusher.start()
    assert len(seen.events) < 10
    gate.set()
    flusher.join(10)
    assert done == [True]
    assert len(seen.events) == 10


def test_a_subscriber_gets_only_events_emitted_after_it_subscribed(runtime):
    gate = threading.Event()
    runtime.subscribe(lambda e: gate.wait(10))  # holds the dispatcher: events queue up
    runtime.emit("custom", None, i=1)
    late = Collect()
    runtime.subscribe(late)
    runtime.emit("custom", None, i=2)
    gate.set()
    runtime.flush_events()
    assert [e.get("i") for e in late.events] == [2]


def test_unsubscribe_stops_delivery(runtime):
    seen = Collect()
    handle = runtime.subscribe(seen)
    runtime.emit("custom", None, i=1)
    runtime.flush_events()
    handle()
    runtime.emit("custom", None, i=2)
    runtime.flush_events()
    assert [e.get("i") for e in seen.events] == [1]
    handle.cancel()  # twice is fine


def test_events_are_plain_data(runtime, me):
    seen = Collect()
    runtime.subscribe(seen)
    p, ref = otp.spawn_monitor(otp.receive, name=otp.Atom("plain"))
    otp.link(p)
    otp.unlink(p)
    otp.exit(p, ("custom", {"nested": [1, 2]}))
    assert_receive((DOWN, ref, PROCESS, p, ...), WAIT)
    runtime.flush_events()
    for event in seen.events:
        line = json.dumps(event.to_dict())
        assert json.loads(line)["seq"] == event.seq
        assert event.pid is None or isinstance(event.pid, str)
    with pytest.raises(AttributeError):
        seen.events[0].kind = "changed"  # frozen


def test_message_events_are_opt_in(runtime, me):
    seen = Collect()
    runtime.subscribe(seen)
    otp.send(me, "hello")
    assert_receive("hello", 0)
    runtime.flush_events()
    assert EventKind.MESSAGE_SENT not in seen.kinds()


@pytest.mark.runtime(trace_messages=True)
def test_message_events_when_traced(runtime, me):
    seen = Collect()
    runtime.subscribe(seen)
    otp.send(me, "hello")
    assert_receive("hello", 0)
    otp.send_after(me, "tick", 0.1)
    assert_receive("tick", WAIT)
    runtime.flush_events()
    sent = [e for e in seen.events if e.kind == EventKind.MESSAGE_SENT]
    assert sent[0].pid == str(me)
    assert sent[0].get("other") == str(me)
    assert sent[0].get("message") == "'hello'"
    assert sent[0].get("tag") == "info"
    assert EventKind.TIMER_FIRED in seen.kinds()


def test_subscribe_needs_a_callable(runtime):
    with pytest.raises(TypeError, match=r"subscribe\(callback\)"):
        runtime.subscribe("not callable")


def test_event_bus_close_delivers_what_is_queued():
    bus = EventBus(lambda: 0.0, name="standalone")
    seen = Collect()
    bus.subscribe(seen)
    for i in range(50):
        bus.emit("custom", None, i=i)
    bus.close()
    assert not bus.thread.is_alive()
    assert [e.get("i") for e in seen.events] == list(range(50))
    bus.emit("custom", None, i=99)  # after close: ignored, never raises
    assert len(seen.events) == 50


class Worker(otp.GenServer):
    """A child spec id that is a class: events call it by its name."""


def test_plain_is_the_one_rule_for_a_users_term_in_an_event() -> None:
    assert [plain(v) for v in ("a", 3, 2.5, True, None)] == ["a", 3, 2.5, True, None]
    assert plain(otp.Atom("jobs")) == "jobs" and plain(Worker) == "Worker"
    assert plain((1, "x")) == "(1, 'x')"  # any other term: its repr
    # The core fills event and report fields through it: a child spec's view, for one.
    spec = Worker.child_spec().describe()
    assert spec["id"] == "Worker" and json.loads(json.dumps(spec)) == spec
    sup = otp.child_spec(Worker.child_spec(), id=otp.Atom("w"), type="supervisor").describe()
    assert sup["id"] == "w" and sup["shutdown"] == "infinity"
