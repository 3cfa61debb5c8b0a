from __future__ import annotations

from django.urls import path

from platformkit.sections.settings.claim import views

urlpatterns = [
    path("projects/<project_ref:ref>/settings/transfer/", views.claim_page, name="claim"),
    path("projects/<project_ref:ref>/settings/transfer/token/", views.create_token, name="claim-token-create"),
    path("projects/<project_ref:ref>/settings/transfer/token/revoke/", views.revoke_token, name="claim-token-revoke"),
    path("projects/<project_ref:ref>/settings/transfer/start/", views.transfer, name="claim-transfer"),
]
