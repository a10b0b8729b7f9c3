"""The live graph: the tree the book draws, built from Jobber-shaped event stories."""

from __future__ import annotations

from trace_story import Story, jobber_direct, jobber_isolated

from jobber_lab.trace import NodeAttrs, Tracer, app_node, build_graph

CONTRACT = {
    "label",
    "pid",
    "name",
    "role",
    "behaviour",
    "status",
    "restarts",
    "restarts_in_window",
    "job_id",
    "job_type",
    "retries",
    "attempt",
    "child_id",
    "restart",
    "dynamic",
    "zombie",
    "started",
}


def test_isolated_tree_has_the_books_shape() -> None:
    story, p = jobber_isolated()
    app = p["app"]
    graph = Tracer.from_events(story.events).graph

    root = app_node("jobber")
    assert root == "app:jobber"
    assert graph.nodes[root]["role"] == "application"
    assert graph.nodes[root]["label"] == "jobber"
    assert list(graph.successors(root)) == [app.top]
    assert graph.in_degree(app.top) == 1
    # The application master is folded into the application's box, which takes its pid.
    assert app.master not in graph
    assert graph.nodes[root]["pid"] == app.master
    assert graph.out_degree(app.shell) == 0

    top = graph.nodes[app.top]
    assert (top["label"], top["role"], top["behaviour"]) == (
        "Jobber.Supervisor",
        "supervisor",
        "Supervisor",
    )
    assert set(graph.successors(app.top)) == {app.registry, app.runner}
    assert graph.nodes[app.registry]["role"] == "registry"  # keeps its own role
    assert graph.nodes[app.registry]["label"] == "JobRegistry"
    runner = graph.nodes[app.runner]
    assert (runner["label"], runner["role"], runner["dynamic"]) == (
        "JobRunner",
        "supervisor",
        False,
    )
    assert graph.edges[app.top, app.runner]["dynamic"] is False

    # The finished good job and the doomed job's processes left; their supervisors differ:
    # the good job's JobSupervisor stays, the doomed one gave up and exited.
    assert p["good"] not in graph
    assert not any(pid in graph for pid in p["doomed"])
    assert p["doomed_sup"] not in graph
    assert set(graph.successors(app.runner)) == {p["good_sup"], p["busy_sup"]}
    assert graph.edges[app.runner, p["busy_sup"]]["dynamic"] is True
    assert graph.edges[p["busy_sup"], p["busy"]]["dynamic"] is False
    jobsup = graph.nodes[p["busy_sup"]]
    # The naming rule: a JobSupervisor is called by the id of the job it runs.
    assert (jobsup["label"], jobsup["child_id"], jobsup["restart"]) == (
        "busy-1",
        "undefined",
        "temporary",
    )
    assert (jobsup["behaviour"], jobsup["job_id"]) == ("JobSupervisor", "busy-1")

    busy = graph.nodes[p["busy"]]
    assert busy["label"] == "busy-1"
    assert (busy["status"], busy["job_id"], busy["job_type"]) == ("running", "busy-1", "import")
    assert (busy["retries"], busy["attempt"], busy["restart"]) == (0, 1, "transient")
    assert busy["pid"] == p["busy"]
    assert busy["started"] == next(
        e.time for e in story.events if e.kind == "spawned" and e.pid == p["busy"]
    )

    for node, attrs in graph.nodes(data=True):
        assert set(attrs) >= CONTRACT, node
        assert set(attrs) == set(NodeAttrs.__annotations__), node  # the TypedDict is the truth
        assert graph.in_degree(node) <= 1  # a tree: one parent at most
        if node != root:
            assert attrs["pid"] == node
            is_job = attrs["job_id"] is not None and attrs["role"] == "worker"
            assert attrs["status"] == (busy["status"] if is_job else "running")


def test_restarts_carry_from_old_pid_to_new_pid() -> None:
    story, p = jobber_isolated()
    tracer = Tracer()
    doomed_sup = p["doomed_sup"]
    seen: dict[str, int] = {}
    for event in story.events:
        tracer.feed(event)
        if event.kind == "child_restarted":
            graph = tracer.graph
            seen[event.pid] = graph.nodes[event.pid]["restarts"]
            sup = graph.nodes[doomed_sup]
            assert sup["restarts_performed"] == len(seen)  # what the supervisor did
            assert sup["restarts"] == 0  # `restarts`: how often this node itself was restarted
            assert sup["restarts_in_window"] == event.get("restarts")
    assert list(seen.values()) == [1, 2, 3]
    # A doomed job without an explicit id gets a new id per start; its JobSupervisor takes
    # the latest.
    assert tracer.label_of(doomed_sup) == "doomed-3"


def test_direct_variant_replaces_jobrunner_with_a_new_pid() -> None:
    story, p = jobber_direct()
    app = p["app"]
    tracer = Tracer()
    for event in story.events:
        tracer.feed(event)
        if event.kind == "child_started" and event.get("supervisor") == p["old_runner"]:
            graph = tracer.graph
            assert graph.edges[p["old_runner"], event.pid]["dynamic"] is True
    graph = tracer.graph
    assert p["old_runner"] not in graph
    new = graph.nodes[p["new_runner"]]
    assert (new["label"], new["name"], new["role"]) == ("JobRunner", "JobRunner", "supervisor")
    assert new["restarts"] == 1  # one meaning everywhere: this child was restarted once
    assert new["replaced"] == p["old_runner"]
    assert graph.nodes[app.top]["restarts"] == 0
    assert graph.nodes[app.top]["restarts_performed"] == 1
    assert graph.nodes[app.top]["restarts_in_window"] == 1
    assert set(graph.successors(app.top)) == {app.registry, p["new_runner"]}
    assert not any(pid in graph for pid in p["jobs"])


def test_dead_processes_leave_and_late_events_do_not_bring_them_back() -> None:
    s = Story()
    sup = s.spawn(None, "Supervisor", "supervisor")
    worker = s.child(sup, "Worker", "w", name="Worker")
    s.exit(worker, "crash")
    s.emit("unnamed", worker, name="Worker")  # the runtime sends this after `exited`
    s.emit("job_status", worker, job_id="j", job_type="t", status="failed", retries=3, attempt=4)
    graph = build_graph(s.events)
    assert list(graph.nodes) == [sup]
    assert (graph.graph["seq"], graph.graph["time"]) == (len(s.events), s.events[-1].time)
    assert set(graph.graph["ghosts"]) == {worker}  # drawn as "crashed" for a few seconds


def test_child_that_dies_before_its_supervisor_reports_it_is_not_resurrected() -> None:
    s = Story()
    sup = s.spawn(None, "DynamicSupervisor", "supervisor")
    job = s.spawn(sup, "Job")
    s.exit(job, "crash")
    s.emit(
        "child_started",
        job,
        supervisor=sup,
        child_id="undefined",
        restart="transient",
        role="worker",
        dynamic=True,
        shutdown=5.0,
    )
    s.emit(
        "child_restarted",
        s.spawn(sup, "Job"),
        supervisor=sup,
        old_pid=job,
        child_id="undefined",
        restart="transient",
        role="worker",
        dynamic=True,
        restarts=1,
    )
    graph = build_graph(s.events)
    assert job not in graph
    (new,) = graph.successors(sup)
    assert graph.nodes[new]["restarts"] == 1
    assert graph.edges[sup, new]["dynamic"] is True


def test_zombie_stays_visible_and_marked() -> None:
    s = Story()
    sup = s.spawn(None, "Supervisor", "supervisor")
    stuck = s.child(sup, "Job", "Job", name="stuck")
    s.status(stuck, "j1", "running")
    s.exit(stuck, "killed")
    s.emit("unnamed", stuck, name="stuck")
    assert stuck not in build_graph(s.events)
    s.emit("zombie", stuck, name="stuck", reason="killed", seconds=2.0)
    s.exit(stuck, "killed")  # a zombie never leaves by another exit
    graph = build_graph(s.events)
    node = graph.nodes[stuck]
    assert (node["status"], node["zombie"], node["job_id"]) == ("zombie", True, "j1")
    assert graph.has_edge(sup, stuck)
    s.status(stuck, "j1", "done")
    assert build_graph(s.events).nodes[stuck]["status"] == "zombie"


def test_zombie_of_an_unknown_process_is_added() -> None:
    s = Story()
    s.emit("zombie", "<9.9.0>", name="Job", reason="killed", seconds=1.5)
    node = build_graph(s.events).nodes["<9.9.0>"]
    assert (node["zombie"], node["label"], node["status"]) == (True, "Job", "zombie")


def test_named_and_unnamed_change_the_label() -> None:
    s = Story()
    pid = s.spawn(None, "GenServer")
    s.emit(
        "child_started",
        pid,
        supervisor="<0.0.0>",
        child_id="Cache",
        restart="permanent",
        role="worker",
        dynamic=False,
        shutdown=5.0,
    )
    assert build_graph(s.events).nodes[pid]["label"] == "Cache"
    s.emit("named", pid, name="MyCache")
    assert build_graph(s.events).nodes[pid]["label"] == "MyCache"
    s.emit("unnamed", pid, name="MyCache")
    node = build_graph(s.events).nodes[pid]
    assert (node["label"], node["name"]) == ("Cache", None)


def test_label_falls_back_to_behaviour_then_pid() -> None:
    s = Story()
    a = s.spawn(None, "Task")
    b = s.spawn(None, "")
    graph = build_graph(s.events)
    assert graph.nodes[a]["label"] == "Task"
    assert graph.nodes[b]["label"] == b


def test_app_stopped_removes_the_application_node() -> None:
    story, p = jobber_isolated()
    story.emit("app_stopped", p["app"].top, app="jobber", reason="normal")
    story.exit(p["app"].master)
    graph = build_graph(story.events)
    assert "app:jobber" not in graph
    assert p["app"].master not in graph


def test_children_of_the_application_master_move_to_the_application_box() -> None:
    s = Story()
    master = s.spawn(None, "ApplicationMaster", "application")
    stray = s.spawn(master, "Task")
    top = s.spawn(master, "Supervisor", "supervisor", name="Top")
    s.emit("app_started", top, app="demo")
    later = s.spawn(master, "Task")
    graph = build_graph(s.events)
    assert set(graph.successors("app:demo")) == {stray, top, later}
    assert set(graph) == {"app:demo", stray, top, later}


def test_tracer_attached_mid_run_learns_the_tree_from_later_events() -> None:
    s = Story()
    s.emit(
        "child_started",
        "<1.50.0>",
        supervisor="<1.40.0>",
        child_id="undefined",
        restart="temporary",
        role="supervisor",
        dynamic=True,
        shutdown=5.0,
    )
    graph = build_graph(s.events)
    assert graph.nodes["<1.40.0>"]["role"] == "supervisor"
    assert graph.edges["<1.40.0>", "<1.50.0>"]["dynamic"] is True


def test_graph_is_a_copy_readers_can_keep() -> None:
    story, _ = jobber_isolated()
    tracer = Tracer.from_events(story.events[:10])
    snapshot = tracer.graph
    before = dict(snapshot.nodes(data=True))
    for event in story.events[10:]:
        tracer.feed(event)
    assert dict(snapshot.nodes(data=True)) == before
    snapshot.clear()
    assert tracer.graph.number_of_nodes() > 0
    assert tracer.version == len(story.events)
