"""The message summariser: the book's words for each kind of message, the whole term intact."""

from __future__ import annotations

import pytest

from jobber_lab.draw._messages import SUMMARY_WIDTH, elixir_term, parse_term, summarise

CALL = "(:$gen_call, (<3.1.0>, #Ref<3.2>), :inc)"
DOWN = "(:DOWN, #Ref<1.5>, :process, <1.2.0>, :shutdown)"


@pytest.mark.parametrize(
    ("recorded", "tag", "expected"),
    [
        (CALL, "call", "GenServer.call(:inc)"),
        ("(:$gen_call, (<3.1.0>, #Ref<3.2>), 'inc')", "call", 'GenServer.call("inc")'),
        ("1", "reply", "{:reply, 1}"),
        ("(#Ref<3.2>, 1)", "reply", "{:reply, 1}"),  # the {ref, value} a caller receives
        ("Error(reason=:timeout)", "reply", "{:reply, {:error, :timeout}}"),
        ("(:$gen_cast, ('push', 1))", "cast", 'GenServer.cast({"push", 1})'),
        (DOWN, "DOWN", "{:DOWN, ...}"),
        ("(:EXIT, <1.2.0>, :shutdown)", "EXIT", "{:EXIT, <1.2.0>, :shutdown}"),
        ("(:EXIT, <1.2.0>, :normal)", "EXIT", "{:EXIT, <1.2.0>, :normal}"),
        ("('hello', <1.1.0>)", "info", '{"hello", <1.1.0>}'),
        ("'world'", "info", '"world"'),
        (":retry", "info", ":retry"),
        ("(:ok, True, None)", "info", "{:ok, true, nil}"),
        ("{'id': 'doomed-3'}", "info", '%{"id" => "doomed-3"}'),
        ("(1,)", "info", "{1}"),
        ("[]", "info", "[]"),
    ],
)
def test_each_kind_of_message_as_the_book_writes_it(recorded, tag, expected) -> None:
    assert summarise(recorded, tag) == expected


def test_a_long_term_is_shortened_inside_its_brackets_never_cut_mid_word() -> None:
    spec = "{'id': 'doomed-3', 'work': <function doomed_job.<locals>.work at 0x7f>, 'retries': 3}"
    call = f"(:$gen_call, (<0.5.0>, #Ref<0.9>), (:start_child, {spec}))"
    line = summarise(call, "call")
    assert line == "GenServer.call({:start_child, %{...}})"
    assert len(line) <= SUMMARY_WIDTH
    crash = "(:EXIT, <1.3.0>, Crash(RuntimeError('Boom! ' * 10)))"
    assert summarise(crash, "EXIT") == "{:EXIT, <1.3.0>, ...}"


def test_the_whole_term_keeps_everything_in_elixir_notation() -> None:
    assert elixir_term(CALL) == '{:"$gen_call", {<3.1.0>, #Ref<3.2>}, :inc}'
    assert elixir_term(DOWN) == "{:DOWN, #Ref<1.5>, :process, <1.2.0>, :shutdown}"
    crash = "(:EXIT, <1.3.0>, Crash(RuntimeError('Boom!')))"
    assert elixir_term(crash) == '{:EXIT, <1.3.0>, %RuntimeError{message: "Boom!"}}'
    ack = "(:$ack, <1.2.0>, Ok(value=<1.2.0>, info=None))"
    assert elixir_term(ack) == '{:"$ack", <1.2.0>, {:ok, <1.2.0>}}'
    big = repr({"rows": list(range(200))})
    assert elixir_term(big).count(",") == 199  # nothing elided


def test_texts_already_in_elixir_and_cut_texts_still_read() -> None:
    assert summarise("{:start_child, spec}", "call") == "GenServer.call({:start_child, spec})"
    assert summarise("{:EXIT, <0.20.0>, :shutdown}", "EXIT") == "{:EXIT, <0.20.0>, :shutdown}"
    cut = "(:$gen_call, (<3.1.0>, #Ref<3…"  # an old trace: the core cut messages at 60 chars
    assert summarise(cut, "call") == "GenServer.call(...)"
    assert parse_term(cut).cut


@pytest.mark.parametrize("garbage", ["", "((((", ")))", "'unclosed", "<a<b", ":", "a: b: c"])
def test_any_text_reads_without_raising(garbage) -> None:
    assert isinstance(summarise(garbage, "info"), str)
    assert isinstance(elixir_term(garbage), str)
