"""The Registry's tables belong to their runtime: two runtimes never share one, and a stopped
registry's table goes with it."""

from __future__ import annotations

from jobber_lab import otp
from jobber_lab.otp import Ok, Registry, Runtime
from jobber_lab.testing import assert_receive

WAIT = 100.0


def test_a_registrys_table_is_held_by_its_own_runtime(runtime, me):
    assert isinstance(Registry.start_link(keys="unique", name="Tables"), Ok)
    assert isinstance(Registry.register("Tables", "key", "value"), Ok)
    assert Registry.lookup("Tables", "key") == [(me, "value")]
    table = runtime.registries.get("Tables")
    assert table is not None and table.entries["key"] == (me, "value")
    with Runtime(time_scale=0.01, name="other") as other:
        assert other.registries.get("Tables") is None  # isolated runtimes share no registry


def test_a_stopped_registry_takes_its_table_with_it(runtime, me):
    started = Registry.start_link(keys="unique", name="Gone")
    assert isinstance(started, Ok)
    owner = started.value
    otp.unlink(owner)
    ref = otp.monitor(owner)
    otp.exit(owner, otp.SHUTDOWN)
    assert_receive((otp.DOWN, ref, ..., owner, ...), WAIT)
    assert runtime.registries.get("Gone") is None
