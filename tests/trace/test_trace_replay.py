"""Replay: the graph at any past moment, rebuilt from the history, equals what was live."""

from __future__ import annotations

import pytest
from trace_story import assert_same_graph, jobber_direct, jobber_isolated

from jobber_lab.trace import Tracer, build_graph


@pytest.mark.parametrize("scenario", [jobber_isolated, jobber_direct])
def test_graph_at_every_step_equals_the_live_graph_then(scenario) -> None:
    story, _ = scenario()
    tracer = Tracer()
    live = []
    for event in story.events:
        tracer.feed(event)
        live.append(tracer.graph)
    for event, seen in zip(story.events, live, strict=True):
        assert_same_graph(tracer.graph_at(event.seq), seen)
    assert_same_graph(tracer.graph_at(story.events[-1].seq), tracer.graph)
    assert_same_graph(build_graph(tracer.history), tracer.graph)


def test_graph_at_a_time_takes_every_event_up_to_it() -> None:
    story, p = jobber_isolated()
    tracer = Tracer.from_events(story.events)
    good_exit = next(e for e in story.events if e.kind == "exited" and e.pid == p["good"])
    assert p["good"] in tracer.graph_at(good_exit.time - 0.001)
    assert p["good"] not in tracer.graph_at(good_exit.time)
    assert_same_graph(tracer.graph_at(float(good_exit.time)), tracer.graph_at(good_exit.seq))
    assert tracer.graph_at(0).number_of_nodes() == 0
    assert_same_graph(tracer.graph_at(1e9), tracer.graph)


def test_graph_at_rejects_what_is_not_a_moment() -> None:
    tracer = Tracer()
    with pytest.raises(TypeError, match="graph_at"):
        tracer.graph_at("3")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tracer.graph_at(True)


def test_max_history_drops_old_events_but_never_from_the_graph() -> None:
    story, _ = jobber_direct()
    full = Tracer.from_events(story.events)
    capped = Tracer.from_events(story.events, max_history=10)
    assert capped.dropped == len(story.events) - 10
    assert len(capped.history) == 10
    assert capped.history == story.events[-10:]
    assert capped.version == len(story.events)
    assert_same_graph(capped.graph, full.graph)
    assert_same_graph(capped.graph_at(story.events[-1].seq), full.graph)
    kept_first = story.events[-10].seq
    assert_same_graph(capped.graph_at(kept_first), full.graph_at(kept_first))
    assert_same_graph(capped.graph_at(kept_first - 1), full.graph_at(kept_first - 1))
    with pytest.raises(ValueError, match="before the kept history"):
        capped.graph_at(kept_first - 2)
    assert full.dropped == 0


def test_max_history_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_history"):
        Tracer(max_history=0)
