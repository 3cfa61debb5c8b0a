"""Logs: the log explorer (sources, ranges, templates, SQL, a histogram)."""

from platformkit.core.sections import Section

SECTION = Section(key="logs", label="Logs", url_name="platformkit:logs")
