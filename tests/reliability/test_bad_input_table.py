"""Every public entry point, fed wrong types, NaN, +-inf, huge, negative and hostile values.

Each row must fail at once with an error that names the argument (or, for a supervisor's
flags and child specs, OTP's ``Error((..., (:invalid_x, value)))`` that names the flag), and
a Jobber tree running beside it must be left exactly as it was: the same processes, and
a job started afterwards still completes.  (The Dashboard rows are another suite's.)
"""

from __future__ import annotations

import json
import logging
import math
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from jobber_lab import cli, otp
from jobber_lab.jobber import Jobber, bad_job, doomed_job, good_job
from jobber_lab.otp import DynamicSupervisor, Error, Registry, Runtime, Supervisor
from jobber_lab.trace import TraceFormatError, Tracer

NAN, INF = math.nan, math.inf
HUGE = 10**400  # an int no float can hold
REG = "table_registry"


@dataclass(frozen=True)
class Row:
    """One bad call: ``call(ctx)`` must raise ``errors`` (or return an ``Error``, if
    ``errors`` is ``Error``) with text matching ``names``."""

    id: str
    call: Callable[[Any], Any]
    errors: Any
    names: str


def _spawn_idle() -> Any:
    return otp.spawn(otp.receive)


def _spec(**overrides: Any) -> dict[str, Any]:
    return {"id": "w", "start": (otp.start_link, (IdleServer, None)), **overrides}


class IdleServer(otp.GenServer):
    def init(self, arg: Any) -> Any:
        return otp.InitOk(arg)


def _sup(**flags: Any) -> Any:
    return Supervisor.start_link([], **{"strategy": "one_for_one", **flags})


def _deep_guard() -> tuple[Any, ...]:
    guard: tuple[Any, ...] = ("==", "$1", 1)
    for _ in range(5000):
        guard = ("not", guard)
    return guard


def _durations(label: str, call: Callable[[Any, Any], Any], bad: list[Any]) -> list[Row]:
    rows = []
    for value in bad:
        error = TypeError if isinstance(value, str | bool) or value is None else ValueError
        rows.append(Row(f"{label}={value!r}", lambda ctx, v=value: call(ctx, v), error, label))
    return rows


WAITS = [NAN, -1, -INF, "1", True]
FINITE = [NAN, INF, -INF, -1, "1", None]

CORE = [
    Row("spawn(fn=42)", lambda ctx: otp.spawn(42), TypeError, r"spawn\(fn\)"),
    Row("spawn(name=[1])", lambda ctx: otp.spawn(otp.receive, name=[1]), TypeError, "name"),
    Row("send(dest=[1])", lambda ctx: otp.send([1], "x"), TypeError, r"send\(dest\)"),
    Row("send(dest=nobody)", lambda ctx: otp.send("nobody", "x"), otp.ArgumentError, "dest"),
    Row("receive(match=5)", lambda ctx: otp.receive(5), TypeError, r"receive\(match\)"),
    *_durations(r"receive\(timeout\)", lambda ctx, v: otp.receive(timeout=v), WAITS),
    *_durations(r"sleep\(seconds\)", lambda ctx, v: otp.sleep(v), [*WAITS, None]),
    *_durations(r"send_after\(seconds\)", lambda ctx, v: otp.send_after(ctx.me, 1, v), FINITE),
    Row("send_after(dest=42)", lambda ctx: otp.send_after(42, 1, 1), TypeError, "dest"),
    Row("cancel_timer(ref=x)", lambda ctx: otp.cancel_timer("x"), TypeError, "ref"),
    Row("read_timer(ref=5)", lambda ctx: otp.read_timer(5), TypeError, "ref"),
    Row("exit(pid=str)", lambda ctx: otp.exit("x", "r"), TypeError, r"exit\(pid\)"),
    Row("link(pid=5)", lambda ctx: otp.link(5), TypeError, r"link\(pid\)"),
    Row("unlink(pid=x)", lambda ctx: otp.unlink("x"), TypeError, r"unlink\(pid\)"),
    Row("monitor(target=5)", lambda ctx: otp.monitor(5), TypeError, r"monitor\(target\)"),
    Row("demonitor(ref=5)", lambda ctx: otp.demonitor(5), TypeError, r"demonitor\(ref\)"),
    Row("register(name=[1])", lambda ctx: otp.register([1]), TypeError, r"register\(name\)"),
    Row("register(name=5)", lambda ctx: otp.register(5), TypeError, r"register\(name\)"),
    Row("unregister(nobody)", lambda ctx: otp.unregister("nobody"), otp.ArgumentError, "name"),
    Row("whereis(name=[1])", lambda ctx: otp.whereis([1]), TypeError, r"whereis\(name\)"),
    Row("whereis(name=dict)", lambda ctx: otp.whereis({"a": 1}), TypeError, r"whereis\(name\)"),
    Row("is_alive(pid=x)", lambda ctx: otp.is_alive("x"), TypeError, r"is_alive\(pid\)"),
    *_durations(r"Runtime\(time_scale\)", lambda ctx, v: Runtime(time_scale=v), [*WAITS, INF]),
    Row("Runtime(time_scale=1e300)", lambda ctx: Runtime(time_scale=1e300), ValueError, "time"),
    Row("Runtime(time_scale=HUGE)", lambda ctx: Runtime(time_scale=HUGE), ValueError, "time"),
    *_durations(r"Runtime\(grace\)", lambda ctx, v: Runtime(grace=v), [*WAITS, None]),
    *_durations(r"call\(timeout\)", lambda ctx, v: otp.call(ctx.server, "x", v), WAITS),
    Row("call(server=42)", lambda ctx: otp.call(42, "x"), TypeError, r"call\(server\)"),
    *_durations(r"stop\(timeout\)", lambda ctx, v: otp.stop(ctx.server, otp.NORMAL, v), WAITS),
    *_durations(
        r"start_link\(timeout\)", lambda ctx, v: otp.start_link(IdleServer, timeout=v), WAITS
    ),
    Row(
        "start_link(name=[1])", lambda ctx: otp.start_link(IdleServer, name=[1]), TypeError, "name"
    ),
    Row("start_link(module=42)", lambda ctx: otp.start_link(42), TypeError, "module"),
]

SUPERVISORS = [
    Row("strategy=bogus", lambda ctx: _sup(strategy="bogus"), Error, "invalid_strategy"),
    Row("strategy missing", lambda ctx: Supervisor.start_link([]), otp.ArgumentError, "strategy"),
    *[
        Row(f"max_restarts={v!r}", lambda ctx, v=v: _sup(max_restarts=v), Error, "intensity")
        for v in (-1, "3", NAN, 1.5, INF, None)
    ],
    *[
        Row(f"max_seconds={v!r}", lambda ctx, v=v: _sup(max_seconds=v), Error, "period")
        for v in (0, -1, "5", NAN, -INF, None)
    ],
    Row("children=42", lambda ctx: Supervisor.start_link(42, strategy="one_for_one"), TypeError,
        "children"),
    Row("children=[42]", lambda ctx: _sup_with([42]), Error, "invalid_child_spec"),
    *[
        Row(f"shutdown={v!r}", lambda ctx, v=v: _sup_with([_spec(shutdown=v)]), Error,
            "invalid_shutdown")
        for v in (NAN, -1, "5", -INF, True)
    ],
    Row("restart=bogus", lambda ctx: _sup_with([_spec(restart="bogus")]), Error, "restart"),
    Row("spec key typo", lambda ctx: _sup_with([_spec(restrat="temporary")]), Error, "restrat"),
    Row("start=(42, ())", lambda ctx: _sup_with([_spec(start=(42, ()))]), Error, "invalid_mfa"),
    Row("start_child(spec=42)", lambda ctx: otp.start_child(ctx.sup, 42), Error, "child_spec"),
    Row("which_children(sup=42)", lambda ctx: otp.which_children(42), TypeError, "server"),
    *[
        Row(f"DynamicSupervisor {k}={v!r}", lambda ctx, k=k, v=v: DynamicSupervisor.start_link(
            **{k: v}), Error, word)
        for k, word in (("max_restarts", "intensity"), ("max_seconds", "period"),
                        ("max_children", "max_children"))
        for v in (-1, NAN, "x")
    ],
    Row("DynamicSupervisor strategy=one_for_all",
        lambda ctx: DynamicSupervisor.start_link(strategy="one_for_all"), Error, "strategy"),
]  # fmt: skip

REGISTRY = [
    Row("keys=bogus", lambda ctx: Registry.start_link(keys="bogus", name="r2"), otp.ArgumentError,
        "keys"),
    Row("name=[1]", lambda ctx: Registry.start_link(keys="unique", name=[1]), otp.ArgumentError,
        "name"),
    Row("register(key=[1])", lambda ctx: Registry.register(REG, [1], None), TypeError,
        r"register\(key\)"),
    Row("lookup(key=dict)", lambda ctx: Registry.lookup(REG, {"a": 1}), TypeError,
        r"lookup\(key\)"),
    Row("lookup(registry=nobody)", lambda ctx: Registry.lookup("nobody", 1), otp.ArgumentError,
        "registry"),
    Row("select(spec=str)", lambda ctx: Registry.select(REG, "x"), otp.ArgumentError, "spec"),
    Row("select(spec=[])", lambda ctx: Registry.select(REG, []), otp.ArgumentError, "spec"),
    Row("select(guard=bogus)", lambda ctx: Registry.select(REG, [(("$1", "_", "_"), [("bogus",)],
        ["$1"])]), otp.ArgumentError, "guard"),
    Row("select(5000-deep guard)", lambda ctx: Registry.select(REG, [(("$1", "_", "_"),
        [_deep_guard()], ["$1"])]), otp.ArgumentError, r"select\(spec\): nested"),
    Row("via(key=[1])", lambda ctx: Registry.via(REG, [1]), TypeError, r"via\(key\)"),
]  # fmt: skip

JOBBER = [
    Row("Jobber(variant=bogus)", lambda ctx: Jobber(variant="bogus", runtime=ctx.rt), ValueError,
        "variant"),
    Row("Jobber(import_quota=-1)", lambda ctx: Jobber(import_quota=-1, runtime=ctx.rt),
        ValueError, "import_quota"),
    Row("Jobber(import_quota=nan)", lambda ctx: Jobber(import_quota=NAN, runtime=ctx.rt),
        ValueError, "import_quota"),
    *[
        Row(f"Jobber(time_scale={v!r})", lambda ctx, v=v: Jobber(time_scale=v), ValueError,
            r"time_scale")
        for v in (NAN, INF, -1, 0)
    ],
    *[
        Row(f"start_job({k}={v!r})", lambda ctx, k=k, v=v: ctx.app.start_job(
            **{"work": good_job(1), k: v}), err, k)
        for k, v, err in (("max_retries", NAN, TypeError), ("max_retries", -1, ValueError),
                          ("max_retries", HUGE * 0 - 5, ValueError), ("type", 7, TypeError),
                          ("id", ["x"], TypeError), ("work", "rm -rf /", TypeError),
                          ("bogus", 1, TypeError))
    ],
    *[
        Row(f"{f.__name__}({v!r})", lambda ctx, f=f, v=v: f(v),
            TypeError if isinstance(v, str) or v is None else ValueError,
            rf"{f.__name__}\(seconds\)")
        for f in (good_job, bad_job, doomed_job)
        for v in (NAN, -1, -INF, "5", None)
    ],
]  # fmt: skip


def _sup_with(children: list[Any]) -> Any:
    return Supervisor.start_link(children, strategy="one_for_one")


def _trace_file(ctx: Any, text: str) -> Path:
    path = ctx.tmp / f"t{len(list(ctx.tmp.iterdir()))}.jsonl"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _trace_line(**fields: Any) -> str:
    return json.dumps({"seq": 1, "time": 0, "kind": "spawned", "pid": "<0.1.0>", "fields": fields})


TRACES = [
    Row("load(missing file)", lambda ctx: Tracer.load(ctx.tmp / "nope.jsonl"), FileNotFoundError,
        "nope.jsonl"),
    Row("load(deep list)", lambda ctx: Tracer.load(_trace_file(ctx, "[" * 100_000)),
        TraceFormatError, r"line 1"),
    Row("load(parent=[..])", lambda ctx: Tracer.load(_trace_file(ctx, _trace_line(parent=[1]))),
        TraceFormatError, r"line 1: field 'parent'"),
    Row("load(name=dict)", lambda ctx: Tracer.load(_trace_file(ctx, _trace_line(name={}))),
        TraceFormatError, r"line 1: field 'name'"),
    Row("load(restarts=many)", lambda ctx: Tracer.load(_trace_file(ctx, _trace_line(
        restarts="many"))), TraceFormatError, r"line 1: field 'restarts'"),
    Row("load(binary)", lambda ctx: Tracer.load(_trace_file(ctx, "\x00\x01garbage")),
        TraceFormatError, r"line 1"),
]  # fmt: skip


def _cli(*argv: str) -> Callable[[Any], Any]:
    def run(ctx: Any) -> Any:
        return cli.main(list(argv))

    return run


CLI = [
    *[
        Row(f"demo --time-scale {v}", _cli("demo", "--time-scale", v, "--out", ""), SystemExit,
            "--time-scale")
        for v in ("nan", "inf", "-inf", "-1", "0", "1e-30", "1e400", "fast", "")
    ],
    Row("tree --out t.txt", _cli("tree", "--out", "t.txt"), SystemExit, "--out"),
    Row("tree --out missing/dir/t.png", _cli("tree", "--out", "missing/dir/t.png"), SystemExit,
        "--out: the folder"),
    Row("tree --variant bogus", _cli("tree", "--variant", "bogus"), SystemExit, "--variant"),
    Row("lab --port abc", _cli("lab", "--port", "abc"), SystemExit, "--port"),
    Row("no command", _cli(), SystemExit, "command"),
]  # fmt: skip

TABLE = CORE + SUPERVISORS + REGISTRY + JOBBER + TRACES + CLI


@dataclass
class Ctx:
    rt: Runtime
    me: Any
    app: Jobber
    sup: Any
    server: Any
    tmp: Path


def _judge(row: Row, ctx: Ctx, capsys: pytest.CaptureFixture[str]) -> str | None:
    """None if the row failed as it should; else what went wrong."""
    try:
        result = row.call(ctx)
    except SystemExit as exc:
        err = capsys.readouterr().err
        if row.errors is not SystemExit:
            return f"SystemExit {exc.code}: {err}"
        if exc.code != 2 or not re.search(row.names, err) or "Traceback" in err:
            return f"exit {exc.code}, stderr {err!r}"
        return None
    except Exception as exc:
        if row.errors is Error or not isinstance(exc, row.errors):
            return f"{type(exc).__name__}: {exc}"
        if not re.search(row.names, str(exc)):
            return f"message does not name {row.names!r}: {exc}"
        return None
    if row.errors is Error and isinstance(result, Error) and re.search(row.names, repr(result)):
        return None
    return f"returned {result!r}"


def test_every_bad_input_gets_a_clear_error_and_the_tree_beside_it_is_unchanged(
    runtime, tmp_path, capsys, caplog
):
    caplog.set_level(logging.CRITICAL, logger="jobber_lab")
    with runtime.test_process(trap_exit=True) as me:
        app = Jobber(variant="isolated", runtime=runtime)
        try:
            _run_table(runtime, me, app, tmp_path, capsys)
        finally:
            app.stop()


def _run_table(runtime: Runtime, me: Any, app: Jobber, tmp: Path, capsys: Any) -> None:
    Registry.start_link(keys="unique", name=REG)
    sup = _sup().value
    server = otp.start_link(IdleServer).value
    ctx = Ctx(runtime, me, app, sup, server, tmp)
    before = set(runtime.processes())
    failures = {row.id: why for row in TABLE if (why := _judge(row, ctx, capsys)) is not None}
    assert not failures, "\n".join(f"{k}: {v}" for k, v in failures.items())
    assert set(runtime.processes()) == before, "a bad call changed the running tree"
    assert otp.whereis("JobRunner") is not None
    done = threading.Event()

    def watch(event: Any) -> None:
        mine = event.kind == "job_status" and event.get("job_id") == "after-the-table"
        if mine and event.get("status") == "done":
            done.set()

    subscription = runtime.subscribe(watch)
    try:
        assert isinstance(app.start_job(work=good_job(0.5), id="after-the-table"), otp.Ok)
        assert done.wait(10.0), "a job started after the table did not complete"
    finally:
        subscription.cancel()
    print(f"\nbad-input table: {len(TABLE)} inputs tried, all refused clearly")


def test_the_table_covers_every_kind_of_bad_value():
    ids = " ".join(row.id for row in TABLE)
    for word in ("nan", "inf", "-inf", "-1", "'1'", "[1]", "dict", "bogus", "1e400", "HUGE"):
        assert word in ids, word
    assert len(TABLE) >= 150
