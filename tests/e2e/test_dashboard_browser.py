"""The dashboard in a real JupyterLab, in a real (headless) Chromium, driven by Playwright.

Starts JupyterLab on 127.0.0.1 with a token and throwaway Jupyter folders, opens a *copy* of
``notebooks/00_dashboard.ipynb`` (outputs never land in the repository), waits until the kernel
is really connected (JUPYTER.md's readiness race), runs all cells, clicks Good, Bad, Doomed
and Import, and reads the table, the log and the tree image the way a student sees them.
A screenshot goes to ``test-artifacts/dashboard.png``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 30_000  # per step; reached only when something is broken

if not CHROMIUM.exists():
    pytest.skip(
        "Chromium not installed: apt-get install -y chromium (the browser test needs it; "
        ".ci/run installs it)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright not installed: pip install -e '.[test]'"
)


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[Lab]:
    """JupyterLab serving a copy of ``notebooks/``, on a free port, with its own config."""
    root = tmp_path / "notebooks"
    shutil.copytree(REPO / "notebooks", root)
    env = dict(os.environ)
    for var, sub in (
        ("JUPYTER_CONFIG_DIR", "config"),
        ("JUPYTER_RUNTIME_DIR", "runtime"),
        ("JUPYTER_DATA_DIR", "data"),
        ("IPYTHONDIR", "ipython"),
    ):
        (tmp_path / sub).mkdir()
        env[var] = str(tmp_path / sub)
    # No "get notified about Jupyter news?" toast over the dashboard in the screenshot.
    labconfig = tmp_path / "config" / "labconfig"
    labconfig.mkdir()
    (labconfig / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    port, token = _free_port(), secrets.token_hex(16)
    log = tmp_path / "jupyter.log"
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
        "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _answers(f"{url}/api/status?token={token}"):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)  # polling a server that is starting: nothing to wait on instead
        yield Lab(url, token, root, log)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


_KERNEL_READY = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.connectionStatus === 'connected' && k.status === 'idle';
}"""

_TEXT_HAS = """([selector, words]) => {
  const el = document.querySelector(selector);
  const text = el ? el.textContent : '';
  return words.every((w) => text.includes(w));
}"""

_IMAGE_NEW = """(old) => {
  const img = document.querySelector('img.widget-image');
  return !!img && img.complete && img.naturalWidth > 0 && img.src !== old;
}"""


def _text(page: Any, selector: str) -> str:
    return str(page.evaluate("(s) => document.querySelector(s)?.textContent ?? ''", selector))


def _wait_text(page: Any, selector: str, *words: str) -> None:
    try:
        page.wait_for_function(_TEXT_HAS, arg=[selector, list(words)], timeout=WAIT_MS)
    except Exception as exc:
        raise AssertionError(
            f"{selector} never showed {words!r}; it shows: {_text(page, selector)!r}"
        ) from exc


def _image_src(page: Any) -> str:
    return str(page.evaluate("() => document.querySelector('img.widget-image').src"))


def _wait_new_image(page: Any, old: str) -> str:
    page.wait_for_function(_IMAGE_NEW, arg=old, timeout=WAIT_MS)
    return _image_src(page)


def _button(page: Any, text: str) -> Any:
    return page.locator(".jp-OutputArea-output .widget-button", has_text=text).first


def test_dashboard_in_jupyterlab(lab: Lab) -> None:
    started = time.monotonic()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 2200})
            page.goto(f"{lab.url}/lab/tree/00_dashboard.ipynb?token={lab.token}")
            page.wait_for_function(_KERNEL_READY, timeout=60_000)
            ready = time.monotonic() - started
            page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
            _button(page, "Good job").wait_for(state="visible", timeout=WAIT_MS)
            _wait_text(page, ".jl-header", "JobRunner", "imports 0 / 3")
            image = _wait_new_image(page, "")
            _wait_text(page, ".jl-jobs", "No jobs yet")

            _button(page, "Good job").click()
            _wait_text(page, ".jl-jobs", "good-1", "done")
            _wait_text(page, ".jl-log", "Job completed good-1")
            image = _wait_new_image(page, image)

            _button(page, "Bad job").click()
            _button(page, "Doomed job").click()
            _wait_text(page, ".jl-log", "Job errored bad-2")
            _wait_text(page, ".jl-log", "doomed-3", "crashed: RuntimeError: Boom!")
            _wait_text(page, ".jl-log", "Supervisor doomed-3 gave up")  # the naming rule
            _wait_text(page, ".jl-jobs", "doomed-3", "exited")
            _wait_text(page, ".jl-jobs", "bad-2", "failed")
            image = _wait_new_image(page, image)

            work = page.locator(".widget-text:has(.widget-label:text-is('work (s)')) input")
            work.fill("100")  # imports that keep running while the quota is checked
            work.press("Enter")
            for _ in range(4):
                _button(page, "Import job").click()
            _wait_text(page, ".jl-notice", "Import job refused", "import_quota_reached")
            _wait_text(page, ".jl-header", "imports 3 / 3 (quota reached)", "1 imports refused")
            _wait_text(page, ".jl-log", "Import job refused: quota 3 reached")
            table = _text(page, ".jl-jobs")
            assert all(f"import-{n}" in table for n in (4, 5, 6)), table
            assert "import-7" not in table, table
            image = _wait_new_image(page, image)

            page.locator("img.widget-image").scroll_into_view_if_needed()
            shot = ARTIFACTS / "dashboard.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
        finally:
            browser.close()
    took = time.monotonic() - started
    print(f"\ne2e: kernel ready after {ready:.1f}s, whole browser test {took:.1f}s; {shot}")
    assert not list((REPO / "notebooks").glob(".ipynb_checkpoints"))
