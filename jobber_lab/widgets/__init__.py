"""Notebook widgets: the Jobber dashboard (the only layer that imports ipywidgets).

``Dashboard()`` in a cell shows buttons for the book's good, bad, doomed and import jobs, the
live supervision tree, a job table, the event log, a Kill panel, time travel over the recorded
history and an export. Drawing goes through ``jobber_lab.draw``; the app through
``jobber_lab.jobber``; the pictures and tables come from the ``jobber_lab.trace`` tracer.
:class:`CoalescingRenderer` is the redraw thread the dashboard's live tree runs on (a burst
of events becomes one redraw); it lives here, not in ``draw/``, which stays pure functions.
"""

from ._dashboard import Dashboard
from ._renderer import CoalescingRenderer
from ._session import JOB_KINDS, KILL_REASONS, Session

__all__ = ["JOB_KINDS", "KILL_REASONS", "CoalescingRenderer", "Dashboard", "Session"]
