"""A host site that mounts platformkit under its own prefix and instance namespace."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),  # the demo base template links it
    path("tenant-ops/dash/", include(("platformkit.urls", "platformkit"), namespace="ops")),
]
