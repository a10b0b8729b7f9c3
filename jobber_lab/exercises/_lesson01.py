"""Notebook 01: a ping server, and how a linked partner's exit reason spreads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jobber_lab import otp
from jobber_lab.otp import (
    KILL,
    SHUTDOWN,
    TIMEOUT,
)

from ._common import (
    CheckResult,
    _await,
    _down_of,
    _isolated,
    _runtime,
)


@_isolated
def check_ping_server(body: Callable[[], Any]) -> CheckResult:
    """Exercise 01.1: ``body`` is a process that answers every ``("ping", sender)`` with
    ``"pong"`` and keeps running, even after a message it does not expect."""
    result = CheckResult("ping server")
    if not callable(body):
        result.wrong(f"expected a function to spawn, got {body!r}")
        return result
    with _runtime() as rt, rt.test_process() as me:
        pid, ref = otp.spawn_monitor(body)
        otp.send(pid, "hello?")  # a stray message first: it must not stop the server
        pongs = 0
        for _ in range(3):
            otp.send(pid, ("ping", me))
            got = _await(rt, lambda m: m == "pong" or _down_of(ref)(m), 5.0)
            if got == "pong":
                pongs += 1
            elif got is not TIMEOUT:
                how = otp.format_reason(got[4])
                result.wrong(f"the server ended ({how}) after {pongs} pong(s): it must loop")
                return result
        result.expect(
            pongs == 3,
            "three pings got three pongs",
            f"three pings got {pongs} pong(s): reply with otp.send(sender, 'pong') and loop",
        )
        result.expect(
            otp.is_alive(pid),
            "the server is still alive after them (it loops)",
            "the server stopped after answering: wrap the receive in `while True:`",
        )
    return result


def _linked_partner_kills(reason_name: str) -> bool:
    """Live: does a process that does not trap exits die when its linked partner ends so?"""
    how = {
        "normal": lambda: None,
        "shutdown": lambda: otp.exit(SHUTDOWN),
        "crash": lambda: (_ for _ in ()).throw(RuntimeError("Boom!")),
    }[reason_name]
    with _runtime() as rt, rt.test_process():

        def observer() -> None:
            otp.spawn_link(how)
            otp.sleep(5)

        _pid, ref = otp.spawn_monitor(observer)
        down = _await(rt, _down_of(ref))
        return down is not TIMEOUT and down[4] is not otp.NORMAL


def _kill_beats_trap_exit() -> bool:
    with _runtime() as rt, rt.test_process():

        def trapper() -> None:
            otp.trap_exit(True)
            otp.sleep(5)

        pid, ref = otp.spawn_monitor(trapper)
        otp.sleep(0.5)
        otp.exit(pid, KILL)
        down = _await(rt, _down_of(ref))
        return down is not TIMEOUT and down[4] is otp.KILLED


@_isolated
def check_exit_reasons(answers: dict[str, bool]) -> CheckResult:
    """Exercise 01.2: for each way a linked partner ends, does a process that does not trap
    exits die with it?  Keys ``normal``, ``shutdown``, ``crash``, and ``kill while trapping``
    (does ``exit(pid, KILL)`` kill a process that traps exits?).  Checked live."""
    result = CheckResult("exit reasons")
    if not isinstance(answers, dict):
        result.wrong(f"expected a dict of answers (True = it dies), got {answers!r}")
        return result
    truth = {name: _linked_partner_kills(name) for name in ("normal", "shutdown", "crash")}
    truth["kill while trapping"] = _kill_beats_trap_exit()
    for key, dies in truth.items():
        said = answers.get(key)
        fact = "dies" if dies else "lives on"
        if said is None or said is Ellipsis:
            result.wrong(f"{key!r}: no answer (True = it dies, False = it lives on)")
        elif not isinstance(said, bool):
            # "no" is truthy in Python: never guess what a non-bool answer means
            result.wrong(f"{key!r}: answer True or False, not {said!r}")
        else:
            result.expect(
                bool(said) == dies,
                f"{key!r}: it {fact} (measured just now)",
                f"{key!r}: you said it {'dies' if said else 'lives on'}, but it {fact}",
            )
    return result
