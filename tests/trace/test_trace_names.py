"""The one naming rule and the story the reducer remembers (ghosts, attempts, replaced pids)."""

from __future__ import annotations

import pytest
from trace_story import Story, jobber_direct, jobber_isolated

from jobber_lab.trace import (
    GHOST_SECONDS,
    Tracer,
    build_graph,
    ghosts,
    name_of,
    node_label,
    process_name,
)


def test_process_name_prefers_name_then_job_id_then_child_id_then_behaviour_then_pid() -> None:
    pid = "<0.9.0>"
    assert process_name(pid, "JobRunner", job_id="x", child_id="c", behaviour="B") == "JobRunner"
    assert process_name(pid, None, job_id="doomed-3", child_id="Job", behaviour="Job") == (
        "doomed-3"
    )
    assert process_name(pid, None, child_id="JobRegistry", behaviour="Registry") == "JobRegistry"
    assert process_name(pid, None, child_id="undefined", behaviour="JobSupervisor") == (
        "JobSupervisor"
    )
    assert process_name(pid, None, child_id=None, behaviour="") == pid
    with pytest.deprecated_call(match="process_name"):  # the older positional spelling
        assert node_label(pid, None, None, "Job", "j1") == "j1"
    assert name_of({"pid": pid, "behaviour": "Job", "job_id": "j2"}) == "j2"


def test_the_books_processes_get_the_books_names() -> None:
    story, p = jobber_isolated()
    tracer = Tracer.from_events(story.events)
    graph = tracer.graph
    app = p["app"]
    assert graph.nodes[app.top]["label"] == "Jobber.Supervisor"
    assert graph.nodes[app.runner]["label"] == "JobRunner"
    assert graph.nodes[app.registry]["label"] == "JobRegistry"
    # A Job and the JobSupervisor that runs it are both called by the job's id.
    assert graph.nodes[p["busy"]]["label"] == "busy-1"
    assert graph.nodes[p["busy_sup"]]["label"] == "busy-1"
    # The tracer's label map (the log, the table) says the same as the graph.
    for node, attrs in graph.nodes(data=True):
        if not str(node).startswith("app:"):
            assert tracer.label_of(node) == attrs["label"] == name_of(attrs)


def test_window_mapping_matches_a_supervisor_named_by_its_job_through_its_behaviour() -> None:
    story, p = jobber_isolated()
    tracer = Tracer.from_events(story.events)
    rows = {r["pid"]: r for r in tracer.supervisor_rows(window={"JobSupervisor": 30})}
    assert rows[p["busy_sup"]]["label"] == "busy-1"
    assert rows[p["busy_sup"]]["window"] == 30.0
    assert rows[p["app"].runner]["window"] == 5.0


def test_attempts_add_up_across_the_processes_that_ran_one_job() -> None:
    s = Story()
    sup = s.spawn(None, "JobSupervisor", "supervisor")
    first = s.child(sup, "Job", "Job")
    s.status(first, "doomed-3", "running", attempt=1)
    s.status(first, "doomed-3", "errored", attempt=1)
    s.exit(first, "crash")
    second = s.child(sup, "Job", "Job", old_pid=first, restarts=1)
    s.status(second, "doomed-3", "new", attempt=0)
    s.status(second, "doomed-3", "running", attempt=1)
    graph = build_graph(s.events)
    job = graph.nodes[second]
    assert (job["attempt"], job["attempts"], job["restarts"]) == (1, 2, 1)
    assert job["replaced"] == first
    assert job["last_exit"] == "RuntimeError: boom"  # its predecessor's exit reason


def test_a_crashed_process_stays_a_ghost_for_a_few_runtime_seconds() -> None:
    s = Story()
    sup = s.spawn(None, "JobSupervisor", "supervisor")
    job = s.child(sup, "Job", "Job")
    s.status(job, "doomed-3", "running")
    s.exit(job, "crash", "RuntimeError: Boom!")
    crashed_at = s.time
    graph = build_graph(s.events)
    assert job not in graph  # exited pids leave the live graph, as before
    ghost = ghosts(graph)[job]
    assert (ghost["ghost"], ghost["parent"], ghost["label"]) == ("crashed", sup, "doomed-3")
    assert (ghost["exited"], ghost["reason"]) == (crashed_at, "RuntimeError: Boom!")
    s.wait(GHOST_SECONDS - 1)
    s.emit("timer_fired", sup)
    assert job in ghosts(build_graph(s.events))
    s.wait(2)
    s.emit("timer_fired", sup)
    assert ghosts(build_graph(s.events)) == {}  # expired by event time: still pure


def test_normal_exits_leave_no_ghost_and_a_copy_never_changes_under_its_reader() -> None:
    s = Story()
    sup = s.spawn(None, "Supervisor", "supervisor")
    done = s.child(sup, "Job", "Job")
    s.exit(done)
    tracer = Tracer.from_events(s.events)
    assert ghosts(tracer.graph) == {}
    before = tracer.graph
    crasher = s.child(sup, "Job", "Job")
    tracer.feed(s.events[-2])
    tracer.feed(s.events[-1])
    s.exit(crasher, "crash")
    tracer.feed(s.events[-1])
    assert ghosts(before) == {}
    assert set(ghosts(tracer.graph)) == {crasher}


def test_gave_up_and_collateral_shutdowns_are_told_apart_from_crashes() -> None:
    story, p = jobber_isolated()
    graph = build_graph(story.events)
    kinds = {pid: g["ghost"] for pid, g in ghosts(graph).items()}
    assert kinds[p["doomed"][-1]] == "crashed"
    assert kinds[p["doomed_sup"]] == "gave up"
    assert ghosts(graph)[p["doomed_sup"]]["label"] == "doomed-3"

    story, p = jobber_direct()
    s = story
    # A good job under the old JobRunner, shut down when its supervisor gives up.
    direct = Story()
    sup = direct.spawn(None, "DynamicSupervisor", "supervisor", name="JobRunner")
    good = direct.child(sup, "Job", "undefined", dynamic=True)
    direct.status(good, "good-1", "running")
    bad = direct.child(sup, "Job", "undefined", dynamic=True)
    direct.exit(bad, "crash")
    direct.emit("supervisor_gave_up", None, supervisor=sup, reason="shutdown")
    direct.exit(good, "killed")  # brutally killed while its supervisor shuts down
    direct.exit(sup, "shutdown")
    kinds = {pid: g["ghost"] for pid, g in ghosts(build_graph(direct.events)).items()}
    assert kinds == {bad: "crashed", good: "shut down", sup: "gave up"}
    # The replacement JobRunner knows which pid it replaced (the last one, not the first).
    new = build_graph(s.events).nodes[p["new_runner"]]
    assert new["replaced"] == p["old_runner"]


def test_children_of_a_process_that_already_left_go_down_as_collateral() -> None:
    s = Story()
    sup = s.spawn(None, "Supervisor", "supervisor")
    child = s.child(sup, "Worker", "w")
    s.exit(sup, "killed")
    s.exit(child, "killed")  # the exit signal reached it through the link
    kinds = {pid: g["ghost"] for pid, g in ghosts(build_graph(s.events)).items()}
    assert kinds == {sup: "killed", child: "shut down"}
    assert ghosts(build_graph(s.events))[child]["parent"] == sup
