"""`jobber-lab demo` and `jobber-lab tree`, through the real entry point."""

from __future__ import annotations

import threading

import pytest
from PIL import Image

from jobber_lab import cli, jobber
from jobber_lab.demo import live_tree, run_story

PNG = b"\x89PNG\r\n\x1a\n"


def _no_runtime_threads() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("jobber-lab <")]


def test_tree_command_writes_a_png(tmp_path) -> None:
    out = tmp_path / "supervision_tree.png"
    assert cli.main(["tree", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(PNG)
    assert _no_runtime_threads() == []


def test_tree_command_draws_doomed_3_findable_and_crisp(tmp_path) -> None:
    png, svg = tmp_path / "tree.png", tmp_path / "tree.svg"
    assert cli.main(["tree", "--out", str(png), "--crashes", "1"]) == 0
    assert Image.open(png).width >= 1200
    assert cli.main(["tree", "--out", str(svg), "--crashes", "1"]) == 0
    text = svg.read_text()
    assert "doomed-3 · crashed" in text and "doomed-3 · running · try 2" in text
    # The restart is drawn too: the picture waits for the supervisor's report, which comes
    # after the new Job's own "running" (it was missing from a regenerated picture once).
    assert "↻1" in text
    assert _no_runtime_threads() == []


def test_tree_is_drawn_from_the_live_graph() -> None:
    """The picture's graph has the seed's shape: app, top supervisor, registry, runner,
    JobSupervisors (dynamic edges) and Jobs under them."""
    app, tracer = live_tree("isolated")
    try:
        graph = tracer.graph
    finally:
        app.stop()
        app.runtime.shutdown()
        tracer.detach()
    labels = {n: graph.nodes[n]["label"] for n in graph}
    by_label: dict[str, list[str]] = {}
    for node, label in labels.items():
        by_label.setdefault(label, []).append(node)
    (app_node,) = by_label["Jobber"]
    assert graph.nodes[app_node]["role"] == "application"
    (top,) = by_label["Jobber.Supervisor"]
    (runner,) = by_label["JobRunner"]
    (registry,) = by_label["JobRegistry"]
    assert set(graph.successors(app_node)) == {top}
    assert set(graph.successors(top)) == {runner, registry}
    assert graph.nodes[registry]["role"] == "registry"
    # The naming rule calls a JobSupervisor and its Job by the job's id: find them by kind.
    by_kind: dict[str, list[str]] = {}
    for node in graph:
        by_kind.setdefault(graph.nodes[node]["behaviour"], []).append(node)
    job_sups = by_kind["JobSupervisor"]
    assert len(job_sups) == 4  # three running jobs, one finished (its supervisor lingers)
    assert all(graph.edges[runner, s]["dynamic"] for s in job_sups)
    jobs = by_kind["Job"]
    assert all(graph.nodes[j]["label"] == graph.nodes[j]["job_id"] for j in jobs)
    assert len(jobs) == 3
    assert all(next(iter(graph.predecessors(j))) in job_sups for j in jobs)
    assert {graph.nodes[j]["status"] for j in jobs} <= {"running", "errored"}


def test_tree_rejects_a_path_without_suffix(tmp_path, capsys) -> None:
    with pytest.raises(SystemExit):
        cli.main(["tree", "--out", str(tmp_path / "tree")])
    assert "--out: expected a file ending in .png" in capsys.readouterr().err
    assert not (tmp_path / "tree").exists()


@pytest.mark.parametrize("variant", jobber.VARIANTS)
def test_story_shows_the_books_facts(variant: str) -> None:
    lines: list[str] = []
    result = run_story(variant, time_scale=0.01, say=lines.append)
    text = "\n".join(lines)
    assert "good job" in text and "completed" in text
    assert "gives up" in text
    assert result.refused_imports == 1
    assert len(result.running_imports) == 3
    if variant == "direct":
        assert result.job_runner_after != result.job_runner_before
    else:
        assert result.job_runner_after == result.job_runner_before
    assert "JobRunner" in result.tree
    assert _no_runtime_threads() == []


def test_demo_command_runs_both_variants_and_draws(tmp_path, capsys) -> None:
    out = tmp_path / "tree.png"
    assert cli.main(["demo", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "isolated variant" in printed and "direct variant" in printed
    assert printed.index("direct variant") < printed.index("isolated variant")  # the seed's order
    assert "a new JobRunner" in printed
    assert out.read_bytes().startswith(PNG)


def test_bad_time_scale_is_refused(capsys) -> None:
    with pytest.raises(SystemExit):
        cli.main(["demo", "--time-scale", "-1"])
    assert "positive number" in capsys.readouterr().err


def test_demo_tells_the_story_plainly_in_at_most_60_lines(capsys) -> None:
    """Issue 15: direct first, stable names, collateral damage named, a closing table."""
    assert cli.main(["demo", "--out", ""]) == 0
    lines = capsys.readouterr().out.splitlines()
    text = "\n".join(lines)
    assert len(lines) <= 60, text
    assert "on simulated time" in lines[0]  # the default: exact times, the same every run
    assert "registered" not in text  # registry detail only with --verbose
    assert "bad job" in text and "was shut down with JobRunner: it never finished" in text
    assert "a restart calls start_link again" in text
    heading = [i for i, line in enumerate(lines) if line.startswith("=== what the two variants")]
    table = lines[heading[0] :]
    assert len(table) == 6, "the story ends with the comparison table"
    assert table[1].split() == ["direct", "isolated"]
    assert table[2].startswith("JobRunner pid changed?  yes: ")
    assert table[2].rstrip().endswith("no")
    assert table[3].startswith("jobs lost") and "bad job" in table[3]
    ids = table[5].split("  ")[-1].split(" -> ")
    assert len(ids) == 4 and len(set(ids)) == 4  # four starts, four random ids


def test_demo_on_the_scaled_clock_is_one_flag_away(capsys) -> None:
    assert cli.main(["demo", "--scaled", "--variant", "direct", "--out", ""]) == 0
    header = " ".join(capsys.readouterr().out.splitlines()[:2])
    assert "Times are runtime seconds" in header and "time scale 0.01" in header
    assert cli.main(["demo", "--time-scale", "0.02", "--variant", "direct", "--out", ""]) == 0
    assert "time scale 0.02" in " ".join(capsys.readouterr().out.splitlines()[:2])
    with pytest.raises(SystemExit):
        cli.main(["demo", "--simulated", "--scaled"])
    with pytest.raises(SystemExit):
        cli.main(["demo", "--simulated", "--time-scale", "0.02"])
    assert "--time-scale" in capsys.readouterr().err


def test_demo_verbose_shows_every_event(capsys) -> None:
    assert cli.main(["demo", "--variant", "direct", "--verbose", "--out", ""]) == 0
    text = capsys.readouterr().out
    assert "JobRegistry registered" in text
    assert "started child JobRunner" in text
    assert "Application Jobber stopped" in text  # the final shutdown is told too
