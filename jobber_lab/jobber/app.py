"""``Jobber.Application`` and ``Jobber.start_job/1``: the book's app, both variants.

    children = [
      {Registry, keys: :unique, name: Jobber.JobRegistry},
      {DynamicSupervisor, strategy: :one_for_one, name: Jobber.JobRunner, max_seconds: 30}
    ]
    Supervisor.start_link(children, strategy: :one_for_one, name: Jobber.Supervisor)

Variants:

- ``"isolated"`` (the seed's main branch): JobRunner -> JobSupervisor -> Job.
- ``"direct"`` (the seed's earlier state): JobRunner -> Job, so a doomed job uses up
  JobRunner's own restart intensity and takes its siblings down with it.

The three supervisors' restart limits are options of ``Jobber(...)`` (``RestartLimits``),
the book's values by default: JobRunner and each JobSupervisor 3 restarts in 30 s,
Jobber.Supervisor Elixir's default 3 in 5 s.  A lesson can then shrink a window (a slow
crasher that never fills it) or let JobRunner's give-up escalate to the top.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields
from typing import Any

from jobber_lab import otp
from jobber_lab.otp import (
    Application,
    Atom,
    DynamicSupervisor,
    Error,
    Registry,
    Runtime,
    Strategy,
    Supervisor,
)

from .events import JobEventKind
from .job import REGISTRY, Job
from .job_supervisor import JOB_MAX_RESTARTS, JOB_MAX_SECONDS, JobSupervisor

__all__ = [
    "IMPORT_QUOTA_REACHED",
    "JOB_RUNNER",
    "TOP_SUPERVISOR",
    "VARIANTS",
    "Jobber",
    "JobberApp",
    "RestartLimits",
    "current",
    "running_imports",
    "start",
    "start_job",
    "stop",
]

JOB_RUNNER = "JobRunner"
TOP_SUPERVISOR = "Jobber.Supervisor"
VARIANTS = ("isolated", "direct")
IMPORT_QUOTA_REACHED = Atom("import_quota_reached")
_START_JOB_OPTIONS = frozenset({"work", "type", "max_retries", "id"})


@dataclass(frozen=True)
class RestartLimits:
    """Each supervisor's restart intensity: at most ``*_max_restarts`` in ``*_max_seconds``.

    The defaults are the book's: ``max_seconds: 30`` on JobRunner and on each
    JobSupervisor (with Elixir's default of 3 restarts), Elixir's 3 in 5 s on
    Jobber.Supervisor.  OTP counts the window in whole seconds; this port also takes a
    float.  Build it through ``Jobber(...)``, which validates each value.
    """

    runner_max_restarts: int = JOB_MAX_RESTARTS
    runner_max_seconds: float = JOB_MAX_SECONDS
    job_supervisor_max_restarts: int = JOB_MAX_RESTARTS
    job_supervisor_max_seconds: float = JOB_MAX_SECONDS
    top_max_restarts: int = 3
    top_max_seconds: float = 5

    def check(self) -> None:
        """Raise ``ValueError`` naming the first argument that is not a valid limit."""
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name.endswith("_max_restarts"):
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"{field.name}: expected an int >= 0, got {value!r}")
            elif isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ValueError(f"{field.name}: expected a number of seconds > 0, got {value!r}")


_DEFAULT_LIMITS = RestartLimits()


class JobberApp(Application):
    """``Jobber.Application.start/2``, with the restart limits the ``Jobber`` was given."""

    name = "Jobber"

    def __init__(self, limits: RestartLimits = _DEFAULT_LIMITS) -> None:
        self.limits = limits

    def start(self, _start_type: Any, _args: Any) -> Any:  # the book's start(_type, _args)
        limits = self.limits
        children = [
            Registry.child_spec(keys="unique", name=REGISTRY),
            DynamicSupervisor.child_spec(
                name=JOB_RUNNER,
                strategy=Strategy.ONE_FOR_ONE,
                max_restarts=limits.runner_max_restarts,
                max_seconds=limits.runner_max_seconds,
            ),
        ]
        return Supervisor.start_link(
            children,
            strategy=Strategy.ONE_FOR_ONE,
            name=TOP_SUPERVISOR,
            max_restarts=limits.top_max_restarts,
            max_seconds=limits.top_max_seconds,
        )


class Jobber:
    """A running Jobber app on its runtime: ``start_job``, ``running_imports``, ``stop``."""

    def __init__(
        self,
        *,
        variant: str = "isolated",
        import_quota: int = 3,
        time_scale: float = 1.0,
        runtime: Runtime | None = None,
        auto_shutdown: bool = False,
        runner_max_restarts: int = _DEFAULT_LIMITS.runner_max_restarts,
        runner_max_seconds: float = _DEFAULT_LIMITS.runner_max_seconds,
        job_supervisor_max_restarts: int = _DEFAULT_LIMITS.job_supervisor_max_restarts,
        job_supervisor_max_seconds: float = _DEFAULT_LIMITS.job_supervisor_max_seconds,
        top_max_restarts: int = _DEFAULT_LIMITS.top_max_restarts,
        top_max_seconds: float = _DEFAULT_LIMITS.top_max_seconds,
    ) -> None:
        """The restart limits default to the book's (see ``RestartLimits``)."""
        limits = RestartLimits(
            runner_max_restarts=runner_max_restarts,
            runner_max_seconds=runner_max_seconds,
            job_supervisor_max_restarts=job_supervisor_max_restarts,
            job_supervisor_max_seconds=job_supervisor_max_seconds,
            top_max_restarts=top_max_restarts,
            top_max_seconds=top_max_seconds,
        )
        _check_options(variant, auto_shutdown, import_quota, limits)
        self.variant = variant
        self.import_quota = import_quota
        self.auto_shutdown = bool(auto_shutdown)
        self.limits = limits
        self._owns_runtime = runtime is None
        self.runtime = runtime if runtime is not None else Runtime(time_scale=time_scale)
        self._admission = threading.Lock()
        self._admission_waiters: list[otp.Pid] = []  # simulated time: who waits for the lock
        self._stopped = False
        result = self._in_runtime(otp.app_start, JobberApp(limits))
        if result is not otp.OK:
            if self._owns_runtime:
                self.runtime.shutdown()
            raise RuntimeError(f"Jobber failed to start: {result!r}")

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else "running"
        return f"<Jobber {self.variant} quota={self.import_quota} {state} on {self.runtime.name}>"

    def _in_runtime(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run ``fn`` with this app's runtime as the current one (from plain code too)."""
        caller = otp.current_process()
        if caller is not None and caller.runtime is self.runtime:
            return fn(*args, **kwargs)
        with self.runtime.calling_process():
            return fn(*args, **kwargs)

    # ---------------------------------------------------------------- API

    def start_job(self, **options: Any) -> Any:
        """``Jobber.start_job(args)``: ``Ok(pid)`` or ``Error(:import_quota_reached)``.

        Options: ``work`` (required callable), ``type`` (str or None), ``max_retries``
        (int >= 0, default 3), ``id`` (str; default: 5 random bytes, base64).
        """
        self._check_running()
        args = _check_job_args(options)
        args.setdefault("max_retries", 3)
        if self.variant == "isolated":
            spec = JobSupervisor.child_spec(
                {
                    **args,
                    "auto_shutdown": self.auto_shutdown,
                    "max_restarts": self.limits.job_supervisor_max_restarts,
                    "max_seconds": self.limits.job_supervisor_max_seconds,
                }
            )
        else:
            spec = Job.child_spec(args)
        if args.get("type") != "import":
            return self._in_runtime(DynamicSupervisor.start_child, JOB_RUNNER, spec)
        # The book's check-then-start is not atomic; ours admits one import at a time.
        rt = self.runtime
        if rt.simulated:
            return self._in_runtime(self._admit_simulated, spec)
        while not self._admission.acquire(timeout=0.05):
            rt.checkpoint()
        try:
            return self._count_and_start(spec)
        finally:
            self._admission.release()

    def _count_and_start(self, spec: Any) -> Any:
        """The quota's check and the start, holding the admission lock."""
        rt = self.runtime
        running = len([row for row in self.running_imports() if rt.is_alive(row["pid"])])
        if running >= self.import_quota:
            rt.emit(
                JobEventKind.QUOTA_REFUSED,
                None,
                job_type="import",
                running=running,
                quota=self.import_quota,
            )
            return Error(IMPORT_QUOTA_REACHED)
        return self._in_runtime(DynamicSupervisor.start_child, JOB_RUNNER, spec)

    def _admit_simulated(self, spec: Any) -> Any:
        """The admission on simulated time, in a process: one thread runs at a time and the
        lock's holder waits in its ``start_child`` call, so a waiter that polled the lock
        would hold the world still.  It waits in a ``receive`` for the holder's word
        instead; nobody else runs between its failed try and its place in the queue."""
        while not self._admission.acquire(blocking=False):
            self._admission_waiters.append(otp.self())
            otp.receive(lambda message: message == _YOUR_TURN)
        try:
            return self._count_and_start(spec)
        finally:
            self._admission.release()
            waiters, self._admission_waiters = self._admission_waiters, []
            for pid in waiters:
                otp.send(pid, _YOUR_TURN)

    def running_imports(self) -> list[dict[str, Any]]:
        """``Registry.select(Jobber.JobRegistry, [{{:"$1", :"$2", :"$3"}, [{:==, :"$3",
        "import"}], [%{id: :"$1", pid: :"$2", type: :"$3"}]}])``."""
        self._check_running()
        match_all = ("$1", "$2", "$3")
        guards = [("==", "$3", "import")]
        map_result = [{"id": "$1", "pid": "$2", "type": "$3"}]
        return self._in_runtime(Registry.select, REGISTRY, [(match_all, guards, map_result)])

    def whereis(self, name: str) -> otp.Pid | None:
        """``Process.whereis(name)`` in this app's runtime."""
        return self.runtime.whereis(name)

    @property
    def job_runner(self) -> otp.Pid | None:
        return self.whereis(JOB_RUNNER)

    def count_children(self, sup: Any = JOB_RUNNER) -> dict[str, int]:
        return self._in_runtime(DynamicSupervisor.count_children, sup)

    def which_children(self, sup: Any = JOB_RUNNER) -> list[Any]:
        return self._in_runtime(DynamicSupervisor.which_children, sup)

    def stop(self) -> None:
        """Stop the app (tree first, then strays) and, if it made its runtime, shut that down."""
        if self._stopped:
            return
        self._stopped = True
        if not self.runtime.closed:
            self._in_runtime(otp.app_stop, "Jobber")
        if self._owns_runtime:
            self.runtime.shutdown()

    @property
    def stopped(self) -> bool:
        return self._stopped

    def _check_running(self) -> None:
        if self._stopped:
            raise RuntimeError(f"{self!r} is stopped: start a new Jobber (jobber.start())")

    def __enter__(self) -> Jobber:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _check_options(
    variant: str, auto_shutdown: bool, import_quota: Any, limits: RestartLimits
) -> None:
    """Refuse a bad ``Jobber(...)`` argument before anything starts, naming it."""
    if variant not in VARIANTS:
        raise ValueError(f"variant: expected one of {VARIANTS}, got {variant!r}")
    if auto_shutdown and variant != "isolated":
        raise ValueError(
            "auto_shutdown=True: the fix applies to the isolated variant's JobSupervisors; "
            f"the {variant!r} variant has none"
        )
    if isinstance(import_quota, bool) or not isinstance(import_quota, int) or import_quota < 0:
        raise ValueError(f"import_quota: expected an int >= 0, got {import_quota!r}")
    limits.check()
    if variant != "isolated":
        for name in ("job_supervisor_max_restarts", "job_supervisor_max_seconds"):
            if getattr(limits, name) != getattr(_DEFAULT_LIMITS, name):
                raise ValueError(
                    f"{name}: the {variant!r} variant has no JobSupervisors to apply it to"
                )


def _check_job_args(options: dict[str, Any]) -> dict[str, Any]:
    unknown = set(options) - _START_JOB_OPTIONS
    if unknown:
        raise TypeError(
            f"start_job: unknown option(s) {sorted(unknown)}; expected some of "
            f"{sorted(_START_JOB_OPTIONS)}"
        )
    if "work" not in options:
        raise TypeError("start_job: missing required option 'work' (a callable)")
    if not callable(options["work"]):
        raise TypeError(f"start_job(work=...): expected a callable, got {options['work']!r}")
    job_type = options.get("type")
    if job_type is not None and not isinstance(job_type, str):
        raise TypeError(f"start_job(type=...): expected a str or None, got {job_type!r}")
    retries = options.get("max_retries", 3)
    if isinstance(retries, bool) or not isinstance(retries, int):
        raise TypeError(f"start_job(max_retries=...): expected an int >= 0, got {retries!r}")
    if retries < 0:
        raise ValueError(f"start_job(max_retries=...): expected an int >= 0, got {retries!r}")
    job_id = options.get("id")
    if job_id is not None and not isinstance(job_id, str):
        raise TypeError(f"start_job(id=...): expected a str or None, got {job_id!r}")
    return dict(options)


# ------------------------------------------------ the module-level, notebook API

_current: Jobber | None = None
_YOUR_TURN = ("jobber", "admission")  # simulated time: the admission lock is free again

_current_lock = threading.Lock()


def start(
    *,
    variant: str = "isolated",
    import_quota: int = 3,
    time_scale: float = 1.0,
    runtime: Runtime | None = None,
    auto_shutdown: bool = False,
    **limits: Any,
) -> Jobber:
    """Start Jobber, stopping the previous one first (re-running a cell is safe).

    ``limits`` are ``Jobber``'s restart-limit options (``runner_max_seconds=...``, ...).
    """
    global _current
    with _current_lock:
        if _current is not None:
            _current.stop()
            _current = None
        _current = Jobber(
            variant=variant,
            import_quota=import_quota,
            time_scale=time_scale,
            runtime=runtime,
            auto_shutdown=auto_shutdown,
            **limits,
        )
        return _current


def stop() -> None:
    """Stop the current Jobber, if any."""
    global _current
    with _current_lock:
        if _current is not None:
            _current.stop()
            _current = None


def current() -> Jobber:
    if _current is None or _current.stopped:
        raise RuntimeError("Jobber is not started: call jobber.start() first")
    return _current


def start_job(**options: Any) -> Any:
    """``Jobber.start_job(work: ..., type: ..., max_retries: ...)`` on the current app."""
    return current().start_job(**options)


def running_imports() -> list[dict[str, Any]]:
    return current().running_imports()
