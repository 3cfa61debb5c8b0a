"""The demo host site: its own pages, Django's login, and platformkit mounted under a prefix."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from demo import views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="platformkit:projects", permanent=False)),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("host/", views.host_page, name="demo-host"),
    path("platform/", include("platformkit.urls")),
]
