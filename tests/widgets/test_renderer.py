"""CoalescingRenderer: bursts coalesce, the last state is always drawn, errors do not kill it."""

from __future__ import annotations

import threading
import time

import pytest

from jobber_lab.widgets import CoalescingRenderer


class State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value = 0
        self.seen: list[int] = []

    def render(self) -> int:
        with self.lock:
            return self.value

    def deliver(self, value: int) -> None:
        self.seen.append(value)


def test_burst_from_four_threads_coalesces_and_ends_on_the_final_state() -> None:
    state = State()
    renderer = CoalescingRenderer(state.render, state.deliver, interval=0.1)
    start = threading.Barrier(4)

    def burst() -> None:
        start.wait()
        for _ in range(2500):
            with state.lock:
                state.value += 1
            renderer.notify()

    threads = [threading.Thread(target=burst) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert renderer.wait_idle(timeout=10)
    assert renderer.notify_count == 10_000
    assert 1 <= renderer.render_count <= 10
    assert state.seen[-1] == 10_000
    assert renderer.close(timeout=5)
    assert not renderer.thread.is_alive()


def test_first_signal_draws_at_once_then_throttles() -> None:
    drawn = threading.Event()
    renderer = CoalescingRenderer(lambda: None, lambda _: drawn.set(), interval=30)
    try:
        renderer.notify()
        assert drawn.wait(5)  # not 30 s later
        assert renderer.wait_idle(5)
        renderer.notify()  # inside the interval: pending, not drawn yet
        assert not renderer.wait_idle(0.05)
        assert renderer.render_count == 1
    finally:
        assert renderer.close(timeout=5)  # a close ends the throttle wait at once
    assert renderer.render_count == 1
    assert renderer.wait_idle(0)


def test_errors_are_counted_and_the_thread_survives(caplog) -> None:
    calls = []

    def render() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("broken drawing")
        return len(calls)

    got = []
    with CoalescingRenderer(render, got.append, interval=0) as renderer:
        renderer.notify()
        assert renderer.wait_idle(5)
        renderer.notify()
        assert renderer.wait_idle(5)
        assert renderer.errors == 1
        assert isinstance(renderer.last_error, RuntimeError)
        assert got == [2]
        assert renderer.thread.name == "jobber-lab-renderer"
        assert renderer.thread.daemon
    assert "broken drawing" in caplog.text
    assert not renderer.thread.is_alive()


def test_arguments_are_checked() -> None:
    with pytest.raises(TypeError, match="render"):
        CoalescingRenderer(None, print)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="interval"):
        CoalescingRenderer(print, print, interval=-1)


def test_a_booked_signal_draws_once_when_due_and_is_not_pending_before() -> None:
    drawn = threading.Event()
    times: list[float] = []

    def deliver(_value: int) -> None:
        times.append(time.monotonic())
        drawn.set()

    with CoalescingRenderer(lambda: 1, deliver, interval=0) as renderer:
        booked = time.monotonic()
        renderer.notify_after(0.2)
        renderer.notify_after(5.0)  # a later booking does not postpone the earlier one
        assert renderer.wait_idle(0)  # booked is not pending: tests never wait for it
        assert drawn.wait(5), "the booked signal never fell due"
        assert times[0] - booked >= 0.19
        assert renderer.render_count == 1
    with pytest.raises(ValueError, match=r"notify_after\(delay\)"):
        renderer.notify_after(-1)
