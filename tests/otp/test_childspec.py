"""S1 child specs: defaults, validation, child_spec overrides; bad specs never touch a tree."""

from __future__ import annotations

import pytest
from otp_support import Probe, assert_receive, probe_spec

from jobber_lab.otp import (
    BRUTAL_KILL,
    INFINITY,
    INVALID_CHILD_TYPE,
    INVALID_MFA,
    INVALID_RESTART_TYPE,
    INVALID_SHUTDOWN,
    MISSING_ID,
    MISSING_START,
    ArgumentError,
    Atom,
    AutoShutdown,
    ChildSpec,
    ChildType,
    DynamicSupervisor,
    Error,
    GenServer,
    Ok,
    Restart,
    Strategy,
    Supervisor,
    child_spec,
    start_child,
    which_children,
)
from jobber_lab.otp._childspec import check_childspec, to_childspec


class TransientJob(GenServer):
    """Elixir's ``use GenServer, restart: :transient``."""

    child_spec_overrides = {"restart": Restart.TRANSIENT}


def _noop() -> None:
    return None


# ------------------------------------------------------------------ defaults


def test_s1_defaults() -> None:
    spec = ChildSpec(id="a", start=(_noop, ()))
    assert spec.restart is Restart.PERMANENT
    assert spec.type is ChildType.WORKER
    assert spec.shutdown_value == 5.0
    assert spec.significant is False
    assert check_childspec(spec) is None
    sup = ChildSpec(id="s", start=(_noop, ()), type=ChildType.SUPERVISOR)
    assert sup.shutdown_value is INFINITY
    # modules defaults to [module]: the class behind Module.start_link, else the function
    assert spec.modules_value == (_noop,)
    assert ChildSpec(id="p", start=(Probe.start_link, (None,))).modules_value == (Probe,)


def test_s1_genserver_child_spec_defaults() -> None:
    spec = Probe.child_spec({"x": 1})
    assert spec.id is Probe
    assert spec.start == (Probe.start_link, ({"x": 1},))
    assert spec.modules == (Probe,)
    assert spec.restart is Restart.PERMANENT


def test_s1c_child_spec_overrides_declare_restart_type() -> None:
    assert TransientJob.child_spec(["args"]).restart is Restart.TRANSIENT
    # an explicit override still wins over the class's declaration
    assert TransientJob.child_spec(None, restart=Restart.TEMPORARY).restart is Restart.TEMPORARY


def test_s1_child_spec_helper_overrides_and_elixir_spellings() -> None:
    base = ChildSpec(id="a", start=(_noop, ()))
    spec = child_spec(base, id="b", restart="transient", shutdown=1.5)
    assert (spec.id, spec.restart, spec.shutdown) == ("b", Restart.TRANSIENT, 1.5)
    assert child_spec(Probe, id="p").start == (Probe.start_link, (None,))
    assert child_spec((Probe, 7), id="p").start == (Probe.start_link, (7,))
    assert to_childspec({"id": "m", "start": (_noop, ())}) == ChildSpec(id="m", start=(_noop, ()))


def test_s1_child_spec_rejects_unknown_keys() -> None:
    with pytest.raises(ArgumentError, match="unknown key"):
        child_spec(ChildSpec(id="a", start=(_noop, ())), restrat=Restart.TEMPORARY)
    with pytest.raises(ArgumentError):
        child_spec(42)


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("spec", "error"),
    [
        (ChildSpec(start=(_noop, ())), MISSING_ID),
        (ChildSpec(id="a"), MISSING_START),
        (ChildSpec(id="a", start=_noop), (INVALID_MFA, _noop)),
        (ChildSpec(id="a", start=(_noop,)), (INVALID_MFA, (_noop,))),
        (ChildSpec(id="a", start=("nope", ())), (INVALID_MFA, ("nope", ()))),
        (
            ChildSpec(id="a", start=(_noop, ()), restart="sometimes"),
            (INVALID_RESTART_TYPE, "sometimes"),
        ),
        (ChildSpec(id="a", start=(_noop, ()), type="boss"), (INVALID_CHILD_TYPE, "boss")),
        (ChildSpec(id="a", start=(_noop, ()), shutdown=-1), (INVALID_SHUTDOWN, -1)),
        (ChildSpec(id="a", start=(_noop, ()), shutdown="soon"), (INVALID_SHUTDOWN, "soon")),
        (ChildSpec(id="a", start=(_noop, ()), shutdown=True), (INVALID_SHUTDOWN, True)),
    ],
)
def test_s1_invalid_specs_give_otp_error_terms(spec: ChildSpec, error: object) -> None:
    assert check_childspec(spec) == error


def test_s1_valid_shutdown_values() -> None:
    for value in (0, 5, 0.5, INFINITY, BRUTAL_KILL):
        assert check_childspec(ChildSpec(id="a", start=(_noop, ()), shutdown=value)) is None


def test_s1_significant_needs_auto_shutdown_and_a_non_permanent_child() -> None:
    base = ChildSpec(id="a", start=(_noop, ()), significant=True)
    assert check_childspec(base, AutoShutdown.ANY_SIGNIFICANT) is not None  # permanent
    transient = child_spec(base, restart=Restart.TRANSIENT)
    assert check_childspec(transient, AutoShutdown.ANY_SIGNIFICANT) is None
    assert check_childspec(transient, AutoShutdown.NEVER) is not None


# ------------------------------------------- bad specs on a running tree (S1 a/b)


def _running_sup(test):
    result = Supervisor.start_link(
        [probe_spec("a", test), probe_spec("b", test)], strategy=Strategy.ONE_FOR_ONE
    )
    assert isinstance(result, Ok)
    assert_receive(("up", "a", ...))
    assert_receive(("up", "b", ...))
    return result.value


def test_s1a_start_child_with_empty_spec_is_missing_id(tme) -> None:
    sup = _running_sup(tme)
    before = which_children(sup)
    assert start_child(sup, {}) == Error(MISSING_ID)
    assert which_children(sup) == before  # siblings untouched, same pids


def test_s1b_start_child_negative_shutdown(tme) -> None:
    sup = _running_sup(tme)
    before = which_children(sup)
    spec = ChildSpec(id="c", start=(Probe.start_link, ({"test": tme, "id": "c"},)), shutdown=-1)
    assert start_child(sup, spec) == Error((INVALID_SHUTDOWN, -1))
    assert which_children(sup) == before


def test_s1_bad_input_start_child_unknown_key_and_garbage(tme) -> None:
    sup = _running_sup(tme)
    before = which_children(sup)
    bad = start_child(sup, {"id": "x", "start": (_noop, ()), "bogus": 1})
    assert isinstance(bad, Error)
    assert isinstance(start_child(sup, 42), Error)
    assert which_children(sup) == before


def test_s1_dynamic_supervisor_checks_spec_in_the_caller(tme) -> None:
    sup = DynamicSupervisor.start_link(strategy=Strategy.ONE_FOR_ONE).value
    # dynamic_supervisor.ex validate_child/1: a map without id and start is no child spec
    assert DynamicSupervisor.start_child(sup, {}) == Error((Atom("invalid_child_spec"), {}))
    assert DynamicSupervisor.start_child(
        sup, ChildSpec(id="a", start=(_noop, ()), restart="x")
    ) == Error((INVALID_RESTART_TYPE, "x"))
    assert DynamicSupervisor.count_children(sup)["specs"] == 0
