"""Ported from erlang/otp lib/stdlib/test/supervisor_SUITE.erl: the @000c3366 copy
(2014), plus the cases only a newer copy has (OTP 24+, marked below).

The groups ported: ``sup_start``, ``sup_start_map``, ``sup_stop``, child administration
and child-spec / flag validation (``child_adm``, ``extra_return``, ``child_specs``,
``sup_flags``), ``normal_termination``, ``shutdown_termination``,
``abnormal_termination``, the restart groups for ``one_for_one``, ``one_for_all`` and
``rest_for_one``, ``multiple_restarts``, ``temporary_bystander``, the restart loops
(``hanging_restart_loop``, ``hanging_restart_loop_rest_for_one``), ``tree``,
``order_of_children``, ``do_not_save_child_specs_for_temporary_children`` and the
``significant`` group (auto_shutdown).  OTP's millisecond figures are runtime seconds
here (``1000`` -> ``1.0``), flags are keywords of :func:`supervisor_init`, and the
SUITE's ``supervisor_1`` / ``supervisor_3`` / ``supervisor_deadlock`` children live in
``conformance_support`` or below.

Not ported (no such feature): ``simple_one_for_one`` (every ``*_simple`` case and the
``restart_simple_one_for_one`` group: DynamicSupervisor is this port's dynamic
supervisor), ``get_childspec``, ``check_childspecs``, ``code_change*``, ``sys``-based and
memory/scaling cases, ``{global, _}`` names (``simple_global_supervisor``),
``faulty_application_shutdown`` (an .app file), ``child_unlink`` (a child that unlinks
from its supervisor) and the logger-format cases (``format_log_*``).
"""

from __future__ import annotations

from typing import Any

import pytest
from conformance_support import (
    Once,
    Sup1Child,
    assert_receive,
    check_exit,
    check_exit_reason,
    counts,
    refute_receive,
    sup1_spec,
    sup1_start_child,
    sup1_start_child_error,
    sup1_start_child_ignore,
    terminate,
)

from jobber_lab.otp import (
    ALREADY_PRESENT,
    ALREADY_STARTED,
    BAD_RETURN,
    BRUTAL_KILL,
    DOWN,
    DUPLICATE_CHILD_NAME,
    EXIT,
    IGNORE,
    INFINITY,
    INVALID_CHILD_TYPE,
    INVALID_MFA,
    INVALID_RESTART_TYPE,
    INVALID_SHUTDOWN,
    KILLED,
    MISSING_ID,
    MISSING_START,
    NOPROC,
    NORMAL,
    NOT_FOUND,
    OK,
    RESTARTING,
    RUNNING,
    SHUTDOWN,
    START_SPEC,
    SUPERVISOR_DATA,
    UNDEFINED,
    Atom,
    AutoShutdown,
    ChildType,
    Crash,
    Error,
    ExitError,
    InitOk,
    InitStop,
    Ok,
    Pid,
    Restart,
    Strategy,
    Supervisor,
    delete_child,
    exit,
    is_alive,
    link,
    monitor,
    receive,
    restart_child,
    send,
    sleep,
    spawn_link,
    start_child,
    supervisor_init,
    terminate_child,
    unlink,
    whereis,
    which_children,
)
from jobber_lab.otp import self as self_pid

SUP = "sup_test"
ONE_FOR_ONE = Strategy.ONE_FOR_ONE
WORKER = ChildType.WORKER
SUPERVISOR = ChildType.SUPERVISOR


class SuiteSup(Supervisor):
    """The SUITE's own callback module: ``init(fail)`` crashes, anything else is returned."""

    def init(self, arg: Any) -> Any:
        if arg == "fail":
            raise RuntimeError("{badmatch, 2}")
        return arg


def flags(strategy: Any = ONE_FOR_ONE, intensity: int = 2, period: float = 3600, children=()):
    """``{ok, {{Strategy, Intensity, Period}, Children}}``."""
    return supervisor_init(
        list(children), strategy=strategy, max_restarts=intensity, max_seconds=period
    )


def start_link(init_result: Any) -> Any:
    """``supervisor:start_link({local, sup_test}, ?MODULE, InitResult)``."""
    return SuiteSup.start_link(init_result, name=SUP)


def started(init_result: Any) -> Pid:
    result = start_link(init_result)
    assert isinstance(result, Ok), result
    return result.value


def stop_sup(pid: Pid) -> None:
    """The SUITE's ``terminate(Pid, shutdown)``: a shutdown signal, then the DOWN."""
    ref = monitor(pid)
    exit(pid, SHUTDOWN)
    assert assert_receive((DOWN, ref, ..., ..., ...))[4] is SHUTDOWN


def row(child_id: Any, pid: Any, kind: ChildType = WORKER) -> tuple[Any, Any, Any, Any]:
    """A which_children row for a supervisor_1 child (modules default to its start fn)."""
    return (child_id, pid, kind, (sup1_start_child,))


# ------------------------------------------------------------------ sup_start


def test_sup_start_normal(tme) -> None:
    """supervisor_SUITE.erl, sup_start_normal: starts, and stops on shutdown."""
    pid = started(flags())
    stop_sup(pid)


def test_sup_start_ignore_init(tme) -> None:
    """supervisor_SUITE.erl, sup_start_ignore_init: init returning ignore.  The 2014
    SUITE then finds ``{'EXIT', _, normal}``; since OTP 26 proc_lib flushes that EXIT
    from a trapping starter, and so does this port."""
    assert start_link(IGNORE) is IGNORE
    refute_receive((EXIT, ..., ...))


def test_sup_start_ignore_child(tme) -> None:
    """supervisor_SUITE.erl, sup_start_ignore_child: an ignored child keeps its spec."""
    started(flags())
    child1 = sup1_spec("child1", (sup1_start_child_ignore, (Once(),)), modules=())
    child2 = sup1_spec("child2", modules=())
    assert start_child(SUP, child1) == Ok(UNDEFINED)
    result = start_child(SUP, child2)
    cpid2 = result.value
    assert which_children(SUP) == [
        ("child2", cpid2, WORKER, ()),
        ("child1", UNDEFINED, WORKER, ()),
    ]
    assert counts(SUP) == [2, 1, 0, 2]


def test_sup_start_ignore_temporary_child(tme) -> None:
    """supervisor_SUITE.erl, sup_start_ignore_temporary_child: spec NOT saved at init."""
    temp = Restart.TEMPORARY
    child1 = sup1_spec("child1", (sup1_start_child_ignore, (Once(),)), restart=temp)
    child2 = sup1_spec("child2", restart=temp)
    started(flags(children=[child1, child2]))
    [(child_id, cpid2, kind, _)] = which_children(SUP)
    assert (child_id, kind) == ("child2", WORKER) and isinstance(cpid2, Pid)
    assert counts(SUP) == [1, 1, 0, 1]


def test_sup_start_ignore_temporary_child_start_child(tme) -> None:
    """supervisor_SUITE.erl, sup_start_ignore_temporary_child_start_child."""
    started(flags())
    temp = Restart.TEMPORARY
    child1 = sup1_spec("child1", (sup1_start_child_ignore, (Once(),)), restart=temp)
    child2 = sup1_spec("child2", restart=temp)
    assert start_child(SUP, child1) == Ok(UNDEFINED)
    cpid2 = start_child(SUP, child2).value
    assert which_children(SUP) == [row("child2", cpid2)]
    assert counts(SUP) == [1, 1, 0, 1]


def test_sup_start_error_return(tme) -> None:
    """supervisor_SUITE.erl, sup_start_error_return: init returns garbage."""
    result = start_link("invalid")
    assert isinstance(result, Error)
    assert result.reason[0] is BAD_RETURN and result.reason[1][1:] == ("init", "invalid")
    refute_receive((EXIT, ..., ...))  # flushed by start_link, as in OTP 26+


def test_sup_start_fail(tme) -> None:
    """supervisor_SUITE.erl, sup_start_fail: init raises."""
    result = start_link("fail")
    assert isinstance(result, Error) and isinstance(result.reason, Crash)
    refute_receive((EXIT, ..., ...))  # flushed by start_link, as in OTP 26+


# -------------------------------------------------------------- sup_start_map


def test_sup_start_map(tme) -> None:
    """supervisor_SUITE.erl, sup_start_map: spec maps with defaults (seen through
    which_children: this port has no get_childspec)."""
    child1 = {"id": "child1", "start": (sup1_start_child, ())}
    child2 = {"id": "child2", "start": (sup1_start_child, ()), "shutdown": BRUTAL_KILL}
    child3 = {"id": "child3", "start": (sup1_start_child, ()), "type": SUPERVISOR}
    pid = started(supervisor_init([child1, child2, child3], strategy=ONE_FOR_ONE))
    rows = which_children(pid)
    assert [(r[0], r[2], r[3]) for r in rows] == [
        ("child3", SUPERVISOR, (sup1_start_child,)),
        ("child2", WORKER, (sup1_start_child,)),
        ("child1", WORKER, (sup1_start_child,)),
    ]
    stop_sup(pid)


def test_sup_start_map_faulty_specs(tme) -> None:
    """supervisor_SUITE.erl, sup_start_map_faulty_specs."""
    child1 = {"start": (sup1_start_child, ())}
    child2 = {"id": "child2"}
    assert start_link(supervisor_init([child1], strategy=ONE_FOR_ONE)) == Error(
        (START_SPEC, MISSING_ID)
    )
    assert start_link(supervisor_init([child2], strategy=ONE_FOR_ONE)) == Error(
        (START_SPEC, MISSING_START)
    )
    assert start_link(supervisor_init(["child4"], strategy=ONE_FOR_ONE)) == Error(
        (START_SPEC, (Atom("invalid_child_spec"), "child4"))
    )


def test_sup_start_map_faulty_specs_silly_flag_is_rejected(tme) -> None:
    """supervisor_SUITE.erl, sup_start_map_faulty_specs (``silly_flag => true``): OTP
    ignores an unknown key in a spec map; this port rejects it (a typo must not pass)."""
    child3 = {"id": "child3", "start": (sup1_start_child, ()), "silly_flag": True}
    result = start_link(supervisor_init([child3], strategy=ONE_FOR_ONE))
    assert result == Error((START_SPEC, (Atom("invalid_child_spec"), ["silly_flag"])))


# ------------------------------------------------------------------- sup_stop


def test_sup_stop_infinity(tme) -> None:
    """supervisor_SUITE.erl, sup_stop_infinity: infinity for a supervisor and a worker."""
    pid = started(flags())
    child1 = sup1_spec("child1", shutdown=INFINITY, type=SUPERVISOR)
    child2 = sup1_spec("child2", shutdown=INFINITY)
    cpid1 = start_child(SUP, child1).value
    cpid2 = start_child(SUP, child2).value
    link(cpid1)
    link(cpid2)
    stop_sup(pid)
    check_exit_reason(cpid1, SHUTDOWN)
    check_exit_reason(cpid2, SHUTDOWN)


def test_sup_stop_timeout(tme) -> None:
    """supervisor_SUITE.erl, sup_stop_timeout: a child stuck in a sleep is killed."""
    pid = started(flags())
    cpid1 = start_child(SUP, sup1_spec("child1")).value
    link(cpid1)
    cpid2 = start_child(SUP, sup1_spec("child2")).value
    link(cpid2)
    send(cpid2, ("sleep", 200.0))
    stop_sup(pid)
    check_exit_reason(cpid1, SHUTDOWN)
    check_exit_reason(cpid2, KILLED)


def test_sup_stop_brutal_kill(tme) -> None:
    """supervisor_SUITE.erl, sup_stop_brutal_kill."""
    pid = started(flags())
    cpid1 = start_child(SUP, sup1_spec("child1")).value
    link(cpid1)
    cpid2 = start_child(SUP, sup1_spec("child2", shutdown=BRUTAL_KILL)).value
    link(cpid2)
    stop_sup(pid)
    check_exit_reason(cpid1, SHUTDOWN)
    check_exit_reason(cpid2, KILLED)


# ------------------------------------------------- child administration, specs


def test_extra_return(tme) -> None:
    """supervisor_SUITE.erl, extra_return: ``{ok, Pid, Info}`` passes through."""
    child = sup1_spec("child1", (sup1_start_child, ("extra_return",)), modules=())
    started(flags(children=[child]))
    [(cid, cpid, kind, mods)] = which_children(SUP)
    assert (cid, kind, mods) == ("child1", WORKER, ())
    link(cpid)
    assert terminate_child(SUP, "hej") == Error(NOT_FOUND)
    assert delete_child(SUP, "hej") == Error(NOT_FOUND)
    assert restart_child(SUP, "hej") == Error(NOT_FOUND)
    assert delete_child(SUP, "child1") == Error(RUNNING)
    assert restart_child(SUP, "child1") == Error(RUNNING)
    assert counts(SUP) == [1, 1, 0, 1]
    assert terminate_child(SUP, "child1") is OK
    check_exit_reason(cpid, SHUTDOWN)
    assert which_children(SUP) == [("child1", UNDEFINED, WORKER, ())]
    assert counts(SUP) == [1, 0, 0, 1]
    result = restart_child(SUP, "child1")
    assert isinstance(result, Ok), result  # the Info: see the test below
    assert counts(SUP) == [1, 1, 0, 1]
    assert terminate_child(SUP, "child1") is OK
    assert terminate_child(SUP, "child1") is OK
    assert delete_child(SUP, "child1") is OK
    assert restart_child(SUP, "child1") == Error(NOT_FOUND)
    assert which_children(SUP) == [] and counts(SUP) == [0, 0, 0, 0]
    result = start_child(SUP, child)
    assert isinstance(result, Ok) and result.info == "extra_return"
    assert counts(SUP) == [1, 1, 0, 1]


def test_extra_return_restart_child_keeps_the_info(tme) -> None:
    """supervisor_SUITE.erl, extra_return: ``{ok, CPid2, extra_return} =
    restart_child(...)``; restart_child must hand back the start function's Info."""
    child = sup1_spec("child1", (sup1_start_child, ("extra_return",)))
    started(flags(children=[child]))
    assert terminate_child(SUP, "child1") is OK
    result = restart_child(SUP, "child1")
    assert isinstance(result, Ok) and result.info == "extra_return", result


def test_child_adm(tme) -> None:
    """supervisor_SUITE.erl, child_adm: start/terminate/restart/delete/which/count."""
    child = sup1_spec("child1", modules=())
    started(flags(children=[child]))
    [(cid, cpid, kind, mods)] = which_children(SUP)
    assert (cid, kind, mods) == ("child1", WORKER, ())
    assert counts(SUP) == [1, 1, 0, 1]
    link(cpid)
    assert start_child(SUP, child) == Error((ALREADY_STARTED, cpid))
    assert terminate_child(SUP, "hej") == Error(NOT_FOUND)
    with pytest.raises(ExitError) as info:
        terminate_child("foo", "child1")
    assert info.value.reason[0] is NOPROC
    assert terminate_child(SUP, "child1") is OK
    check_exit_reason(cpid, SHUTDOWN)
    assert which_children(SUP) == [("child1", UNDEFINED, WORKER, ())]
    assert counts(SUP) == [1, 0, 0, 1]
    assert terminate_child(SUP, "child1") is OK  # like deleting what is not there
    assert start_child(SUP, child) == Error(ALREADY_PRESENT)
    cpid2 = restart_child(SUP, "child1").value
    assert which_children(SUP) == [("child1", cpid2, WORKER, ())]
    assert restart_child(SUP, "child1") == Error(RUNNING)
    assert restart_child(SUP, "child2") == Error(NOT_FOUND)
    assert delete_child(SUP, "child1") == Error(RUNNING)
    assert delete_child(SUP, "hej") == Error(NOT_FOUND)
    assert terminate_child(SUP, "child1") is OK
    assert delete_child(SUP, "child1") is OK
    assert restart_child(SUP, "child1") == Error(NOT_FOUND)
    assert which_children(SUP) == [] and counts(SUP) == [0, 0, 0, 0]
    with pytest.raises(ExitError) as info:
        start_child("foo", child)
    assert info.value.reason[0] is NOPROC
    cpid3 = start_child(SUP, child).value
    assert terminate_child(SUP, cpid3) == Error(NOT_FOUND)  # a pid is no id here
    assert which_children(SUP) == [("child1", cpid3, WORKER, ())]
    for fn in (which_children, lambda s: counts(s)):
        with pytest.raises(ExitError) as info:
            fn("foo")
        assert info.value.reason[0] is NOPROC


def test_child_specs(tme) -> None:
    """supervisor_SUITE.erl, child_specs: bad specs are returned as errors."""
    pid = started(flags())
    assert isinstance(start_child(SUP, "hej"), Error)
    mfa = (sup1_start_child, ())
    bad = {
        "b1": ({"id": "child", "start": "mfa"}, (INVALID_MFA, "mfa")),
        "b2": ({"id": "child", "start": mfa, "restart": "prmanent"}, None),
        "b3": ({"id": "child", "start": mfa, "shutdown": -10}, (INVALID_SHUTDOWN, -10)),
        "b4": ({"id": "child", "start": mfa, "type": "wrker"}, None),
    }
    assert start_child(SUP, bad["b1"][0]) == Error(bad["b1"][1])
    assert start_child(SUP, bad["b2"][0]) == Error((INVALID_RESTART_TYPE, "prmanent"))
    assert start_child(SUP, bad["b3"][0]) == Error(bad["b3"][1])
    assert start_child(SUP, bad["b4"][0]) == Error((INVALID_CHILD_TYPE, "wrker"))
    assert which_children(SUP) == []
    stop_sup(pid)
    assert start_link(flags(children=[bad["b1"][0]])) == Error((START_SPEC, (INVALID_MFA, "mfa")))
    assert start_link(flags(children=[bad["b2"][0]])) == Error(
        (START_SPEC, (INVALID_RESTART_TYPE, "prmanent"))
    )


def test_child_specs_correct_specs_are_accepted(tme) -> None:
    """supervisor_SUITE.erl, child_specs (C1-C5): the correct specs start."""
    started(flags())
    good = [
        sup1_spec("c1", shutdown=INFINITY, type=SUPERVISOR),
        sup1_spec("c2", type=SUPERVISOR),
        sup1_spec("c3", restart=Restart.TEMPORARY, modules="dynamic"),
        sup1_spec("c4", restart=Restart.TRANSIENT, modules=(Sup1Child,)),
        sup1_spec("c5", shutdown=INFINITY, modules=(Sup1Child,)),
    ]
    for spec in good:
        assert isinstance(start_child(SUP, spec), Ok), spec
    assert counts(SUP) == [5, 5, 2, 3]


def test_child_specs_duplicate_child_name(tme) -> None:
    """supervisor_SUITE.erl, child_specs (``{duplicate_child_name, child}``), through
    init: this port has no check_childspecs."""
    c1 = sup1_spec("child", shutdown=INFINITY, type=SUPERVISOR)
    c2 = sup1_spec("child", type=SUPERVISOR)
    assert start_link(flags(children=[c1, c2])) == Error(
        (START_SPEC, (DUPLICATE_CHILD_NAME, "child"))
    )


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"strategy": "none_for_one"}, "invalid_strategy"),
        ({"strategy": ONE_FOR_ONE, "max_restarts": INFINITY}, "invalid_intensity"),
        ({"strategy": ONE_FOR_ONE, "max_seconds": 0}, "invalid_period"),
        ({"strategy": ONE_FOR_ONE, "max_seconds": INFINITY}, "invalid_period"),
    ],
)
def test_sup_flags(tme, options, error) -> None:
    """supervisor_SUITE.erl, sup_flags: bad flags are ``{supervisor_data, ...}`` errors."""
    result = start_link(supervisor_init([], **options))
    assert isinstance(result, Error), result
    assert result.reason[0] is SUPERVISOR_DATA and result.reason[1][0] is Atom(error)


def test_sup_flags_unexpected_flag(tme) -> None:
    """supervisor_SUITE.erl, sup_flags (``#{silly_flag => true}`` is ignored): flags are
    keyword arguments here, so an unknown one is a TypeError at the call."""
    with pytest.raises(TypeError):
        supervisor_init([], strategy=ONE_FOR_ONE, silly_flag=True)  # type: ignore[call-arg]


# ------------------------------------------ normal / shutdown / abnormal groups


def _restarted(child_id: str) -> Pid:
    [(cid, pid, kind, _)] = which_children(SUP)
    assert (cid, kind) == (child_id, WORKER) and isinstance(pid, Pid), (cid, pid)
    assert counts(SUP) == [1, 1, 0, 1]
    return pid


def test_permanent_normal(tme) -> None:
    """supervisor_SUITE.erl, permanent_normal: a permanent child is always restarted."""
    sup = started(flags())
    cpid1 = start_child(SUP, sup1_spec("child1")).value
    terminate(sup, cpid1, "child1", "normal")
    _restarted("child1")


def test_transient_normal(tme) -> None:
    """supervisor_SUITE.erl, transient_normal: not restarted after ``normal``."""
    sup = started(flags())
    cpid1 = start_child(SUP, sup1_spec("child1", restart=Restart.TRANSIENT)).value
    terminate(sup, cpid1, "child1", "normal")
    assert [(c[0], c[1]) for c in which_children(SUP)] == [("child1", UNDEFINED)]
    assert counts(SUP) == [1, 0, 0, 1]


def test_temporary_normal(tme) -> None:
    """supervisor_SUITE.erl, temporary_normal: never restarted, spec dropped."""
    sup = started(flags())
    cpid1 = start_child(SUP, sup1_spec("child1", restart=Restart.TEMPORARY)).value
    terminate(sup, cpid1, "child1", "normal")
    assert which_children(SUP) == [] and counts(SUP) == [0, 0, 0, 0]


def test_permanent_shutdown(tme) -> None:
    """supervisor_SUITE.erl, permanent_shutdown: restarted after shutdown and
    ``{shutdown, Term}``."""
    sup = started(flags())
    cpid1 = start_child(SUP, sup1_spec("child1")).value
    terminate(sup, cpid1, "child1", SHUTDOWN)
    cpid2 = _restarted("child1")
    terminate(sup, cpid2, "child1", (SHUTDOWN, "some_info"))
    assert _restarted("child1") != cpid2


def test_transient_shutdown(tme) -> None:
    """supervisor_SUITE.erl, transient_shutdown: not restarted after a shutdown reason."""
    sup = started(flags())
    cpid1 = start_child(SUP, sup1_spec("child1", restart=Restart.TRANSIENT)).value
    terminate(sup, cpid1, "child1", SHUTDOWN)
    assert [(c[0], c[1]) for c in which_children(SUP)] == [("child1", UNDEFINED)]
    assert counts(SUP) == [1, 0, 0, 1]
    cpid2 = restart_child(SUP, "child1").value
    terminate(sup, cpid2, "child1", (SHUTDOWN, "some_info"))
    assert [(c[0], c[1]) for c in which_children(SUP)] == [("child1", UNDEFINED)]
    assert counts(SUP) == [1, 0, 0, 1]


def test_temporary_shutdown(tme) -> None:
    """supervisor_SUITE.erl, temporary_shutdown."""
    sup = started(flags())
    spec = sup1_spec("child1", restart=Restart.TEMPORARY)
    cpid1 = start_child(SUP, spec).value
    terminate(sup, cpid1, "child1", SHUTDOWN)
    assert which_children(SUP) == [] and counts(SUP) == [0, 0, 0, 0]
    cpid2 = start_child(SUP, spec).value
    terminate(sup, cpid2, "child1", (SHUTDOWN, "some_info"))
    assert which_children(SUP) == [] and counts(SUP) == [0, 0, 0, 0]


def test_permanent_abnormal(tme) -> None:
    """supervisor_SUITE.erl, permanent_abnormal."""
    sup = started(flags())
    cpid1 = start_child(SUP, sup1_spec("child1")).value
    terminate(sup, cpid1, "child1", "abnormal")
    _restarted("child1")


def test_transient_abnormal(tme) -> None:
    """supervisor_SUITE.erl, transient_abnormal: restarted after an abnormal exit."""
    sup = started(flags())
    cpid1 = start_child(SUP, sup1_spec("child1", restart=Restart.TRANSIENT)).value
    terminate(sup, cpid1, "child1", "abnormal")
    _restarted("child1")


def test_temporary_abnormal(tme) -> None:
    """supervisor_SUITE.erl, temporary_abnormal."""
    sup = started(flags())
    cpid1 = start_child(SUP, sup1_spec("child1", restart=Restart.TEMPORARY)).value
    terminate(sup, cpid1, "child1", "abnormal")
    assert which_children(SUP) == [] and counts(SUP) == [0, 0, 0, 0]


def test_temporary_bystander(tme) -> None:
    """supervisor_SUITE.erl, temporary_bystander: a temporary sibling taken down by
    one_for_all / rest_for_one is not restarted (and does not exhaust the intensity)."""
    child1 = sup1_spec("child1", shutdown=0.1)
    child2 = sup1_spec("child2", restart=Restart.TEMPORARY, shutdown=0.1)
    sup1 = SuiteSup.start_link(flags(Strategy.ONE_FOR_ALL, 2, 300)).value
    sup2 = SuiteSup.start_link(flags(Strategy.REST_FOR_ONE, 2, 300)).value
    unlink(sup1)
    unlink(sup2)
    cpid1 = start_child(sup1, child1).value
    start_child(sup1, child2)
    cpid3 = start_child(sup2, child1).value
    start_child(sup2, child2)
    terminate(sup1, cpid1, "child1", "normal")
    terminate(sup2, cpid3, "child1", "normal")
    assert is_alive(sup1) and is_alive(sup2)
    assert [c[0] for c in which_children(sup1)] == ["child1"]
    assert [c[0] for c in which_children(sup2)] == ["child1"]
    for sup in (sup1, sup2):
        stop_sup(sup)


def test_multiple_restarts(tme) -> None:
    """supervisor_SUITE.erl, multiple_restarts: intensity 1 in 1 s, a crash every 2.1 s
    never exhausts it."""
    child1 = sup1_spec("child1", shutdown=BRUTAL_KILL, modules=())
    sup = started(supervisor_init([], strategy=ONE_FOR_ONE, max_restarts=1, max_seconds=1))
    cpid1 = start_child(SUP, child1).value
    terminate(sup, cpid1, "child1", "abnormal")
    for _ in range(3):
        sleep(2.1)
        [(_, pid, _, _)] = which_children(SUP)
        terminate(sup, pid, "child1", "abnormal")
    assert terminate_child(sup, "child1") is OK
    assert delete_child(sup, "child1") is OK
    stop_sup(sup)


# --------------------------------------------------------- restart strategies


def test_one_for_one(tme) -> None:
    """supervisor_SUITE.erl, one_for_one: only the failed child restarts; the third
    failure exceeds intensity 2."""
    sup = started(flags())
    cpid1 = start_child(SUP, sup1_spec("child1")).value
    cpid2 = start_child(SUP, sup1_spec("child2")).value
    terminate(sup, cpid1, "child1", "abnormal")
    children = which_children(SUP)
    assert len(children) == 2 and cpid2 in [c[1] for c in children]
    assert counts(SUP) == [2, 2, 0, 2]
    terminate(sup, cpid2, "child2", "abnormal")
    [(id4, pid4, _, _), *_] = which_children(SUP)
    terminate(sup, pid4, id4, "abnormal")
    check_exit(sup)


def test_one_for_one_escalation(tme) -> None:
    """supervisor_SUITE.erl, one_for_one_escalation: a child that cannot restart takes
    the supervisor down (retries count against intensity 4), and its siblings with it."""
    child1 = sup1_spec("child1", (sup1_start_child_error, (Once(),)))
    sup = started(flags(intensity=4))
    cpid1 = start_child(SUP, child1).value
    cpid2 = start_child(SUP, sup1_spec("child2")).value
    link(cpid2)
    terminate(sup, cpid1, "child1", "abnormal")
    check_exit(sup, cpid2)


def test_one_for_all(tme) -> None:
    """supervisor_SUITE.erl, one_for_all: every child restarts with the failed one."""
    sup = started(flags(Strategy.ONE_FOR_ALL))
    cpid1 = start_child(SUP, sup1_spec("child1")).value
    cpid2 = start_child(SUP, sup1_spec("child2")).value
    link(cpid2)
    terminate(sup, cpid1, "child1", "abnormal")
    check_exit(cpid2)
    children = which_children(SUP)
    assert len(children) == 2
    assert not {cpid1, cpid2} & {c[1] for c in children}
    assert counts(SUP) == [2, 2, 0, 2]
    [(id3, pid3, _, _), *_] = which_children(SUP)
    terminate(sup, pid3, id3, "abnormal")
    [(id4, pid4, _, _), *_] = which_children(SUP)
    terminate(sup, pid4, id4, "abnormal")
    check_exit(sup)


def test_one_for_all_escalation(tme) -> None:
    """supervisor_SUITE.erl, one_for_all_escalation."""
    child2 = sup1_spec("child2", (sup1_start_child_error, (Once(),)))
    sup = started(flags(Strategy.ONE_FOR_ALL, 4))
    cpid1 = start_child(SUP, sup1_spec("child1")).value
    cpid2 = start_child(SUP, child2).value
    link(cpid2)
    terminate(sup, cpid1, "child1", "abnormal")
    check_exit(cpid2, sup)


def test_rest_for_one(tme) -> None:
    """supervisor_SUITE.erl, rest_for_one: the failed child and the later ones restart."""
    sup = started(flags(Strategy.REST_FOR_ONE))
    cpid1 = start_child(SUP, sup1_spec("child1")).value
    link(cpid1)
    cpid2 = start_child(SUP, sup1_spec("child2")).value
    cpid3 = start_child(SUP, sup1_spec("child3")).value
    link(cpid3)
    assert counts(SUP) == [3, 3, 0, 3]
    terminate(sup, cpid2, "child2", "abnormal")
    check_exit(cpid3)
    pids = [c[1] for c in which_children(SUP)]
    assert len(pids) == 3 and cpid1 in pids
    assert cpid2 not in pids and cpid3 not in pids
    assert counts(SUP) == [3, 3, 0, 3]
    [(id3, pid3, _, _), *_] = which_children(SUP)
    assert id3 == "child3"
    terminate(sup, pid3, "child3", "abnormal")
    [_, (id4, pid4, _, _), *_] = which_children(SUP)
    assert id4 == "child2"
    terminate(sup, pid4, "child2", "abnormal")
    check_exit(sup)


def test_rest_for_one_escalation(tme) -> None:
    """supervisor_SUITE.erl, rest_for_one_escalation."""
    child2 = sup1_spec("child2", (sup1_start_child_error, (Once(),)))
    sup = started(flags(Strategy.REST_FOR_ONE, 4))
    cpid1 = start_child(SUP, sup1_spec("child1")).value
    cpid2 = start_child(SUP, child2).value
    link(cpid2)
    terminate(sup, cpid1, "child1", "abnormal")
    check_exit(cpid2, sup)


# ------------------------------------------------------------- restart loop


class Flaky:
    """``supervisor_deadlock``'s ets flag: once ``fail_start`` is set, starts fail."""

    def __init__(self) -> None:
        self.fail_start = False

    def start(self) -> Any:
        if self.fail_start:
            # supervisor_deadlock's init sleeps 2 s before {stop, error}: the restart
            # loop stays under intensity 8 in 10 s, and requests get in between tries.
            sleep(2.0)
            return Error("error")
        return sup1_start_child()


def test_hanging_restart_loop(tme) -> None:
    """supervisor_SUITE.erl, hanging_restart_loop (OTP-9549): a child stuck in the
    restart loop can be terminated, restarted, and the supervisor shut down."""
    sup = started(flags(intensity=8, period=10))
    flaky = Flaky()
    child1 = {"id": "child1", "start": (flaky.start, ()), "shutdown": BRUTAL_KILL}
    cpid1 = start_child(SUP, child1).value
    link(cpid1)
    flaky.fail_start = True
    send(cpid1, ("exit", "error"))  # supervisor_deadlock:restart_child()
    check_exit_reason(cpid1, "error")
    _wait_restarting("child1")
    assert start_child(SUP, child1) == Error(ALREADY_PRESENT)
    assert restart_child(SUP, "child1") == Error(RESTARTING)
    assert delete_child(SUP, "child1") == Error(RESTARTING)
    assert [(c[0], c[1]) for c in which_children(SUP)] == [("child1", RESTARTING)]
    assert counts(SUP) == [1, 0, 0, 1]
    assert terminate_child(SUP, "child1") is OK
    assert [(c[0], c[1]) for c in which_children(SUP)] == [("child1", UNDEFINED)]
    flaky.fail_start = False
    cpid2 = restart_child(SUP, "child1").value
    link(cpid2)
    flaky.fail_start = True
    send(cpid2, ("exit", "error"))
    check_exit_reason(cpid2, "error")
    _wait_restarting("child1")
    stop_sup(sup)  # OTP-9549: the supervisor does not hang in its restart loop


def _wait_restarting(child_id: Any) -> None:
    """Poll which_children until the child shows RESTARTING (the SUITE sleeps 2 s)."""
    for _ in range(300):
        if any(c[0] == child_id and c[1] is RESTARTING for c in which_children(SUP)):
            return
        sleep(0.05)
    raise AssertionError(f"{child_id} never showed RESTARTING: {which_children(SUP)}")


# ------------------------------------------------ newer SUITE cases (OTP 24+)
# The cases below come from a newer copy of the SUITE (the one with the
# ``significant`` group); their names are that copy's.


def test_sup_start_restart_child_returns_error(tme) -> None:
    """supervisor_SUITE.erl, sup_start_restart_child_returns_error: a failing start on
    restart_child is returned, and the child stays undefined."""
    child = sup1_spec("child1", (sup1_start_child_error, (Once(),)), modules=())
    started(flags(children=[child]))
    assert terminate_child(SUP, "child1") is OK
    result = restart_child(SUP, "child1")
    assert isinstance(result, Error) and isinstance(result.reason, Crash)
    assert which_children(SUP) == [("child1", UNDEFINED, WORKER, ())]


def test_sup_start_child_returns_error(tme) -> None:
    """supervisor_SUITE.erl, sup_start_child_returns_error: ``{error, {Reason, Spec}}``
    for an error tuple and for any other returned term."""
    started(flags())
    child1 = sup1_spec("child1", (lambda: Error("reason"), ()))
    child2 = sup1_spec("child2", (lambda: "error_reason", ()))
    result = start_child(SUP, child1)
    assert isinstance(result, Error) and result.reason[0] == "reason"
    result = start_child(SUP, child2)
    assert isinstance(result, Error) and result.reason[0] == "error_reason"
    assert which_children(SUP) == []


class Sup3Child(Sup1Child):
    """OTP's ``supervisor_3``: init reports to the test and waits for its verdict."""

    def init(self, arg: Any) -> Any:
        name, caller = arg
        send(caller, (name, self_pid()))
        verdict = receive(lambda m: type(m) is tuple and len(m) == 2 and m[1] == caller)[0]
        if verdict == "ok":
            return InitOk(None)
        return InitStop(NORMAL)  # {{stop, normal}, Self}


def sup3_spec(name: str, test: Pid) -> dict[str, Any]:
    return {"id": name, "start": (Sup3Child.start_link, ((name, test),)), "shutdown": 1.0}


def _other_child_fails(tme: Pid, strategy: Strategy) -> tuple[Pid, Pid, Pid]:
    """The common first half of the two ``*_other_child_fails_restart`` cases."""
    children = [sup3_spec("child1", tme), sup3_spec("child2", tme)]

    def starter() -> None:
        sup = start_link(flags(strategy, 3, 3600, children)).value
        send(tme, ("sup_pid", sup))
        receive(lambda m: m == ("stop", tme))

    starter_pid = spawn_link(starter)
    ok = ("ok", tme)
    send(assert_receive(("child1", Pid))[1], ok)
    send(assert_receive(("child2", Pid))[1], ok)
    sup = assert_receive(("sup_pid", Pid))[1]
    link(sup)
    child1 = which_children(sup)[-1][1]
    exit(child1, "die")
    child1_2 = assert_receive(("child1", Pid))[1]
    return starter_pid, sup, child1_2


def test_one_for_all_other_child_fails_restart(tme) -> None:
    """supervisor_SUITE.erl, one_for_all_other_child_fails_restart: the supervisor
    terminates the restarted child1 when child2 fails to start, then retries both."""
    starter, sup, child1_2 = _other_child_fails(tme, Strategy.ONE_FOR_ALL)
    ref = monitor(child1_2)
    send(child1_2, ("ok", tme))
    child2_2 = assert_receive(("child2", Pid))[1]
    send(child2_2, ("stop", tme))
    assert assert_receive((DOWN, ref, ..., ..., ...))[4] is SHUTDOWN
    send(assert_receive(("child1", Pid))[1], ("ok", tme))
    send(assert_receive(("child2", Pid))[1], ("ok", tme))
    send(starter, ("stop", tme))
    check_exit(starter, sup)


def test_rest_for_one_other_child_fails_restart(tme) -> None:
    """supervisor_SUITE.erl, rest_for_one_other_child_fails_restart: only child2 is
    retried, child1 (started earlier) is left alone."""
    starter, sup, child1_2 = _other_child_fails(tme, Strategy.REST_FOR_ONE)
    send(child1_2, ("ok", tme))
    child2_2 = assert_receive(("child2", Pid))[1]
    send(child2_2, ("stop", tme))
    name, pid = assert_receive(lambda m: type(m) is tuple and m[0] in ("child1", "child2"))
    assert name == "child2", "rest_for_one restarted child1, started before the failed one"
    send(pid, ("ok", tme))
    send(starter, ("stop", tme))
    check_exit(starter, sup)


def test_hanging_restart_loop_rest_for_one(tme) -> None:
    """supervisor_SUITE.erl, hanging_restart_loop_rest_for_one: the later sibling is
    down (undefined) while the middle child hangs in its restart loop."""
    sup = started(flags(Strategy.REST_FOR_ONE, 8, 10))
    flaky = Flaky()
    child1 = sup1_spec("child1", shutdown=BRUTAL_KILL)
    child2 = {"id": "child2", "start": (flaky.start, ()), "shutdown": BRUTAL_KILL}
    child3 = sup1_spec("child3", shutdown=BRUTAL_KILL)
    cpid1 = start_child(SUP, child1).value
    cpid2 = start_child(SUP, child2).value
    link(cpid2)
    start_child(SUP, child3)
    flaky.fail_start = True
    send(cpid2, ("exit", "error"))
    check_exit_reason(cpid2, "error")
    _wait_restarting("child2")
    assert start_child(SUP, child2) == Error(ALREADY_PRESENT)
    assert restart_child(SUP, "child2") == Error(RESTARTING)
    assert delete_child(SUP, "child2") == Error(RESTARTING)
    assert [(c[0], c[1]) for c in which_children(SUP)] == [
        ("child3", UNDEFINED),
        ("child2", RESTARTING),
        ("child1", cpid1),
    ]
    assert counts(SUP) == [3, 1, 0, 3]
    assert terminate_child(SUP, "child2") is OK
    assert [(c[0], c[1]) for c in which_children(SUP)] == [
        ("child3", UNDEFINED),
        ("child2", UNDEFINED),
        ("child1", cpid1),
    ]
    flaky.fail_start = False
    cpid22 = restart_child(SUP, "child2").value
    link(cpid22)
    flaky.fail_start = True
    send(cpid22, ("exit", "error"))
    check_exit_reason(cpid22, "error")
    _wait_restarting("child2")
    stop_sup(sup)
    assert whereis(SUP) is None


def test_tree(tme) -> None:
    """supervisor_SUITE.erl, tree: nested supervisors; only the failing worker restarts,
    and an exhausted child supervisor restarts the tree (not its dynamic children)."""
    child3 = sup1_spec("child3", (sup1_start_child_error, (Once(),)))
    child4 = sup1_spec("child4")

    def sup_child(child_id: str, children: list[Any], restart: Restart) -> dict[str, Any]:
        init = flags(ONE_FOR_ONE, 4, 3600, children)
        return {
            "id": child_id,
            "start": (SuiteSup.start_link, (init,)),
            "restart": restart,
            "shutdown": INFINITY,
            "type": SUPERVISOR,
        }

    workers = [sup1_spec("child1"), sup1_spec("child2")]
    sup_pid = started(flags(Strategy.ONE_FOR_ALL, 4, 3600))
    sup1 = start_child(sup_pid, sup_child("supchild1", workers, Restart.PERMANENT)).value
    sup2 = start_child(sup_pid, sup_child("supchild2", [], Restart.PERMANENT)).value
    start_child(sup_pid, sup_child("supchild3", [], Restart.TRANSIENT))
    assert terminate_child(sup_pid, "supchild3") is OK
    assert counts(sup_pid) == [3, 2, 3, 0]
    [(_, cpid2, _, _), (_, cpid1, _, _)] = which_children(sup1)
    assert counts(sup1) == [2, 2, 0, 2] and counts(sup2) == [0, 0, 0, 0]
    cpid3 = start_child(sup2, child3).value
    cpid4 = start_child(sup2, child4).value
    assert counts(sup2) == [2, 2, 0, 2]

    terminate(sup2, cpid4, "child4", "abnormal")
    assert [c[1] for c in which_children(sup1)] == [cpid2, cpid1]
    [(_, new_cpid4, _, _), (_, same_cpid3, _, _)] = which_children(sup2)
    assert same_cpid3 == cpid3 and new_cpid4 != cpid4

    refs = [monitor(sup1), monitor(sup2)]
    terminate(sup2, cpid3, "child3", "abnormal")
    for ref in refs:
        assert_receive((DOWN, ref, ..., ..., ...))
    tops = which_children(sup_pid)
    assert [t[0] for t in tops] == ["supchild3", "supchild2", "supchild1"]
    assert counts(sup_pid) == [3, 3, 3, 0]
    new_sup3, new_sup2, new_sup1 = (t[1] for t in tops)
    assert [c[0] for c in which_children(new_sup1)] == ["child2", "child1"]
    assert counts(new_sup1) == [2, 2, 0, 2]
    assert which_children(new_sup2) == [] and counts(new_sup2) == [0, 0, 0, 0]
    assert which_children(new_sup3) == [] and counts(new_sup3) == [0, 0, 0, 0]


@pytest.mark.parametrize("how", ["kill", "normal", "abnormal", "supervisor"])
@pytest.mark.parametrize("strategy", list(Strategy), ids=lambda s: s.value)
def test_do_not_save_child_specs_for_temporary_children(tme, strategy, how) -> None:
    """supervisor_SUITE.erl, do_not_save_child_specs_for_temporary_children."""
    sup = SuiteSup.start_link(flags(strategy, 2, 3600)).value
    permanent = sup1_spec("child1")
    transient = sup1_spec("child2", restart=Restart.TRANSIENT)
    temporary = sup1_spec("child3", restart=Restart.TEMPORARY)

    def already_present(spec: dict[str, Any]) -> None:
        pid = start_child(sup, spec).value
        terminate(sup, pid, spec["id"], how)
        assert start_child(sup, spec) == Error(ALREADY_PRESENT)
        assert isinstance(restart_child(sup, spec["id"]), Ok)

    def restarted(spec: dict[str, Any]) -> None:
        pid = start_child(sup, spec).value
        terminate(sup, pid, spec["id"], how)
        result = start_child(sup, spec)
        assert isinstance(result, Error) and result.reason[0] is ALREADY_STARTED, result

    (already_present if how == "supervisor" else restarted)(permanent)
    (already_present if how in ("supervisor", "normal") else restarted)(transient)
    pid = start_child(sup, temporary).value
    terminate(sup, pid, "child3", how)
    assert isinstance(start_child(sup, temporary), Ok)
    stop_sup(sup)


class OrderChild(Sup1Child):
    """supervisor_1 that writes its start and its terminate into a shared log (the
    SUITE traces process exits with dbg instead)."""

    def init(self, arg: Any) -> Any:
        child_id, log = arg
        log.append(("start", child_id))
        super().init(None)
        return InitOk(arg)

    def terminate(self, reason: Any, state: Any) -> Any:
        child_id, log = state
        log.append(("stop", child_id))
        return OK


def test_order_of_children(tme) -> None:
    """supervisor_SUITE.erl, order_of_children: started in list order, stopped in the
    opposite order, both in a rest_for_one restart and at shutdown."""
    log: list[Any] = []
    ids = ["ch7", "ch3", "ch10", "ch2", "ch5"]
    children = [
        {"id": i, "start": (OrderChild.start_link, ((i, log),)), "shutdown": 1.0} for i in ids
    ]
    sup = started(flags(Strategy.REST_FOR_ONE, 2, 3600, children))
    assert log == [("start", i) for i in ids]
    pid3 = dict((c[0], c[1]) for c in which_children(sup))["ch10"]
    log.clear()
    terminate(sup, pid3, "ch10", "abnormal")
    which_children(sup)  # the restart is done once the supervisor answers
    assert log == [("stop", "ch10"), ("stop", "ch5"), ("stop", "ch2")] + [
        ("start", i) for i in ("ch10", "ch2", "ch5")
    ]
    log.clear()
    stop_sup(sup)
    assert log == [("stop", i) for i in reversed(ids)]


# ------------------------------------------------------------- significant


def auto_sup(auto: AutoShutdown, strategy: Strategy = ONE_FOR_ONE) -> Pid:
    return started(supervisor_init([], strategy=strategy, max_restarts=5, auto_shutdown=auto))


def sig_spec(child_id: str, restart: Restart, significant: bool) -> dict[str, Any]:
    return sup1_spec(child_id, restart=restart, significant=significant)


def start_three(sup: Pid, restart: Restart, sig: tuple[bool, bool, bool]) -> list[Pid]:
    """Start child1..child3 and link to them; returns their pids in start order."""
    for n, significant in enumerate(sig, 1):
        start_child(sup, sig_spec(f"child{n}", restart, significant))
    pids = {c[0]: c[1] for c in which_children(sup)}
    for pid in pids.values():
        link(pid)
    return [pids["child1"], pids["child2"], pids["child3"]]


def no_exit(*pids: Pid) -> None:
    """The SUITE's ``error = check_exit([Pid], 1000)``."""
    for pid in pids:
        refute_receive((EXIT, pid, ...))


def test_nonsignificant_transient(tme) -> None:
    """supervisor_SUITE.erl, nonsignificant_transient: whatever the auto_shutdown mode,
    a non-significant child's end never shuts the supervisor down."""
    for auto in AutoShutdown:
        sup = auto_sup(auto)
        pid1 = start_child(sup, sig_spec("child1", Restart.TRANSIENT, False)).value
        link(pid1)
        terminate(sup, pid1, "child1", "supervisor")
        check_exit(pid1)
        no_exit(sup)
        for how in ("kill", "abnormal", "normal"):
            pid = restart_child(sup, "child1").value if how == "kill" else None
            if pid is None:
                pid = which_children(sup)[0][1]
            link(pid)
            terminate(sup, pid, "child1", how)
            check_exit(pid)
            no_exit(sup)
        stop_sup(sup)


def test_significant_temporary(tme) -> None:
    """supervisor_SUITE.erl, significant_temporary."""
    temp = Restart.TEMPORARY
    sup1 = auto_sup(AutoShutdown.ANY_SIGNIFICANT)
    p1, p2, p3 = start_three(sup1, temp, (True, True, False))
    terminate(sup1, p1, "child1", "supervisor")  # via the supervisor: no auto-shutdown
    check_exit(p1)
    no_exit(p2, p3, sup1)
    start_child(sup1, sig_spec("child1", temp, True))
    p1 = dict((c[0], c[1]) for c in which_children(sup1))["child1"]
    link(p1)
    terminate(sup1, p1, "child1", "kill")
    check_exit(p1, p2, p3, sup1)
    for how in ("abnormal", "normal"):
        sup = auto_sup(AutoShutdown.ANY_SIGNIFICANT)
        p1, p2, p3 = start_three(sup, temp, (True, True, False))
        terminate(sup, p1, "child1", how)
        check_exit(p1, p2, p3, sup)
    sup4 = auto_sup(AutoShutdown.ALL_SIGNIFICANT)
    p1, p2, p3 = start_three(sup4, temp, (True, True, False))
    terminate(sup4, p1, "child1", "normal")
    check_exit(p1)
    no_exit(p2, p3, sup4)
    terminate(sup4, p2, "child2", "normal")
    check_exit(p2, p3, sup4)


def test_significant_transient(tme) -> None:
    """supervisor_SUITE.erl, significant_transient: a transient significant child that
    is killed or crashes is restarted; only its normal exit shuts the supervisor down."""
    trans = Restart.TRANSIENT
    sup1 = auto_sup(AutoShutdown.ANY_SIGNIFICANT)
    p1, p2, p3 = start_three(sup1, trans, (True, True, False))
    terminate(sup1, p1, "child1", "supervisor")
    check_exit(p1)
    no_exit(p2, p3, sup1)
    restart_child(sup1, "child1")
    for how in ("kill", "abnormal"):
        p1 = dict((c[0], c[1]) for c in which_children(sup1))["child1"]
        link(p1)
        terminate(sup1, p1, "child1", how)
        check_exit(p1)
        no_exit(p2, p3, sup1)
    p1 = dict((c[0], c[1]) for c in which_children(sup1))["child1"]
    link(p1)
    terminate(sup1, p1, "child1", "normal")
    check_exit(p1, p2, p3, sup1)
    sup2 = auto_sup(AutoShutdown.ALL_SIGNIFICANT)
    p1, p2, p3 = start_three(sup2, trans, (True, True, False))
    terminate(sup2, p1, "child1", "normal")
    check_exit(p1)
    no_exit(p2, p3, sup2)
    terminate(sup2, p2, "child2", "normal")
    check_exit(p2, p3, sup2)


@pytest.mark.parametrize(
    "auto", [AutoShutdown.ANY_SIGNIFICANT, AutoShutdown.ALL_SIGNIFICANT], ids=lambda a: a.value
)
@pytest.mark.parametrize("strategy", list(Strategy), ids=lambda s: s.value)
def test_significant_bystander(tme, strategy, auto) -> None:
    """supervisor_SUITE.erl, significant_bystander: significant children taken down by a
    sibling's restart do not trigger auto-shutdown."""
    sup = auto_sup(auto, strategy)
    p1, p2, p3 = start_three(sup, Restart.TRANSIENT, (True, False, True))
    terminate(sup, p2, "child2", "kill")
    if strategy is Strategy.ONE_FOR_ONE:
        check_exit(p2)
        no_exit(p1)
    elif strategy is Strategy.ONE_FOR_ALL:
        check_exit(p1, p2, p3)
    else:
        check_exit(p2, p3)
        no_exit(p1)
    no_exit(sup)
    stop_sup(sup)


def test_significant_escalation(tme) -> None:
    """supervisor_SUITE.erl, significant_escalation: auto-shutdown climbs through a
    significant child supervisor, and stops at a non-significant one."""
    any_sig = AutoShutdown.ANY_SIGNIFICANT

    def child_sup(significant: bool) -> dict[str, Any]:
        init = supervisor_init([], strategy=ONE_FOR_ONE, auto_shutdown=any_sig)
        return {
            "id": "sup1",
            "start": (SuiteSup.start_link, (init,)),
            "restart": Restart.TRANSIENT,
            "type": SUPERVISOR,
            "significant": significant,
        }

    child1 = sig_spec("child1", Restart.TRANSIENT, True)
    sup1 = auto_sup(any_sig)
    child_sup1 = start_child(sup1, child_sup(True)).value
    pid1 = start_child(child_sup1, child1).value
    link(child_sup1)
    link(pid1)
    terminate(child_sup1, pid1, "child1", "normal")
    check_exit(pid1, child_sup1, sup1)

    sup2 = auto_sup(any_sig)
    child_sup2 = start_child(sup2, child_sup(False)).value
    pid2 = start_child(child_sup2, child1).value
    link(child_sup2)
    link(pid2)
    terminate(child_sup2, pid2, "child1", "normal")
    check_exit(pid2, child_sup2)
    no_exit(sup2)
    stop_sup(sup2)
