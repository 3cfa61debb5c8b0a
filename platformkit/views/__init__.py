"""One module per screen; each exposes ``urlpatterns``, which ``platformkit.urls`` joins."""
