"""Registry with unique keys (R1-R6): register, reads, select, via names, cleanup."""

from __future__ import annotations

from typing import Any

import pytest
from otp_support import Probe, assert_receive, events_of

from jobber_lab.otp import (
    ALREADY_REGISTERED,
    ALREADY_STARTED,
    DOWN,
    KILL,
    NOPROC,
    OK,
    ArgumentError,
    Atom,
    Crash,
    Error,
    ExitError,
    GenServer,
    InitOk,
    Ok,
    Pid,
    Registry,
    Strategy,
    Supervisor,
    call,
    cast,
    exit,
    monitor,
    receive,
    send,
    spawn,
    unlink,
    whereis,
    which_children,
)
from jobber_lab.otp import self as self_pid

REG = "jobs"


@pytest.fixture
def reg(tme) -> Pid:
    result = Registry.start_link(keys="unique", name=REG)
    assert isinstance(result, Ok), result
    return result.value


def holder(key: Any, value: Any, test: Pid) -> None:
    """A process that registers ``key`` and then waits to be told to go."""
    send(test, ("registered", key, Registry.register(REG, key, value), self_pid()))
    receive()


def spawn_holder(key: Any, value: Any = None) -> Pid:
    pid = spawn(holder, key, value, self_pid())
    result = assert_receive(("registered", key, ..., pid))[2]
    assert isinstance(result, Ok)
    return pid


def links_of(runtime, pid: Pid) -> set[Pid]:
    return set(runtime.process(pid).links)


# ------------------------------------------------------------------------ R1


@pytest.mark.parametrize(
    "options", [{"keys": "dup", "name": "r"}, {"keys": "unique"}, {"name": "r"}, {}]
)
def test_r1a_keys_and_name_are_required(tme, options) -> None:
    with pytest.raises(ArgumentError):
        Registry.start_link(**options)


def test_r1_unknown_registry_raises(tme) -> None:
    with pytest.raises(ArgumentError, match="unknown registry"):
        Registry.lookup("nope", "k")


def test_r1_registry_as_a_supervised_child(tme) -> None:
    top = Supervisor.start_link(
        [Registry.child_spec(keys="unique", name="r1_reg")], strategy=Strategy.ONE_FOR_ONE
    ).value
    (child,) = which_children(top)
    assert child[0] == "r1_reg"
    assert Registry.register("r1_reg", "k") == Ok(child[1])


# ------------------------------------------------------------------------ R2


def test_r2a_double_register(reg, tme) -> None:
    assert Registry.register(REG, "k", 1) == Ok(reg)
    assert Registry.register(REG, "k", 2) == Error((ALREADY_REGISTERED, tme))
    other = spawn_holder("o")
    assert Registry.register(REG, "o") == Error((ALREADY_REGISTERED, other))


def test_r2b_dead_holder_replaced_while_cleanup_is_paused(reg, tme) -> None:
    old = spawn_holder("k", "old")
    assert Registry.suspend(REG) == OK
    ref = monitor(old)
    exit(old, KILL)
    assert_receive((DOWN, ref, ..., old, ...))
    assert Registry.lookup(REG, "k") == [(old, "old")]  # reads do not check liveness (R3)
    assert Registry.register(REG, "k", "new") == Ok(reg)
    assert Registry.lookup(REG, "k") == [(tme, "new")]
    assert Registry.resume(REG) == OK
    assert Registry.sync(REG) == OK
    assert Registry.lookup(REG, "k") == [(tme, "new")]  # the late cleanup spared the new entry


def test_r2c_caller_is_linked_to_the_owner(runtime, reg, tme) -> None:
    unlink(reg)  # start_link linked us; start from no link at all
    assert reg not in links_of(runtime, tme)
    assert Registry.register(REG, "k") == Ok(reg)
    assert reg in links_of(runtime, tme)


def test_r2_unhashable_key(reg) -> None:
    with pytest.raises(TypeError, match="hashable"):
        Registry.register(REG, ["a", "list"])


# ------------------------------------------------------------------------ R3


def _running_imports() -> list[Any]:
    spec = [
        (
            ("$1", "$2", "$3"),
            [("==", "$3", "import")],
            [{"id": "$1", "pid": "$2", "type": "$3"}],
        )
    ]
    return Registry.select(REG, spec)


def test_r3a_running_imports_select(reg) -> None:
    a = spawn_holder("job-a", "import")
    spawn_holder("job-b", "send_email")
    c = spawn_holder("job-c", "import")
    found = sorted(_running_imports(), key=lambda d: d["id"])
    assert found == [
        {"id": "job-a", "pid": a, "type": "import"},
        {"id": "job-c", "pid": c, "type": "import"},
    ]


def test_r3a_select_where_pythonic(reg) -> None:
    a = spawn_holder("job-a", "import")
    spawn_holder("job-b", "send_email")
    found = Registry.select_where(REG, lambda k, p, v: v == "import", lambda k, p, v: (k, p))
    assert found == [("job-a", a)]
    assert Registry.select_where(REG, lambda k, p, v: False) == []
    with pytest.raises(TypeError):
        Registry.select_where(REG, "not callable")


def test_r3b_lookup_unknown_key(reg) -> None:
    assert Registry.lookup(REG, "missing") == []


def test_r3_values_keys_count(reg, tme) -> None:
    Registry.register(REG, "k1", "v1")
    Registry.register(REG, "k2", "v2")
    other = spawn_holder("o", "vo")
    assert Registry.values(REG, "k1", tme) == ["v1"]
    assert Registry.values(REG, "k1", other) == []
    assert Registry.keys(REG, tme) == ["k1", "k2"]
    assert Registry.keys(REG, other) == ["o"]
    assert Registry.count(REG) == 3


def test_r3_select_guards_and_wildcards(reg) -> None:
    spawn_holder(1, 10)
    spawn_holder(2, 20)
    spawn_holder("x", 30)
    spec = [(("$1", "_", "$3"), [("is_integer", "$1"), (">", "$3", 15)], ["$1"])]
    assert Registry.select(REG, spec) == [2]
    assert sorted(Registry.select(REG, [(("$1", "_", "_"), [], ["$1"])]), key=repr) == sorted(
        [1, 2, "x"], key=repr
    )


@pytest.mark.parametrize(
    "spec",
    [[], "nope", [("$1", [], [])], [(("$1",), ["=="], ["$1"])], [(("$1", "_", "_"), [], ["$9"])]],
)
def test_r3_bad_match_specs_raise(reg, spec) -> None:
    spawn_holder("k", 1)
    with pytest.raises(ArgumentError):
        Registry.select(REG, spec)


# ------------------------------------------------------------------------ R4


def test_r4a_unregister_unlinks_when_no_keys_left(runtime, reg, tme) -> None:
    Registry.register(REG, "k1")
    Registry.register(REG, "k2")
    assert Registry.unregister(REG, "k1") == OK
    assert reg in links_of(runtime, tme)
    assert Registry.unregister(REG, "k2") == OK
    assert reg not in links_of(runtime, tme)
    assert Registry.unregister(REG, "unknown") == OK
    assert Registry.lookup(REG, "k1") == []


def test_r4_cannot_unregister_another_processes_key(reg) -> None:
    other = spawn_holder("o", 1)
    assert Registry.unregister(REG, "o") == OK
    assert Registry.lookup(REG, "o") == [(other, 1)]


# ------------------------------------------------------------------------ R5


def test_r5a_via_name_stores_the_value(reg, tme) -> None:
    pid = Probe.start_link({"test": tme, "id": "j"}, name=Registry.via(REG, "job-1", "import"))
    pid = pid.value
    assert Registry.lookup(REG, "job-1") == [(pid, "import")]
    assert _running_imports() == [{"id": "job-1", "pid": pid, "type": "import"}]


def test_r5b_via_without_value_resolves(reg, tme) -> None:
    pid = Probe.start_link({"test": tme, "id": "j"}, name=Registry.via(REG, "job-1", "import"))
    assert call(Registry.via(REG, "job-1"), "ping") == "ping"
    assert whereis(Registry.via(REG, "job-1")) == pid.value


def test_r5_via_name_taken(reg, tme) -> None:
    first = Probe.start_link({"test": tme, "id": "a"}, name=Registry.via(REG, "k")).value
    assert Probe.start_link({"test": tme, "id": "b"}, name=Registry.via(REG, "k")) == Error(
        (ALREADY_STARTED, first)
    )


def test_r5_dead_holder_via_noproc_send_and_cast(reg, tme) -> None:
    old = spawn_holder("k")
    Registry.suspend(REG)  # keep the stale entry: resolution must still check liveness
    ref = monitor(old)
    exit(old, KILL)
    assert_receive((DOWN, ref, ..., ..., ...))
    with pytest.raises(ExitError) as info:
        call(Registry.via(REG, "k"), "hi", 1.0)
    assert info.value.reason[0] is NOPROC
    with pytest.raises(ArgumentError):
        send(Registry.via(REG, "missing"), "hi")
    with pytest.raises(ArgumentError):
        send(Registry.via(REG, "k"), "hi")
    assert cast(Registry.via(REG, "missing"), "hi") == OK
    Registry.resume(REG)


# ------------------------------------------------------------------------ R6


def test_r6a_sync_after_down_sees_the_cleanup(reg) -> None:
    pid = spawn_holder("k", "v")
    ref = monitor(pid)
    exit(pid, KILL)
    assert_receive((DOWN, ref, ..., pid, ...))
    assert Registry.sync(REG) == OK
    assert Registry.lookup(REG, "k") == []
    assert Registry.keys(REG, pid) == []
    assert Registry.count(REG) == 0


class FailingInit(GenServer):
    def init(self, arg: Any) -> Any:
        raise RuntimeError("init failed")


class SlowOk(GenServer):
    def init(self, arg: Any) -> Any:
        return InitOk(arg)


def test_r6b_init_failure_frees_the_via_name_at_once(reg) -> None:
    result = FailingInit.start_link(None, name=Registry.via(REG, "k"))
    assert isinstance(result, Error) and isinstance(result.reason, Crash)
    assert Registry.lookup(REG, "k") == []  # no sync needed (G2)
    assert isinstance(SlowOk.start_link(None, name=Registry.via(REG, "k")), Ok)


def test_r6_normal_exit_cleans_up_too(reg) -> None:
    pid = spawn(lambda: None)
    pid = spawn_holder("k")
    ref = monitor(pid)
    send(pid, "go")
    assert_receive((DOWN, ref, ..., pid, ...))
    Registry.sync(REG)
    assert Registry.lookup(REG, "k") == []


# -------------------------------------------------------------------- events


def test_registry_events(runtime, reg, tme) -> None:
    events: list[Any] = []
    runtime.subscribe(events.append)
    Registry.register(REG, "mine", "v1")
    Registry.unregister(REG, "mine")
    other = spawn_holder("theirs", "v2")
    ref = monitor(other)
    exit(other, KILL)
    assert_receive((DOWN, ref, ..., ..., ...))
    Registry.sync(REG)
    runtime.flush_events()
    got = [
        (e.kind, e.pid, e.get("registry"), e.get("key"), e.get("value"))
        for e in events_of(events, "registry_register", "registry_unregister")
    ]
    assert got == [
        ("registry_register", str(tme), REG, "mine", "v1"),
        ("registry_unregister", str(tme), REG, "mine", "v1"),
        ("registry_register", str(other), REG, "theirs", "v2"),
        ("registry_unregister", str(other), REG, "theirs", "v2"),
    ]


# ------------------------------------------------------- R3: match/4 (issue 12)


def test_r3_match_4_as_registry_test_exs(reg, tme) -> None:
    """registry_test.exs, "has unique registrations + match" (``:_`` is ``"_"``,
    ``:"$1"`` is ``"$1"``): exact matching, partial map patterns, guards."""
    value = (1, Atom("atom"), 1)
    assert isinstance(Registry.register(REG, "hello", value), Ok)
    assert Registry.match(REG, "hello", (1, "_", "_")) == [(tme, value)]
    assert Registry.match(REG, "hello", (1.0, "_", "_")) == []
    assert Registry.match(REG, "hello", ("_", Atom("atom"), "_")) == [(tme, value)]
    assert Registry.match(REG, "hello", ("$1", "_", "$1")) == [(tme, value)]
    assert Registry.match(REG, "hello", ("$1", "$2", "$1"), [("is_atom", "$2")]) == [(tme, value)]
    assert Registry.match(REG, "hello", ("$1", "$2", "$1"), [("is_atom", "$1")]) == []
    assert Registry.match(REG, "hello", "_") == [(tme, value)]
    assert Registry.match(REG, "missing", "_") == []
    mapped = {"a": "a", "b": "b"}
    assert isinstance(Registry.register(REG, "world", mapped), Ok)
    assert Registry.match(REG, "world", {"b": "b"}) == [(tme, mapped)]
    assert Registry.match(REG, "world", {"c": "_"}) == []


def test_r3_match_rejects_bad_guards(reg) -> None:
    with pytest.raises(ArgumentError, match="guards"):
        Registry.match(REG, "k", "_", ("is_atom", "$1"))
    with pytest.raises(ArgumentError, match="guard"):
        Registry.match(REG, "k", "_", [("no_such_guard", "$1")])


def test_r3_select_keeps_a_pid_literal_in_the_body(reg, tme) -> None:
    """unique_test.exs, "select supports full match specs": ``self()`` in pattern and body."""
    value = (1, Atom("atom"), 1)
    Registry.register(REG, "hello", value)
    [row] = Registry.select(REG, [(("$1", tme, "$3"), [], [("$1", tme, "$3")])])
    assert row == ("hello", tme, value) and type(row[1]) is Pid
