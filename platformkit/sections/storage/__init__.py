"""The Storage section: the project's buckets as Platform Kit shows them (cards with name,
public or private, updated), with what the bucket list of the Management API leaves out (file
size limit, allowed MIME types) read from ``storage.buckets`` through ``database/query``,
read-only. Browsing files is not offered: the Management API has no endpoint for objects."""

from platformkit.core.sections import Section

SECTION = Section(key="storage", label="Storage", url_name="platformkit:storage")
