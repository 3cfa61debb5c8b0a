"""Mount with ``path("platform/", include("platformkit.urls"))``; templates reverse
``platformkit:...`` names, so any prefix (and instance namespace) works.

Built from the section registry (each section's own ``urls.py``), then the embed endpoints.
A section switched off in ``FEATURES`` keeps its URLs: its views answer 404 (a setting changed
at run time needs no URLconf reload)."""

from __future__ import annotations

from platformkit.core import sections
from platformkit.core.missing import inside_dashboard
from platformkit.embed import views as embed
from platformkit.embed.requests import framed

app_name = "platformkit"

urlpatterns = [pattern for section in sections.all_sections() for pattern in section.urlpatterns()]
for _pattern in urlpatterns:  # a 404 past the dashboard's gate is the dashboard's own page
    _pattern.callback = inside_dashboard(_pattern.callback)
urlpatterns += embed.urlpatterns
for _pattern in urlpatterns:  # framing headers on every answer, whatever the view
    _pattern.callback = framed(_pattern.callback)
