"""``Tracer.wait_for`` on a simulated runtime lets time pass until the event comes: a wait
from outside is what moves simulated time, and its timeout is in runtime seconds."""

from __future__ import annotations

import pytest

from jobber_lab import otp
from jobber_lab.trace import Tracer


@pytest.mark.runtime(simulated=True, seed=0)
def test_wait_for_moves_simulated_time_to_the_event_and_gives_up_at_its_timeout(runtime) -> None:
    tracer = Tracer(runtime)
    try:

        def napper() -> None:
            otp.sleep(5)
            runtime.emit("woke", otp.self())
            otp.sleep(1000)

        runtime.spawn(napper)
        woke = tracer.wait_for(lambda e: e.kind == "woke", timeout=60)
        assert woke is not None and woke.time == 5.0 and runtime.now() == 5.0
        assert tracer.wait_for(lambda e: e.kind == "never", timeout=10) is None
        assert runtime.now() == 15.0  # it let exactly its timeout of runtime time pass
    finally:
        tracer.detach()
