"""The dashboard storm (issue 14, item 4): random actions from several threads at once.

ipywidgets callbacks, the renderer and the runtime's timers can overlap, so Reset, a variant
or time-scale change, a kill, an export, a job button or Pause / Step / Play may come from any
thread while another thread is halfway through a Reset. After the storm and ``close()``: no
thread of any session the dashboard ever started is alive, and nothing reached
``threading.excepthook`` (the ``thread_errors`` fixture fails the test otherwise) or the
renderer's error count.

Seeded: each storm thread draws its actions from its own ``random.Random(seed)``; the
interleaving is the scheduler's, and every wait is a join or a condition with a timeout.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from pathlib import Path

from jobber_lab.jobber import VARIANTS
from jobber_lab.widgets import KILL_REASONS, Dashboard

THREADS = 4
ACTIONS = 130  # per thread: 520 in all
WAIT = 60.0  # wall seconds for the whole storm; reached only when something deadlocks


def _kill_something(dash: Dashboard, rng: random.Random) -> None:
    """What a student does in the Kill panel: choose a live process, pick a reason, Kill."""
    live = [pid for _, pid in dash.session.live_processes()]
    if live:
        target = rng.choice(live)
        dash.select(target)
        dash.kill(target, rng.choice(list(KILL_REASONS)))


def _actions(dash: Dashboard) -> list[tuple[int, Callable[[random.Random], None]]]:
    """(weight, action): mostly job buttons and kills, with plenty of Resets among them."""
    c = dash.controls

    def set_variant(rng: random.Random) -> None:
        c.variant_choice.value = rng.choice(VARIANTS)

    def set_scale(rng: random.Random) -> None:
        # The dropdown's own choices: (label, time scale) pairs.
        c.scale_choice.value = rng.choice([s for _, s in c.scale_choice.options if s <= 0.05])

    return [
        (30, lambda rng: rng.choice([c.good, c.bad, c.doomed, c.import_]).click()),
        (4, lambda rng: c.import_4.click()),
        (20, lambda rng: _kill_something(dash, rng)),
        (6, lambda rng: c.reset.click()),
        (5, set_variant),
        (5, set_scale),
        (4, lambda rng: c.export.click()),
        (3, lambda rng: dash.select(None)),
        (3, lambda rng: c.live.click()),
        # The clock (issue 16): a step holds the baton as a driver while the others click.
        (4, lambda rng: c.pause.click()),
        (6, lambda rng: c.step.click()),
        (4, lambda rng: c.resume.click()),
    ]


def test_storm_of_actions_from_four_threads_then_close_leaves_nothing(
    dashboard_factory: Callable[..., Dashboard],
    new_threads: Callable[..., list[threading.Thread]],
    tmp_path: Path,
) -> None:
    before = set(threading.enumerate())
    dash = dashboard_factory(time_scale=0.01, seconds=1)
    dash.controls.export_dir.value = str(tmp_path)
    weighted = _actions(dash)
    actions = [a for _, a in weighted]
    weights = [n for n, _ in weighted]
    start = threading.Barrier(THREADS)
    done: list[int] = []

    def storm(seed: int) -> None:
        rng = random.Random(seed)
        start.wait(WAIT)
        for _ in range(ACTIONS):
            rng.choices(actions, weights)[0](rng)
        done.append(seed)

    threads = [
        threading.Thread(target=storm, args=(1000 + n,), name=f"storm-{n}") for n in range(THREADS)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT)
    assert not [t.name for t in threads if t.is_alive()], "a storm thread hangs: deadlock"
    assert sorted(done) == [1000 + n for n in range(THREADS)], "a storm thread died"

    sessions = dash.sessions
    assert len(sessions) > 10, "the storm made too few Resets to test anything"
    assert all(s.closed for s in sessions[:-1]), "a replaced session is still running"
    assert dash.wait_idle(WAIT)
    dash.close()

    assert all(s.closed and s.runtime.closed for s in sessions)
    alive = [t for s in sessions for t in s.runtime.threads()]
    assert alive == [], f"threads of closed sessions: {[t.name for t in alive]}"
    left = new_threads(before | set(threads))
    assert left == [], f"threads left after close(): {[t.name for t in left]}"
    assert dash.renderer.errors == 0, dash.renderer.last_error


def test_close_while_resets_run_in_other_threads(
    dashboard_factory: Callable[..., Dashboard],
    new_threads: Callable[..., list[threading.Thread]],
) -> None:
    """close() in the middle of Resets: a Reset after close starts nothing."""
    before = set(threading.enumerate())
    dash = dashboard_factory()
    go = threading.Barrier(4)

    def resets() -> None:
        go.wait(WAIT)
        for _ in range(5):
            dash.reset()

    threads = [threading.Thread(target=resets, name=f"reset-{n}") for n in range(3)]
    for t in threads:
        t.start()
    go.wait(WAIT)
    dash.close()
    for t in threads:
        t.join(WAIT)
    assert not any(t.is_alive() for t in threads)
    assert all(s.closed for s in dash.sessions)
    assert new_threads(before | set(threads)) == []
