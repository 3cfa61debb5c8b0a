"""The Database section (Platform Kit's home screen): schemas and their tables, a table's rows
with keyset pagination, sort and filters, a row editor generated from the column types, CSV
export and a schema diagram. Every read and write is one ``database/query`` call with bound
parameters; identifiers come from the catalog, quoted. Writes are refused on production unless
the operator ticks "Write to production" (as the SQL editor's read-only switch), deletes are
confirmed first, an embed needs ``database: write`` and may deny ``database.write``, and every
write is audited (``database.insert`` / ``database.update`` / ``database.delete``)."""

from platformkit.core.sections import Section

SECTION = Section(key="database", label="Database", url_name="platformkit:database", actions=("database.write",))
