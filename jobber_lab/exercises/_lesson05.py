"""Notebook 05: start_job behind an import quota, with concurrent callers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from jobber_lab import otp
from jobber_lab.jobber import (
    Jobber,
    good_job,
)
from jobber_lab.otp import (
    TIMEOUT,
    Error,
    GenServer,
    Ok,
)

from ._common import (
    CheckResult,
    _await,
    _crash_text,
    _isolated,
    _runtime,
)

QUOTA_NAME = "Quota"
"""The name under which :func:`check_start_job` starts the answer's ``server``."""


@_isolated
def check_start_job(
    start_job: Callable[..., Any], quota: int = 3, *, server: Any = None
) -> CheckResult:
    """Exercise 05: ``start_job(app, **args)`` with an import quota of 3: only import jobs
    count against it, other jobs always start, and 20 callers at once never get more than 3
    imports running.  ``app`` is a Jobber whose own quota is switched off.

    ``server`` is the answer's ``Quota`` GenServer class, if it has one: the checker starts
    it, with the app as its init argument, under the name ``"Quota"`` in each fresh runtime
    (as the app's supervision tree would), so ``start_job`` can ``otp.call("Quota", ...)``.
    Every caller is a process of that runtime, as in Elixir.
    """
    result = CheckResult("start_job with an import quota")
    if not callable(start_job):
        result.wrong(f"expected a function start_job(app, **args), got {start_job!r}")
        return result
    if server is not None and not (isinstance(server, type) and issubclass(server, GenServer)):
        result.wrong(f"check_start_job(server): expected a GenServer class, got {server!r}")
        return result
    long = good_job(1000)
    with _quota_app(server, result) as app:
        if app is None:
            return result
        got = [
            _start_as_process(app, start_job, work=long, type="import") for _ in range(quota + 1)
        ]
        admitted = sum(isinstance(r, Ok) for r in got)
        result.expect(
            admitted == quota and isinstance(got[-1], Error),
            f"one at a time: {quota} imports started, the {quota + 1}th refused with {got[-1]!r}",
            f"one at a time: {admitted} of {quota + 1} imports started (expected {quota}, "
            f"the last refused); results: {got}",
        )
        other = _start_as_process(app, start_job, work=long, type="report")
        result.expect(
            isinstance(other, Ok),
            "a 'report' job still starts while the import quota is full",
            f"a 'report' job was refused while imports were full ({other!r}): the quota "
            "should only limit imports",
        )
    with _quota_app(server, result) as app:
        if app is None:
            return result
        _check_concurrent_callers(app, start_job, quota, result, long)
    with _quota_app(server, result) as app:
        if app is None:
            return result
        _check_quota_frees(app, start_job, quota, result)
    if any(":noproc" in text for good, text in result.lines if not good):
        result.wrong(
            f"start_job called a server that is not running (noproc): pass your GenServer "
            f"class as check_start_job(start_job, server=Quota), and call it as {QUOTA_NAME!r}"
        )
    return result


@contextmanager
def _quota_app(server: Any, result: CheckResult) -> Iterator[Jobber | None]:
    """A fresh runtime and quota-free Jobber, with the answer's ``server`` started in it
    (``None`` and a wrong line if it would not start)."""
    with _runtime() as rt:
        app = Jobber(runtime=rt, import_quota=1_000_000)
        try:
            if server is not None:
                with rt.calling_process():
                    started = _safe(server.start, app, name=QUOTA_NAME)
                if not isinstance(started, Ok):
                    result.wrong(
                        f"{server.__name__}.start(app, name={QUOTA_NAME!r}) -> {started!r}: "
                        "its init should return InitOk(state)"
                    )
                    yield None
                    return
            yield app
        finally:
            app.stop()


def _start_as_process(app: Jobber, start_job: Callable[..., Any], **args: Any) -> Any:
    """``start_job(app, **args)`` called by a process of the app's runtime."""
    with app.runtime.calling_process():
        return _safe(start_job, app, **args)


def _check_concurrent_callers(
    app: Jobber, start_job: Callable[..., Any], quota: int, result: CheckResult, work: Any
) -> None:
    """20 callers at the same instant, each a process of the runtime (as in Elixir).

    A check-then-start that is not serialised admits more: each caller counts, then waits in
    its ``start_child`` call, and the other callers run and count meanwhile, before any
    import has started.  On the BEAM that interleaving needs no second core, and simulated
    time keeps it: one process at a time, switching at each wait, in the same order on
    every run, so the wrong answer is caught whatever the machine's load.  One process
    spawns the callers: a spawn from outside the runtime returns only once the world is
    still again, so each caller would be done before the next began.
    """
    rt = app.runtime
    results: list[Any] = []
    with rt.test_process() as me:

        def caller() -> None:
            otp.send(me, ("started", _safe(start_job, app, work=work, type="import")))

        def launcher() -> None:
            refs = {otp.spawn_monitor(caller)[1] for _ in range(20)}
            while refs:
                down = otp.receive(lambda m: _down_of_any(m, refs))
                refs.discard(down[1])
                otp.send(me, ("ended", down[4]))

        otp.spawn(launcher)
        ended = 0
        while ended < 20:
            got = _await(rt, lambda m: type(m) is tuple and m[:1] in (("started",), ("ended",)))
            if got is TIMEOUT:
                results.append(f"only {ended} of the 20 callers ended")
                break
            if got[0] == "started":
                results.append(got[1])
            else:
                ended += 1
                if got[1] is not otp.NORMAL:
                    results.append(f"a caller exited {otp.format_reason(got[1])}")
    admitted = sum(isinstance(r, Ok) for r in results)
    failed = [r for r in results if not isinstance(r, Ok | Error)]
    result.expect(
        admitted == quota and not failed,
        f"20 callers at once: exactly {quota} imports admitted",
        f"20 callers at once: {admitted} imports admitted (quota {quota}): "
        + (
            f"{failed[0]}"
            if failed
            else "check-then-start is not atomic"
            if admitted > quota
            else "too few"
        ),
    )


def _down_of_any(message: Any, refs: set[otp.Ref]) -> bool:
    return otp.is_down(message) and message[1] in refs


def _check_quota_frees(
    app: Jobber, start_job: Callable[..., Any], quota: int, result: CheckResult
) -> None:
    """Imports that finished free their places: the typical wrong quota counts starts."""
    for _ in range(quota):
        _start_as_process(app, start_job, work=good_job(1), type="import")
    with app.runtime.calling_process():
        waited = 0.0
        while app.running_imports() and waited < 60:  # entries go as the jobs end (at 1 s)
            otp.sleep(0.5)
            waited += 0.5
    if app.running_imports():
        result.wrong(f"{quota} short imports never ended: {app.running_imports()}")
        return
    again = _start_as_process(app, start_job, work=good_job(1), type="import")
    result.expect(
        isinstance(again, Ok),
        f"after {quota} imports finished, a new import starts (the quota frees up)",
        f"after {quota} imports finished, a new import was refused ({again!r}): count the "
        "imports running now (running_imports()), not the ones ever started",
    )


def _safe(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except Exception as exc:
        return f"raised {_crash_text(exc)}"
