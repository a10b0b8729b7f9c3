"""Committed notebooks carry no outputs and no execution counts; each lesson has an
exercise with an automatic check and a solution hidden by default (issue 7)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from lessons import tags

from jobber_lab.solutions import SOLUTIONS, solution_code

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
LESSONS = [p for p in PATHS if not p.name.startswith("00_")]


def test_the_course_is_there() -> None:
    names = [p.name for p in LESSONS]
    assert names == [
        "01_processes_and_messages.ipynb",
        "02_genserver_job.ipynb",
        "03_supervisors_and_restarts.ipynb",
        "04_isolating_jobs.ipynb",
        "05_registry_and_quotas.ipynb",
        "06_tracing_and_pictures.ipynb",
        "07_appendix_killing_threads.ipynb",
    ]


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_is_committed_clean(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        assert cell.get("outputs") == [], f"{path.name} cell {index} has outputs"
        assert cell.get("execution_count") is None, f"{path.name} cell {index} has a count"


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_has_a_checked_exercise_and_a_solution_on_request(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    cells = nb.cells
    imports_checkers = any(
        "from jobber_lab.exercises import" in c.source for c in cells if c.cell_type == "code"
    )
    assert imports_checkers, f"{path.name} does not import its checkers"
    checks = [c for c in cells if c.cell_type == "code" and "check" in tags(c)]
    assert checks and all("check_" in c.source for c in checks), f"{path.name}: no check cell"
    solutions = [i for i, c in enumerate(cells) if "solution" in tags(c)]
    assert solutions, f"{path.name}: no solution cell"
    lesson = path.name[:2]
    for n, i in enumerate(solutions, 1):
        cell = cells[i]
        # Issue 15: the cell only shows the solution (folded); its code is text, so Run All
        # never runs it and never overwrites the student's own answer.
        assert cell.cell_type == "code"
        assert cell.source.startswith(f'show_solution("{lesson}-{n}")'), (
            f'{path.name} cell {i}: a solution cell is show_solution("{lesson}-{n}") only'
        )
        heading = cells[i - 1]
        assert heading.cell_type == "markdown" and "Solution" in heading.source, (
            f"{path.name} cell {i}: a solution follows a 'Solution' heading"
        )
        assert "Hint" in heading.source, f"{path.name} cell {i}: a hint comes before it"
        assert "check_" in solution_code(f"{lesson}-{n}"), (
            f"{path.name} cell {i}: the solution checks itself"
        )


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_shuts_its_runtimes_down_at_the_end(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    last = [c for c in nb.cells if c.cell_type == "code"][-1]
    assert "shutdown()" in last.source or ".stop()" in last.source, (
        f"{path.name}: the last cell should stop every app and runtime it started"
    )


def test_every_solution_belongs_to_one_lesson_cell() -> None:
    shown = []
    for path in LESSONS:
        for cell in nbformat.read(path, as_version=4).cells:
            if "solution" in tags(cell):
                shown.append(cell.source.split('"')[1])
    assert sorted(shown) == sorted(SOLUTIONS)
