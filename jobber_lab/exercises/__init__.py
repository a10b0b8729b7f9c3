"""Automatic checks for the course's exercises (notebooks 01-07).

Each ``check_*`` function runs the student's code on a fresh runtime, compares what
happened with what OTP (or the book) says should happen, and returns a
:class:`CheckResult`: a list of ✓ / ✗ lines that Jupyter shows as the cell's output, truthy
when every line is a ✓.  A checker never raises because of the student's code: an exception,
a wrong return value or a loop that never ends is reported as a ✗ line saying what came and
what was expected.  Every runtime a checker starts is shut down before it returns.

The runtimes are simulated (``Runtime(simulated=True, seed=0)``) at the book's timings: one
process at a time on a virtual clock, so a verdict is the same on an idle laptop and on a
loaded CI runner, and the times a ✓ line prints are exact.  Waits are in runtime seconds
and cost no wall time.  The one exception is :func:`check_killable` (notebook 07), whose
point is a thread stuck in a CPU loop outside the runtime: it runs on a scaled clock.

One private module per lesson (``_lesson01`` … ``_lesson07``) holds that lesson's checkers;
``_common`` holds what they share.  Import from here, not from them.
"""

from ._common import CheckResult
from ._lesson01 import check_exit_reasons, check_ping_server
from ._lesson02 import check_flush_on_shutdown, check_max_retries_zero
from ._lesson03 import check_restart_choice, check_slow_crashes, check_strategy_choice
from ._lesson04 import check_job_supervisor, check_restart_what_if
from ._lesson05 import check_start_job
from ._lesson06 import check_window_filled
from ._lesson07 import check_killable

__all__ = [
    "CheckResult",
    "check_exit_reasons",
    "check_flush_on_shutdown",
    "check_job_supervisor",
    "check_killable",
    "check_max_retries_zero",
    "check_ping_server",
    "check_restart_choice",
    "check_restart_what_if",
    "check_slow_crashes",
    "check_start_job",
    "check_strategy_choice",
    "check_window_filled",
]
