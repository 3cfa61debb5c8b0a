"""The demo's settings as `make demo` serves them (pooled connections, gunicorn), pointed at
the benchmark's site database: for the gunicorn workers bench/operators.py starts."""

import os

from demo.settings import *  # noqa: F403
from demo.settings import DATABASES

DATABASES["default"]["NAME"] = os.environ["PLATFORMKIT_DB_NAME"]
ALLOWED_HOSTS = ["*"]

# A 500 during the benchmark prints its traceback (the demo sends django.request to no handler).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR"}},
}
