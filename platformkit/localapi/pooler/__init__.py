"""The pooler endpoint: one loopback port routing ``postgres.<ref>`` to each project's instance."""
