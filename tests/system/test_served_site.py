"""The site as `make demo` serves it: gunicorn with bounded threads and Django's connection
pool (demo/settings.py). More concurrent page views than threads, on a page that fans its
upstream calls out to threads of its own, all answer 200: none waits on a pool that the
request threads have emptied (with the pool no larger than the threads they did, for 10 s,
then answered 500)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_more_page_views_than_threads_all_answer(localapi, settings, tmp_path):
    from platformkit.core.client import get_client

    client = get_client(cached=False)
    organization = client.organizations.list()[0]
    project = client.projects.create(
        name="Served by gunicorn",
        organization_slug=organization.slug,
        db_pass="Served-pass-0123456789-abcdefgh",
        region_selection={"type": "smartGroup", "code": "emea"},
    )
    operator = get_user_model().objects.create_user("served-operator", is_staff=True)
    browser = Client()
    browser.force_login(operator)
    cookie = browser.cookies["sessionid"].value

    port = _free_port()
    log = tmp_path / "gunicorn.log"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.site_settings",
        "PLATFORMKIT_DB_NAME": connection.settings_dict["NAME"],
        "PLATFORMKIT_API_URL": settings.PLATFORMKIT["API_URL"],
        "PLATFORMKIT_API_TOKEN": settings.PLATFORMKIT["API_TOKEN"],
        "PLATFORMKIT_SITE_THREADS": "2",
        # A starved pool shows as a 500 within the test's time, not after 10 s each.
        "PLATFORMKIT_DB_POOL_TIMEOUT": "3",
    }
    command = [sys.executable, "-m", "gunicorn", "demo.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "1", "--threads", "2", "--access-logfile", "/dev/null"]
    with log.open("w") as output:
        site = subprocess.Popen(command, cwd=BASE_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert site.poll() is None, log.read_text()
            try:
                httpx.get(base + "/accounts/login/", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        overview = reverse("platformkit:project", args=[project.ref])

        def view(_: int) -> int:
            # Fresh reads each time (no cached upstream answers), so every view fans out.
            with httpx.Client(base_url=base, cookies={"sessionid": cookie}, timeout=30) as http:
                return http.get(overview).status_code

        with ThreadPoolExecutor(12) as pool:
            statuses = list(pool.map(view, range(36)))
        login = httpx.get(base + "/accounts/login/", timeout=5)
        missing = httpx.get(base + "/no/such/page/", timeout=5)
        icon = httpx.get(base + "/static/demo/favicon.svg", timeout=5)
    finally:
        site.terminate()
        site.wait(timeout=20)
    assert statuses == [200] * 36, (statuses, log.read_text()[-3000:])
    # Served as a deployment is: static files from the app (WhiteNoise), the host's own 404.
    assert login.status_code == 200 and "favicon.svg" in login.text
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg")
    assert missing.status_code == 404 and "Page not found" in missing.text and "Traceback" not in missing.text
