"""A JobSupervisor's line in ``text_tree`` shows its job's last status, not its own.

The isolated variant's JobSupervisor takes its job's id from the Job's ``job_status`` events
(``_name_job_supervisor`` in trace/_graph.py), but not the job's status; ``text_tree`` then
prints ``job <id> <status>`` with the supervisor's *own* status, which the graph's contract
keeps at ``running`` for every non-worker.  So a lingering JobSupervisor whose job is done
reads ``job short running`` (lesson 06, c04).  The fix: a ``job_status`` attribute the
JobSupervisor takes from each of its job's events, printed by ``text_tree``.
"""

from __future__ import annotations

import pytest

from jobber_lab import jobber
from jobber_lab.trace import Tracer, text_tree


@pytest.mark.runtime(simulated=True, seed=0)
@pytest.mark.xfail(
    strict=True,
    reason="trace/_graph.py _name_job_supervisor copies the job's id to its JobSupervisor "
    "but not its status (and returns once the id is set), and trace/_text.py text_tree "
    "prints the supervisor's own status beside the job's id; trace/* is being edited by "
    "arch3, the lead applies the fix after",
)
def test_a_lingering_job_supervisor_reads_its_jobs_last_status(runtime) -> None:
    tracer = Tracer(runtime)
    app = jobber.Jobber(variant="isolated", runtime=runtime)
    try:
        sup = app.start_job(work=jobber.good_job(1), id="short").value
        runtime.run_until(
            lambda: any(
                e.get("job_id") == "short" and e.get("status") == "done" for e in tracer.history
            ),
            timeout=10,
        )
        tracer.flush()
        attrs = tracer.graph.nodes[str(sup)]
        assert attrs["job_id"] == "short"  # already true: the id follows the job
        assert attrs["job_status"] == "done"  # its job's; its own status stays running
        assert "job short done" in text_tree(tracer.graph)
    finally:
        app.stop()
        tracer.detach()
