"""The SQL editor: read-only by default on production, destructive statements confirmed,
history and snippets, results as a grid, CSV or JSON."""

from platformkit.core.sections import Section

SECTION = Section(key="sql", label="SQL", url_name="platformkit:sql", actions=("sql.write",))
