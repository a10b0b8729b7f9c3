"""``Jobber.JobSupervisor``: one supervisor per job, so a doomed job fails alone.

    use Supervisor, restart: :temporary
    children = [{Jobber.Job, args}]
    Supervisor.init(children, strategy: :one_for_one, max_seconds: 30)

With ``auto_shutdown=True`` (not in the book) the Job is a *significant* child and
the JobSupervisor ends with it instead of lingering with zero children.  The restart
limits (``max_restarts``, ``max_seconds``) arrive in its arguments, so ``Jobber(...)``
can change them; the defaults are the book's 3 restarts in 30 s.
"""

from __future__ import annotations

from typing import Any

from jobber_lab.otp import ChildSpec, ChildType, Restart, Strategy, Supervisor, supervisor_init

from .job import Job

__all__ = ["JOB_MAX_RESTARTS", "JOB_MAX_SECONDS", "JobSupervisor"]

JOB_MAX_SECONDS = 30
"""The restart window of JobSupervisor and JobRunner (the book's ``max_seconds: 30``)."""

JOB_MAX_RESTARTS = 3
"""Restarts allowed in that window (the book leaves Elixir's default, 3)."""

_OWN_ARGS = ("auto_shutdown", "max_restarts", "max_seconds")


class JobSupervisor(Supervisor):
    def init(self, args: dict[str, Any]) -> Any:
        auto_shutdown = bool(args.get("auto_shutdown", False))
        job_args = {k: v for k, v in args.items() if k not in _OWN_ARGS}
        job = Job.child_spec(job_args)
        if auto_shutdown:
            job = Job.child_spec(job_args, significant=True)
        return supervisor_init(
            [job],
            strategy=Strategy.ONE_FOR_ONE,
            max_restarts=args.get("max_restarts", JOB_MAX_RESTARTS),
            max_seconds=args.get("max_seconds", JOB_MAX_SECONDS),
            auto_shutdown="any_significant" if auto_shutdown else "never",
        )

    @classmethod
    def child_spec(cls, arg: Any = None, **overrides: Any) -> ChildSpec:
        """``use Supervisor, restart: :temporary``."""
        return ChildSpec(
            id=cls,
            start=(cls.start_link, (arg,)),
            restart=overrides.pop("restart", Restart.TEMPORARY),
            type=ChildType.SUPERVISOR,
            modules=(cls,),
        )
