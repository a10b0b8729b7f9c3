"""Notebook 04: the JobSupervisor that contains a doomed job, and the restart what-ifs."""

from __future__ import annotations

from typing import Any

from jobber_lab import otp
from jobber_lab.jobber import (
    JOB_RUNNER,
    Jobber,
    JobEventKind,
    JobStatus,
    JobSupervisor,
    doomed_job,
    good_job,
)
from jobber_lab.otp import (
    KILL,
    TIMEOUT,
    ChildSpec,
    DynamicSupervisor,
    Ok,
    Restart,
    Supervisor,
)
from jobber_lab.trace import Tracer

from ._common import (
    CheckResult,
    _await,
    _crash_text,
    _down_of,
    _isolated,
    _nth,
    _run_until_event,
    _runtime,
)


@_isolated
def check_job_supervisor(supervisor_class: type) -> CheckResult:
    """Exercise 04: a JobSupervisor that contains a doomed job *and* ends with its job,
    so none linger under JobRunner (the auto_shutdown fix)."""
    result = CheckResult(f"{getattr(supervisor_class, '__name__', supervisor_class)}")
    if not (isinstance(supervisor_class, type) and issubclass(supervisor_class, Supervisor)):
        result.wrong(f"expected a Supervisor subclass, got {supervisor_class!r}")
        return result
    try:
        spec = supervisor_class.child_spec({"work": good_job(1)})
    except Exception as exc:
        result.wrong(f"child_spec raised {_crash_text(exc)}")
        return result
    if not isinstance(spec, ChildSpec):
        result.wrong(f"child_spec returned {spec!r}, not a ChildSpec")
        return result
    with _runtime() as rt:
        tracer = Tracer(rt)
        app = Jobber(runtime=rt)
        try:
            _check_not_restarted_when_killed(app, supervisor_class, result)
            _check_contained(app, tracer, supervisor_class, result)
        finally:
            app.stop()
            tracer.detach()
    # A fresh app: the 30 s window is told from 5 s by crashes exactly 8 s apart.
    with _runtime() as rt:
        tracer = Tracer(rt)
        app = Jobber(runtime=rt)
        try:
            _check_window(app, tracer, supervisor_class, result)
        finally:
            app.stop()
            tracer.detach()
    return result


def _check_not_restarted_when_killed(
    app: Jobber, supervisor_class: type, result: CheckResult
) -> None:
    """Temporary, by behaviour: kill the JobSupervisor; JobRunner must not start it again."""
    started = _start_under_runner(app, supervisor_class, {"work": good_job(1000), "id": "kill"})
    if not isinstance(started, Ok):
        result.wrong(f"starting it under JobRunner returned {started!r}")
        return
    with app.runtime.calling_process():
        ref = otp.monitor(started.value)
        otp.exit(started.value, KILL)
        _await(app.runtime, _down_of(ref))
        # JobRunner got the EXIT before our DOWN, so this call is answered after it handled it
        children = DynamicSupervisor.count_children(JOB_RUNNER)
    result.expect(
        children["active"] == 0,
        "killed, it was not restarted by JobRunner (it is temporary)",
        f"killed, it was started again by JobRunner (count_children: {children}): "
        "a JobSupervisor must be Restart.TEMPORARY (use Supervisor, restart: :temporary)",
    )


def _check_window(app: Jobber, tracer: Tracer, supervisor_class: type, result: CheckResult) -> None:
    """Doomed crashes 8 s apart: 4 of them fit in 30 s (it gives up), never in 5 s."""
    started = _start_under_runner(app, supervisor_class, {"work": doomed_job(8), "id": "slow"})
    if not isinstance(started, Ok):
        result.wrong(f"starting a doomed job returned {started!r}")
        return
    sup = str(started.value)
    is_crash = lambda e: e.kind == "exited" and e.get("reason_kind") == "crash"  # noqa: E731
    fifth_crash = _nth(5, is_crash)
    end = _run_until_event(
        tracer, lambda e: (e.kind == "exited" and e.pid == sup) or fifth_crash(e)
    )
    crashes = sum(1 for e in tracer.history if is_crash(e))
    result.expect(
        end is not None and end.pid == sup and crashes == 4,
        "a doomed job crashing every 8 s: 4 crashes within 30 s, then it gave up (max_seconds=30)",
        f"a doomed job crashing every 8 s crashed {crashes} times and its supervisor "
        f"{'ended' if end is not None and end.pid == sup else 'kept restarting it'}: with "
        "Elixir's default max_seconds=5 no 4 restarts ever fit; the book sets max_seconds=30",
    )


def _start_under_runner(app: Jobber, supervisor_class: type[Any], args: dict[str, Any]) -> Any:
    with app.runtime.calling_process():
        return DynamicSupervisor.start_child(JOB_RUNNER, supervisor_class.child_spec(args))


def _check_contained(
    app: Jobber, tracer: Tracer, supervisor_class: type, result: CheckResult
) -> None:
    runner = app.job_runner
    started = _start_under_runner(app, supervisor_class, {"work": good_job(1), "id": "good"})
    if not isinstance(started, Ok):
        result.wrong(f"starting it under JobRunner returned {started!r}")
        return
    sup = str(started.value)
    done = _run_until_event(
        tracer,
        lambda e: (
            e.kind == JobEventKind.JOB_STATUS
            and e.get("job_id") == "good"
            and e.get("status") == JobStatus.DONE
        ),
    )
    if done is None:
        result.wrong("the good job never reported 'done': does init start a Job with args?")
        return
    # auto_shutdown ends it in the same instant; a second of runtime is a wide margin
    gone = _run_until_event(tracer, lambda e: e.kind == "exited" and e.pid == sup, 1.0)
    result.expect(
        gone is not None,
        "after the good job finished, its JobSupervisor ended too (nothing lingers)",
        f"its JobSupervisor still runs after the job ended: count_children(JobRunner) = "
        f"{app.count_children()} (make the Job significant, auto_shutdown='any_significant')",
    )
    started = _start_under_runner(app, supervisor_class, {"work": doomed_job(1)})
    if not isinstance(started, Ok):
        result.wrong(f"starting a doomed job returned {started!r}")
        return
    sup = str(started.value)
    ended = _run_until_event(tracer, lambda e: e.kind == "exited" and e.pid == sup)
    crashes = [e for e in tracer.history if e.kind == "exited" and e.get("reason_kind") == "crash"]
    result.expect(
        ended is not None and len(crashes) == 4,
        f"the doomed job ran 4 times, then its JobSupervisor gave up ({len(crashes)} crashes)",
        f"the doomed job crashed {len(crashes)} time(s) and its supervisor "
        f"{'ended' if ended else 'still runs'}: expected 4 crashes (1 + 3 restarts), then an end",
    )
    tracer.flush()
    result.expect(
        app.job_runner == runner,
        f"JobRunner kept its pid {runner}: the crash was contained",
        f"JobRunner changed from {runner} to {app.job_runner}: the crash escaped",
    )


WHAT_IF_RESTARTS = ("permanent", "transient", "temporary")
WHAT_IF_ENDINGS = ("doomed", "killed")

#: Why JobRunner did what it did, for the line of a wrong answer: (restart, restarted) -> why.
_WHAT_IF_WHY = {
    ("permanent", True): "a permanent child is restarted whatever its exit reason",
    ("transient", True): "a transient child is restarted after an abnormal exit, "
    "and :killed is one",
    ("transient", False): "for a transient child :normal, :shutdown and {:shutdown, _} are "
    "clean exits: a supervisor that gives up exits :shutdown",
    ("temporary", False): "a temporary child is never restarted, whatever its exit reason",
}


@_isolated
def check_restart_what_if(answers: dict[str, dict[str, bool]]) -> CheckResult:
    """Exercise 04.1: the JobSupervisor as permanent, transient or temporary, its job doomed
    (it gives up) or the JobSupervisor killed: does JobRunner start a new JobSupervisor?
    ``answers[restart][ending]`` is True (it does) or False (it lets it go); each of the six
    cases is run live on a fresh app."""
    result = CheckResult("what if the JobSupervisor were ...")
    if not isinstance(answers, dict):
        result.wrong(f"expected a dict of dicts of answers (True = restarted), got {answers!r}")
        return result
    for restart in WHAT_IF_RESTARTS:
        row = answers.get(restart)
        for ending in WHAT_IF_ENDINGS:
            said = row.get(ending) if isinstance(row, dict) else None
            case = f"{restart}, {ending}"
            if said is None or said is Ellipsis:
                result.wrong(f"{case}: no answer (True = JobRunner restarts it, False = not)")
                continue
            if not isinstance(said, bool):
                result.wrong(f"{case}: answer True or False, not {said!r}")
                continue
            restarted, reason = _runner_after(Restart(restart), ending)
            did = "JobRunner started a new one" if restarted else "JobRunner let it go"
            why = _WHAT_IF_WHY[(restart, restarted)]
            result.expect(
                said == restarted,
                f"{case}: it exited {reason}, {did}",
                f"{case}: you said JobRunner {'restarts it' if said else 'lets it go'}; it "
                f"exited {reason} and {did}: {why}",
            )
    return result


def _runner_after(restart: Restart, ending: str) -> tuple[bool, str]:
    """Live: a JobSupervisor with ``restart`` under a fresh JobRunner ends ``ending``; did
    JobRunner start another?  (Its exit reason, as Elixir prints it, comes too.)"""
    work = doomed_job() if ending == "doomed" else good_job(1000)
    with _runtime() as rt:
        app = Jobber(runtime=rt)
        try:
            with rt.calling_process():
                spec = JobSupervisor.child_spec({"work": work}, restart=restart)
                sup = DynamicSupervisor.start_child(JOB_RUNNER, spec).value  # type: ignore[union-attr]  # a failed start fails the check
                ref = otp.monitor(sup)
                if ending == "killed":
                    otp.exit(sup, KILL)
                down = _await(rt, _down_of(ref))
                # JobRunner got the EXIT before our DOWN: this call is answered after it acted
                active = DynamicSupervisor.count_children(JOB_RUNNER)["active"]
        finally:
            app.stop()
    reason = "(never)" if down is TIMEOUT else otp.format_reason(down[4])
    return active == 1, reason
