"""200 rapid clicks across the buttons: no exception in any thread, no deadlock, every job
that ``start_job`` accepted is in the tracer's job rows, every refusal is an event."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import pytest

from jobber_lab import otp
from jobber_lab.widgets import Dashboard

CLICKS = 200


@pytest.mark.parametrize("variant", ["isolated", "direct"])
def test_200_rapid_clicks(dashboard_factory: Callable[..., Dashboard], variant: str) -> None:
    dash = dashboard_factory(variant=variant)
    c = dash.controls
    rng = random.Random(6)
    buttons = [c.good, c.bad, c.doomed, c.import_]
    started = time.monotonic()
    for n in range(CLICKS):
        rng.choice(buttons).click()
        if n % 50 == 25:  # a look into the past and back, mid-storm
            c.slider.value = max(0, c.slider.max // 2)
            c.live.click()
    clicking = time.monotonic() - started
    assert clicking < 15, f"200 clicks took {clicking:.1f}s: a handler blocks"

    assert dash.wait_idle(20), "renderer or dispatcher deadlocked"
    accepted = [job_id for job_id, result in dash.session.started if isinstance(result, otp.Ok)]
    refused = [r for _, r in dash.session.started if isinstance(r, otp.Error)]
    rows = {row["id"] for row in dash.tracer.job_rows()}
    missing = [job_id for job_id in accepted if job_id not in rows]
    assert not missing, f"jobs started but not in the trace: {missing}"
    quota_events = [e for e in dash.tracer.history if e.kind == "quota_refused"]
    assert len(quota_events) == len(refused)
    assert accepted, "no job was started at all"
    # Every click was answered: a start, a refusal, or a message saying why not.
    failed_starts = CLICKS - len(dash.session.started)
    if variant == "isolated":
        assert failed_starts == 0
    assert dash.renderer.render_count < dash.renderer.notify_count  # bursts coalesced
