"""The one duration validator: every number of seconds the API accepts goes through here.

Why one function: ``value < 0`` is False for NaN, ``math.inf`` overflows a timestamp and
``threading.TIMEOUT_MAX`` is a few hundred years of wall time, so each hand-written check
let something through that spun a core or killed the scheduler thread.  The rules, once:

- a bool or a non-number is a ``TypeError``; NaN and negatives are a ``ValueError``;
- ``math.inf`` (and ``None``/``INFINITY`` where allowed) means *forever* where a wait is
  meant, and is returned as ``None``; where a finite value is needed (a timer, a time
  scale) it is refused with a message saying what to write instead;
- a huge finite value is kept (a deadline far away is harmless): the clock never hands a
  thread a wait longer than :data:`MAX_WALL_WAIT`, so no wait can overflow.

Every message names the argument, e.g. ``receive(timeout)`` or ``Runtime(grace)``.
"""

from __future__ import annotations

import math
from typing import Any

from ._atoms import INFINITY

__all__ = ["MAX_WALL_WAIT", "duration", "finite_duration", "time_scale"]

# The longest single wall-clock wait handed to a Condition/queue/sleep.  Waiters re-check
# the clock in a loop, so capping a wait costs one wake-up a day and can never overflow
# (threading.TIMEOUT_MAX is ~292 years on 64-bit Linux, less elsewhere).
MAX_WALL_WAIT = 86_400.0

# time_scale is a ratio; outside this range now() overflows or the clock stops meaning much.
MIN_TIME_SCALE = 1e-6
MAX_TIME_SCALE = 1e6


def _number(label: str, value: Any, expected: str) -> float:
    """A real number (not a bool) as a float, or a TypeError naming ``label``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{label}: expected {expected}, got {value!r}")
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        number = math.inf
    if math.isnan(number):
        raise ValueError(f"{label}: expected {expected}, got NaN (not a number of seconds)")
    if number < 0:
        raise ValueError(f"{label}: expected {expected}, got {value!r}")
    return number


def duration(label: str, value: Any, *, none_ok: bool = True) -> float | None:
    """A wait in seconds: a float >= 0, or ``None`` for forever (``math.inf``, ``None`` or
    ``INFINITY`` when ``none_ok``)."""
    if value is None or value is INFINITY:
        if none_ok:
            return None
        raise TypeError(f"{label}: expected seconds (a number >= 0), got {value!r}")
    forever = "math.inf or None" if none_ok else "math.inf"
    expected = f"seconds >= 0 ({forever} for forever)"
    number = _number(label, value, expected)
    return None if number == math.inf else number


def finite_duration(label: str, value: Any, *, instead: str) -> float:
    """A delay that must end (a timer): a finite float >= 0.  ``instead`` says what to
    write rather than infinity, e.g. "do not start the timer"."""
    if value is INFINITY or value is None:
        raise TypeError(f"{label}: expected a finite number of seconds >= 0, got {value!r}")
    number = _number(label, value, "a finite number of seconds >= 0")
    if number == math.inf:
        raise ValueError(
            f"{label}: expected a finite number of seconds >= 0, got {value!r}; {instead}"
        )
    return number


def time_scale(label: str, value: Any) -> float:
    """Wall seconds per runtime second: finite, within [MIN_TIME_SCALE, MAX_TIME_SCALE]."""
    expected = f"a positive number from {MIN_TIME_SCALE:g} to {MAX_TIME_SCALE:g}"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(
            f"{label}: expected {expected} (wall seconds per runtime second), got {value!r}"
        )
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if math.isnan(number) or not MIN_TIME_SCALE <= number <= MAX_TIME_SCALE:
        hint = " (1.0 is real time, 0.01 runs 100x faster)"
        raise ValueError(f"{label}: expected {expected}{hint}, got {value!r}")
    return number
