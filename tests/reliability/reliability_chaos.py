"""The chaos scenario runner and its invariant checker (issue 14, "the chaos suite").

A scenario is plain data (a supervision tree plan, timed kills, observers' watch list), so
hypothesis can generate and shrink it.  :func:`run_scenario` builds the tree on a fresh
runtime, kills at the planned times, stops the tree and shuts the runtime down; the
:class:`Checker` then judges the event stream and the observers' mailboxes.  Every
judgement is *sound*: timing is read as bounds (an event's time is stamped when it is
emitted), so a loaded machine makes the checker weaker, never wrong.
"""

from __future__ import annotations

import functools
import itertools
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from jobber_lab import otp
from jobber_lab.otp import (
    KILL,
    NOPROC,
    NORMAL,
    SHUTDOWN,
    TIMEOUT,
    GenServer,
    InitOk,
    NoReply,
    Runtime,
    Stop,
    Supervisor,
)

RESTARTS = ("permanent", "transient", "temporary")
STRATEGIES = ("one_for_one", "one_for_all", "rest_for_one")
FATES = ("crash", "exit", "hang", "stay")
KILL_REASONS = {"kill": KILL, "boom": "boom", "normal": NORMAL, "shutdown": SHUTDOWN}


# ------------------------------------------------------------------------- the plan


@dataclass(frozen=True)
class WorkerPlan:
    restart: str
    fate: str  # crash / exit (normal) after `after` runtime seconds, hang in terminate, stay
    after: float
    shutdown: Any  # BRUTAL_KILL or seconds (a hanging worker needs a finite one)


@dataclass(frozen=True)
class SupPlan:
    strategy: str
    max_restarts: int
    max_seconds: int
    restart: str
    shutdown: Any  # INFINITY or seconds
    children: tuple[Any, ...]


@dataclass(frozen=True)
class KillPlan:
    at: float  # runtime seconds after the tree started
    pick: float  # in [0, 1): which live process, by position in the pid order
    reason: str
    watch: str  # "monitor" or "link": how an observer watches the victim


@dataclass(frozen=True)
class Scenario:
    tree: SupPlan
    kills: tuple[KillPlan, ...]


@dataclass
class Stats:
    scenarios: int = 0
    kills: int = 0
    checks: int = 0
    restarts_seen: int = 0


# ------------------------------------------------------------------------- workers


class ChaosWorker(GenServer):
    """Crashes, exits normally, hangs in ``terminate`` or stays, as its plan says."""

    def init(self, arg: WorkerPlan) -> Any:
        if arg.fate == "hang":
            otp.trap_exit(True)  # so a shutdown runs terminate, which never returns
        if arg.fate in ("crash", "exit"):
            otp.send_after(otp.self(), "fate", arg.after)
        return InitOk(arg)

    def handle_info(self, message: Any, state: WorkerPlan) -> Any:
        if message == "fate":
            if state.fate == "crash":
                raise RuntimeError("chaos: planned crash")
            return Stop(NORMAL, state)
        return NoReply(state)

    def terminate(self, reason: Any, state: WorkerPlan) -> Any:
        if state.fate == "hang":
            otp.sleep(math.inf)  # only a kill ends this: the supervisor's shutdown timeout
        return None


def child_specs(plan: SupPlan, ids: itertools.count, table: dict[str, Any]) -> list[Any]:
    """The plan's children as spec maps; ``table`` maps each child id to its plan."""
    specs = []
    for child in plan.children:
        child_id = f"c{next(ids)}"
        table[child_id] = child
        if isinstance(child, WorkerPlan):
            start: Any = (ChaosWorker.start_link, (child,))
            kind = "worker"
        else:
            flags = {
                "strategy": child.strategy,
                "max_restarts": child.max_restarts,
                "max_seconds": child.max_seconds,
            }
            start = (
                functools.partial(Supervisor.start_link, **flags),
                (child_specs(child, ids, table),),
            )
            kind = "supervisor"
        specs.append(
            {
                "id": child_id,
                "start": start,
                "restart": child.restart,
                "shutdown": child.shutdown,
                "type": kind,
            }
        )
    return specs


# ------------------------------------------------------------------------ observers


@dataclass(frozen=True)
class Stranger:
    """A DOWN whose ref the observer never made."""

    ref: Any


def observer() -> None:
    """Watches pids it is told to (monitor or link) and records every DOWN/EXIT."""
    otp.trap_exit(True)
    monitors: dict[Any, Any] = {}
    linked: Counter[Any] = Counter()  # link requests per pid
    got: list[tuple[str, Any]] = []
    while True:
        message = otp.receive()
        if not isinstance(message, tuple) or isinstance(message, otp.Pid):
            continue
        if message[0] == "monitor":
            monitors[otp.monitor(message[1])] = message[1]
            otp.send(message[2], ("watching", message[1]))
        elif message[0] == "link":
            otp.link(message[1])  # trapping: a pid already dead gives an EXIT noproc
            linked[message[1]] += 1
            otp.send(message[2], ("watching", message[1]))
        elif otp.is_down(message):
            got.append(("DOWN", message.ref if message.ref in monitors else Stranger(message.ref)))
        elif otp.is_exit(message):
            got.append(("EXIT", (message.pid, message.reason is NOPROC)))
        elif message[0] == "report":
            otp.send(message[1], ("report", dict(monitors), Counter(linked), list(got)))


# --------------------------------------------------------------------------- runner


@dataclass
class Outcome:
    """What one scenario left behind, for the checker."""

    scenario: Scenario
    events: list[Any]
    top: Any
    top_plan: SupPlan
    plans: dict[str, Any]
    stop_time: float
    horizon: float
    reports: list[tuple[dict[Any, Any], Counter[Any], list[tuple[str, Any]], set[Any]]]
    leaked: list[str]
    hook_errors: list[str]
    wall_seconds: float
    kills_done: int = 0


@dataclass
class Settings:
    time_scale: float = 0.02
    horizon: float = 20.0  # runtime seconds of chaos before the tree is stopped
    bound: float = 8.0  # runtime seconds a permanent child may take to run again
    deadline: float = 15.0  # wall seconds a whole scenario may take
    observers: int = 2


def run_scenario(scenario: Scenario, settings: Settings | None = None) -> Outcome:
    """Build, torment, stop and shut down one tree; never raises on a runtime failure
    (the checker judges), only on the test's own deadline."""
    cfg = settings or Settings()
    hook_errors: list[str] = []
    previous_hook = threading.excepthook

    def hook(args: Any) -> None:
        hook_errors.append(f"{args.thread.name if args.thread else '?'}: {args.exc_value!r}")

    threading.excepthook = hook
    before = set(threading.enumerate())
    started = time.monotonic()
    events: list[Any] = []
    lock = threading.Lock()

    def collect(event: Any) -> None:
        with lock:
            events.append(event)

    rt = Runtime(time_scale=cfg.time_scale, grace=0.2)
    rt.subscribe(collect)
    plans: dict[str, Any] = {}
    try:
        with rt.test_process(trap_exit=True) as me:
            top, stop_time, reports, kills_done = _torment(rt, me, scenario, cfg, plans)
        rt.flush_events()
    finally:
        rt.shutdown()
        threading.excepthook = previous_hook
    leaked = _leaked_threads(before)
    with lock:
        seen = list(events)
    return Outcome(
        scenario=scenario,
        events=seen,
        top=top,
        top_plan=scenario.tree,
        plans=plans,
        stop_time=stop_time,
        horizon=cfg.horizon,
        reports=reports,
        leaked=leaked,
        hook_errors=hook_errors,
        wall_seconds=time.monotonic() - started,
        kills_done=kills_done,
    )


def _torment(
    rt: Runtime, me: Any, scenario: Scenario, cfg: Settings, plans: dict[str, Any]
) -> tuple[Any, float, list[Any], int]:
    wall_deadline = time.monotonic() + cfg.deadline
    tree = scenario.tree
    specs = child_specs(tree, itertools.count(1), plans)
    result = Supervisor.start_link(
        specs,
        strategy=tree.strategy,
        max_restarts=tree.max_restarts,
        max_seconds=tree.max_seconds,
    )
    top = result.value
    watchers = [otp.spawn(observer) for _ in range(cfg.observers)]
    spared = {me, *watchers}
    origin = rt.now()
    kills_done = 0
    watched: dict[Any, set[Any]] = {w: set() for w in watchers}
    for n, kill in enumerate(sorted(scenario.kills, key=lambda k: k.at)):
        wait = origin + kill.at - rt.now()
        if wait > 0:
            otp.sleep(wait)
        victims = [p for p in rt.processes() if p not in spared]
        if not victims:
            break
        victim = victims[min(int(kill.pick * len(victims)), len(victims) - 1)]
        watcher = watchers[n % len(watchers)]
        # Watched before the kill, so the DOWN/EXIT comes from the death itself (a pid
        # already dead would only test the noproc path).
        otp.send(watcher, (kill.watch, victim, me))
        _await(lambda m, v=victim: m == ("watching", v), wall_deadline, "observer's ack")
        watched[watcher].add(victim)
        otp.exit(victim, KILL_REASONS[kill.reason])
        kills_done += 1
    left = origin + cfg.horizon - rt.now()
    if left > 0:
        otp.sleep(left)
    stop_time = rt.now()
    ref = otp.monitor(top)
    otp.exit(top, SHUTDOWN)
    _await(lambda m: otp.is_down(m, ref), wall_deadline, "top DOWN")
    reports = []
    for watcher in watchers:
        # Dead before we ask: its DOWN/EXIT is already in the watcher's mailbox (deaths are
        # delivered synchronously), so the report must hold it exactly once.
        dead = {p for p in watched[watcher] if not rt.is_alive(p)}
        otp.send(watcher, ("report", me))
        _, monitors, linked, got = _await(
            lambda m: type(m) is tuple and m[0] == "report", wall_deadline, "observer report"
        )
        reports.append((monitors, linked, got, dead))
    return top, stop_time, reports, kills_done


def _await(match: Any, wall_deadline: float, what: str) -> Any:
    left = wall_deadline - time.monotonic()
    runtime = otp.current_runtime()
    message = otp.receive(match, max(0.0, left) / runtime.time_scale)
    if message is TIMEOUT:
        raise AssertionError(f"scenario deadline passed waiting for the {what}")
    return message


def _leaked_threads(before: set[threading.Thread]) -> list[str]:
    """Threads started during the scenario still alive after shutdown (waits a little for
    threads that are past their last line)."""
    deadline = time.monotonic() + 2.0
    while True:
        alive = [t for t in threading.enumerate() if t not in before and t.is_alive()]
        if not alive or time.monotonic() > deadline:
            return [t.name for t in alive]
        time.sleep(0.01)


# -------------------------------------------------------------------------- checker


@dataclass
class Checker:
    """Invariants judged from an :class:`Outcome`; ``violations`` lists what failed."""

    bound: float = 8.0
    checks: int = 0
    violations: list[str] = field(default_factory=list)

    def check(self, out: Outcome) -> list[str]:
        self.violations = []
        self._no_thread_survives(out)
        self._nothing_reached_excepthook(out)
        self._each_pid_exits_once(out)
        self._intensity_respected(out)
        self._permanent_children_come_back(out)
        self._exit_and_down_delivered_once(out)
        return self.violations

    def _fail(self, text: str) -> None:
        self.violations.append(text)

    def _no_thread_survives(self, out: Outcome) -> None:
        self.checks += 1
        if out.leaked:
            self._fail(f"threads alive after runtime.shutdown(): {out.leaked}")

    def _nothing_reached_excepthook(self, out: Outcome) -> None:
        self.checks += 1
        if out.hook_errors:
            self._fail(f"exceptions reached threading.excepthook: {out.hook_errors}")

    def _each_pid_exits_once(self, out: Outcome) -> None:
        spawned = {e.pid for e in out.events if e.kind == "spawned"}
        exits: dict[str, int] = {}
        for e in out.events:
            if e.kind == "exited":
                exits[e.pid] = exits.get(e.pid, 0) + 1
        for pid in spawned:
            self.checks += 1
            if exits.get(pid, 0) != 1:
                self._fail(f"{pid} exited {exits.get(pid, 0)} times (spawned once)")

    # -- intensity: no supervisor restarts more than max_restarts within max_seconds

    def _supervisor_plans(self, out: Outcome) -> dict[str, SupPlan]:
        """Supervisor pid (text) -> its plan, for the top and every incarnation of a child."""
        plans = {str(out.top): out.top_plan}
        for e in out.events:
            if e.kind in ("child_started", "child_restarted"):
                plan = out.plans.get(e.get("child_id"))
                if isinstance(plan, SupPlan):
                    plans[e.pid] = plan
        return plans

    def _intensity_respected(self, out: Outcome) -> None:
        exited_at = {e.pid: e.time for e in out.events if e.kind == "exited"}
        for sup, plan in self._supervisor_plans(out).items():
            rounds = _restart_rounds(out.events, sup, exited_at)
            for i, (_, emitted) in enumerate(rounds):
                self.checks += 1
                # Round j was certainly counted in round i's window if its trigger exit (a
                # lower bound on when it was counted) is within max_seconds - 1 of round
                # i's emission (an upper bound): floor() windows are never shorter.
                threshold = emitted - (plan.max_seconds - 1)
                counted = sum(1 for start, _ in rounds[: i + 1] if start >= threshold)
                if counted > plan.max_restarts:
                    self._fail(
                        f"supervisor {sup} restarted {counted} times within "
                        f"{plan.max_seconds - 1}s (max_restarts={plan.max_restarts}, "
                        f"max_seconds={plan.max_seconds})"
                    )
                    return

    # -- a permanent child of a live supervisor under its intensity runs again in time

    def _permanent_children_come_back(self, out: Outcome) -> None:
        child_of: dict[str, tuple[str, str]] = {}
        for e in out.events:
            if e.kind in ("child_started", "child_restarted") and e.get("restart") == "permanent":
                child_of[e.pid] = (e.get("supervisor"), e.get("child_id"))
        sup_end: dict[str, float] = {}
        for e in out.events:
            if e.kind == "exited":
                sup_end.setdefault(e.pid, e.time)
            elif e.kind == "supervisor_gave_up":
                sup_end[e.get("supervisor")] = min(sup_end.get(e.get("supervisor"), e.time), e.time)
        for e in out.events:
            if e.kind != "exited" or e.pid not in child_of:
                continue
            sup, child_id = child_of[e.pid]
            due = e.time + self.bound
            if due > out.stop_time:
                continue  # too close to the end to judge
            if sup_end.get(sup, math.inf) <= due:
                continue  # its supervisor gave up or died: not "a live supervisor"
            self.checks += 1
            back = any(
                r.kind in ("child_restarted", "child_started")
                and r.get("supervisor") == sup
                and r.get("child_id") == child_id
                and e.time <= r.time <= due
                for r in out.events
            )
            if not back:
                self._fail(
                    f"permanent child {child_id} of live supervisor {sup} died at "
                    f"{e.time:.2f}s and was not running again by {due:.2f}s"
                )

    # -- every EXIT/DOWN an observer is owed arrives exactly once

    def _exit_and_down_delivered_once(self, out: Outcome) -> None:
        for monitors, linked, got, dead in out.reports:
            downs = [ref for kind, ref in got if kind == "DOWN"]  # one per monitor ref
            exits = Counter(item for kind, item in got if kind == "EXIT")
            for ref, pid in monitors.items():
                self.checks += 1
                count = downs.count(ref)
                if count > 1 or (pid in dead and count != 1):
                    self._fail(f"DOWN for {pid} delivered {count} times")
            for pid, requests in linked.items():
                # One EXIT for the death of a linked pid; one EXIT noproc for each link
                # request made after it died; never more than one request's worth each.
                self.checks += 1
                real, noproc = exits[(pid, False)], exits[(pid, True)]
                if real > 1 or real + noproc > requests or (pid in dead and real + noproc < 1):
                    self._fail(
                        f"EXIT from {pid} delivered {real} times (+{noproc} noproc) "
                        f"for {requests} link requests"
                    )
            strangers = [pid for pid in downs if isinstance(pid, Stranger)]
            if strangers:
                self._fail(f"DOWN messages nobody asked for: {strangers}")


def _restart_rounds(events: list[Any], sup: str, exited_at: dict[str, float]) -> list[Any]:
    """One supervisor's restart rounds as ``(trigger exit time, emission time)``.

    A round (one intensity count) restarts the child that died and, for one_for_all and
    rest_for_one, siblings the supervisor shut down itself, which it reports with
    ``child_terminated``.  So the round's trigger is the restarted child whose old pid
    the supervisor did not terminate; its exit is a lower bound on when the round was
    counted and its ``child_restarted`` an upper bound.
    """
    terminated = {
        e.pid for e in events if e.kind == "child_terminated" and e.get("supervisor") == sup
    }
    rounds = []
    for e in events:
        if e.kind != "child_restarted" or e.get("supervisor") != sup:
            continue
        old = e.get("old_pid")
        if old is None or old in terminated or old not in exited_at:
            continue  # a sibling of the round, or a retried start: not judged
        rounds.append((exited_at[old], e.time))
    return rounds
