"""Running a lesson the way the notebook tests do: one helper, shared by every test here.

A lesson is copied into the test's temporary folder and executed there with nbclient, so
nothing it writes (pictures, traces, GIFs) and none of its outputs land in the repository.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import nbformat
from nbclient import NotebookClient

from jobber_lab.solutions import solution_code

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
LIMIT = 60.0  # seconds per notebook


def run_lesson(
    name: str | Path, tmp_path: Path, *, reveal: bool = False, before_clean_up: str | None = None
) -> Any:
    """Execute a copy of lesson ``name`` in ``tmp_path`` and return the executed notebook.

    ``reveal``: each solution cell holds the solution's code, as when a student copies a
    revealed solution into a cell and runs it.  ``before_clean_up``: a code cell inserted
    before the lesson's "Clean up" section, to check facts against the lesson's own state.
    """
    source = NOTEBOOKS / Path(name).name
    tmp_path.mkdir(parents=True, exist_ok=True)
    copy = tmp_path / source.name
    shutil.copy(source, copy)
    nb = nbformat.read(copy, as_version=4)
    if reveal:
        for cell in nb.cells:
            if "solution" in cell.get("metadata", {}).get("tags", []):
                cell.source = solution_code(cell.source.split('"')[1])
    if before_clean_up is not None:
        clean_up = next(
            i
            for i, c in enumerate(nb.cells)
            if c.cell_type == "markdown" and c.source.startswith("## Clean up")
        )
        nb.cells.insert(clean_up, nbformat.v4.new_code_cell(before_clean_up))
    NotebookClient(
        nb, kernel_name="python3", timeout=LIMIT, resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    return nb


def tags(cell: Any) -> list[str]:
    """A cell's tags (``check``, ``solution``, ...)."""
    return list(cell.get("metadata", {}).get("tags", []))


def cell_text(cell: Any, *, html: bool = False) -> str:
    """What one code cell printed, its value's text/plain (and text/html with ``html``), and
    an error's name and value."""
    kinds = ("text/plain", "text/html") if html else ("text/plain",)
    parts: list[str] = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            parts.append(f"{output['ename']}: {output['evalue']}")
        parts.append(output.get("text", ""))
        data = output.get("data", {})
        parts.extend(str(data.get(kind, "")) for kind in kinds)
    return "".join(parts)


def printed(nb: Any, *, html: bool = False) -> dict[str, str]:
    """Each code cell's :func:`cell_text` by cell id."""
    return {c.get("id"): cell_text(c, html=html) for c in nb.cells if c.cell_type == "code"}
