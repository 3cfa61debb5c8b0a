"""The Usage section: the project's API requests over time (``usage.api-counts``: REST, Auth,
Storage and Realtime requests per interval) as a server-rendered, stacked SVG chart for the
last hour, day or 7 days, and the total of the last 24 hours (``usage.api-requests-count``).
Read-only."""

from platformkit.core.sections import Section

SECTION = Section(key="usage", label="Usage", url_name="platformkit:usage")
