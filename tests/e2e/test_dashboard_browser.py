"""The dashboard in a real JupyterLab, in a real (headless) Chromium, driven by Playwright.

Starts JupyterLab on 127.0.0.1 with a token and throwaway Jupyter folders, opens a *copy* of
``notebooks/00_dashboard.ipynb`` (outputs never land in the repository), waits until the kernel
is really connected (JUPYTER.md's readiness race), runs all cells, and drives the dashboard
at a laptop's 1280x720 viewport the way a student would: it checks that the whole dashboard
(tree, table, log) is on screen, that its height never changes while the tree redraws, that
the tree is crisp (SVG, or a PNG of at least twice the shown pixels) and names a running job,
that Import ×4 at the default settings meets the quota, and that Pause → Step → Step stops
the simulated clock and marks each step's events in the log and the tree. Screenshots go to
``test-artifacts/``.
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

#: The tree box's content changed (a redraw arrived) and its picture is ready to show.
_TREE_NEW = """(old) => {
  const box = document.querySelector('.jl-tree');
  if (!box || box.innerHTML === old) return false;
  const img = box.querySelector('img');
  return !img || (img.complete && img.naturalWidth > 0);
}"""

#: What the tree says in text: SVG <text>/<title> content and the box's description.
_TREE_TEXT = """() => {
  const box = document.querySelector('.jl-tree');
  return box ? box.textContent + ' ' + (box.getAttribute('aria-label') || '') : '';
}"""

_TREE_NAMES = """(word) => {
  const box = document.querySelector('.jl-tree');
  return !!box && (box.textContent + (box.getAttribute('aria-label') || '')).includes(word);
}"""

_RECT = """(selector) => {
  const r = document.querySelector(selector).getBoundingClientRect();
  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
          width: r.width, height: r.height};
}"""

#: How the tree is shown: SVG, or an image with its natural and displayed widths.
_TREE_KIND = """() => {
  const box = document.querySelector('.jl-tree');
  const svg = box.querySelector('svg');
  if (svg) return {kind: 'svg', shown: svg.getBoundingClientRect().width};
  const img = box.querySelector('img');
  return {kind: 'img', natural: img.naturalWidth, shown: img.getBoundingClientRect().width};
}"""

#: A clock button (Pause, Step, Play) with this text is enabled.
_ENABLED = """(text) => [...document.querySelectorAll('.jl-clock-button')]
  .some((b) => b.textContent.includes(text) && !b.disabled)"""

#: The notice changed and reports a step that ran.
_STEPPED = """(old) => {
  const text = document.querySelector('.jl-notice')?.textContent ?? '';
  return text !== old && text.startsWith('Step to t = ');
}"""

_NOTICE_NEW = """(old) => {
  const text = document.querySelector('.jl-notice')?.textContent ?? '';
  return text !== old && text.startsWith('Started ');
}"""

VIEWPORT = {"width": 1280, "height": 720}


def _text(page: Any, selector: str) -> str:
    return str(page.evaluate("(s) => document.querySelector(s)?.textContent ?? ''", selector))


def _wait_text(page: Any, selector: str, *words: str) -> None:
    try:
        page.wait_for_function(_TEXT_HAS, arg=[selector, list(words)], timeout=WAIT_MS)
    except Exception as exc:
        raise AssertionError(
            f"{selector} never showed {words!r}; it shows: {_text(page, selector)!r}"
        ) from exc


def _tree_html(page: Any) -> str:
    return str(page.evaluate("() => document.querySelector('.jl-tree')?.innerHTML ?? ''"))


def _wait_new_tree(page: Any, old: str) -> str:
    page.wait_for_function(_TREE_NEW, arg=old, timeout=WAIT_MS)
    return _tree_html(page)


def _height(page: Any) -> float:
    return float(page.evaluate(_RECT, ".jl-dashboard")["height"])


def _button(page: Any, text: str) -> Any:
    return page.locator(".jp-OutputArea-output .widget-button", has_text=text).first


def _set_work(page: Any, seconds: int) -> None:
    work = page.locator(".widget-text:has(.widget-label:text-is('work (s)')) input")
    work.fill(str(seconds))
    work.press("Enter")


def _shot(page: Any, name: str) -> Path:
    shot = ARTIFACTS / name
    page.screenshot(path=str(shot))  # the viewport: what the student sees, no more
    assert shot.stat().st_size > 10_000
    return shot


def test_dashboard_in_jupyterlab(lab: Lab) -> None:
    started = time.monotonic()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(f"{lab.url}/lab/tree/00_dashboard.ipynb?token={lab.token}")
            page.wait_for_function(_KERNEL_READY, timeout=60_000)
            ready = time.monotonic() - started
            tree = _run_the_notebook(page)
            _check_it_fits_the_screen(page)
            _check_the_import_quota(page)
            height = _check_redraws_keep_the_height(page, tree)
            _check_a_running_job_is_named_and_ringed(page, height)
            _check_the_direct_variant(page, height)
            _check_pause_and_step(page, height)
        finally:
            browser.close()
    took = time.monotonic() - started
    print(f"\ne2e: kernel ready after {ready:.1f}s, whole browser test {took:.1f}s; {ARTIFACTS}")
    assert not list((REPO / "notebooks").glob(".ipynb_checkpoints"))


def _run_the_notebook(page: Any) -> str:
    """Run every cell: the dashboard appears with an empty app.  Returns the tree's image."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    _button(page, "Good job").wait_for(state="visible", timeout=WAIT_MS)
    _wait_text(page, ".jl-header", "JobRunner", "imports 0 / 3")
    tree = _wait_new_tree(page, "")
    _wait_text(page, ".jl-jobs", "No jobs yet")
    page.locator(".jl-dashboard").scroll_into_view_if_needed()
    _shot(page, "dashboard-start.png")
    return tree


def _check_it_fits_the_screen(page: Any) -> None:
    """The whole dashboard is on a 1280x720 screen: tree, table and log in view; crisp."""
    for part in (".jl-dashboard", ".jl-tree", ".jl-jobs", ".jl-log"):
        r = page.evaluate(_RECT, part)
        assert r["height"] > 0 and r["width"] > 0, (part, r)
        assert r["top"] >= 0 and r["bottom"] <= VIEWPORT["height"], (part, r)
        assert r["left"] >= 0 and r["right"] <= VIEWPORT["width"], (part, r)
    # Crisp: SVG, or a PNG with at least twice the pixels it is shown with.
    kind = page.evaluate(_TREE_KIND)
    assert kind["kind"] == "svg" or kind["natural"] >= 2 * kind["shown"], kind


def _check_the_import_quota(page: Any) -> None:
    """The quota at the default settings (time scale 0.1, 5 s of work): Import ×4."""
    _button(page, "Import ×4").click()
    _wait_text(page, ".jl-notice", "Import ×4", "refused", "import_quota_reached")
    _wait_text(page, ".jl-header", "1 imports refused")
    _wait_text(page, ".jl-log", "Import job refused: quota 3 reached")
    table = _text(page, ".jl-jobs")
    assert all(f"import-{n}" in table for n in (1, 2, 3)), table
    assert "import-4" not in table, table
    _shot(page, "dashboard-quota.png")


def _check_redraws_keep_the_height(page: Any, tree: str) -> float:
    """Ten redraws (jobs, crashes, restarts): the dashboard's height never changes.
    Returns that height."""
    heights = [_height(page)]
    kinds = ["Good job", "Bad job", "Doomed job", "Import job", "Good job"] * 2
    for text in kinds:
        _button(page, text).click()
        tree = _wait_new_tree(page, tree)
        heights.append(_height(page))
    assert len(set(heights)) == 1, f"the dashboard's height moved: {heights}"
    _wait_text(page, ".jl-log", "gave up (reached max restart intensity)")
    _wait_text(page, ".jl-jobs", "failed", "exited")
    _wait_new_tree(page, tree)
    assert _height(page) == heights[0]
    return heights[0]


def _check_a_running_job_is_named_and_ringed(page: Any, height: float) -> None:
    """A running job is named in the tree, and a click on its row rings it."""
    _set_work(page, 100)
    before = _text(page, ".jl-notice")
    _button(page, "Good job").click()
    page.wait_for_function(_NOTICE_NEW, arg=before, timeout=WAIT_MS)
    job_id = _text(page, ".jl-notice").split("Started ")[1].split(":")[0]
    page.wait_for_function(_TREE_NAMES, arg=job_id, timeout=WAIT_MS)
    assert job_id in str(page.evaluate(_TREE_TEXT))
    page.locator(".jl-row", has_text=job_id).first.click()
    page.wait_for_selector(".jl-tree svg [id^='jl-highlight']", timeout=WAIT_MS)
    page.wait_for_selector(".jl-row.jl-selected", timeout=WAIT_MS)
    _shot(page, "dashboard-running.png")
    assert _height(page) == height


def _check_the_direct_variant(page: Any, height: float) -> None:
    """The direct variant (a Reset): a doomed job takes JobRunner down with it and a new
    JobRunner replaces it, ringed in the tree; the page keeps its height throughout."""
    _set_work(page, 5)
    page.locator(".widget-dropdown:has(.widget-label:text-is('variant')) select").select_option(
        "direct"
    )
    _wait_text(page, ".jl-notice", "Reset: a clean Jobber (direct variant")
    _wait_text(page, ".jl-jobs", "No jobs yet")
    _button(page, "Doomed job").click()
    _wait_text(page, ".jl-header", "a new JobRunner")
    ringed = ".jl-tree svg [id^='jl-new'], .jl-tree svg [id^='jl-highlight']"
    page.wait_for_selector(ringed, timeout=WAIT_MS)
    _shot(page, "dashboard-direct.png")
    assert _height(page) == height


def _enabled(page: Any, text: str) -> bool:
    return bool(_button(page, text).is_enabled())


def _check_pause_and_step(page: Any, height: float) -> None:
    """Pause, a doomed job, Step, Step: the clock stands still between clicks; each Step
    goes to the next deadline (a crash every 5 s), marks its lines in the log and rings the
    processes it touched; "next: t = …" says when the next thing is due."""
    assert not _enabled(page, "Step")  # while playing, the clock steps by itself
    _button(page, "Pause").click()
    _wait_text(page, ".jl-header", "simulated · paused", "paused · t = ")
    page.wait_for_function(_ENABLED, arg="Step", timeout=WAIT_MS)
    assert not _enabled(page, "Pause") and _enabled(page, "Play")
    before = _text(page, ".jl-notice")
    _button(page, "Doomed job").click()
    page.wait_for_function(_NOTICE_NEW, arg=before, timeout=WAIT_MS)
    _wait_text(page, ".jl-next", "next: t = ")
    times = []
    for _ in range(2):
        before = _text(page, ".jl-notice")
        _button(page, "Step").click()
        page.wait_for_function(_STEPPED, arg=before, timeout=WAIT_MS)
        notice = _text(page, ".jl-notice")
        times.append(float(notice.split("Step to t = ")[1].split(" s")[0]))
    assert times[1] - times[0] == pytest.approx(5.0, abs=0.002), times  # one crash a step
    _wait_text(page, ".jl-header", f"t = {times[1]:.3f} s", "simulated · paused")
    _wait_text(page, ".jl-log", "▶")
    page.wait_for_selector(".jl-log .jl-step", timeout=WAIT_MS)
    page.wait_for_selector(".jl-tree svg [id^='jl-highlight']", timeout=WAIT_MS)
    _wait_text(page, ".jl-next", f"next: t = {times[1] + 5:.3f} s")
    _check_it_fits_the_screen(page)
    for part in (".jl-header", ".jl-next", ".jl-notice"):
        r = page.evaluate(_RECT, part)
        assert r["top"] >= 0 and r["bottom"] <= VIEWPORT["height"], (part, r)
    _shot(page, "dashboard-stepped.png")
    assert _height(page) == height
