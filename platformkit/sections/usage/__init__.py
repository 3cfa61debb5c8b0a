"""The Usage section: the project's API requests over time (``usage.api-counts``: REST, Auth,
Storage and Realtime requests per interval) as a server-rendered, stacked SVG chart for the
last hour, 24 hours or 7 days, up to now, and the total of the last 24 hours
(``usage.api-requests-count``: every path through the gateway) split into those four services (the
day's ``usage.api-counts``) and the other paths, so the figures never contradict each other. Read-only."""

from platformkit.core.sections import Section

SECTION = Section(key="usage", label="Usage", url_name="platformkit:usage")
