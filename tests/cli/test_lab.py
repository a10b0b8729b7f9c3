"""`jobber-lab lab`: a working copy of the packaged course, served by JupyterLab (issue 15).

The unit tests run the copy logic and the command line it builds; one test starts a real
JupyterLab as this machine's user (root in CI) and checks what a student's browser would meet:
127.0.0.1 only, a token that a user's config cannot switch off, the working copy served.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from jobber_lab import cli, course

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"


def _lessons() -> list[str]:
    return sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))


def test_the_course_is_found_in_the_checkout() -> None:
    assert course.lessons_dir() == NOTEBOOKS
    assert [p.name for p in course.lesson_paths()] == _lessons()


def test_a_first_run_copies_every_lesson_byte_for_byte(tmp_path: Path) -> None:
    copy = course.prepare_working_copy(tmp_path / "course")
    assert copy.copied == _lessons()
    assert "07_appendix_killing_threads.ipynb" in copy.copied  # the appendix is a lesson too
    for name in _lessons():
        assert (tmp_path / "course" / name).read_bytes() == (NOTEBOOKS / name).read_bytes()
    assert "course working copy" in copy.summary()


def test_a_students_changed_notebook_is_never_overwritten(tmp_path: Path) -> None:
    folder = tmp_path / "course"
    course.prepare_working_copy(folder)
    mine = folder / "01_processes_and_messages.ipynb"
    mine.write_text('{"my": "work"}')
    (folder / "notes.txt").write_text("my notes")
    again = course.prepare_working_copy(folder)
    assert again.kept == [mine.name]
    assert mine.read_text() == '{"my": "work"}'
    assert (folder / "notes.txt").read_text() == "my notes"
    assert "kept your changes in 01_processes_and_messages.ipynb" in again.summary()
    assert "--reset" in again.summary()


def test_reset_restores_pristine_lessons_and_keeps_the_old_ones_aside(tmp_path: Path) -> None:
    folder = tmp_path / "course"
    course.prepare_working_copy(folder)
    mine = folder / "03_supervisors_and_restarts.ipynb"
    mine.write_text("student work")
    reset = course.prepare_working_copy(folder, reset=True)
    assert reset.restored == [mine.name]
    assert mine.read_bytes() == (NOTEBOOKS / mine.name).read_bytes()
    assert reset.backup is not None and reset.backup.parent == folder.resolve()
    assert (reset.backup / mine.name).read_text() == "student work"
    assert str(reset.backup) in reset.summary()


def test_an_untouched_copy_follows_a_newer_course_but_a_changed_one_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "lessons"
    source.mkdir()
    (source / "01_a.ipynb").write_text("v1 of a")
    (source / "02_b.ipynb").write_text("v1 of b")
    monkeypatch.setattr(course, "lessons_dir", lambda: source)
    folder = tmp_path / "course"
    course.prepare_working_copy(folder)
    (folder / "02_b.ipynb").write_text("student's b")
    (source / "01_a.ipynb").write_text("v2 of a")
    (source / "02_b.ipynb").write_text("v2 of b")
    (source / "03_c.ipynb").write_text("v1 of c")
    report = course.prepare_working_copy(folder)
    assert (report.updated, report.kept, report.copied) == (
        ["01_a.ipynb"],
        ["02_b.ipynb"],
        ["03_c.ipynb"],
    )
    assert (folder / "01_a.ipynb").read_text() == "v2 of a"
    assert (folder / "02_b.ipynb").read_text() == "student's b"


def test_a_damaged_manifest_keeps_every_differing_notebook(tmp_path: Path) -> None:
    folder = tmp_path / "course"
    course.prepare_working_copy(folder)
    (folder / course.MANIFEST_NAME).write_text("{not json")
    (folder / "02_genserver_job.ipynb").write_text("mine")
    report = course.prepare_working_copy(folder)
    assert report.kept == ["02_genserver_job.ipynb"]


def test_a_file_in_the_way_is_a_clear_error(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "course"
    blocker.write_text("not a folder")
    with pytest.raises(NotADirectoryError, match=r"prepare_working_copy\(folder\): expected a"):
        course.prepare_working_copy(blocker)
    assert cli.main(["lab", str(blocker), "--no-browser"]) == 2
    assert "expected a folder" in capsys.readouterr().err


def test_the_command_binds_localhost_with_a_token_and_adds_allow_root_as_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "_running_as_root", lambda: True)
    command = cli.lab_command(tmp_path, port=8123, token="abc", open_browser=False)
    assert command[1:4] == ["-m", "jupyter", "lab"]
    for part in (
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port=8123",
        "--ServerApp.port_retries=0",
        "--IdentityProvider.token=abc",
        f"--ServerApp.root_dir={tmp_path}",
        "--no-browser",
        "--allow-root",
    ):
        assert part in command
    monkeypatch.setattr(cli, "_running_as_root", lambda: False)
    assert "--allow-root" not in cli.lab_command(tmp_path, port=1, token="t", open_browser=True)


def test_each_start_gets_a_fresh_token_and_prints_the_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    started: list[list[str]] = []

    def fake_exec(path: str, argv: list[str]) -> None:
        started.append(argv)

    monkeypatch.setattr(cli.os, "execv", fake_exec)
    monkeypatch.setattr(cli.subprocess, "call", lambda argv, env: started.append(argv) or 0)
    folder = tmp_path / "course"
    for _ in range(2):
        assert cli.main(["lab", str(folder), "--no-browser", "--port", "8901"]) in (0, None)
    printed = capsys.readouterr().out
    tokens = re.findall(r"http://127\.0\.0\.1:\d+/lab\?token=(\S+)", printed)
    assert len(tokens) == 2 and tokens[0] != tokens[1]
    assert len(started) == 2
    for argv, token in zip(started, tokens, strict=True):
        assert f"--IdentityProvider.token={token}" in argv
        assert f"--ServerApp.root_dir={folder.resolve()}" in argv
    assert sorted(p.name for p in folder.glob("*.ipynb")) == _lessons()


def test_a_bad_port_is_a_usage_error(capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["lab", "--port", "70000"])
    assert exited.value.code == 2
    assert "expected a port number 1-65535" in capsys.readouterr().err


def test_the_wheel_ships_the_course_identical_to_the_notebooks(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        cwd=tmp_path,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("jobber_lab-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        assert "jobber_lab/lessons/07_appendix_killing_threads.ipynb" in names
        for lesson in _lessons():
            member = f"jobber_lab/lessons/{lesson}"
            assert member in names, f"{member} missing from the wheel"
            assert archive.read(member) == (NOTEBOOKS / lesson).read_bytes()
        # Every module of the package is in the wheel (the package list is explicit).
        for module in (REPO / "jobber_lab").rglob("*.py"):
            assert module.relative_to(REPO).as_posix() in names


# ------------------------------------------------------------------ a real JupyterLab, as root


def _listeners(port: int) -> list[str]:
    """Local addresses (hex, as /proc/net shows them) listening on ``port``."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.append(address)
    return found


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""
    except (urllib.error.URLError, ConnectionError):
        return 0, b""  # not listening yet


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux's /proc/net")
@pytest.mark.timeout(120)
def test_lab_serves_the_working_copy_on_localhost_with_a_token(tmp_path: Path) -> None:
    home = tmp_path / "home"
    config = home / "jupyter-config"
    config.mkdir(parents=True)
    # A user's config that would open the server to everyone: the command line must win.
    (config / "jupyter_server_config.json").write_text(
        json.dumps({"IdentityProvider": {"token": ""}, "ServerApp": {"ip": "0.0.0.0"}})
    )
    env = {
        **os.environ,
        "HOME": str(home),
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "IPYTHONDIR": str(home / "ipython"),
    }
    port = cli._free_port(0)
    process = subprocess.Popen(
        [sys.executable, "-m", "jobber_lab", "lab", "--no-browser", "--port", str(port)],
        cwd=tmp_path,  # the default working copy lands here: ./jobber-lab-course
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        token = None
        lines: list[str] = []
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            match = re.search(r"/lab\?token=(\S+)", line)
            if match:
                token = match.group(1)
                break
        assert token, "".join(lines)
        assert "--allow-root" in "".join(lines) or os.geteuid() != 0
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        status = 0
        while time.monotonic() < deadline and process.poll() is None:
            status, _ = _get(f"{base}/api/status?token={token}")
            if status == 200:
                break
            time.sleep(0.2)  # polling a server's readiness, not waiting for an outcome
        assert status == 200, f"JupyterLab did not come up: exit {process.poll()}"
        assert _get(f"{base}/api/status")[0] == 403  # no token, no entry
        assert _listeners(port) and set(_listeners(port)) == {"0100007F"}
        _, body = _get(f"{base}/api/contents?token={token}")
        served = {item["name"] for item in json.loads(body)["content"]}
        assert set(_lessons()) <= served
        working_copy = tmp_path / course.DEFAULT_WORKING_COPY
        assert sorted(p.name for p in working_copy.glob("*.ipynb")) == _lessons()
    finally:
        process.send_signal(signal.SIGTERM)  # the command became JupyterLab: its pid is Lab's
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def test_running_a_lesson_in_the_working_copy_leaves_the_course_untouched(
    tmp_path: Path,
) -> None:
    """Executing a lesson and saving it (as autosave does) writes only the working copy."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    before = {p.name: p.read_bytes() for p in NOTEBOOKS.glob("*.ipynb")}
    folder = tmp_path / "course"
    course.prepare_working_copy(folder)
    lesson = folder / "00_dashboard.ipynb"
    nb = nbformat.read(lesson, as_version=4)
    nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=60, resources={"metadata": {"path": str(folder)}}
    ).execute()
    nbformat.write(nb, lesson)
    assert lesson.read_bytes() != before[lesson.name]  # the student's copy has outputs now
    assert {p.name: p.read_bytes() for p in NOTEBOOKS.glob("*.ipynb")} == before
    if shutil.which("git") and (REPO / ".git").exists():
        status = subprocess.run(
            ["git", "status", "--porcelain", "--", "notebooks"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        )
        assert status.stdout == ""
