"""Random supervision trees under random kills keep OTP's promises (issue 14, chaos suite).

Hypothesis draws trees (all strategies, restart types, intensities, shutdown values),
workers that crash, exit, hang or stay, and timed ``exit(pid, reason)`` kills.  It runs
derandomized with no example database, so every run (and CI) tries the same scenarios.
``JOBBER_CHAOS_EXAMPLES`` sets how many (``make soak`` raises it).

The checker is tested too: a runtime broken on purpose (a supervisor that never gives
up, one that never restarts, a DOWN delivered twice) must be caught.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from reliability_chaos import (
    FATES,
    KILL_REASONS,
    RESTARTS,
    STRATEGIES,
    Checker,
    KillPlan,
    Outcome,
    Scenario,
    Settings,
    Stats,
    SupPlan,
    WorkerPlan,
    run_scenario,
)

from jobber_lab.otp import BRUTAL_KILL, INFINITY, Runtime, _supervision, _supervisor_engine


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    logger = logging.getLogger("jobber_lab")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


EXAMPLES = int(os.environ.get("JOBBER_CHAOS_EXAMPLES", "30"))
STATS = Stats()

pytestmark = pytest.mark.timeout(max(300, 3 * EXAMPLES))  # ~0.5 s a scenario


@st.composite
def workers(draw: st.DrawFn) -> WorkerPlan:
    fate = draw(st.sampled_from(FATES))
    shutdowns = [BRUTAL_KILL, 0.5, 1.0] if fate == "hang" else [BRUTAL_KILL, 0.5, 2.0, INFINITY]
    return WorkerPlan(
        restart=draw(st.sampled_from(RESTARTS)),
        fate=fate,
        after=draw(st.sampled_from([0.5, 1.5, 3.0, 6.0])),
        shutdown=draw(st.sampled_from(shutdowns)),
    )


def supervisors(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.builds(
        SupPlan,
        strategy=st.sampled_from(STRATEGIES),
        max_restarts=st.sampled_from([0, 1, 2, 3, 5]),
        max_seconds=st.sampled_from([2, 3, 5]),
        restart=st.sampled_from(RESTARTS),
        shutdown=st.sampled_from([INFINITY, 5.0]),
        children=st.lists(children, min_size=1, max_size=3).map(tuple),
    )


trees = supervisors(
    st.recursive(workers(), lambda inner: supervisors(inner), max_leaves=6)  # depth <= 3
)
kills = st.builds(
    KillPlan,
    at=st.floats(0.2, 14.0).map(lambda x: round(x, 1)),
    pick=st.floats(0.0, 0.999),
    reason=st.sampled_from(sorted(KILL_REASONS)),
    watch=st.sampled_from(["monitor", "link"]),
)
scenarios = st.builds(
    Scenario, tree=trees, kills=st.lists(kills, min_size=3, max_size=10).map(tuple)
)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # shrinking a timing scenario costs too long
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scenario=scenarios)
def test_random_trees_under_random_kills_keep_the_invariants(scenario):
    checker = Checker()
    with _quiet():  # hundreds of crash reports are the point, not news
        out = run_scenario(scenario)
    violations = checker.check(out)
    STATS.scenarios += 1
    STATS.kills += out.kills_done
    STATS.checks += checker.checks
    STATS.restarts_seen += sum(1 for e in out.events if e.kind == "child_restarted")
    assert not violations, f"{scenario}\n" + "\n".join(violations)
    assert out.wall_seconds < Settings().deadline


def test_zz_report_the_chaos_figures(capsys):
    """Prints the run's figures (for the README and the report); runs after the scenarios."""
    with capsys.disabled():
        print(
            f"\nchaos: {STATS.scenarios} scenarios, {STATS.kills} kills, "
            f"{STATS.restarts_seen} restarts seen, {STATS.checks} invariant checks"
        )


# --------------------------------------------------------------- the checker can fail

CRASH_LOOP = Scenario(
    tree=SupPlan(
        strategy="one_for_one",
        max_restarts=1,
        max_seconds=5,
        restart="permanent",
        shutdown=INFINITY,
        children=(WorkerPlan("permanent", "crash", 0.5, BRUTAL_KILL),),
    ),
    kills=(),
)


def test_the_healthy_crash_loop_passes(caplog):
    caplog.set_level(logging.CRITICAL, logger="jobber_lab")
    out = run_scenario(CRASH_LOOP, Settings(horizon=6.0))
    assert Checker().check(out) == []
    assert any(e.kind == "supervisor_gave_up" for e in out.events)


def test_a_supervisor_that_never_gives_up_is_caught(monkeypatch, caplog):
    caplog.set_level(logging.CRITICAL, logger="jobber_lab")
    monkeypatch.setattr(_supervision.Intensity, "add", lambda self, now: True)
    out = run_scenario(CRASH_LOOP, Settings(horizon=6.0))
    violations = Checker().check(out)
    assert any("restarted" in v and "max_restarts=1" in v for v in violations), violations


def test_a_supervisor_that_never_restarts_is_caught(monkeypatch, caplog):
    caplog.set_level(logging.CRITICAL, logger="jobber_lab")
    # The one supervisor engine asks this function whether to restart a child that exited.
    monkeypatch.setattr(_supervisor_engine, "restart_decision", lambda *args: False)
    scenario = Scenario(
        tree=SupPlan("one_for_one", 3, 5, "permanent", INFINITY, CRASH_LOOP.tree.children),
        kills=(),
    )
    violations = Checker(bound=3.0).check(run_scenario(scenario, Settings(horizon=8.0)))
    assert any("was not running again" in v for v in violations), violations


@pytest.mark.parametrize(("kind", "watch"), [("DOWN", "monitor"), ("EXIT", "link")])
def test_a_down_or_exit_delivered_twice_is_caught(monkeypatch, caplog, kind, watch):
    caplog.set_level(logging.CRITICAL, logger="jobber_lab")
    real = Runtime._deliver

    def twice(self, pid, message, sender=None, tag="info"):
        real(self, pid, message, sender, tag)
        if tag == kind:
            real(self, pid, message, sender, tag)

    monkeypatch.setattr(Runtime, "_deliver", twice)
    scenario = Scenario(
        tree=SupPlan(
            "one_for_one", 3, 5, "permanent", INFINITY, (WorkerPlan("temporary", "stay", 1, 1.0),)
        ),
        kills=(KillPlan(at=1.0, pick=0.99, reason="kill", watch=watch),),
    )
    violations = Checker().check(run_scenario(scenario, Settings(horizon=3.0)))
    assert any(f"{kind} " in v and "2 times" in v for v in violations), violations


def test_a_leaked_thread_and_an_excepthook_error_are_caught(monkeypatch, caplog):
    out = Outcome(
        scenario=CRASH_LOOP,
        events=[],
        top=None,
        top_plan=CRASH_LOOP.tree,
        plans={},
        stop_time=0.0,
        horizon=0.0,
        reports=[],
        leaked=["jobber-lab <9.9.0> stuck"],
        hook_errors=[f"{threading.current_thread().name}: OverflowError()"],
        wall_seconds=0.0,
    )
    violations = Checker().check(out)
    assert any("threads alive" in v for v in violations)
    assert any("excepthook" in v for v in violations)
