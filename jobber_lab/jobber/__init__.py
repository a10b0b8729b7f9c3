"""jobber_lab.jobber: the book's Jobber app (chapter 2) on the OTP core.

``start()`` the app (variant ``"isolated"`` or ``"direct"``), ``start_job(work=...)``,
``running_imports()``; work factories ``good_job``, ``bad_job``, ``doomed_job``. A job's
statuses are :class:`JobStatus`; the events the app adds to the core's are :class:`JobEventKind`.
"""

from .app import (
    IMPORT_QUOTA_REACHED,
    JOB_RUNNER,
    TOP_SUPERVISOR,
    VARIANTS,
    Jobber,
    JobberApp,
    RestartLimits,
    current,
    running_imports,
    start,
    start_job,
    stop,
)
from .events import JobEventKind, JobStatus
from .job import RETRY_DELAY, FunctionClauseError, Job, JobState, random_job_id, via
from .job_supervisor import JOB_MAX_RESTARTS, JOB_MAX_SECONDS, JobSupervisor
from .work import bad_job, doomed_job, good_job

__all__ = [
    "IMPORT_QUOTA_REACHED",
    "JOB_MAX_RESTARTS",
    "JOB_MAX_SECONDS",
    "JOB_RUNNER",
    "RETRY_DELAY",
    "TOP_SUPERVISOR",
    "VARIANTS",
    "FunctionClauseError",
    "Job",
    "JobEventKind",
    "JobState",
    "JobStatus",
    "JobSupervisor",
    "Jobber",
    "JobberApp",
    "RestartLimits",
    "bad_job",
    "current",
    "doomed_job",
    "good_job",
    "random_job_id",
    "running_imports",
    "start",
    "start_job",
    "stop",
    "via",
]
