"""WSGI entry point for the demo site (any WSGI server; the site keeps no local state).

Each process imports every view and compiles every template here, before it serves a request
(``platformkit.core.warmup``): a new gunicorn worker otherwise made its first operators wait.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")
application = get_wsgi_application()

from platformkit.core.warmup import warm  # noqa: E402  (needs the apps loaded above)

warm()
