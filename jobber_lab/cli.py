"""``jobber-lab``: the command line.

- ``jobber-lab demo``: the seed README's story in both variants, narrated, plus
  ``supervision_tree.png`` drawn from the live tree.
- ``jobber-lab tree --out FILE``: regenerate the supervision-tree picture from live state: the
  app with two good jobs and ``doomed-3`` just after its second crash (ghosts, ↻n, tries).
- ``jobber-lab lab``: JupyterLab on the course notebooks (127.0.0.1, token on).
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from pathlib import Path

__all__ = ["main"]


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jobber-lab", description="Fault-tolerant jobs the OTP way, in Python threads."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="run the book's story, narrated (the main job)")
    demo.add_argument(
        "--time-scale",
        type=_positive,
        default=0.01,
        help="wall seconds per runtime second (default 0.01: 5 s jobs take 50 ms)",
    )
    demo.add_argument("--variant", choices=["both", "isolated", "direct"], default="both")
    demo.add_argument(
        "--out",
        default="supervision_tree.png",
        help="where to write the live tree picture ('' to skip)",
    )
    tree = sub.add_parser("tree", help="draw the live supervision tree to a PNG/SVG file")
    tree.add_argument("--out", default="supervision_tree.png")
    tree.add_argument("--variant", choices=["isolated", "direct"], default="isolated")
    tree.add_argument("--time-scale", type=_positive, default=0.01)
    tree.add_argument(
        "--crashes",
        type=int,
        default=2,
        help="draw after doomed-3 crashed this many times (default 2; 0: at once)",
    )
    lab = sub.add_parser("lab", help="open JupyterLab on the course notebooks")
    lab.add_argument("--port", type=int, default=8888)
    lab.add_argument("--no-browser", action="store_true")
    lab.add_argument("--notebooks", default=None, help="folder of notebooks (default: the course)")
    return parser


def notebooks_dir() -> Path:
    """The course's notebooks: beside the package in a checkout."""
    here = Path(__file__).resolve().parent.parent / "notebooks"
    return here


_PICTURE_SUFFIXES = (".png", ".svg", ".pdf")
_WAIT = 30.0  # wall seconds: generous for a loaded classroom machine


def write_story_tree(
    path: str | Path, *, variant: str = "isolated", time_scale: float = 0.01, crashes: int = 2
) -> Path:
    """``jobber-lab tree``: a live Jobber telling its story, drawn from the tracer's graph.

    Two long good jobs (``good-1``, ``import-2``) run while ``doomed-3`` crashes ``crashes``
    times: the picture shows each job by its id, status and try, the crashed attempts as
    ghosts and the restarted job's ``↻n`` -- what a student looks for first.
    """
    from jobber_lab import jobber
    from jobber_lab.draw import save_tree
    from jobber_lab.otp import Runtime
    from jobber_lab.trace import Tracer

    rt = Runtime(time_scale=time_scale, name=f"tree-{variant}")
    tracer = Tracer(rt)
    app = jobber.Jobber(variant=variant, runtime=rt, auto_shutdown=False)
    try:
        app.start_job(work=jobber.good_job(3600), id="good-1")
        app.start_job(work=jobber.good_job(3600), id="import-2", type="import")
        app.start_job(work=jobber.doomed_job(), id="doomed-3", max_retries=5)
        seen = tracer.wait_for(
            lambda e: (
                e.kind == "job_status"
                and e.get("job_id") == "doomed-3"
                and e.get("status") == "running"
                and _crashes(tracer, "doomed-3") >= crashes
            ),
            _WAIT,
        )
        if seen is None:
            raise RuntimeError(f"jobber-lab tree: doomed-3 did not crash {crashes} times")
        tracer.flush()
        title = f"Jobber supervision tree ({variant}, live): doomed-3 after {crashes} crashes"
        return save_tree(tracer.graph, path, title=title, root="Jobber")
    finally:
        app.stop()
        rt.shutdown()
        tracer.detach()


def _crashes(tracer: object, job_id: str) -> int:
    """Crashed processes of ``job_id`` so far, by the tracer's labels (the naming rule)."""
    from jobber_lab.trace import Tracer

    assert isinstance(tracer, Tracer)
    return sum(
        1
        for e in tracer.history
        if e.kind == "exited"
        and e.get("reason_kind") == "crash"
        and tracer.label_of(e.pid or "") == job_id
    )


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    out = getattr(args, "out", "")
    if out and Path(out).suffix.lower() not in _PICTURE_SUFFIXES:
        parser.error(
            f"--out: expected a file ending in {', '.join(_PICTURE_SUFFIXES)}, got {out!r}"
        )
    logging.basicConfig(level=logging.CRITICAL)  # crash reports are the story's point, not noise
    if args.command == "demo":
        from jobber_lab.demo import main_demo

        variants = ["isolated", "direct"] if args.variant == "both" else [args.variant]
        main_demo(variants=variants, time_scale=args.time_scale, picture=args.out or None)
        return 0
    if args.command == "tree":
        if args.crashes < 0:
            parser.error(f"--crashes: expected a count >= 0, got {args.crashes}")
        out = write_story_tree(
            args.out, variant=args.variant, time_scale=args.time_scale, crashes=args.crashes
        )
        print(f"wrote {out}")
        return 0
    folder = Path(args.notebooks) if args.notebooks else notebooks_dir()
    if not folder.is_dir():
        print(f"jobber-lab lab: no notebooks folder at {folder}", file=sys.stderr)
        return 2
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={args.port}",
        f"--ServerApp.root_dir={folder}",
    ]
    if args.no_browser:
        command.append("--no-browser")
    print("starting:", " ".join(command), "(token on: open the URL it prints)")
    return subprocess.call(command, env=os.environ.copy())


if __name__ == "__main__":
    raise SystemExit(main())
