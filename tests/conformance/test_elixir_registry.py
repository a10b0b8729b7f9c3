"""Ported from elixir-lang/elixir lib/elixir/test/elixir/registry_test.exs (@01bd94ea):
the cases that are not about one key kind (those are in ``test_elixir_registry_unique``).

Not ported: every ``duplicate`` case (duplicate registries are out of scope), the
8-partition variants (one partition only) and ``doctest Registry``.
"""

from __future__ import annotations

import pytest
from registry_support import kill_and_assert_down, register_task, start_registry

from jobber_lab.otp import OK, ArgumentError, Registry


@pytest.fixture
def registry(me) -> str:
    start_registry("registry_test")
    return "registry_test"


def test_clean_up_unique_registry_on_process_crash_with_1_partition(registry) -> None:
    """registry_test.exs, "clean up unique registry on process crash" / "with 1
    partition": after the DOWNs and a sync, the dead owners' keys are gone (this port
    has no ETS tables to list, so the registry's own reads say so)."""
    _, task1 = register_task(registry, "hello", "value")
    _, task2 = register_task(registry, "world", "value")
    kill_and_assert_down(task1)
    kill_and_assert_down(task2)
    assert Registry.sync(registry) is OK
    assert Registry.lookup(registry, "hello") == []
    assert Registry.lookup(registry, "world") == []
    assert Registry.count(registry) == 0
    assert Registry.keys(registry, task1) == [] and Registry.keys(registry, task2) == []


def test_child_spec_1_uses_name_as_id() -> None:
    """registry_test.exs, "child_spec/1 uses :name as :id"."""
    assert Registry.child_spec(name="custom_name").id == "custom_name"
    assert Registry.child_spec().id is Registry


def test_raises_on_unknown_registry_name(me) -> None:
    """registry_test.exs, "unique with 1 partition raises on unknown registry name"."""
    with pytest.raises(ArgumentError, match="unknown registry"):
        Registry.register("unknown", "hello", "value")


@pytest.mark.parametrize(
    "options", [{"keys": "unknown", "name": "r"}, {"keys": "unique"}, {"name": "r"}]
)
def test_start_link_requires_keys_and_name(me, options) -> None:
    """registry.ex ``start_link/1`` (used by every setup in registry_test.exs): ``:keys``
    and ``:name`` are required; bad ones raise ArgumentError."""
    with pytest.raises(ArgumentError):
        Registry.start_link(**options)
