"""Saving and loading traces: JSON lines only, and clear errors for broken files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from trace_story import assert_same_graph, jobber_direct, jobber_isolated

from jobber_lab.otp import Event
from jobber_lab.trace import TraceFormatError, Tracer


@pytest.mark.parametrize("scenario", [jobber_isolated, jobber_direct])
def test_save_then_load_gives_the_same_history_and_graphs(tmp_path: Path, scenario) -> None:
    story, _ = scenario()
    tracer = Tracer.from_events(story.events)
    path = tmp_path / "run.jsonl"
    assert tracer.save(path) == len(story.events)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(story.events)
    assert json.loads(lines[0]) == story.events[0].to_dict()

    loaded = Tracer.load(path)
    assert loaded.history == tracer.history
    assert_same_graph(loaded.graph, tracer.graph)
    for event in story.events[::7]:
        assert_same_graph(loaded.graph_at(event.seq), tracer.graph_at(event.seq))
    assert loaded.job_rows() == tracer.job_rows()
    assert loaded.log_lines() == tracer.log_lines()


def _write_trace(tmp_path: Path, lines: list[str], end: str = "\n") -> Path:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(lines) + end, encoding="utf-8")
    return path


def _good_lines(count: int = 4) -> list[str]:
    story, _ = jobber_isolated()
    return [json.dumps(e.to_dict()) for e in story.events[:count]]


def test_malformed_json_names_the_file_and_line(tmp_path: Path) -> None:
    lines = _good_lines()
    lines[2] = lines[2][:-5] + "oops"
    path = _write_trace(tmp_path, lines)
    with pytest.raises(TraceFormatError) as caught:
        Tracer.load(path)
    error = caught.value
    assert isinstance(error, ValueError)
    assert (error.line, error.path) == (3, str(path))
    assert str(path) in str(error) and "line 3" in str(error)
    assert "malformed JSON" in str(error)


def test_truncated_last_line_says_so(tmp_path: Path) -> None:
    lines = _good_lines()
    lines[-1] = lines[-1][: len(lines[-1]) // 2]
    path = _write_trace(tmp_path, lines, end="")
    with pytest.raises(TraceFormatError, match=r"line 4: truncated last line"):
        Tracer.load(path)


def test_missing_key_is_named(tmp_path: Path) -> None:
    lines = _good_lines()
    data = json.loads(lines[1])
    del data["kind"]
    lines[1] = json.dumps(data)
    with pytest.raises(TraceFormatError, match=r"line 2: missing key\(s\) kind"):
        Tracer.load(_write_trace(tmp_path, lines))


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("seq", "7", "'seq' must be a non-negative integer"),
        ("seq", True, "'seq' must be a non-negative integer"),
        ("time", "soon", "'time' must be a finite number"),
        ("kind", 3, "'kind' must be a non-empty string"),
        ("pid", 42, "'pid' must be a string or null"),
        ("fields", [1, 2], "'fields' must be a JSON object"),
    ],
)
def test_wrong_types_are_named(tmp_path: Path, key: str, value: object, words: str) -> None:
    lines = _good_lines()
    data = json.loads(lines[0])
    data[key] = value
    lines[0] = json.dumps(data)
    with pytest.raises(TraceFormatError, match=r"line 1: ") as caught:
        Tracer.load(_write_trace(tmp_path, lines))
    assert words in str(caught.value)


def test_other_broken_lines(tmp_path: Path) -> None:
    lines = _good_lines()
    with pytest.raises(TraceFormatError, match="line 2: expected a JSON object, got list"):
        Tracer.load(_write_trace(tmp_path, [lines[0], "[1, 2]"]))
    with pytest.raises(TraceFormatError, match="line 2: seq 1 does not follow seq 1"):
        Tracer.load(_write_trace(tmp_path, [lines[0], lines[0]]))
    nan = lines[1].replace('"time": 0.02', '"time": NaN')
    assert "NaN" in nan
    with pytest.raises(TraceFormatError, match="line 2: malformed JSON"):
        Tracer.load(_write_trace(tmp_path, [lines[0], nan]))
    (tmp_path / "latin.jsonl").write_bytes(b"\xff\xfe{}\n")
    with pytest.raises(TraceFormatError, match="not UTF-8"):
        Tracer.load(tmp_path / "latin.jsonl")


def test_blank_lines_are_skipped_and_an_empty_file_is_an_empty_trace(tmp_path: Path) -> None:
    lines = _good_lines()
    tracer = Tracer.load(_write_trace(tmp_path, [lines[0], "", lines[1], "  "]))
    assert [e.seq for e in tracer.history] == [1, 2]
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    assert Tracer.load(empty).history == []


def test_loading_never_runs_code(tmp_path: Path) -> None:
    evil = {
        "seq": 1,
        "time": 0.0,
        "kind": "spawned",
        "pid": "<1.1.0>",
        "fields": {"behaviour": "__import__('os').system('false')", "name": None},
    }
    tracer = Tracer.load(_write_trace(tmp_path, [json.dumps(evil)]))
    assert tracer.graph.nodes["<1.1.0>"]["behaviour"] == evil["fields"]["behaviour"]


def test_saving_live_objects_fails_loudly(tmp_path: Path) -> None:
    tracer = Tracer.from_events([Event(1, 0.0, "spawned", "<1.1.0>", {"behaviour": object()})])
    with pytest.raises(TypeError, match=r"seq 1 \(spawned\).*not plain JSON"):
        tracer.save(tmp_path / "x.jsonl")
