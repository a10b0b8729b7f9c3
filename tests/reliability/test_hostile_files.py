"""A trace, a match spec or a path from a stranger fails in one clear way (issue 14, 5 and 6).

``Tracer.load`` promises a ``TraceFormatError`` naming the file and line; before these checks
a deep list was a RecursionError and a dict as a name a TypeError from the graph code.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobber_lab import cli, otp
from jobber_lab.otp import ArgumentError, EventKind, Registry
from jobber_lab.trace import TraceFormatError, Tracer, _tracer

KINDS = sorted(v for k, v in vars(EventKind).items() if k.isupper() and isinstance(v, str))
FIELD_NAMES = [
    "pid", "parent", "supervisor", "old_pid", "other", "name", "behaviour", "role", "status",
    "app", "reason", "reason_kind", "job_id", "job_type", "restart", "restarts",
    "max_restarts", "max_seconds", "attempt", "retries", "max_retries", "child_id",
    "dynamic", "linked", "seconds", "message",
]  # fmt: skip


def _event(kind: str = "spawned", seq: int = 1, pid: str | None = "<0.1.0>", **fields) -> str:
    return json.dumps({"seq": seq, "time": 0.0, "kind": kind, "pid": pid, "fields": fields})


def _load(tmp_path: Path, *lines: str) -> Tracer:
    path = tmp_path / "stranger.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return Tracer.load(path)


DEEP = "[" * 100_000 + "]" * 100_000
HOSTILE_LINES = {
    "a 100,000-deep nested list": '{"seq":1,"time":0,"kind":"x","pid":null,"fields":{"a":'
    + DEEP
    + "}}",
    "a 100,000-deep list as the line": DEEP,
    "an unhashable parent": _event(parent=["<0.0.0>"]),
    "a dict as a parent": _event(parent={"a": 1}),
    "restarts: many": _event("child_restarted", supervisor="<0.1.0>", restarts="many"),
    "restarts: -3": _event("intensity_reached", supervisor="<0.1.0>", restarts=-3),
    "restarts: 1.5": _event("intensity_reached", supervisor="<0.1.0>", restarts=1.5),
    "restarts: true": _event("intensity_reached", supervisor="<0.1.0>", restarts=True),
    "a dict as a name": _event("named", name={"a": 1}),
    "a list as an app": _event("app_started", app=["jobber"]),
    "a number as a status": _event("job_status", status=3),
    "a dict as child_id": _event("child_started", supervisor="<0.1.0>", child_id={}),
    "fields nested 20 deep": _event(x=json.loads("[" * 20 + "]" * 20)),
    "20,000 values in fields": _event(x=list(range(20_000))),
    "a 5000-digit number": '{"seq":1,"time":0,"kind":"x","pid":null,"fields":{"r":'
    + "9" * 5000
    + "}}",
    "a 2 MB line": _event(message="x" * 2_000_000),
    "NaN": '{"seq":1,"time":NaN,"kind":"x","pid":null,"fields":{}}',
}


@pytest.mark.parametrize("problem", list(HOSTILE_LINES))
def test_a_hostile_line_is_a_trace_format_error_naming_file_and_line(tmp_path, problem):
    good = _event(seq=1)
    with pytest.raises(TraceFormatError) as info:
        _load(tmp_path, good, HOSTILE_LINES[problem].replace('"seq": 1', '"seq": 2'))
    assert info.value.line == 2, problem
    assert str(info.value).startswith(f"{tmp_path / 'stranger.jsonl'}, line 2: ")


def test_the_error_says_which_field_and_what_was_expected(tmp_path):
    with pytest.raises(TraceFormatError, match=r"line 1: field 'restarts' must be a non-neg"):
        _load(tmp_path, HOSTILE_LINES["restarts: many"])
    with pytest.raises(TraceFormatError, match=r"line 1: field 'name' must be a string or null"):
        _load(tmp_path, HOSTILE_LINES["a dict as a name"])
    with pytest.raises(TraceFormatError, match=r"line 1: JSON nested too deeply"):
        _load(tmp_path, HOSTILE_LINES["a 100,000-deep nested list"])


def test_a_replay_failure_the_checks_did_not_foresee_still_names_the_line(tmp_path, monkeypatch):
    """The last line of defence: anything the graph code raises becomes a TraceFormatError."""

    def broken(graph, event, state):
        raise KeyError("graph code tripped")

    monkeypatch.setattr(_tracer, "apply_event", broken)
    with pytest.raises(TraceFormatError, match=r"line 3: event seq 3 \(spawned\) cannot be rep"):
        _load(tmp_path, "", "", _event(seq=3))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False,
    allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner,
    max_size=4),
    max_leaves=12,
)  # fmt: skip
pid_texts = st.sampled_from(["<0.1.0>", "<0.2.0>", "<0.3.0>", "app:jobber", ""])
hostile_events = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(KINDS),
        "pid": st.none() | pid_texts,
        "fields": st.dictionaries(
            st.sampled_from(FIELD_NAMES), json_values | pid_texts, max_size=6
        ),
    }
)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(hostile_events, min_size=1, max_size=12))
def test_random_stranger_traces_load_or_fail_as_trace_format_error(tmp_path, events):
    lines = [json.dumps({"seq": n, "time": float(n), **e}) for n, e in enumerate(events, 1)]
    try:
        tracer = _load(tmp_path, *lines)
    except TraceFormatError as exc:
        assert 1 <= exc.line <= len(lines)
        return
    tracer.job_rows()  # what loaded is usable by the readers too
    tracer.log_lines()


# ------------------------------------------------------------------------- item 6


def test_whereis_of_an_unhashable_name_says_what_a_name_is(runtime):
    with runtime.test_process():
        with pytest.raises(TypeError, match=r"whereis\(name\): expected a Pid, a str or Atom"):
            otp.whereis([1])
        with pytest.raises(TypeError, match=r"whereis\(name\)"):
            otp.whereis({"a": 1})
        assert otp.whereis("nobody") is None
        with pytest.raises(TypeError, match=r"send\(dest\)"):
            otp.send([1], "x")
        with pytest.raises(TypeError, match=r"send_after\(dest\)"):
            otp.send_after([1], "x", 1.0)


def test_registry_lookup_of_an_unhashable_key_names_it(runtime):
    with runtime.test_process():
        Registry.start_link(keys="unique", name="reg")
        with pytest.raises(TypeError, match=r"Registry\.lookup\(key\): expected a hashable key"):
            Registry.lookup("reg", {"a": 1})
        assert Registry.lookup("reg", "free") == []


def test_a_5000_deep_match_spec_guard_is_a_clear_error(runtime):
    guard: tuple = ("==", "$1", 1)
    for _ in range(5000):
        guard = ("not", guard)
    with runtime.test_process():
        Registry.start_link(keys="unique", name="reg")
        with pytest.raises(ArgumentError, match=r"select\(spec\): nested more than 100 levels"):
            Registry.select("reg", [(("$1", "_", "_"), [guard], ["$1"])])
        selfish: list = []
        selfish.append(selfish)
        selfish.append(selfish)  # 2 ** depth terms if walked naively
        with pytest.raises(ArgumentError, match=r"select\(spec\)"):
            Registry.select("reg", [(("$1", "_", "_"), [], [selfish])])


@pytest.mark.parametrize("out", ["missing/dir/t.png", "nowhere/at/all/tree.svg"])
def test_tree_into_a_missing_folder_is_a_usage_error(tmp_path, out, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["tree", "--out", str(tmp_path / out)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--out: the folder" in err and "does not exist" in err
    assert "Traceback" not in err
