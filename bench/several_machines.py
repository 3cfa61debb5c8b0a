"""Several machines: 50 viewers watching one project come up, spread over two site processes
(gunicorn, demo/settings.py, Redis cache), with two qcluster workers on the Redis broker,
against 1 viewer. Upstream calls of every process are counted by a proxy in front of the local
API. Goal: calls with 50 viewers <= 1.1 x calls with 1 (viewers read our database, not the API).
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
import time
from pathlib import Path

from bench import _harness

VIEWERS = 50
VIEWER_POLL_SECONDS = 0.5
STATUS_DELAY = 5.0


def _watch(proxy, sites: list[str], viewers: int, password: str) -> tuple[int, int, int]:
    """Launch a project through the sites, let ``viewers`` poll it until it is up. Returns
    (upstream calls of every process, viewer polls answered, calls of the site processes)."""
    from platformkit.models import Operation
    from tests.system.several_machines import Browser

    operator = Browser(sites)
    credentials = {"username": "bench-operator", "password": password}
    login = operator.submit("/accounts/login/", "/accounts/login/", credentials)
    assert login.status_code == 302, login.status_code
    mark = proxy.mark()
    launched = operator.submit("/platform/projects/new/", "/platform/projects/new/", {"name": f"bench-{viewers}"})
    assert launched.status_code == 302, launched.status_code
    operation = Operation.objects.filter(kind="project.create").order_by("-pk").first()
    assert operation is not None
    polls = 0
    lock = threading.Lock()

    def viewer(turn: int) -> None:
        nonlocal polls
        browser = Browser(sites[turn % 2 :] + sites[: turn % 2])  # half start on each site, then alternate
        browser.cookies = operator.cookies
        while True:
            response = browser.request("GET", f"/platform/operations/{operation.pk}/", headers={"HX-Request": "true"})
            with lock:
                polls += 1
            if "hx-trigger" not in response.text:
                return
            time.sleep(VIEWER_POLL_SECONDS)

    threads = [threading.Thread(target=viewer, args=(turn,)) for turn in range(viewers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert Operation.objects.get(pk=operation.pk).status == "succeeded"
    calls = proxy.since(mark)
    return len(calls), polls, sum(1 for call in calls if call.caller.startswith("site-"))


def run() -> dict[str, float]:
    from cryptography.fernet import Fernet
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.db import connection
    from django_q.models import Schedule

    from platformkit.sections.advisors.tasks import SCHEDULE_NAME
    from tests.system.several_machines import (
        CountingProxy,
        database_url,
        deployment_env,
        redis_server,
        start_site,
        start_worker,
    )

    # The scheduled advisor scan reads every project on its own clock: not the viewers' doing.
    Schedule.objects.filter(name=SCHEDULE_NAME).delete()
    password = secrets.token_urlsafe(12)
    user, _ = get_user_model().objects.get_or_create(username="bench-operator", defaults={"is_staff": True})
    user.password = PBKDF2PasswordHasher().encode(password, secrets.token_hex(8))
    user.save()
    work = Path(tempfile.mkdtemp(prefix="pk-bench-several-"))
    processes = []
    with _harness.local_api(status_delay_seconds=STATUS_DELAY, rate_limit_per_window=1_000_000) as api:
        proxy = CountingProxy(api.base_url)
        with redis_server(work / "redis") as redis:
            common = {
                "database": database_url(connection.settings_dict),
                "redis": redis,
                "api_token": api.token,
                "data_dir": work / "data",
                "secret_key": secrets.token_urlsafe(50),
                "encryption_key": Fernet.generate_key().decode(),
                "embed_origin": "http://localhost:9",
            }
            try:
                sites = []
                for name in ("site-a", "site-b"):
                    site, base = start_site(name, deployment_env(api_url=proxy.listen(name), **common), work / name)
                    processes.append(site)
                    sites.append(base)
                for name in ("worker-1", "worker-2"):
                    env = deployment_env(api_url=proxy.listen(name), **common)
                    processes.append(start_worker(name, env, work / f"{name}.log"))
                one_calls, one_polls, one_site_calls = _watch(proxy, sites, 1, password)
                many_calls, many_polls, many_site_calls = _watch(proxy, sites, VIEWERS, password)
            finally:
                for process in processes:
                    process.stop()
                proxy.close()
                shutil.rmtree(work, ignore_errors=True)
    return {
        "upstream calls, 1 viewer": one_calls,
        f"upstream calls, {VIEWERS} viewers over 2 sites": many_calls,
        "of which by the site processes, 1 viewer": one_site_calls,
        f"of which by the site processes, {VIEWERS} viewers": many_site_calls,
        "viewer polls answered, 1 viewer": one_polls,
        f"viewer polls answered, {VIEWERS} viewers": many_polls,
        f"calls {VIEWERS} / calls 1 (goal <= 1.1)": many_calls / one_calls,
    }


if __name__ == "__main__":
    _harness.setup_django()
    _harness.report("Several machines: 50 viewers over two site processes", run())
