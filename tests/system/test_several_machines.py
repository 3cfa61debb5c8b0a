"""platformkit on several machines, on loopback: Debian's redis-server (django-q2's broker and
Django's Redis cache), two site processes under gunicorn and two ``qcluster`` workers on
demo/settings.py with the README's environment, one PostgreSQL database for Django's tables,
the local Management API behind a counting proxy (each process its own port).

An operator works through both sites alternately, as behind a load balancer: launches a
project, creates a branch, applies a migration, takes a restore point and undoes to it. The
worker running the launch's health wait is SIGKILLed; the other finishes it once (the Redis
broker never hands the lost task out again: ``core.takeover`` does)."""

from __future__ import annotations

import os
import secrets
import shutil
import time
from collections import Counter

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth import get_user_model
from django.db import connection

from platformkit.models import AuditEvent, Operation
from tests.system.several_machines import (
    Browser,
    CountingProxy,
    database_url,
    deployment_env,
    redis_server,
    start_site,
    start_worker,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]

DATA_DIR = __import__("pathlib").Path(os.environ["PLATFORMKIT_DATA_DIR"])
PASSWORD = "several-machines-" + secrets.token_urlsafe(8)


@pytest.fixture
def coming_up_api(pg_location):
    """A local API whose projects stay COMING_UP (and RESTORING) for 10 s: time to kill a worker."""
    from platformkit.localapi.config import LocalAPIConfig
    from platformkit.localapi.server import LocalAPIServer

    root = DATA_DIR / "several-machines"
    shutil.rmtree(root, ignore_errors=True)
    config = LocalAPIConfig(
        database_url=pg_location.url(),
        token="sbp_" + secrets.token_hex(20),
        status_delay_seconds=10.0,
        control_db="platformkit_localapi_several",
        snapshot_dir=str(root / "snapshots"),
        functions_dir=str(root / "functions"),
        instances_dir=str(root / "instances"),
        rate_limit_per_window=1_000_000,
        rate_limit_logs_per_window=1_000_000,
        idle_stop_seconds=0,
    )
    server = LocalAPIServer(config).start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def wait_for(predicate, timeout: float, what: str, every: float = 0.3):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def test_two_sites_two_workers_one_killed(coming_up_api, tmp_path, settings):
    # The embed link is minted here, for the origin the sites allow.
    settings.PLATFORMKIT = {**settings.PLATFORMKIT, "EMBED_ALLOWED_ORIGINS": ["http://localhost:9"]}
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed: `make redis` installs Debian's package")
    proxy = CountingProxy(coming_up_api.base_url)
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    user = get_user_model().objects.create_user("multi-operator", is_staff=True)
    # Hashed as the sites' (demo) settings verify it: the suite's own settings use a fast MD5 hasher.
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, secrets.token_hex(8))
    user.save(update_fields=["password"])
    processes = []
    with redis_server(tmp_path / "redis") as redis:
        common = {
            "database": database_url(connection.settings_dict),
            "redis": redis,
            "api_token": coming_up_api.token,
            "data_dir": tmp_path / "data",
            "secret_key": secrets.token_urlsafe(50),
            "encryption_key": Fernet.generate_key().decode(),
            "embed_origin": "http://localhost:9",
        }

        def env(caller: str) -> dict[str, str]:
            return deployment_env(api_url=proxy.listen(caller), **common)

        settings.SECRET_KEY = common["secret_key"]  # the embed link is signed as the sites sign it
        try:
            site_a, base_a = start_site("site-a", env("site-a"), tmp_path / "site-a.log")
            site_b, base_b = start_site("site-b", env("site-b"), tmp_path / "site-b.log")
            processes += [site_a, site_b]
            names = ("worker-1", "worker-2")
            workers = {name: start_worker(name, env(name), tmp_path / f"{name}.log") for name in names}
            processes += workers.values()
            browser = Browser([base_a, base_b])
            ref = _flow(proxy, browser, workers, env, tmp_path, processes, user)
            _rate_limits_are_shared(proxy, browser, coming_up_api, ref)
        finally:
            for process in processes:
                process.stop()
            proxy.close()


def _why(response) -> str:
    import re

    text = re.sub(r"<style.*?</style>", "", response.text, flags=re.S)
    return re.sub(r"<[^>]+>", " ", text)[-1500:]


def _wait_operation(browser: Browser, pk: int, timeout: float = 90) -> Operation:
    """Poll the operation's status partial through the sites, alternately, as the page does."""

    def done() -> Operation | None:
        response = browser.request("GET", f"/platform/operations/{pk}/", headers={"HX-Request": "true"})
        assert response.status_code == 200, response.text[-2000:]
        operation = Operation.objects.get(pk=pk)
        return operation if operation.is_settled else None  # its finish hooks (an undo's audit entry) too

    return wait_for(done, timeout, f"operation {pk} to end", every=0.5)


def _flow(proxy, browser, workers, env, tmp_path, processes, user):
    site_a, site_b = browser.sites
    login = browser.submit("/accounts/login/", "/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert login.status_code == 302, login.text[-1000:]
    assert browser.request("GET", "/platform/", site=site_b).status_code == 200  # the session, on the other site

    # CSRF: a form served by one process is accepted by the other; without its token, refused.
    refused = browser.request("POST", "/platform/projects/new/", site=site_b, data={"name": "no token"})
    assert refused.status_code == 403

    # Launch (form from A, posted to B); kill the worker that holds the health wait.
    mark = proxy.mark()
    new = "/platform/projects/new/"
    launched = browser.submit(new, new, {"name": "Several machines"}, site=site_a, post_site=site_b)
    assert launched.status_code == 302, launched.text[-2000:]
    launch = Operation.objects.get(kind="project.create")
    ref = launch.project_ref

    def held() -> Operation | None:
        row = Operation.objects.get(pk=launch.pk)
        return row if row.status == "running" and row.lease_holder and row.progress.get("checks") else None

    running = wait_for(held, 30, "a worker to hold the launch's health wait")
    holder_pid = int(running.lease_holder.rpartition(":")[2])
    [victim] = [name for name, worker in workers.items() if os.getpgid(holder_pid) == worker.pid]
    workers[victim].kill()
    killed_at = time.monotonic()
    assert not Operation.objects.get(pk=launch.pk).is_terminal, "the project must still be coming up"

    finished = _wait_operation(browser, launch.pk)
    taken_over_after = time.monotonic() - killed_at
    assert finished.status == "succeeded", finished.message
    assert finished.attempts >= 2 and finished.lease_holder == ""
    survivor = next(name for name in workers if name != victim)
    assert survivor != victim
    assert taken_over_after < 60, taken_over_after
    creates = [c for c in proxy.since(mark) if c.method == "POST" and c.path == "/v1/projects"]
    assert len(creates) == 1, creates
    # Two workers again, as the deployment's supervisor would restart it.
    workers[victim] = start_worker(victim + "-again", env(victim + "-again"), tmp_path / f"{victim}-again.log")
    processes.append(workers[victim])

    # The read cache is shared: B shows the project page from what A just read. Judged when the
    # three pages took less than the cache's freshness (READ_CACHE_SECONDS): on a starved machine
    # a read can be stale (and refreshed, rightly) by the time B asks; then it is tried again.
    for _ in range(3):
        started = time.monotonic()
        browser.request("GET", f"/platform/projects/{ref}/", site=site_a)  # fills the cache
        mark = proxy.mark()
        assert browser.request("GET", f"/platform/projects/{ref}/", site=site_a).status_code == 200
        assert browser.request("GET", f"/platform/projects/{ref}/", site=site_b).status_code == 200
        repeated = [c for c in proxy.since(mark) if c.method == "GET" and c.caller in ("site-a", "site-b")]
        if time.monotonic() - started < 4:
            break
    assert repeated == [], repeated

    # A branch (A serves the form, B takes it), a migration, a restore point, an undo.
    response = browser.submit(
        f"/platform/projects/{ref}/branches/", f"/platform/projects/{ref}/branches/create/", {"name": "dev"}
    )
    assert response.status_code == 302, response.text[-2000:]
    branch_op = Operation.objects.filter(kind="branch.create", project_ref=ref).get()
    assert _wait_operation(browser, branch_op.pk).status == "succeeded"

    response = browser.submit(
        f"/platform/projects/{ref}/migrations/",
        f"/platform/projects/{ref}/migrations/apply/",
        {
            "name": "create_notes",
            "sql": "create table public.notes (id int primary key, body text);"
            " alter table public.notes enable row level security;",
            "confirm_production": ref,
        },
    )
    assert response.status_code == 302, response.text[-2000:]

    response = browser.submit(
        f"/platform/projects/{ref}/restore-points/", f"/platform/projects/{ref}/restore-points/new/", {"name": "keep"}
    )
    assert response.status_code == 302, response.text[-2000:]
    point_op = Operation.objects.filter(kind="restore_points.create", params__name="keep").get()
    assert _wait_operation(browser, point_op.pk).status == "succeeded"

    from platformkit.models import RestorePoint

    point = RestorePoint.objects.get(target_ref=ref, name="keep")
    undo_path = f"/platform/projects/{ref}/restore-points/{point.pk}/undo/"
    response = browser.submit(undo_path, undo_path, {"confirm_ref": ref, "confirm_name": "keep"})
    assert response.status_code == 302, _why(response)
    undo = Operation.objects.filter(kind="restore_points.undo", project_ref=ref).get()
    assert _wait_operation(browser, undo.pk, timeout=120).status == "succeeded"

    # No upstream POST was sent twice (same path and body), by any process. Read-only queries are
    # reads sent as POST (the restore report counts the tables before and after: the same query).
    posts = Counter((c.path, c.body) for c in proxy.calls if c.method == "POST" and b'"read_only":true' not in c.body)
    assert [key for key, count in posts.items() if count > 1] == []
    assert any("/restore" in path or "undo" in path for path, _ in posts), posts

    # The audit trail has each step once (the undo: started and finished).
    actions = Counter(AuditEvent.objects.filter(project_ref=ref).values_list("action", flat=True))
    assert actions["project.create"] == 1, actions
    assert actions["restore_points.undo"] == 2, actions
    assert actions["migrations.apply"] == 1, actions
    assert sum(count for action, count in actions.items() if action.startswith("branch")) >= 1, actions
    assert Operation.objects.exclude(status="succeeded").filter(project_ref=ref).count() == 0

    # An embed session started on A is honoured by B.
    from platformkit.embed import create_embed_url

    url = create_embed_url(
        site_a,
        ref,
        subject="host-user",
        origin="http://localhost:9",
        permissions={"sections": {"restore_points": "write"}},
    )
    embed = Browser([site_a, site_b])
    started = embed.request("GET", url.removeprefix(site_a), site=site_a)
    assert started.status_code == 303, started.text[-1000:]
    name, _, value = started.headers["set-cookie"].split(";")[0].partition("=")
    embed.cookies.set(name, value, domain="127.0.0.1")  # sent over plain http (the cookie is Secure)
    for site in (site_b, site_a):
        page = embed.request("GET", started.headers["location"], site=site)
        assert page.status_code == 200 and ref in page.text, _why(page)
    # A write in the embed: its form (and CSRF token, kept on the embed session) from B, posted to A.
    points = f"/platform/projects/{ref}/restore-points/"
    made = embed.submit(points, points + "new/", {"name": "from-the-embed"}, site=site_b, post_site=site_a)
    assert made.status_code == 302, _why(made)
    forged = embed.request("POST", points + "new/", site=site_b, data={"name": "no-token"})
    assert forged.status_code == 403
    assert RestorePoint.objects.filter(target_ref=ref, name="from-the-embed").exists()
    assert not RestorePoint.objects.filter(target_ref=ref, name="no-token").exists()
    return ref


def _rate_limits_are_shared(proxy, browser, api, ref) -> None:
    """The API now grants 6 requests per 20 s window: once site A has been told none are left,
    site B waits for the window's end instead of drawing a 429 of its own."""
    import dataclasses

    from platformkit.localapi.server import LocalAPIServer

    limited = LocalAPIServer(
        dataclasses.replace(api.config, rate_limit_per_window=6, rate_limit_window_seconds=20.0)
    ).start()
    site_a, site_b = browser.sites
    proxy.upstream = limited.base_url
    try:
        time.sleep(1)  # answers already on their way came from the unlimited server
        mark = proxy.mark()
        branches = f"/platform/projects/{ref}/branches/"

        def a_told_none_left() -> bool:
            assert browser.request("GET", branches, site=site_a).status_code == 200
            return any(c.remaining == "0" for c in proxy.since(mark, "site-a") if f"/projects/{ref}" in c.path)

        wait_for(a_told_none_left, 60, "site A to spend the project's budget", every=0)
        page = browser.request("GET", branches, site=site_b)
        assert page.status_code == 200, _why(page)

        def b_sent_its_calls() -> bool:
            # The page's slow panels come lazily (core/panels.py): B's calls, held back until the
            # window ends, may be sent after the page itself was answered; its lazy panel asks again.
            browser.request("GET", branches, site=site_b)
            return any(f"/projects/{ref}" in c.path for c in proxy.since(mark, "site-b"))

        wait_for(b_sent_its_calls, 45, "B to send its calls once the window ended", every=1.0)
        refused = [c for c in proxy.since(mark) if c.status == 429]
        assert refused == [], refused
    finally:
        proxy.upstream = api.base_url
        limited.stop()
