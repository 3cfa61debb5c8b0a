"""The settings tabs' URLs, each tab's own list (allauth's ``mfa/urls.py``)."""

from __future__ import annotations

from platformkit.sections.settings.api_keys import urls as api_keys
from platformkit.sections.settings.claim import urls as claim
from platformkit.sections.settings.compute import urls as compute
from platformkit.sections.settings.config import urls as config
from platformkit.sections.settings.secrets import urls as secrets

urlpatterns = [
    *secrets.urlpatterns,
    *api_keys.urlpatterns,
    *config.urlpatterns,
    *compute.urlpatterns,
    *claim.urlpatterns,
]
