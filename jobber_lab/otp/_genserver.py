"""GenServer: OTP's client-server behaviour with explicit state (G1-G12).

Callbacks have OTP's shape and return small typed values that read like the
book's tuples::

    {:noreply, state, {:continue, :run}}   ->  NoReply(state, continue_="run")
    {:stop, :normal, state}                ->  Stop(NORMAL, state)

One loop (:func:`_loop`) handles every message kind; one function
(:func:`_handle_result`) turns every callback result into the next step, so
bad returns, stops and continues behave the same from every callback.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, ClassVar, NoReturn

from ._atoms import ALREADY_STARTED, BAD_RETURN_VALUE, INFINITY, KILL, NORMAL, TIMEOUT, Atom
from ._childspec import ChildSpec, child_spec
from ._crash_report import NO_MESSAGE, TerminateReport
from ._gen_client import _me, call, cast, reply, stop
from ._gen_terms import (
    _UNSET,
    GEN_CALL,
    GEN_CAST,
    GEN_STOP,
    NO_REPLY,
    Continue,
    From,
    InitError,
    InitOk,
    InitStop,
    NoReply,
    Reply,
    Stop,
    _action_of,
    _valid_action,
)
from ._pid import Pid
from ._process import Process, current_process
from ._results import (
    IGNORE,
    OK,
    ArgumentError,
    Crash,
    Error,
    ExitError,
    ExitSignal,
    Ok,
    OnStart,
    format_reason,
    is_clean,
)
from ._runtime import Runtime, _check_timeout, current_runtime
from ._signals import is_down, is_exit
from ._via import Via

# The reply and return terms (InitOk, Reply, ...) are listed in _gen_terms.__all__.
__all__ = [
    "GenServer",
    "call",
    "cast",
    "reply",
    "start",
    "start_link",
    "stop",
]

log = logging.getLogger("jobber_lab.otp.genserver")

_ACK = Atom("$ack")


# --------------------------------------------------------------- behaviour


class GenServer:
    """Subclass and override the callbacks you need; defaults are Elixir's ``use GenServer``.

    ``child_spec_overrides`` is Elixir's ``use GenServer, restart: :transient``:
    ``child_spec_overrides = {"restart": Restart.TRANSIENT}``.
    """

    child_spec_overrides: ClassVar[dict[str, Any]] = {}
    role: ClassVar[str] = "worker"

    def init(self, arg: Any) -> Any:
        return InitOk(arg)

    # The defaults are Elixir's: what they ignore is named with a leading underscore, as in
    # `def handle_call(msg, _from, state)` and `def terminate(_reason, _state)`.
    def handle_call(self, request: Any, _from: From, _state: Any) -> Any:
        raise RuntimeError(
            f"attempted to call GenServer {type(self).__name__} but no handle_call/3 clause "
            f"was provided (request: {request!r})"
        )

    def handle_cast(self, request: Any, _state: Any) -> Any:
        raise RuntimeError(
            f"attempted to cast GenServer {type(self).__name__} but no handle_cast/2 clause "
            f"was provided (request: {request!r})"
        )

    def handle_info(self, message: Any, state: Any) -> Any:
        log.error(
            "%s %s received unexpected message in handle_info/2: %r",
            type(self).__name__,
            _me(),
            message,
        )
        return NoReply(state)

    def handle_continue(self, arg: Any, _state: Any) -> Any:
        raise RuntimeError(
            f"{type(self).__name__} returned a continue but defines no handle_continue/2 "
            f"(arg: {arg!r})"
        )

    def terminate(self, _reason: Any, _state: Any) -> Any:
        return OK

    # Elixir's generated helpers -------------------------------------------

    @classmethod
    def start_link(cls, arg: Any = None, **options: Any) -> OnStart:
        """``GenServer.start_link(__MODULE__, arg, opts)``."""
        return start_link(cls, arg, **options)

    @classmethod
    def start(cls, arg: Any = None, **options: Any) -> OnStart:
        return start(cls, arg, **options)

    @classmethod
    def child_spec(cls, arg: Any = None, **overrides: Any) -> Any:
        """The default child spec: ``id=cls``, ``start=(cls.start_link, (arg,))``."""
        base = ChildSpec(id=cls, start=(cls.start_link, (arg,)), modules=(cls,))
        return child_spec(base, **{**cls.child_spec_overrides, **overrides})


# ----------------------------------------------------------------- starting

_START_OPTIONS = frozenset({"name", "timeout", "trap_exit"})


def start_link(module: Any, arg: Any = None, **options: Any) -> OnStart:
    """Start a server linked to the caller; blocks until ``init`` is done (G1, G2)."""
    return _start(module, arg, options, link=True)


def start(module: Any, arg: Any = None, **options: Any) -> OnStart:
    """Start a server without a link."""
    return _start(module, arg, options, link=False)


def _start(module: Any, arg: Any, options: dict[str, Any], *, link: bool) -> OnStart:
    server, name, timeout = _start_arguments(module, options)
    rt = current_runtime()
    with rt.calling_process() as caller:
        do_link = link and not caller.quiet
        pid, mref = rt.spawn(
            _server_main,
            server,
            arg,
            caller.pid,
            name,
            do_link,
            link=do_link,
            monitor=True,
            trap_exit=bool(options.get("trap_exit", False)),
            behaviour=getattr(server, "behaviour", None) or type(server).__name__,
            role=type(server).role,
        )
        msg = rt.receive(
            lambda m: (type(m) is tuple and m[0] is _ACK and m[1] == pid) or is_down(m, mref),
            timeout,
        )
        if msg is TIMEOUT:
            # proc_lib's kill_flush: unlink first, so the kill does not take the caller along.
            if do_link:
                rt.unlink(pid)
            rt.exit(pid, KILL)
            rt.receive(lambda m: is_down(m, mref))
            _flush_exit(rt, caller, pid)
            return Error(TIMEOUT)
        if is_down(msg, mref):  # died before acking (killed, or by a link)
            _flush_exit(rt, caller, pid)
            return Error(msg.reason)
        result: OnStart = msg[2]  # what init's ack carried
        if isinstance(result, Ok):
            rt.demonitor(mref, flush=True)
            return result
        # A failed start: wait until it is gone so the EXIT can be flushed (G2).
        rt.receive(lambda m: is_down(m, mref))
        _flush_exit(rt, caller, pid)
        return result


def _start_arguments(module: Any, options: dict[str, Any]) -> tuple[GenServer, Any, float | None]:
    """``start_link``'s arguments, checked before anything is spawned: the server object,
    its name, and how long to wait for ``init`` (None: forever)."""
    unknown = set(options) - _START_OPTIONS
    if unknown:
        raise TypeError(
            f"start_link: unknown option(s) {sorted(unknown)}; expected some of "
            f"{sorted(_START_OPTIONS)}"
        )
    if isinstance(module, type):
        if not issubclass(module, GenServer):
            raise TypeError(f"start_link(module): expected a GenServer subclass, got {module!r}")
        server = module()
    elif isinstance(module, GenServer):
        server = module
    else:
        raise TypeError(f"start_link(module): expected a GenServer subclass, got {module!r}")
    name = options.get("name")
    if name is not None and not isinstance(name, str | Atom | Via):
        raise TypeError(f"start_link(name): expected a str, an Atom or a via-name, got {name!r}")
    if isinstance(name, Via):
        _check_via(name)
    timeout = options.get("timeout")
    if timeout is not None and timeout is not INFINITY:
        timeout = _check_timeout("start_link", timeout)
    else:
        timeout = None
    return server, name, timeout


_VIA_CALLBACKS = ("register_name", "whereis_name", "unregister_name")


def _check_via(name: Via) -> None:
    """Elixir refuses a via name whose module cannot register, before anything is
    spawned: a half-started server with a name nobody can resolve helps no one."""
    missing = [f for f in _VIA_CALLBACKS if not callable(getattr(name.module, f, None))]
    if missing:
        raise ArgumentError(
            f"start_link(name): the via module {name.module!r} must define "
            f"{', '.join(_VIA_CALLBACKS)}; missing {', '.join(missing)}"
        )


def _flush_exit(rt: Runtime, caller: Process, pid: Pid) -> None:
    if caller.trap_exit:
        rt.receive(lambda m: is_exit(m, pid), 0)


def _ack(rt: Runtime, starter: Pid, result: Any) -> None:
    rt._deliver(starter, (_ACK, _me(), result))


def _register_name(rt: Runtime, name: Any, pid: Pid) -> Pid | None:
    """Register ``name`` for the new process; returns the holder's pid if it is taken."""
    if isinstance(name, Via):
        if name.module.register_name(name.name, pid):
            return None
        holder = name.module.whereis_name(name.name)
        return holder if isinstance(holder, Pid) else pid
    return rt.try_register(name, pid)


def _unregister_name(rt: Runtime, name: Any) -> None:
    if isinstance(name, Via):
        name.module.unregister_name(name.name)
    else:
        try:
            rt.unregister(name)
        except ValueError:
            pass


def _server_main(server: GenServer, arg: Any, starter: Pid, name: Any, linked: bool) -> None:
    proc = current_process()
    assert proc is not None
    rt = proc.runtime
    if name is not None:
        holder = _register_name(rt, name, proc.pid)
        if holder is not None:
            _ack(rt, starter, Error((ALREADY_STARTED, holder)))
            return  # exit normal; init never ran
    try:
        result = server.init(arg)
    except ExitSignal:
        raise
    except Exception as exc:
        _init_failed(rt, starter, name, Error(Crash(exc)), Crash(exc))
        return
    if isinstance(result, InitOk) and _valid_action(_action_of(result)):
        _ack(rt, starter, Ok(proc.pid))
        _loop(rt, proc, server, result.state, _action_of(result), starter if linked else None)
    elif result is IGNORE:
        _init_failed(rt, starter, name, IGNORE, NORMAL)
    elif isinstance(result, InitError):
        _init_failed(rt, starter, name, Error(result.reason), NORMAL)
    elif isinstance(result, InitStop):
        _init_failed(rt, starter, name, Error(result.reason), result.reason)
    else:
        bad = (BAD_RETURN_VALUE, result)
        _init_failed(rt, starter, name, Error(bad), bad)


def _init_failed(rt: Runtime, starter: Pid, name: Any, result: Any, reason: Any) -> None:
    """G2: no terminate; the name is free before start_link returns; then exit ``reason``."""
    if name is not None:
        _unregister_name(rt, name)
    _ack(rt, starter, result)
    if not is_clean(reason):
        log.error("GenServer %s failed to start: %s", _me(), format_reason(reason))
    raise ExitSignal(reason)


# ---------------------------------------------------------------- the loop


class _Last(threading.local):
    """The message the server on this thread is handling, and its caller: what the
    terminate report names (Elixir's ``Last message (from ...)``)."""

    message: Any = NO_MESSAGE
    client: Pid | None = None


_last = _Last()
_CONTINUE = Atom("continue")


def _loop(
    rt: Runtime, proc: Process, server: GenServer, state: Any, action: Any, parent: Pid | None
) -> None:
    last = _last
    last.message, last.client = NO_MESSAGE, None
    while True:
        if isinstance(action, Continue):
            last.message, last.client = (_CONTINUE, action.arg), None
            result = _callback(rt, server, state, server.handle_continue, action.arg, state)
            state, action = _handle_result(rt, server, state, result, None)
            continue
        timeout = action if isinstance(action, int | float) else None
        msg = rt._receive(proc, None, None if timeout is None else rt.now() + timeout)
        if msg is TIMEOUT and timeout is not None:
            last.message, last.client = TIMEOUT, None
            result = _callback(rt, server, state, server.handle_info, TIMEOUT, state)
            state, action = _handle_result(rt, server, state, result, None)
            continue
        kind = msg[0] if type(msg) is tuple and msg else None
        if kind is GEN_CALL:
            from_ = msg[1]
            last.message, last.client = msg[2], from_[0]
            result = _callback(rt, server, state, server.handle_call, msg[2], from_, state)
            state, action = _handle_result(rt, server, state, result, from_)
        elif kind is GEN_CAST:
            last.message, last.client = msg, None
            result = _callback(rt, server, state, server.handle_cast, msg[1], state)
            state, action = _handle_result(rt, server, state, result, None)
        elif kind is GEN_STOP:
            _terminate(rt, server, msg[1], state)
        elif parent is not None and proc.trap_exit and is_exit(msg, parent):
            _, _, reason = msg  # unpacked: a hand-sent {:EXIT, parent, reason} counts too
            _terminate(rt, server, reason, state)
        else:
            last.message, last.client = msg, None
            result = _callback(rt, server, state, server.handle_info, msg, state)
            state, action = _handle_result(rt, server, state, result, None)


def _callback(rt: Runtime, server: GenServer, state: Any, fn: Any, *args: Any) -> Any:
    """Run one callback; a raise terminates the server with ``Crash`` (G5), an uncaught
    exit (``ExitError``, e.g. a failed ``call``) with the exit's own reason, as in Elixir."""
    try:
        return fn(*args)
    except ExitSignal as signal:
        proc = current_process()
        if proc is not None and proc.alive:  # the callback called exit(reason) itself
            _terminate(rt, server, signal.reason, state)
        raise
    except ExitError as exc:  # e.g. a call that failed inside the callback: exit with it
        _terminate(rt, server, exc.reason, state)
    except Exception as exc:
        _terminate(rt, server, Crash(exc), state)


def _handle_result(
    rt: Runtime, server: GenServer, state: Any, result: Any, from_: From | None
) -> tuple[Any, Any]:
    """Turn a callback's result into (new state, next action), or stop (G5, G8)."""
    plain = type(result) is Reply and result.action is None and result.continue_ is _UNSET
    if plain and from_ is not None:  # the hot path: a plain {:reply, r, state}
        reply(from_, result.reply)
        return result.state, None
    if isinstance(result, Reply) and from_ is not None:
        action = _action_of(result)
        if _valid_action(action):
            reply(from_, result.reply)
            return result.state, action
    elif isinstance(result, NoReply):
        action = _action_of(result)
        if _valid_action(action):
            return result.state, action
    elif isinstance(result, Stop):
        _terminate(rt, server, result.reason, result.state, from_, result.reply)
    _terminate(rt, server, (BAD_RETURN_VALUE, result), state)


def _terminate(
    rt: Runtime,
    server: GenServer,
    reason: Any,
    state: Any,
    from_: From | None = None,
    reply_value: Any = NO_REPLY,
) -> NoReturn:
    """Run ``terminate`` first, then reply, then exit with ``reason`` (G8, G9).

    If ``terminate`` raises or exits, the server exits with that instead, but a
    ``Stop`` reply still reaches its caller first, as in ``gen_server.erl``.
    """
    try:
        server.terminate(reason, state)
    except ExitSignal as signal:
        proc = current_process()
        if proc is None or not proc.alive:
            raise  # killed from outside meanwhile: nobody to answer for
        reason = signal.reason  # terminate called exit(reason) itself
    except ExitError as exc:
        reason = exc.reason
    except Exception as exc:
        reason = Crash(exc)
    if from_ is not None and reply_value is not NO_REPLY:
        reply(from_, reply_value)
    if not is_clean(reason) and log.isEnabledFor(logging.ERROR):
        _log_terminate(rt, server, reason, state)
    raise ExitSignal(reason)


def _log_terminate(rt: Runtime, server: GenServer, reason: Any, state: Any) -> None:
    """Elixir's ``GenServer ... terminating`` report, as one structured record: the
    text reads like Elixir's, the parts are on ``record.report`` (G9)."""
    proc = current_process()
    assert proc is not None
    client = _last.client
    report = TerminateReport(
        server=proc.pid,
        name=proc.name,
        module=type(server).__name__,
        reason=reason,
        last_message=_last.message,
        client=client,
        client_alive=client is not None and rt.is_alive(client),
        state=state,
    )
    log.error("%s", report, extra={"report": report, "crash_reason": reason})
