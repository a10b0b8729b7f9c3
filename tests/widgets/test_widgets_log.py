"""The log view (``widgets._log``) as a pure function of log lines: no runtime, no threads."""

from __future__ import annotations

from jobber_lab.widgets._log import log_html


def test_log_colours_the_words_that_matter_and_escapes() -> None:
    html = log_html(["Job completed <x>", "Supervisor JobSupervisor gave up (...)", "plain"])
    assert "&lt;x&gt;" in html and "#2e7d32" in html and "#c0392b" in html
    assert "no events yet" in log_html([])
