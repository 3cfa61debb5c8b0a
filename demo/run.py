"""`make demo`: everything the demo needs, started in order, stopped together on Ctrl-C.

1. the embedded PostgreSQL cluster under the data dir (Django's tables, django-q2's queue and
   the local Management API's projects all live in it);
2. Django's migrations, the cache table, and an operator account;
3. the local Management API (``manage.py localapi``) over loopback;
4. a sample project, created through the same client the dashboard uses;
5. a django-q2 worker cluster and the site itself, under gunicorn: a bounded number of
   workers and threads (runserver's unbounded threads and a login per request answered 500s
   to 100 operators), each worker with a small database connection pool (demo/settings.py).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import django

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("PLATFORMKIT_DATA_DIR", BASE_DIR / ".data" / "demo")).resolve()
SITE_ADDR = os.environ.get("PLATFORMKIT_DEMO_ADDR", "127.0.0.1:8000")
API_ADDR = os.environ.get("PLATFORMKIT_DEMO_API_ADDR", "127.0.0.1:8765")
POOLER_PORT = os.environ.get("PLATFORMKIT_DEMO_POOLER_PORT", "6543")
OPERATOR = "operator"


def _stored_secret(relative: str, nbytes: int = 24) -> str:
    """A demo secret generated once and kept (0600) in the data dir."""
    path = DATA_DIR / relative
    if not path.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Created 0600, never readable by others for a moment (as demo/settings.py's secrets).
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(nbytes))
    return path.read_text().strip()


def _prepare_environment() -> None:
    os.environ["PLATFORMKIT_DATA_DIR"] = str(DATA_DIR)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo.settings")
    os.environ.setdefault("PLATFORMKIT_API_URL", f"http://{API_ADDR}")
    os.environ.setdefault("PLATFORMKIT_EMBED_ORIGINS", f"http://localhost:{SITE_ADDR.rpartition(':')[2]}")
    # The local API reuses this token (DATA_DIR/localapi/token); the site reads the same file.
    os.environ.setdefault("PLATFORMKIT_API_TOKEN", _stored_secret("localapi/token", 32))


def _ensure_site_database() -> None:
    import psycopg
    from psycopg import sql

    from platformkit.localapi.pgserver import start_embedded

    location = start_embedded(DATA_DIR)
    with psycopg.connect(location.url(), autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = 'platformkit_site'").fetchone()
        if not exists:
            conn.execute(sql.SQL("create database {}").format(sql.Identifier("platformkit_site")))


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args, verbosity=0)


def _ensure_operator() -> str:
    from django.contrib.auth import get_user_model

    password = _stored_secret("operator-password", 12)
    user, _ = get_user_model().objects.get_or_create(username=OPERATOR, defaults={"is_staff": True})
    user.is_staff = True
    # Only when it differs: a new password hash ends every session of the user (Django keys them
    # on it), so setting the same one again at each start signed everyone out of the demo.
    if not user.check_password(password):
        user.set_password(password)
    user.save()
    return password


def _start(name: str, *args: str) -> subprocess.Popen:
    # Each child in its own process group: a Ctrl-C here reaches only this process, which stops them
    # in order (stop_children).
    return subprocess.Popen(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        env=os.environ.copy(),
        start_new_session=True,
    )


def site_workers(cores: int | None = None) -> int:
    """gunicorn's usual 2 x cores + 1, capped: the pages wait on the Management API (I/O) more
    than they compute, and each worker's threads take the concurrency."""
    return min(2 * (cores or os.cpu_count() or 1) + 1, 9)


SITE_THREADS = int(os.environ.get("PLATFORMKIT_SITE_THREADS", "4"))


def site_command(addr: str, workers: int, threads: int) -> list[str]:
    """The site under gunicorn, as `make demo` serves it and as each machine of a deployment
    does (tests/system/test_several_machines.py runs two of these)."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "demo.wsgi:application",
        "--bind",
        addr,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        # A page waits on the Management API at most the client's deadline (30 s) twice.
        "--timeout",
        "75",
        "--graceful-timeout",
        "10",
        # Longer than a person reads a page: an idle keep-alive connection closed by the
        # server while the client reuses it is a failed request (seen in bench/operators.py).
        "--keep-alive",
        "10",
        "--access-logfile",
        "-" if os.environ.get("PLATFORMKIT_ACCESS_LOG") == "1" else "/dev/null",
    ]


def _start_site() -> subprocess.Popen:
    os.environ.setdefault("PLATFORMKIT_SITE_THREADS", str(SITE_THREADS))
    workers = int(os.environ.get("PLATFORMKIT_SITE_WORKERS", str(site_workers())))
    return subprocess.Popen(
        site_command(SITE_ADDR, workers, SITE_THREADS), cwd=BASE_DIR, env=os.environ.copy(), start_new_session=True
    )


def _wait_for_api(timeout: float = 60.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    headers = {"Authorization": f"Bearer {os.environ['PLATFORMKIT_API_TOKEN']}"}
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{API_ADDR}/v1/organizations", headers=headers, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"the local Management API did not answer on {API_ADDR} within {timeout:.0f}s")


def _seed_sample_project() -> None:
    """One project to look at, launched the way an operator would (encrypted password, task)."""
    from django.contrib.auth import get_user_model

    from platformkit.core.client import get_client
    from platformkit.sections.projects import services

    client = get_client()
    if client.projects.list():
        return
    organization = client.organizations.list()[0]
    services.launch_project(
        user=get_user_model().objects.get(username=OPERATOR),
        name="Sample app",
        organization_slug=organization.slug,
        region_code="americas",
        instance_size="micro",
    )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    # Ctrl-C and a plain `kill` both stop everything (a shell may start us with SIGINT ignored).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    _prepare_environment()
    print(f"platformkit demo: data in {DATA_DIR}")
    _ensure_site_database()
    django.setup()
    _manage("migrate")
    _manage("createcachetable")
    password = _ensure_operator()

    # PITR on for the demo's projects (WAL-based: any second of the window), and the pooler port
    # (one for every project, user postgres.<ref>, as Supavisor's session mode).
    children = [
        _start(
            "local API",
            "localapi",
            "--addrport",
            API_ADDR,
            "--data",
            str(DATA_DIR),
            "--pitr-days",
            "7",
            "--pooler-port",
            POOLER_PORT,
        )
    ]
    try:
        _wait_for_api()
        children.append(_start("worker", "qcluster"))
        _seed_sample_project()
        children.append(_start_site())
        print(
            "\n"
            f"  platformkit demo is running: http://{SITE_ADDR}/\n"
            f"  log in as: {OPERATOR} / {password}\n"
            f"  embed demo (a host app on another site framing one project): http://localhost:{SITE_ADDR.rpartition(':')[2]}/host/\n"
            f"  local Management API: http://{API_ADDR}/v1 (token in {DATA_DIR / 'localapi' / 'token'})\n"
            f"  projects' pooler: postgresql://postgres.<ref>:<db password>@127.0.0.1:{POOLER_PORT}/postgres\n"
            "  Ctrl-C stops everything (a task the worker is running gets up to 15 s to finish).\n",
            flush=True,
        )
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("a demo process exited; stopping the rest", file=sys.stderr)
    except KeyboardInterrupt:
        print("\nstopping the demo ...")
    finally:
        # A second Ctrl-C or kill while stopping must not cut the clean-up short (it would
        # orphan the worker): from here on both are ignored.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stop_children(children, timeout=15)


def stop_children(children: list[subprocess.Popen], timeout: float) -> None:
    """SIGTERM to each child itself (not to its process group), all at once; a child still
    running ``timeout`` seconds later is SIGKILLed with its group.

    Not the group: qcluster's main process stops its sentinel, pusher, workers and monitor in
    order on SIGTERM (about a second), but its sentinel leaves SIGTERM at the default, so a
    SIGTERM to the whole group killed the sentinel at once and left the main process waiting
    for it until the SIGKILL (every Ctrl-C of the demo took the full 15 s)."""
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for child in children:
        try:
            child.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):  # it ended meanwhile
                os.killpg(child.pid, signal.SIGKILL)
            child.wait(timeout=10)


if __name__ == "__main__":
    main()
