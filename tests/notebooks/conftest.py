"""Fixtures of the notebook tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lessons import run_lesson


@pytest.fixture(scope="session")
def executed(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Any]:
    """``executed(name)``: lesson ``name`` run once top to bottom for the whole session, so
    tests that only read its outputs share one run instead of each paying for their own."""
    runs: dict[str, Any] = {}

    def run(name: str) -> Any:
        if name not in runs:
            runs[name] = run_lesson(name, tmp_path_factory.mktemp(Path(name).stem))
        return runs[name]

    return run
