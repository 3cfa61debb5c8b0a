"""Migrations: history per target, apply (with rollback SQL), roll back the latest, seed."""

from platformkit.core.sections import Section

SECTION = Section(
    key="migrations",
    label="Migrations",
    url_name="platformkit:migrations",
    actions=("migrations.rollback", "migrations.seed"),
)
