"""``jobber-lab``: the command line.

- ``jobber-lab demo``: the seed README's story in both variants, narrated, plus
  ``supervision_tree.png`` drawn from the live tree.
- ``jobber-lab tree --out FILE``: regenerate the supervision-tree picture from live state: the
  app with two good jobs and ``doomed-3`` just after its second crash (ghosts, ↻n, tries).
- ``jobber-lab lab [DIR]``: JupyterLab on a working copy of the course (127.0.0.1, a fresh
  token each start), made in ``DIR`` (default ``./jobber-lab-course``) from the packaged lessons.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

from jobber_lab.course import DEFAULT_WORKING_COPY, CourseNotFoundError, prepare_working_copy
from jobber_lab.otp import time_scale

__all__ = ["lab_command", "main"]


def _time_scale(text: str) -> float:
    """``--time-scale``: parsed here and checked by the runtime's own validator, so ``inf``,
    ``nan`` or ``1e-30`` is a usage error (exit 2) rather than a traceback from the clock."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    try:
        return time_scale("--time-scale", value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--time-scale: ")) from None


DEMO_TIME_SCALE = 0.01
"""``jobber-lab demo --scaled``'s clock: 5 s jobs take 50 ms."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jobber-lab", description="Fault-tolerant jobs the OTP way, in Python threads."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the book's story, narrated (the main job)")
    demo.add_argument(
        "--time-scale",
        type=_time_scale,
        default=None,
        help="run on the scaled wall clock at this many wall seconds per runtime second "
        "(implies --scaled; with --scaled alone: 0.01, so 5 s jobs take 50 ms)",
    )
    demo.add_argument("--variant", choices=["both", "direct", "isolated"], default="both")
    clock = demo.add_mutually_exclusive_group()
    clock.add_argument(
        "--simulated",
        action="store_true",
        help="run on simulated time (the default): the book's timings, exact, the same text "
        "on every run",
    )
    clock.add_argument(
        "--scaled",
        action="store_true",
        help="run on the scaled wall clock instead: real threads racing, times approximate",
    )
    demo.add_argument(
        "--verbose",
        action="store_true",
        help="print every event (registry entries, children started, the final shutdown)",
    )
    demo.add_argument(
        "--out",
        default="supervision_tree.png",
        help="where to write the live tree picture ('' to skip)",
    )
    tree = sub.add_parser("tree", help="draw the live supervision tree to a PNG/SVG file")
    tree.add_argument("--out", default="supervision_tree.png")
    tree.add_argument("--variant", choices=["isolated", "direct"], default="isolated")
    tree.add_argument("--time-scale", type=_time_scale, default=0.01)
    tree.add_argument(
        "--crashes",
        type=int,
        default=2,
        help="draw after doomed-3 crashed this many times (default 2; 0: at once)",
    )
    lab = sub.add_parser(
        "lab",
        help="copy the course into a working folder and open JupyterLab on it",
        description=(
            "Copies the course notebooks into DIR (your changes there are never overwritten) "
            "and starts JupyterLab on it, on 127.0.0.1 with a fresh token."
        ),
    )
    lab.add_argument(
        "dir",
        nargs="?",
        default=str(DEFAULT_WORKING_COPY),
        help=f"the working copy of the course (default: ./{DEFAULT_WORKING_COPY})",
    )
    lab.add_argument(
        "--reset",
        action="store_true",
        help="restore pristine lessons; changed ones are moved to DIR/backup-<date>/ first",
    )
    lab.add_argument("--port", type=_port, default=8888, help="preferred port (default 8888)")
    lab.add_argument("--no-browser", action="store_true", help="print the URL, open no browser")
    return parser


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number 1-65535, got {text!r}") from None
    if not 0 < value < 65536:
        raise argparse.ArgumentTypeError(f"expected a port number 1-65535, got {text!r}")
    return value


def _free_port(preferred: int) -> int:
    """``preferred`` if nothing listens on it, else a port the kernel says is free. Jupyter is
    then told not to wander off to another port, so the URL printed here is the real one."""
    for port in (preferred, 0):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise OSError("no free TCP port on 127.0.0.1")


def _running_as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def lab_command(folder: Path, *, port: int, token: str, open_browser: bool) -> list[str]:
    """The JupyterLab command line for ``jobber-lab lab``.

    Address, port and token are given on the command line, which outranks every Jupyter config
    file: a user's config with an empty token or ``ip = "0.0.0.0"`` cannot open the course to
    the network. As root (Docker images, classroom VMs) Jupyter refuses to start without
    ``--allow-root``, so it is added.
    """
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={folder}",
    ]
    if not open_browser:
        command.append("--no-browser")
    if _running_as_root():
        command.append("--allow-root")
    return command


def _lab(args: argparse.Namespace) -> int:
    try:
        copy = prepare_working_copy(args.dir, reset=args.reset)
    except (CourseNotFoundError, OSError) as exc:
        print(f"jobber-lab lab: {exc}", file=sys.stderr)
        return 2
    print(copy.summary())
    port = _free_port(args.port)
    if port != args.port:
        print(f"port {args.port} is taken; using {port}")
    token = secrets.token_urlsafe(24)
    command = lab_command(copy.folder, port=port, token=token, open_browser=not args.no_browser)
    if _running_as_root():
        print("running as root (usual in Docker and classroom VMs): passing --allow-root")
    print(f"open http://127.0.0.1:{port}/lab?token={token}", flush=True)
    print("(stop it with Ctrl-C; your work stays in the working copy)", flush=True)
    if os.name == "posix":
        # Become JupyterLab: its pid is this command's, so Ctrl-C, a SIGTERM or a classroom
        # script's `kill` reach it directly and no orphan server is left behind.
        os.execv(command[0], command)
        return 0  # reached only when execv is replaced (tests)
    return subprocess.call(command, env=os.environ.copy())


_PICTURE_SUFFIXES = (".png", ".svg", ".pdf")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    out = getattr(args, "out", "")
    if out and Path(out).suffix.lower() not in _PICTURE_SUFFIXES:
        parser.error(
            f"--out: expected a file ending in {', '.join(_PICTURE_SUFFIXES)}, got {out!r}"
        )
    if out and not Path(out).expanduser().parent.is_dir():
        parser.error(f"--out: the folder {str(Path(out).parent)!r} does not exist, got {out!r}")
    logging.basicConfig(level=logging.CRITICAL)  # crash reports are the story's point, not noise
    if args.command == "demo":
        from jobber_lab.demo import main_demo  # noqa: PLC0415 - only demo/tree need networkx

        # The seed's README tells the direct story first, then the isolated variant's fix.
        variants = ["direct", "isolated"] if args.variant == "both" else [args.variant]
        # Simulated time reads better (exact times, the same text every run); the scaled
        # clock stays one flag away, for real threads racing.
        scaled = args.scaled or args.time_scale is not None
        if scaled and args.simulated:
            parser.error("--time-scale: the scaled wall clock's option; drop --simulated")
        main_demo(
            variants=variants,
            time_scale=DEMO_TIME_SCALE if args.time_scale is None else args.time_scale,
            picture=args.out or None,
            verbose=args.verbose,
            simulated=not scaled,
        )
        return 0
    if args.command == "tree":
        if args.crashes < 0:
            parser.error(f"--crashes: expected a count >= 0, got {args.crashes}")
        from jobber_lab.demo import write_tree_picture  # noqa: PLC0415 - as main_demo

        out = write_tree_picture(
            args.out, variant=args.variant, time_scale=args.time_scale, crashes=args.crashes
        )
        print(f"wrote {out}")
        return 0
    return _lab(args)


if __name__ == "__main__":
    raise SystemExit(main())
