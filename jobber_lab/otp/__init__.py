"""jobber_lab.otp: a small BEAM in Python threads.

Processes, mailboxes, links, monitors, timers, GenServer, Supervisor,
DynamicSupervisor, Registry and Application, faithful to OTP's rules (see
``otp-semantics.md``), emitting :class:`Event` values for everything that
happens.  Standard library only.
"""

from ._adoption import Shell
from ._api import *  # noqa: F403 - the process API is public; its __all__ is the list
from ._api import TimerRef
from ._api import __all__ as _api_names
from ._application import NORMAL_START, Application, app_start, app_stop, started_applications
from ._atoms import *  # noqa: F403 - the atom constants are part of the public API
from ._atoms import __all__ as _atom_names
from ._childspec import AutoShutdown, ChildSpec, ChildType, Restart, Strategy, child_spec
from ._clock import Clock, ScaledClock, VirtualClock
from ._durations import duration, time_scale
from ._dynamic_supervisor import DynamicInit, DynamicSupervisor
from ._events import Event, EventBus, EventKind, Subscription
from ._gen_terms import *  # noqa: F403 - the reply and return terms are public
from ._gen_terms import __all__ as _gen_terms_names
from ._genserver import *  # noqa: F403 - GenServer's names are public; its __all__ is the list
from ._genserver import __all__ as _genserver_names
from ._kill_ladder import AsyncKill
from ._pid import Pid, Ref
from ._process import Process, current_process
from ._registry import Registry
from ._results import *  # noqa: F403 - results and errors are public; its __all__ is the list
from ._results import __all__ as _results_names
from ._runtime import Runtime, current_runtime, default_runtime
from ._signals import Down, Exit, is_down, is_exit
from ._supervisor import *  # noqa: F403 - Supervisor's names are public; its __all__ is the list
from ._supervisor import __all__ as _supervisor_names
from ._supervisor_engine import DEFAULT_MAX_RESTARTS, DEFAULT_MAX_SECONDS, UNKNOWN_OPTIONS
from ._via import Via

__all__ = [
    *_atom_names,
    *_api_names,
    *_gen_terms_names,
    *_genserver_names,
    *_supervisor_names,
    *_results_names,
    "NORMAL_START",
    "Application",
    "app_start",
    "app_stop",
    "started_applications",
    "AutoShutdown",
    "ChildSpec",
    "ChildType",
    "Restart",
    "Strategy",
    "child_spec",
    "DEFAULT_MAX_RESTARTS",
    "DEFAULT_MAX_SECONDS",
    "UNKNOWN_OPTIONS",
    "DynamicInit",
    "DynamicSupervisor",
    "Registry",
    "time_scale",
    "AsyncKill",
    "Clock",
    "Down",
    "Event",
    "EventBus",
    "EventKind",
    "Exit",
    "Pid",
    "Process",
    "Ref",
    "Runtime",
    "ScaledClock",
    "Shell",
    "Subscription",
    "TimerRef",
    "Via",
    "VirtualClock",
    "current_process",
    "current_runtime",
    "default_runtime",
    "duration",
    "is_down",
    "is_exit",
]
