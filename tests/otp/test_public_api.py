"""The names ``jobber_lab.otp`` exports: ``__all__`` is built from the submodules' own
``__all__`` lists, so a name dropped from one of them must show here, not in a student's
``ImportError``."""

import jobber_lab.otp as otp
from jobber_lab.otp import _api, _atoms, _genserver, _supervisor

# Every public name other than the atom constants, as of the issue-17 clean-up.
EXPECTED = {
    "Application",
    "ArgumentError",
    "AsyncKill",
    "AutoShutdown",
    "ChildSpec",
    "ChildType",
    "Clock",
    "Continue",
    "Crash",
    "DEFAULT_MAX_RESTARTS",
    "DEFAULT_MAX_SECONDS",
    "Down",
    "DynamicInit",
    "DynamicSupervisor",
    "Error",
    "Event",
    "EventBus",
    "EventKind",
    "Exit",
    "ExitError",
    "ExitSignal",
    "From",
    "GenServer",
    "IGNORE",
    "InitError",
    "InitOk",
    "InitStop",
    "NORMAL_START",
    "NO_REPLY",
    "NoProcError",
    "NoReply",
    "OK",
    "Ok",
    "OnStart",
    "Pid",
    "Process",
    "Ref",
    "Registry",
    "Reply",
    "Restart",
    "Runtime",
    "ScaledClock",
    "Shell",
    "Stop",
    "Strategy",
    "Subscription",
    "Supervisor",
    "SupervisorInit",
    "TimerRef",
    "UNKNOWN_OPTIONS",
    "Via",
    "VirtualClock",
    "app_start",
    "app_stop",
    "call",
    "cancel_timer",
    "cast",
    "checkpoint",
    "child_spec",
    "count_children",
    "current_process",
    "current_runtime",
    "default_runtime",
    "delete_child",
    "demonitor",
    "duration",
    "exit",
    "exit_signal",
    "format_reason",
    "is_alive",
    "is_clean",
    "is_down",
    "is_exit",
    "link",
    "make_ref",
    "monitor",
    "now",
    "read_timer",
    "reason_kind",
    "receive",
    "register",
    "reply",
    "restart_child",
    "self",
    "send",
    "send_after",
    "sleep",
    "spawn",
    "spawn_link",
    "spawn_monitor",
    "start",
    "start_child",
    "start_link",
    "started_applications",
    "stop",
    "supervisor_init",
    "terminate_child",
    "time_scale",
    "trap_exit",
    "unlink",
    "unregister",
    "whereis",
    "which_children",
}


def test_all_is_exactly_the_expected_names() -> None:
    names = set(otp.__all__) - set(_atoms.__all__)
    assert names == EXPECTED, (sorted(EXPECTED - names), sorted(names - EXPECTED))


def test_all_has_no_repeats_and_every_name_resolves() -> None:
    assert len(otp.__all__) == len(set(otp.__all__))
    for name in otp.__all__:
        assert hasattr(otp, name), name


def test_submodule_lists_are_re_exported_as_the_same_objects() -> None:
    for module in (_api, _atoms, _genserver, _supervisor):
        for name in module.__all__:
            assert getattr(otp, name) is getattr(module, name), name
