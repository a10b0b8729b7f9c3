"""Ported from elixir-lang/elixir lib/elixir/test/elixir/registry/unique_test.exs
(@23a43122), with ``partitions: 1``.

Match specs keep Erlang's shape with Python values: ``:_`` is ``"_"``, ``:"$1"`` is
``"$1"``, and a result template tuple is written as a plain tuple (Erlang's ``{{...}}``
tuple-construction escape is not needed).  ``Agent`` is a small GenServer here.

Not ported (no such feature): ``count_match``, ``unregister_match``, ``count_select``,
``update_value``, ``dispatch``, listeners, the reserved-keys case (built on
``count_match``/``unregister_match``), 8 partitions, and the ETS-size cases
("doesn't grow ets on already_registered ...").
"""

from __future__ import annotations

from typing import Any

import pytest
from registry_support import kill_and_assert_down, register_task, start_registry

from jobber_lab.otp import (
    ALREADY_REGISTERED,
    ALREADY_STARTED,
    OK,
    ArgumentError,
    Atom,
    Error,
    GenServer,
    InitOk,
    Ok,
    Pid,
    Registry,
    Reply,
    call,
    link,
    start,
    start_link,
    whereis,
)

ATOM = Atom("atom")


@pytest.fixture
def registry(me) -> str:
    start_registry("unique_test")
    return "unique_test"


class Agent(GenServer):
    """Elixir's ``Agent``, as much of it as the via cases use."""

    def init(self, fun: Any) -> Any:
        return InitOk(fun())

    def handle_call(self, request: Any, from_: Any, state: Any) -> Any:
        op, fun = request
        if op == "get":
            return Reply(fun(state), state)
        return Reply(OK, fun(state))  # update


def links_of(runtime: Any, pid: Pid) -> set[Pid]:
    """``Process.info(pid, :links)``."""
    return set(runtime.process(pid).links)


def test_starts_configured_number_of_partitions(registry) -> None:
    """unique_test.exs, "starts configured number of partitions": one partition, and
    in this port the registry *is* that partition (no Registry.Supervisor above it)."""
    assert isinstance(whereis(registry), Pid)


def test_counts_0_keys_in_an_empty_registry(registry) -> None:
    """unique_test.exs, "counts 0 keys in an empty registry"."""
    assert Registry.count(registry) == 0


def test_counts_the_number_of_keys_in_a_registry(registry) -> None:
    """unique_test.exs, "counts the number of keys in a registry"."""
    assert isinstance(Registry.register(registry, "hello", "value"), Ok)
    assert isinstance(Registry.register(registry, "world", "value"), Ok)
    assert Registry.count(registry) == 2


def test_has_unique_registrations(registry, me) -> None:
    """unique_test.exs, "has unique registrations"."""
    result = Registry.register(registry, "hello", "value")
    assert isinstance(result, Ok) and isinstance(result.value, Pid)
    assert Registry.keys(registry, me) == ["hello"]
    assert Registry.values(registry, "hello", me) == ["value"]
    assert Registry.register(registry, "hello", "value") == Error((ALREADY_REGISTERED, me))
    assert Registry.keys(registry, me) == ["hello"]
    assert Registry.values(registry, "hello", me) == ["value"]
    assert isinstance(Registry.register(registry, "world", "value"), Ok)
    assert sorted(Registry.keys(registry, me)) == ["hello", "world"]


def test_has_unique_registrations_across_processes(registry, me, runtime) -> None:
    """unique_test.exs, "has unique registrations across processes"."""
    _, task = register_task(registry, "hello", "value")
    link(whereis(registry))
    assert Registry.keys(registry, task) == ["hello"]
    assert Registry.values(registry, "hello", task) == ["value"]
    assert Registry.register(registry, "hello", "recent") == Error((ALREADY_REGISTERED, task))
    assert Registry.keys(registry, me) == []
    assert Registry.values(registry, "hello", me) == []
    assert whereis(registry) in links_of(runtime, me)


def test_has_unique_registrations_even_if_partition_is_delayed(registry, me) -> None:
    """unique_test.exs, "has unique registrations even if partition is delayed"
    (``:sys.suspend(owner)`` is the ``Registry.suspend`` test hook here)."""
    _, task = register_task(registry, "hello", "value")
    assert Registry.register(registry, "hello", "other") == Error((ALREADY_REGISTERED, task))
    Registry.suspend(registry)
    kill_and_assert_down(task)
    Registry.register(registry, "hello", "other")
    assert Registry.lookup(registry, "hello") == [(me, "other")]
    Registry.resume(registry)


def test_supports_match_patterns(registry, me) -> None:
    """unique_test.exs, "supports match patterns"."""
    value = (1, ATOM, 1)
    Registry.register(registry, "hello", value)
    match = Registry.match  # type: ignore[attr-defined]
    assert match(registry, "hello", (1, "_", "_")) == [(me, value)]
    assert match(registry, "hello", (1.5, "_", "_")) == []
    assert match(registry, "hello", ("_", ATOM, "_")) == [(me, value)]
    assert match(registry, "hello", ("$1", "_", "$1")) == [(me, value)]
    assert match(registry, "hello", "_") == [(me, value)]
    assert match(registry, "_", "_") == []


def test_supports_guard_conditions(registry, me) -> None:
    """unique_test.exs, "supports guard conditions"."""
    value = (1, ATOM, 2)
    Registry.register(registry, "hello", value)
    match = Registry.match  # type: ignore[attr-defined]
    assert match(registry, "hello", ("_", "_", "$1"), [(">", "$1", 1)]) == [(me, value)]
    assert match(registry, "hello", ("_", "_", "$1"), [(">", "$1", 2)]) == []
    assert match(registry, "hello", ("_", "$1", "_"), [("is_atom", "$1")]) == [(me, value)]


def test_compares_using_strict_equality(registry, me) -> None:
    """unique_test.exs, "compares using ===": Elixir keeps ``1`` and ``1.0`` apart; keys
    here are Python dict keys, where ``1 == 1.0`` is one key."""
    assert isinstance(Registry.register(registry, 1.0, "value"), Ok)
    assert Registry.register(registry, 1, "value") == Error((ALREADY_REGISTERED, me))
    assert Registry.keys(registry, me) == [1.0]


def test_unregisters_process_by_key(registry, me) -> None:
    """unique_test.exs, "unregisters process by key"."""
    assert Registry.unregister(registry, "hello") is OK
    Registry.register(registry, "hello", "value")
    Registry.register(registry, "world", "value")
    assert sorted(Registry.keys(registry, me)) == ["hello", "world"]
    assert Registry.unregister(registry, "hello") is OK
    assert Registry.keys(registry, me) == ["world"]
    assert Registry.unregister(registry, "world") is OK
    assert Registry.keys(registry, me) == []


def test_unregisters_with_no_entries(registry) -> None:
    """unique_test.exs, "unregisters with no entries"."""
    assert Registry.unregister(registry, "hello") is OK


def test_links_and_unlinks_on_register_unregister(registry, me, runtime) -> None:
    """unique_test.exs, "links and unlinks on register/unregister"."""
    pid = Registry.register(registry, "hello", "value").value
    assert pid in links_of(runtime, me)
    pid = Registry.register(registry, "world", "value").value
    assert pid in links_of(runtime, me)
    Registry.unregister(registry, "hello")
    assert pid in links_of(runtime, me)
    Registry.unregister(registry, "world")
    assert pid not in links_of(runtime, me)


def test_raises_on_unknown_registry_name(me) -> None:
    """unique_test.exs, "raises on unknown registry name"."""
    with pytest.raises(ArgumentError, match="unknown registry"):
        Registry.register("unknown", "hello", "value")


def test_via_callbacks(registry, me) -> None:
    """unique_test.exs, "via callbacks"."""
    name = Registry.via(registry, "hello")
    pid = start_link(Agent, lambda: 0, name=name).value  # register_name
    assert call(name, ("update", lambda n: n + 1)) is OK  # send
    assert call(name, ("get", lambda n: n)) == 1  # whereis_name

    def boom() -> Any:
        raise RuntimeError("oops")

    assert isinstance(start(Agent, boom), Error)  # unregister_name
    assert start(Agent, lambda: 0, name=name) == Error((ALREADY_STARTED, pid))


def test_uses_value_provided_in_via(registry) -> None:
    """unique_test.exs, "uses value provided in via"."""
    name = Registry.via(registry, "hello", "value")
    pid = start_link(Agent, lambda: 0, name=name).value
    assert Registry.lookup(registry, "hello") == [(pid, "value")]


def test_empty_list_for_empty_registry(registry) -> None:
    """unique_test.exs, "empty list for empty registry"."""
    assert Registry.select(registry, [(("_", "_", "_"), [], ["$_"])]) == []


def test_select_all(registry, me) -> None:
    """unique_test.exs, "select all"."""
    pid = start_link(Agent, lambda: 0, name=Registry.via(registry, "hello")).value
    Registry.register(registry, "world", "value")
    spec = [(("$1", "$2", "$3"), [], [("$1", "$2", "$3")])]
    assert sorted(Registry.select(registry, spec), key=repr) == sorted(
        [("hello", pid, None), ("world", me, "value")], key=repr
    )


def test_select_supports_full_match_specs(registry, me) -> None:
    """unique_test.exs, "select supports full match specs" (the map pattern is the
    next test)."""
    value = (1, ATOM, 1)
    Registry.register(registry, "hello", value)
    row = ("hello", me, value)
    sel = Registry.select
    assert sel(registry, [(("hello", "$2", "$3"), [], [("hello", "$2", "$3")])]) == [row]
    assert sel(registry, [(("$1", "$2", value), [], [("$1", "$2", value)])]) == [row]
    assert sel(registry, [(("world", "$2", "$3"), [], [("world", "$2", "$3")])]) == []
    assert sel(registry, [(("$1", "$2", (1.5, "_", "_")), [], ["$_"])]) == []
    spec = [(("$1", "$2", ("$3", ATOM, "$4")), [], [("$1", "$2", ("$3", ATOM, "$4"))])]
    assert sel(registry, spec) == [row]
    spec = [(("$1", "$2", ("$3", "$4", "$3")), [], [("$1", "$2", ("$3", "$4", "$3"))])]
    assert sel(registry, spec) == [row]
    Registry.register(registry, "world", "value2")
    assert sorted(sel(registry, [(("$1", "_", "_"), [], ["$1"])])) == ["hello", "world"]


def test_select_supports_full_match_specs_pid_literal(registry, me) -> None:
    """unique_test.exs, "select supports full match specs" (``{:"$1", self(), :"$3"}``
    in the pattern and the body)."""
    value = (1, ATOM, 1)
    Registry.register(registry, "hello", value)
    spec = [(("$1", me, "$3"), [], [("$1", me, "$3")])]
    assert Registry.select(registry, spec) == [("hello", me, value)]


def test_select_supports_full_match_specs_map_pattern(registry, me) -> None:
    """unique_test.exs, "select supports full match specs" (``%{b: "b"}`` matches a
    map with more keys, as ETS map patterns do)."""
    Registry.register(registry, "world", {"a": "a", "b": "b"})
    assert Registry.select(registry, [(("world", me, {"b": "b"}), [], ["match"])]) == ["match"]


def test_select_supports_guard_conditions(registry, me) -> None:
    """unique_test.exs, "select supports guard conditions"."""
    value = (1, ATOM, 2)
    Registry.register(registry, "hello", value)
    spec = [(("$1", "$2", ("$3", "$4", "$5")), [(">", "$5", 1)], [("$1", "$2", value)])]
    assert Registry.select(registry, spec) == [("hello", me, value)]
    assert (
        Registry.select(registry, [(("_", "_", ("_", "_", "$1")), [(">", "$1", 2)], ["$_"])]) == []
    )
    spec = [(("$1", "_", ("_", "$2", "_")), [("is_atom", "$2")], ["$1"])]
    assert Registry.select(registry, spec) == ["hello"]


def test_select_allows_multiple_specs(registry) -> None:
    """unique_test.exs, "select allows multiple specs" (the result bound by the pattern;
    ``{:element, 1, :"$_"}`` is the next test)."""
    Registry.register(registry, "hello", "value")
    Registry.register(registry, "world", "value")
    spec = [(("hello", "_", "_"), [], ["hello"]), (("world", "_", "_"), [], ["world"])]
    assert sorted(Registry.select(registry, spec)) == ["hello", "world"]


def test_select_allows_multiple_specs_with_element(registry) -> None:
    """unique_test.exs, "select allows multiple specs" (``[{:element, 1, :"$_"}]``)."""
    Registry.register(registry, "hello", "value")
    Registry.register(registry, "world", "value")
    body = [("element", 1, "$_")]
    spec = [(("hello", "_", "_"), [], body), (("world", "_", "_"), [], body)]
    assert sorted(Registry.select(registry, spec)) == ["hello", "world"]


def test_select_raises_on_incorrect_shape_of_match_spec(registry) -> None:
    """unique_test.exs, "select raises on incorrect shape of match spec"."""
    with pytest.raises(ArgumentError):
        Registry.select(registry, [("_", [], [])])


def test_select_element_out_of_range_is_a_clear_error(registry) -> None:
    """Not upstream's: ``element/2`` past a row's end names itself (OTP raises badarg)."""
    Registry.register(registry, "hello", "value")
    with pytest.raises(ArgumentError, match=r"element\(4, \.\.\.\)"):
        Registry.select(registry, [(("_", "_", "_"), [], [("element", 4, "$_")])])
