"""Settings: one section of five tabs, each a sub-package with its own views and URLs
(allauth's ``mfa/<feature>/``): secrets, API keys, service configuration, compute and add-ons,
transfer (claim)."""

from platformkit.core.sections import OperationKind, Section

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
    operation_titles={
        "settings.config.auth": OperationKind(
            "Apply Auth configuration on {target}",
            "The Auth configuration is applied on {target}.",
            "config",
            ("service",),
            "Open the Auth configuration",
        ),
        "settings.compute": OperationKind(
            "Change compute from {from} to {to}",
            "The project runs on {to} and every service is healthy.",
            "compute",
            link_label="Open compute and add-ons",
        ),
    },
)
