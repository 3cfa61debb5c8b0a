"""The Connect section: how an app reaches the project. The direct connection string (from the
project's ``database.host``), the pooler's (``GET .../config/database/pooler``, when the API
serves it), the API URL and publishable key, and the TypeScript types of the database
(``GET .../types/typescript``: view, copy, download).

The password is masked. Showing it is one audited POST (``connect.reveal``) answered once,
never stored by the browser: an embed needs ``connect: write`` and must not deny
``connect.reveal``; an operator needs to be able to change the project and, because it is the
same stored password the project page reveals, ``platformkit.reveal_credential`` too."""

from platformkit.core.sections import Section

SECTION = Section(key="connect", label="Connect", url_name="platformkit:connect", actions=("connect.reveal",))
