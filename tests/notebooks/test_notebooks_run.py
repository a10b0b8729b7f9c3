"""Every course notebook runs top to bottom, headless, in under 60 s (issue 7).

Each notebook is copied into a temporary folder and executed there with nbclient, so
nothing it writes (pictures, traces, GIFs) and none of its outputs land in the repository.
The kernel is ``python3`` from this interpreter's environment (the .venv's ipykernel).
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
LIMIT = 60.0  # seconds per notebook


def test_the_python3_kernel_is_this_environments() -> None:
    spec = KernelSpecManager().get_kernel_spec("python3")
    argv0 = spec.argv[0]
    # ipykernel's own spec says "python" and is started with this interpreter, or names it.
    assert (
        argv0 in ("python", "python3", "{python}")
        or Path(argv0).resolve() == Path(sys.executable).resolve()
    ), f"kernel python3 runs {argv0!r}, not {sys.executable}"


@pytest.mark.timeout(LIMIT + 30)
@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_runs_top_to_bottom(path: Path, tmp_path: Path) -> None:
    copy = tmp_path / path.name
    shutil.copy(path, copy)
    nb = nbformat.read(copy, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=LIMIT,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    started = time.monotonic()
    client.execute()
    elapsed = time.monotonic() - started
    assert elapsed < LIMIT, f"{path.name} took {elapsed:.1f} s (limit {LIMIT:.0f} s)"
    errors = [
        output
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]
    assert not errors, f"{path.name}: {errors[0]['ename']}: {errors[0]['evalue']}"
    # A Figure returned by a cell must show as a picture, not as "<Figure size ...>".
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if data.get("text/plain", "").startswith("<Figure"):
                assert "image/png" in data, f"{path.name} cell {index}: a Figure without a PNG"
