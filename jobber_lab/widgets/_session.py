"""One running Jobber app, its runtime and its tracer: what Reset throws away and makes anew.

The dashboard swaps whole sessions instead of repairing one, so "Reset" means exactly what a
student expects: every process of the old app gone, its threads joined, a clean tree.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

from jobber_lab import otp
from jobber_lab.jobber import Jobber, bad_job, doomed_job, good_job
from jobber_lab.otp import Event, Runtime
from jobber_lab.trace import Tracer

__all__ = ["JOB_KINDS", "KILL_REASONS", "Session"]

#: Button kind -> (work factory, job type). Imports are good jobs of type "import" (the seed).
JOB_KINDS: dict[str, tuple[Callable[[float], Callable[[], Any]], str | None]] = {
    "good": (good_job, None),
    "bad": (bad_job, None),
    "doomed": (doomed_job, None),
    "import": (good_job, "import"),
}

#: The Kill panel's reasons, as observer offers them: a clean shutdown, the untrappable kill,
#: and a custom term, which makes the process crash (and a supervisor restart it).
KILL_REASONS: dict[str, Any] = {"shutdown": otp.SHUTDOWN, "kill": otp.KILL, "crash": "crash"}

_numbers = itertools.count(1)


class Session:
    """A Jobber app followed by a tracer; :meth:`close` leaves no thread behind."""

    def __init__(self, app: Jobber, tracer: Tracer, *, owns_runtime: bool) -> None:
        self.app = app
        self.runtime: Runtime = app.runtime
        self.tracer = tracer
        self._owns_runtime = owns_runtime
        self.first_job_runner = None if app.job_runner is None else str(app.job_runner)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()  # guards ``started``
        # Held by every action into the app and by close(): an action in flight finishes
        # before the runtime shuts down, and none starts after (a job spawned while the
        # runtime shuts down could outlive it as a thread nobody joins).
        self._acting = threading.Lock()
        self._finished = threading.Event()  # set once close() has stopped everything
        self._unhook: Callable[[], None] | None = None
        #: (job id, result) of every start, in order: tests check each one reached the trace.
        self.started: list[tuple[str, Any]] = []
        self.closed = False

    @classmethod
    def start(
        cls,
        *,
        variant: str,
        time_scale: float,
        simulated: bool = True,
        seed: int = 0,
        paused: bool = False,
    ) -> Session:
        """A fresh runtime, a tracer subscribed *before* the app starts (so the trace holds
        the whole story from ``app_started``), then the app on that runtime.

        ``simulated``: a simulated runtime paced at ``time_scale`` (the jobs still visibly
        run, and Pause / Step work), else a scaled one. ``paused`` (simulated only): paused
        before the app starts, so a Reset keeps a paused dashboard paused.
        """
        name = f"dashboard-{next(_numbers)}"
        if simulated:
            runtime = Runtime(simulated=True, seed=seed, time_scale=time_scale, name=name)
            if paused:
                runtime.pause()
        else:
            runtime = Runtime(time_scale=time_scale, name=name)
        tracer = Tracer(runtime)
        try:
            app = Jobber(variant=variant, runtime=runtime)
        except BaseException:
            tracer.detach()
            runtime.shutdown()
            raise
        return cls(app, tracer, owns_runtime=True)

    @classmethod
    def adopt(cls, app: Jobber) -> Session:
        """A session around an app someone else started; its earlier events are not traced."""
        return cls(app, Tracer(app.runtime), owns_runtime=False)

    @property
    def variant(self) -> str:
        return self.app.variant

    @property
    def time_scale(self) -> float:
        return self.runtime.time_scale

    @property
    def simulated(self) -> bool:
        return self.runtime.simulated

    @property
    def paced(self) -> bool:
        """A simulated runtime whose clock follows the wall clock (it can pause and play)."""
        return self.runtime.simulated and getattr(self.runtime.clock, "pace", None) is not None

    def on_event(self, callback: Callable[[Event], None]) -> None:
        """Hook the tracer; the hook goes away with the session."""
        self._unhook = self.tracer.on_change(callback)

    # ------------------------------------------------------------------ actions

    def start_job(self, kind: str, seconds: float) -> tuple[str, Any]:
        """``Jobber.start_job`` with a readable id (``doomed-3``); returns (id, result).

        A readable id keeps one table row per job across its restarts. Raises what
        ``start_job`` raises (e.g. when JobRunner is down in the direct variant).
        """
        factory, job_type = JOB_KINDS[kind]
        with self._acting:
            self._check_open()
            job_id = f"{kind}-{next(self._ids)}"
            result = self.app.start_job(work=factory(seconds), type=job_type, id=job_id)
        with self._lock:
            self.started.append((job_id, result))
        return job_id, result

    def find_pid(self, text: str) -> otp.Pid | None:
        """The live Pid printed as ``text``: the tracer knows pids only as strings."""
        return next((p for p in self.runtime.processes() if str(p) == text), None)

    def kill(self, text: str, reason: str) -> bool:
        """``Process.exit(pid, reason)``; False if that process is no longer alive."""
        with self._acting:
            self._check_open()
            pid = self.find_pid(text)
            if pid is None:
                return False
            self.runtime.exit(pid, KILL_REASONS[reason])
            return True

    def step(self) -> list[Event]:
        """``Runtime.step()``: to the next deadline, then to quiescence; its events.

        Holds the same lock as every action, so a step never runs while close() shuts the
        runtime down. The baton makes the call wait for quiescence and return at it.
        """
        with self._acting:
            self._check_open()
            return self.runtime.step()

    def _check_open(self) -> None:
        if self.closed:
            raise RuntimeError(f"this session ({self.runtime.name}) is closed: press Reset")

    def live_processes(self) -> list[tuple[str, str]]:
        """(``<0.7.0> JobRunner``, ``<0.7.0>``) for every live process, oldest first."""
        out = []
        for pid in self.runtime.processes():
            text = str(pid)
            label = self.tracer.label_of(text)
            out.append((f"{text} {label}" if label != text else text, text))
        return out

    # ------------------------------------------------------------------ the end

    def close(self) -> list[Any]:
        """Stop the app and (if this session made it) the runtime; returns leaked threads.

        Safe from any thread and twice: the first caller closes, after any action in flight;
        a concurrent second caller waits until that close is done, so whoever returns from
        ``close`` knows the session's threads are gone.
        """
        with self._acting:
            first = not self.closed
            self.closed = True
        if not first:
            self._finished.wait()
            return []
        leaked: list[Any] = []
        try:
            if self._unhook is not None:
                self._unhook()
            try:
                self.app.stop()
            finally:
                if self._owns_runtime:
                    leaked = self.runtime.shutdown()
                self.tracer.detach()
        finally:
            self._finished.set()
        return leaked
