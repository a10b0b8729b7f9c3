"""Applications (A1-A3): start a supervision tree, stop it, clean up after it.

Each running application has a *master* process, as in OTP: it calls the
app's ``start``, is linked to the top supervisor, and on stop sends it
``shutdown``, waits (no timeout) for the whole tree to go, calls ``stop``, then
kills whatever process the app left behind (every process inherits its
spawner's application) and reports any thread that will not end.
"""

from __future__ import annotations

import logging
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ._atoms import (
    ALREADY_STARTED,
    BAD_RETURN,
    DOWN,
    EXIT,
    KILL,
    NORMAL,
    NOT_STARTED,
    SHUTDOWN,
    Atom,
)
from ._events import EventKind
from ._pid import Pid
from ._process import current_process
from ._results import OK, Crash, Error, Ok, format_reason
from ._runtime import Runtime, current_runtime

__all__ = [
    "NORMAL_START",
    "TEMPORARY_APP",
    "Application",
    "app_start",
    "app_stop",
    "started_applications",
]

log = logging.getLogger("jobber_lab.otp.application")

TEMPORARY_APP = Atom("temporary")
"""The restart type of an application (``application:start(App, temporary)``)."""
NORMAL_START = NORMAL
"""The start type ``start(start_type, args)`` receives: ``:normal`` (takeover and failover
are distribution, out of scope), whatever the restart type."""
_STOP = Atom("$app_stop")
_STARTED = Atom("$app_started")


class Application:
    """Subclass and define ``start(start_type, args)`` returning ``Ok(top_supervisor_pid)``
    (or ``Ok(pid, state)``); optionally ``prep_stop(state)`` and ``stop(state)``."""

    name: ClassVar[str | None] = None
    dependencies: ClassVar[tuple[str, ...]] = ()

    def start(self, start_type: Any, args: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.start(start_type, args)")

    def prep_stop(self, state: Any) -> Any:
        return state

    def stop(self, _state: Any) -> Any:  # Elixir's default: def stop(_state), do: :ok
        return OK

    @classmethod
    def app_name(cls) -> str:
        return cls.name or cls.__name__


_running: weakref.WeakKeyDictionary[Runtime, dict[str, Pid]] = weakref.WeakKeyDictionary()
_running_lock = threading.Lock()


@dataclass
class _Starting:
    """An application being started: later callers wait for the same answer, as OTP's
    application controller queues them (``start_req``) instead of starting twice."""

    waiters: list[Pid] = field(default_factory=list)


_ANSWER = Atom("$app_start_answer")


_starting: weakref.WeakKeyDictionary[Runtime, dict[str, _Starting]] = weakref.WeakKeyDictionary()


def started_applications(runtime: Runtime | None = None) -> list[str]:
    rt = runtime or current_runtime()
    with _running_lock:
        return [n for n, pid in _running.get(rt, {}).items() if rt.is_alive(pid)]


def app_start(
    app: Application,
    # Accepted (and passed by name) as in OTP; every type behaves as temporary here (A3).
    restart_type: Any = TEMPORARY_APP,  # noqa: ARG001
    args: Any = None,
) -> Any:
    """Start ``app`` (A1): ``OK``, ``Error((ALREADY_STARTED, name))``, ``Error((NOT_STARTED,
    dep))`` or the wrapped error of its ``start``, which receives ``(NORMAL_START, args)``.
    Every ``restart_type`` behaves as ``TEMPORARY_APP`` (A3: the others stop the node).

    A caller that arrives while the same app is starting waits and gets the same answer;
    the start callback runs once.
    """
    if not isinstance(app, Application):
        raise TypeError(f"app_start(app): expected an Application instance, got {app!r}")
    rt = current_runtime()
    name = app.app_name()
    with rt.calling_process() as caller:
        with _running_lock:
            running = _running.setdefault(rt, {})
            starting = _starting.setdefault(rt, {})
            pending = starting.get(name)
            if pending is not None:
                pending.waiters.append(caller.pid)
            else:
                holder = running.get(name)
                if holder is not None and rt.is_alive(holder):
                    return Error((ALREADY_STARTED, name))
                for dep in app.dependencies:
                    dep_pid = running.get(dep)
                    if dep_pid is None or not rt.is_alive(dep_pid):
                        return Error((NOT_STARTED, dep))
                mine = starting[name] = _Starting()
        if pending is not None:
            return _await_answer(rt, name)
        return _start_once(rt, app, name, args, mine)


def _await_answer(rt: Runtime, name: str) -> Any:
    """A second caller: a runtime wait (so the clock sees it) for the first one's answer."""
    msg = rt.receive(
        lambda m: type(m) is tuple and len(m) == 3 and m[0] is _ANSWER and m[1] == name
    )
    return msg[2]


def _start_once(rt: Runtime, app: Application, name: str, args: Any, mine: _Starting) -> Any:
    """Run the start, record the master, and hand the answer to everyone who waited."""
    result: Any = Error((Atom("start_interrupted"), name))
    try:
        outcome = _start_master(rt, app, args)
        if isinstance(outcome, tuple):
            result, master = outcome
            with _running_lock:
                _running[rt][name] = master
        else:
            result = outcome
    finally:
        with _running_lock:
            _starting[rt].pop(name, None)
            waiters = list(mine.waiters)
        for waiter in waiters:
            rt.send(waiter, (_ANSWER, name, result))
    return result


def _start_master(rt: Runtime, app: Application, args: Any) -> Any:
    """Spawn the master and wait for its answer: ``(OK, master)`` or an error value."""
    with rt.calling_process() as caller:
        master = rt.spawn(
            _master,
            app,
            NORMAL_START,
            args,
            caller.pid,
            behaviour="ApplicationMaster",
            role="application",
            name=None,
        )
        ref = rt.monitor(master)
        msg = rt.receive(
            lambda m: (
                type(m) is tuple
                and ((m[0] is _STARTED and m[1] == master) or (m[0] is DOWN and m[1] is ref))
            )
        )
        rt.demonitor(ref, flush=True)
    if msg[0] is not _STARTED:
        return Error(msg[4])
    return (OK, master) if msg[2] is OK else msg[2]


def app_stop(app: Application | str) -> Any:
    """Stop an application (A2) and wait until its tree and strays are gone."""
    rt = current_runtime()
    name = app if isinstance(app, str) else app.app_name()
    with _running_lock:
        master = _running.get(rt, {}).get(name)
    if master is None or not rt.is_alive(master):
        return Error((NOT_STARTED, name))
    with rt.calling_process():
        ref = rt.monitor(master)
        rt.send(master, (_STOP,))
        rt.receive(lambda m: type(m) is tuple and m[0] is DOWN and m[1] is ref)
    with _running_lock:
        if _running.get(rt, {}).get(name) == master:
            del _running[rt][name]
    return OK


def _master(app: Application, start_type: Any, args: Any, starter: Pid) -> None:
    proc = current_process()
    assert proc is not None
    rt = proc.runtime
    proc.group = proc.pid
    rt.trap_exit(True)
    name = app.app_name()
    where = (type(app).__name__, "start", [start_type, args])
    try:
        result = app.start(start_type, args)
    except Exception as exc:
        result = Crash(exc)
    if isinstance(result, Ok) and isinstance(result.value, Pid):
        top, state = result.value, (result.info if result.info is not None else [])
    else:
        if isinstance(result, Error):
            error = Error((result.reason, where))
        else:
            error = Error((BAD_RETURN, (where, result)))
        rt.send(starter, (_STARTED, proc.pid, error))
        _kill_strays(rt, proc.pid)
        return
    rt.emit(EventKind.APP_STARTED, top, app=name)
    rt.send(starter, (_STARTED, proc.pid, OK))
    msg = rt.receive(
        lambda m: type(m) is tuple and (m[0] is _STOP or (m[0] is EXIT and m[1] == top))
    )
    if msg[0] is _STOP:
        state = app.prep_stop(state)
        rt.exit(top, SHUTDOWN)
        rt.receive(lambda m: type(m) is tuple and m[0] is EXIT and m[1] == top)
        reason: Any = "stopped"
    else:  # A3: the top supervisor died on its own
        reason = msg[2]
        state = app.prep_stop(state)
        log.info("application %s exited: %s (type: temporary)", name, format_reason(reason))
    try:
        app.stop(state)
    except Exception:
        log.exception("application %s: stop/1 raised", name)
    _kill_strays(rt, proc.pid)
    rt.emit(
        EventKind.APP_STOPPED,
        top,
        app=name,
        reason=reason if isinstance(reason, str) else format_reason(reason),
    )


def _kill_strays(rt: Runtime, group: Pid) -> None:
    """Kill every process still tagged with this application (A2's ``kill_all_procs``)."""
    me = current_process()
    strays = [
        pid
        for pid in rt.processes()
        if (p := rt.process(pid)) is not None and p.group == group and p is not me
    ]
    if not strays:
        return
    log.warning("application left %d process(es) behind; killing %s", len(strays), strays)
    refs = {rt.monitor(pid) for pid in strays}
    for pid in strays:
        rt.exit(pid, KILL)
    while refs:
        msg = rt.receive(lambda m: type(m) is tuple and m[0] is DOWN and m[1] in refs)
        refs.discard(msg[1])
