"""The app's own vocabulary: a job's statuses and the events the Jobber app emits.

The core (``jobber_lab.otp``) knows processes, supervisors and registries, never jobs: its
:class:`~jobber_lab.otp.EventKind` lists the lifecycle facts of any OTP program. What is
Jobber's (a job's status changing, the import quota refusing a job) is named here, once, and
the layers above (trace, draw, widgets) read these names instead of spelling the strings.

Both are ``str`` valued, so an event built from them is still plain data (a trace is JSON
lines, a loaded trace holds plain strings) and ``status == "done"`` keeps working both ways.
"""

from __future__ import annotations

from enum import Enum

__all__ = ["JobEventKind", "JobStatus"]


class JobStatus(str, Enum):
    """The ``status`` of ``%Jobber.Job{}``: the book's ``new``, ``errored``, ``failed`` and
    ``done``, plus this port's ``running`` (published before each attempt, so a table can show
    a job at work). ``done`` and ``failed`` are final; ``errored`` waits for a retry."""

    NEW = "new"
    RUNNING = "running"
    ERRORED = "errored"
    DONE = "done"
    FAILED = "failed"

    def __str__(self) -> str:
        # The bare word, as the book prints it and as an event carries it (a plain
        # ``str, Enum`` would print ``JobStatus.DONE`` under Python 3.11+).
        return self.value


class JobEventKind:
    """The event kinds the Jobber app adds to the core's, as plain strings (like
    :class:`~jobber_lab.otp.EventKind`), with the fields each carries:

    - ``job_status``: pid (the Job), job_id, job_type, status (a :class:`JobStatus` value),
      retries, attempt, max_retries
    - ``quota_refused``: job_type, running, quota
    """

    JOB_STATUS = "job_status"
    QUOTA_REFUSED = "quota_refused"
