"""Settings: one section of five tabs, each a sub-package with its own views and URLs
(allauth's ``mfa/<feature>/``): secrets, API keys, service configuration, compute and add-ons,
transfer (claim)."""

from platformkit.core.sections import Section

SECTION = Section(
    key="settings",
    label="Settings",
    url_name="platformkit:secrets",
    actions=(
        "settings.secrets.delete",
        "settings.api_keys.reveal",
        "settings.api_keys.delete",
        "settings.config",
        "settings.compute",
        "settings.claim",
    ),
    operation_titles={"settings.config.auth": "Auth configuration change", "settings.compute": "Compute size change"},
)
