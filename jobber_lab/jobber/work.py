"""The work functions of the seed's ``.iex.exs``: a good, a bad and a doomed job.

They sleep through the runtime's interruptible ``sleep`` (``Process.sleep``),
never ``time.sleep``, so a killed job unwinds at once and time scales.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from jobber_lab import otp

__all__ = ["bad_job", "doomed_job", "good_job"]


def _check(what: str, seconds: Any) -> float:
    """The otp duration validator (NaN, negatives and non-numbers refused, naming the
    argument); ``math.inf`` is a job that works until it is killed."""
    checked = otp.duration(f"{what}(seconds)", seconds, none_ok=False)
    return math.inf if checked is None else checked


def good_job(seconds: float = 5) -> Callable[[], Any]:
    """``fn -> Process.sleep(5000); {:ok, []} end``."""
    seconds = _check("good_job", seconds)

    def work() -> Any:
        otp.sleep(seconds)
        return ("ok", [])

    work.__qualname__ = "good_job"
    return work


def bad_job(seconds: float = 5) -> Callable[[], Any]:
    """``fn -> Process.sleep(5000); :error end``."""
    seconds = _check("bad_job", seconds)

    def work() -> Any:
        otp.sleep(seconds)
        return "error"

    work.__qualname__ = "bad_job"
    return work


def doomed_job(seconds: float = 5) -> Callable[[], Any]:
    """``fn -> Process.sleep(5000); raise "Boom!" end``."""
    seconds = _check("doomed_job", seconds)

    def work() -> Any:
        otp.sleep(seconds)
        raise RuntimeError("Boom!")

    work.__qualname__ = "doomed_job"
    return work
