"""The benchmark helpers' arithmetic (the only part of bench/ that runs in make test)."""

from __future__ import annotations

import pytest

from bench._stats import percentile, stat, with_ratio


def test_stat_and_percentile() -> None:
    s = stat([3.0, 1.0, 2.0, 10.0, 4.0], "ms")
    assert (s["median"], s["min"], s["max"], s["n"], s["unit"]) == (3.0, 1.0, 10.0, 5, "ms")
    samples = list(range(1, 201))
    assert percentile(samples, 99) == 198
    assert percentile(samples, 50) == 100
    assert percentile([7.0], 99) == 7.0
    with pytest.raises(ValueError):
        percentile([], 50)


def test_ratio_and_target_direction() -> None:
    base = stat([10.0] * 5, "us")
    cost = with_ratio(stat([12.0] * 5, "us"), base, "floor", "<= 1.3")
    assert (cost["ratio"], cost["ok"], cost["baseline"]) == (1.2, True, "floor")
    rate = with_ratio(stat([6.0] * 5, "/s"), base, "floor", ">= 0.7")
    assert (rate["ratio"], rate["ok"]) == (0.6, False)
