"""The tracer on a real EventBus: bursts, waiting without sleeps, hooks, detaching."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import pytest

from jobber_lab.otp import EventBus
from jobber_lab.trace import Tracer


@pytest.fixture
def bus() -> Iterator[EventBus]:
    bus = EventBus(clock_now=time.monotonic, name="trace-test")
    yield bus
    bus.close()
    assert not bus.thread.is_alive()


def test_a_burst_of_ten_thousand_events_loses_none(bus: EventBus) -> None:
    tracer = Tracer(bus)
    changes = []
    tracer.on_change(changes.append)  # cheap, as a coalescing renderer's hook must be
    top = "<1.0.0>"
    bus.emit(
        "spawned",
        top,
        parent=None,
        name=None,
        behaviour="DynamicSupervisor",
        role="supervisor",
        linked=False,
    )
    for n in range(1, 10_000):
        bus.emit(
            "spawned",
            f"<1.{n}.0>",
            parent=top,
            name=None,
            behaviour="Job",
            role="worker",
            linked=True,
        )
    assert bus.flush(30)
    assert tracer.version == 10_000
    assert len(tracer.history) == 10_000
    assert [e.seq for e in tracer.history] == list(range(1, 10_001))
    assert tracer.dropped == 0
    graph = tracer.graph
    assert graph.number_of_nodes() == 10_000
    assert graph.out_degree(top) == 9_999
    assert len(changes) == 10_000


def test_a_capped_tracer_counts_what_it_drops(bus: EventBus) -> None:
    tracer = Tracer(bus, max_history=100)
    for n in range(10_000):
        bus.emit(
            "spawned",
            f"<1.{n}.0>",
            parent=None,
            name=None,
            behaviour="Job",
            role="worker",
            linked=False,
        )
    assert bus.flush(30)
    assert (len(tracer.history), tracer.dropped, tracer.version) == (100, 9_900, 10_000)
    assert tracer.graph.number_of_nodes() == 10_000
    assert "9900 dropped" in repr(tracer)


def test_wait_for_sees_past_and_future_events(bus: EventBus) -> None:
    tracer = Tracer(bus)
    bus.emit("named", "<1.1.0>", name="early")
    assert bus.flush(5)
    early = tracer.wait_for(lambda e: e.kind == "named", timeout=0)
    assert early is not None and early.get("name") == "early"

    def later() -> None:
        for n in range(50):
            bus.emit(
                "job_status",
                f"<1.{n}.0>",
                job_id=f"j{n}",
                job_type="t",
                status="done",
                retries=0,
                attempt=1,
            )

    threading.Thread(target=later, name="trace-test-emitter").start()
    found = tracer.wait_for(lambda e: e.get("job_id") == "j42", timeout=10)
    assert found is not None and found.pid == "<1.42.0>"
    assert tracer.wait_for(lambda e: e.kind == "zombie", timeout=0.05) is None


def test_wait_for_without_timeout_returns_when_the_event_comes(bus: EventBus) -> None:
    tracer = Tracer(bus)
    ready = threading.Event()
    found = []

    def waiter() -> None:
        ready.set()
        found.append(tracer.wait_for(lambda e: e.kind == "app_started", timeout=None))

    thread = threading.Thread(target=waiter, name="trace-test-waiter")
    thread.start()
    ready.wait(5)
    bus.emit("app_started", "<1.1.0>", app="jobber", reason=None)
    thread.join(10)
    assert not thread.is_alive()
    assert found[0].get("app") == "jobber"


def test_a_failing_hook_is_logged_and_the_others_still_run(
    bus: EventBus, caplog: pytest.LogCaptureFixture
) -> None:
    tracer = Tracer(bus)
    seen = []

    def broken(event: object) -> None:
        raise RuntimeError("hook bug")

    tracer.on_change(broken)
    remove = tracer.on_change(seen.append)
    with caplog.at_level(logging.ERROR, logger="jobber_lab.trace"):
        bus.emit("named", "<1.1.0>", name="a")
        assert bus.flush(5)
    assert len(seen) == 1
    assert "hook bug" in caplog.text
    remove()
    bus.emit("named", "<1.1.0>", name="b")
    assert bus.flush(5)
    assert len(seen) == 1
    assert tracer.version == 2
    with pytest.raises(TypeError, match="on_change"):
        tracer.on_change("not callable")  # type: ignore[arg-type]


def test_detach_stops_following(bus: EventBus) -> None:
    with Tracer(bus) as tracer:
        bus.emit("named", "<1.1.0>", name="a")
        assert tracer.flush(5)
    bus.emit("named", "<1.1.0>", name="b")
    assert bus.flush(5)
    assert tracer.version == 1
    assert "detached" in repr(tracer)
    assert Tracer().flush() is True


def test_snapshot_is_one_consistent_copy(bus: EventBus) -> None:
    tracer = Tracer(bus)
    bus.emit("spawned", "<1.1.0>", parent=None, name="a", behaviour="Job", role="worker")
    bus.emit("named", "<1.1.0>", name="b")
    assert bus.flush(5)
    graph, history, version = tracer.snapshot()
    assert version == tracer.version == 2 and [e.seq for e in history] == [1, 2]
    assert graph.graph["seq"] == 2 and set(graph) == set(tracer.graph) == {"<1.1.0>"}
    graph.remove_node("<1.1.0>")
    history.clear()
    assert "<1.1.0>" in tracer.graph and len(tracer.history) == 2  # copies, not the live state
    tracer.detach()


def test_readers_never_see_half_an_event(bus: EventBus) -> None:
    """While the dispatcher applies spawn+child events, every snapshot is a consistent tree."""
    tracer = Tracer(bus)
    stop = threading.Event()
    problems = []

    def reader() -> None:
        while not stop.is_set():
            graph, history, version = tracer.snapshot()
            last = history[-1].seq if history else 0
            if not graph.graph["seq"] == last == version:
                problems.append((graph.graph["seq"], last, version))
            # Give the dispatcher a turn: back-to-back re-locking by a reader copying a
            # large graph starved it on a loaded machine (the lock is not fair).
            stop.wait(0.0005)

    thread = threading.Thread(target=reader, name="trace-test-reader", daemon=True)
    thread.start()
    try:
        for n in range(500):
            bus.emit(
                "spawned",
                f"<1.{n}.0>",
                parent=None,
                name=None,
                behaviour="Job",
                role="worker",
                linked=False,
            )
        assert bus.flush(30)
    finally:
        stop.set()
        thread.join(10)
    assert problems == []
