"""The header (``widgets._header``) as a pure function of trace data: no runtime, no threads."""

from __future__ import annotations

import networkx as nx

from jobber_lab.widgets._header import HeaderFacts, header_html, job_runner_of, running_imports_of


def facts(**changes: object) -> HeaderFacts:
    base = dict(
        variant="direct",
        mode="simulated · ×0.1",
        quota=3,
        job_runner="<0.9.0>",
        first_job_runner="<0.9.0>",
        running_imports=1,
        processes=7,
        done=2,
        failed=1,
        zombies=0,
        refused=0,
        travel=None,
    )
    return HeaderFacts(**{**base, **changes})  # type: ignore[arg-type]


def test_header_marks_a_new_job_runner_and_a_full_quota() -> None:
    same = header_html(facts())
    assert "JobRunner &lt;0.9.0&gt;" in same and "jl-runner-changed" not in same
    changed = header_html(facts(job_runner="<0.31.0>", running_imports=3, refused=2))
    assert "jl-runner-changed" in changed and "replaced &lt;0.9.0&gt;" in changed
    again = header_html(facts(job_runner="<0.40.0>", replaced="<0.31.0>"))
    assert "replaced &lt;0.31.0&gt;" in again  # the pid just replaced, not the first one
    assert "imports 3 / 3 (quota reached)" in changed and "2 imports refused" in changed
    assert "JobRunner: down" in header_html(facts(job_runner=None))
    assert "2 zombie threads" in header_html(facts(zombies=2))
    assert "time travel: seq 4 of 9" in header_html(facts(travel="seq 4 of 9"))


def test_graph_readers() -> None:
    g = nx.DiGraph()
    g.add_node("<0.5.0>", name="JobRunner")
    g.add_node("<0.8.0>", name=None, job_type="import")
    g.add_node("<0.9.0>", name=None, job_type="import", zombie=True)
    assert job_runner_of(g) == "<0.5.0>"
    assert running_imports_of(g) == 1
    assert job_runner_of(nx.DiGraph()) is None
