"""What every checker shares: the verdict (:class:`CheckResult`), the thread a checker runs
on (:func:`_isolated`) and the simulated runtime with its waits."""

from __future__ import annotations

import functools
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from jobber_lab import otp
from jobber_lab.otp import (
    Runtime,
)
from jobber_lab.trace import Tracer

SEED = 0  # every checker's simulated runtime: the same story on every run
BUDGET = 600.0  # runtime seconds: the most a checker's wait lets pass (instant when simulated)
FAST = 0.002  # check_killable's scaled clock: wall seconds per runtime second
WAIT = 5.0  # wall seconds: the most a wait on check_killable's scaled clock may take


@dataclass
class CheckResult:
    """What a checker found: one line per fact, ✓ right or ✗ wrong (with what came)."""

    title: str
    lines: list[tuple[bool, str]] = field(default_factory=list)

    def ok(self, text: str) -> None:
        self.lines.append((True, text))

    def wrong(self, text: str) -> None:
        self.lines.append((False, text))

    def expect(self, condition: bool, right: str, wrong: str) -> bool:
        self.lines.append((True, right) if condition else (False, wrong))
        return condition

    @property
    def passed(self) -> bool:
        return bool(self.lines) and all(good for good, _ in self.lines)

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        verdict = "all right!" if self.passed else "not yet: see the ✗ lines"
        body = "\n".join(f"  {'✓' if good else '✗'} {text}" for good, text in self.lines)
        return f"{self.title}: {verdict}\n{body}"


def _isolated(check: Callable[..., CheckResult]) -> Callable[..., CheckResult]:
    """Run a checker on a thread of its own, so it works whatever the caller is (a notebook
    that acts as a process, a button handler, ...) and leaves the caller's state alone."""

    @functools.wraps(check)
    def run(*args: Any, **kwargs: Any) -> CheckResult:
        box: list[Any] = []

        def body() -> None:
            try:
                box.append((True, check(*args, **kwargs)))
            except BaseException as exc:
                box.append((False, exc))

        thread = threading.Thread(target=body, name=f"jobber-lab {check.__name__}", daemon=True)
        thread.start()
        thread.join()
        good, value = box[0]
        if not good:
            raise value
        return value

    return run


def _crash_text(exc: BaseException) -> str:
    last = traceback.format_exception_only(type(exc), exc)[-1].strip()
    return last


@contextmanager
def _runtime(**options: Any) -> Iterator[Runtime]:
    """A fresh simulated runtime at the book's timings (see the package's docstring)."""
    rt = Runtime(simulated=True, seed=SEED, name="checker", **options)
    try:
        yield rt
    finally:
        rt.shutdown()


def _await(rt: Runtime, match: Callable[[Any], bool], seconds: float = BUDGET) -> Any:
    """Receive the first matching message within ``seconds`` runtime seconds, else TIMEOUT.

    On a simulated runtime a wait that nothing ends jumps to its timeout at once; on
    check_killable's scaled one ``seconds`` is capped at ``WAIT`` wall seconds."""
    if not rt.simulated:
        seconds = min(seconds, WAIT / rt.time_scale)
    return otp.receive(match, timeout=seconds)


def _run_until_event(
    tracer: Tracer, predicate: Callable[[Any], bool], seconds: float = BUDGET
) -> Any:
    """The first event matching ``predicate`` within ``seconds`` of simulated time (None
    after that): ``Tracer.wait_for`` lets a simulated runtime run until it comes."""
    return tracer.wait_for(predicate, seconds)


def _down_of(ref: otp.Ref) -> Callable[[Any], bool]:
    return lambda m: otp.is_down(m, ref)


def _nth(n: int, predicate: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """A predicate for :func:`_run_until_event`, true at the ``n``-th event matching
    ``predicate`` (it counts: show it each event once)."""
    seen = [0]

    def check(event: Any) -> bool:
        if predicate(event):
            seen[0] += 1
        return seen[0] >= n

    return check
