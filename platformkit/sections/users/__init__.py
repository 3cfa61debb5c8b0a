"""The Users section: the project's ``auth.users`` read through ``database/query`` (read-only,
bound parameters): search by email, phone or id, keyset pages newest first, a user's detail
with their identities (providers) from ``auth.identities``, and sign-ups per day over 7, 30
or 90 days as a server-rendered SVG chart.

It offers no write actions, on purpose. The Management API has no endpoint for Auth's users
(creating, inviting, banning, deleting and signing out are the Auth server's admin API, which
needs the project's service_role key at the project's own URL, not the Management API token),
and writing ``auth.users`` with SQL goes round the Auth server: it skips its checks and hooks,
leaves sessions and refresh tokens alive, and writes no Auth audit log entry. A page that
looked like "delete user" but did that would not be safe, so there is none."""

from platformkit.core.sections import Section

SECTION = Section(key="users", label="Users", url_name="platformkit:users")
