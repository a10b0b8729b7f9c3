"""A JobSupervisor's line in ``text_tree`` shows its job's last status, not its own.

The isolated variant's JobSupervisor takes its job's id *and* status from the Job's
``job_status`` events (``_name_job_supervisor`` in trace/_graph.py) into ``job_status``; its
own ``status`` stays its process's (``running`` for every live non-worker, as the graph's
contract says).  ``text_tree`` prints the job's, so a lingering JobSupervisor whose job is
done reads ``job short done`` (lesson 06, c04), not ``job short running``.
"""

from __future__ import annotations

import pytest

from jobber_lab import jobber
from jobber_lab.trace import Tracer, text_tree


@pytest.mark.runtime(simulated=True, seed=0)
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
