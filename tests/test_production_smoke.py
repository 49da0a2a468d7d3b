"""Production smoke test: the stack docker-compose.yml describes, started from the same commands and settings.

gunicorn (the image's command), a Celery worker for every queue and Celery beat run with
``crm.settings.production`` and compose's environment, against this machine's PostgreSQL (a database of
their own, copied from the test database), Redis (a database and key prefix of their own) and an S3
stand-in (moto). Then, over HTTP like a browser: sign in, create a customer, export as a background job
that the worker writes to the object store, download it, and check /healthz and /metrics. Nothing is
shared with the test process but those servers.
"""

import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connections
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from crm import crypto
from security.services import backups

from . import deployment
from .object_store import free_port

# A transactional test so that the test database exists and holds no open transaction while it is copied.
pytestmark = [pytest.mark.smoke, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
ROOT = deployment.ROOT
BIN = Path(sys.executable).parent
PASSWORD = "smoke-test-password-2026"  # noqa: S105


def _executable(command: list[str]) -> list[str]:
    """The compose command with its program taken from this virtualenv (the image's PATH holds the same)."""
    program = sys.executable if command[0] == "python" else str(BIN / command[0])
    return [program, *command[1:]]


def _admin(statement: str, *names: str) -> None:
    query = psycopg.sql.SQL(statement).format(*[psycopg.sql.Identifier(n) for n in names])
    with psycopg.connect(**backups.connection_params("postgres"), autocommit=True) as admin:
        admin.execute(query)


SMOKE_TOTP_KEY = "3132333435363738393031323334353637383930"


@pytest.fixture
def smoke_database():
    """A database of the smoke stack's own: a copy of the (migrated) test database, dropped afterwards. It holds
    an administrator whose password is hashed the way production hashes (the tests' fast hasher is not there)."""
    hasher = PBKDF2PasswordHasher()
    smoke = get_user_model().objects.create(
        username="smoke", email="smoke@example.com", is_staff=True, is_superuser=True,
        password=hasher.encode(PASSWORD, hasher.salt()),
    )  # fmt: skip
    # Production requires a second factor of administrators: the smoke user has an authenticator app.
    TOTPDevice.objects.create(user=smoke, name="authenticator", key=SMOKE_TOTP_KEY, confirmed=True)
    primary = connections["default"].settings_dict
    name = f"{primary['NAME']}_smoke"[:63]
    _admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)
    for attempt in range(20):
        connections.close_all()  # CREATE DATABASE … TEMPLATE needs the template without sessions
        try:
            _admin("CREATE DATABASE {} TEMPLATE {}", name, primary["NAME"])
            break
        except psycopg.errors.ObjectInUse:
            if attempt == 19:
                raise
            time.sleep(0.5)
    port = f":{primary['PORT']}" if primary.get("PORT") else ""
    yield f"postgres://{primary['USER']}@{primary['HOST']}{port}/{name}", name
    _admin("DROP DATABASE IF EXISTS {} WITH (FORCE)", name)


class Stack:
    def __init__(self, folder: Path, environment: dict):
        self.folder, self.environment, self.processes = folder, environment, {}

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 - closed when the process is
        process = subprocess.Popen(  # noqa: S603
            _executable(command), cwd=ROOT, env=self.environment, stdout=log, stderr=subprocess.STDOUT
        )
        process.log_file = log
        self.processes[name] = process
        return process

    def run(self, name: str, command: list[str], timeout: float = 120) -> None:
        process = self.start(name, command)
        assert process.wait(timeout=timeout) == 0, self.logs(name)

    def logs(self, *names: str) -> str:
        names = names or tuple(self.processes)
        return "\n".join(
            f"--- {n} ---\n" + (self.folder / f"{n}.log").read_text(errors="replace")[-4000:] for n in names
        )

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.log_file.close()


class Browser:
    """urllib with a cookie jar: like a browser, it never sends a Secure cookie over plain HTTP."""

    class _Keep(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str):
        self.base, self.cookies = base, http.cookiejar.CookieJar()
        cookies = urllib.request.HTTPCookieProcessor(self.cookies)
        self.following = urllib.request.build_opener(cookies)
        self.staying = urllib.request.build_opener(cookies, self._Keep)

    def get(self, path: str, *, follow=True, headers=None):
        request = urllib.request.Request(self.base + path, headers=headers or {})  # noqa: S310 - our own server
        try:
            return (self.following if follow else self.staying).open(request, timeout=20)
        except urllib.error.HTTPError as error:
            return error

    def status(self, path: str) -> int | None:
        """The status of a GET, or None while nothing listens yet (or a starting worker is too slow to answer)."""
        try:
            return self.get(path).status
        except (urllib.error.URLError, TimeoutError, ConnectionError):
            return None

    def submit(self, path: str, marker: str, **changes):
        """Open a page, fill in its form like a person would, send it; returns the final response."""
        page = self.get(path).read().decode()
        data = urllib.parse.urlencode(deployment.BrowserForm(page, marker).filled(**changes)).encode()
        referer = {"Referer": self.base + path}
        request = urllib.request.Request(self.base + path, data=data, headers=referer)  # noqa: S310 - our own server
        return self.following.open(request, timeout=30)


def _wait(check, seconds: float, what: str, stack: Stack):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    pytest.fail(f"{what} did not happen within {seconds} s\n{stack.logs()}")


def test_the_production_stack_signs_in_exports_through_the_object_store_and_reports_healthy(
    smoke_database, object_store, tmp_path
):
    database_url, database_name = smoke_database
    bucket = object_store.new_bucket()
    port, token, run = free_port(), "smoke-metrics-token", os.environ["TEST_RUN_ID"]
    redis_url = settings.REDIS_URL.rsplit("/", 1)[0] + "/14"
    # What an operator puts in .env next to docker-compose.yml …
    dotenv = {
        "SECRET_KEY": crypto.generate_key() + crypto.generate_key(),
        "FIELD_ENCRYPTION_KEYS": crypto.generate_key(),
        "FIELD_HASH_KEY": crypto.generate_key(),
        "BACKUP_ENCRYPTION_KEY": backups.generate_key()[0],
        "METRICS_TOKEN": token,
        **object_store.environment(bucket),
    }
    # … and what differs on this machine from compose's network (service host names, volumes, the port).
    here = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "REDIS_KEY_PREFIX": f"smoke-{run}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "STATIC_ROOT": str(tmp_path / "static"),
        "BACKUP_DIR": str(tmp_path / "backups"),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
        # Every export runs as a background job, so the worker has one to do.
        "EXPORT_SYNC_MAX_ROWS": "0",
    }
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "TEST_REDIS"))}
    stack = Stack(tmp_path, {**inherited, **deployment.service_environment("web", dotenv), **here})
    beat = deployment.service_command("beat")
    beat[beat.index("--pidfile") + 1] = str(tmp_path / "beat.pid")
    try:
        # The image's build step, then compose's one-off migrate (a no-op on the copied database).
        stack.run("collectstatic", ["python", "manage.py", "collectstatic", "--no-input"])
        stack.run("migrate", deployment.service_command("migrate"))
        stack.start("worker", deployment.service_command("worker"))
        stack.start("web", deployment.service_command("web"))
        stack.start("beat", beat)
        # /healthz wants a backup; its restore check from the store is tested in tests/crm/test_object_storage.py.
        backup = stack.start("backup", ["python", "manage.py", "backup", "--no-verify"])
        browser = Browser(f"http://127.0.0.1:{port}")
        _wait(lambda: browser.status("/healthz?only=database,redis") == 200, 40, "gunicorn answering", stack)

        # Sign in over plain HTTP, as compose serves by default.
        signed_in = browser.submit("/accounts/login/", "username", username="smoke", password=PASSWORD)
        assert "/accounts/two-factor/" in signed_in.url, stack.logs("web")
        code = f"{totp(bytes.fromhex(SMOKE_TOTP_KEY)):06d}"
        signed_in = browser.submit("/accounts/two-factor/", "code", code=code)
        assert "/accounts/" not in signed_in.url, stack.logs("web")
        assert any(cookie.name == "sessionid" for cookie in browser.cookies)

        created = browser.submit("/customers/create/", "name", name="Smoke Test Co")
        assert re.search(r"/customers/\d+/$", created.url), created.url

        job_page = browser.submit("/customers/export/", "format", format="csv", fields=["name"])
        job_path = urllib.parse.urlsplit(job_page.url).path
        assert re.fullmatch(r"/jobs/\d+/", job_path), job_page.url
        download = f"{job_path}download/"
        _wait(lambda: download in browser.get(job_path).read().decode(), 45, "the export job finishing", stack)

        # The web server hands the file over as a short-lived signed link of the object store.
        answer = browser.get(download, follow=False)
        assert answer.status == 302, answer.status
        link = answer.headers["Location"]
        assert link.startswith(f"{object_store.endpoint}/{bucket}/media/jobs/out/") and "X-Amz-Signature=" in link
        with urllib.request.urlopen(link, timeout=10) as stored:  # noqa: S310 - the test's own S3 stand-in
            assert "Smoke Test Co" in stored.read().decode("utf-8-sig")
        assert not list((tmp_path / "media").rglob("*.csv")), "the worker wrote to the store, not to a shared disk"

        assert backup.wait(timeout=90) == 0, stack.logs("backup")
        health = _wait(lambda: (r := browser.get("/healthz")).status == 200 and r, 30, "/healthz answering 200", stack)
        assert b'"healthy": true' in health.read()

        assert browser.get("/metrics").status == 403
        metrics = browser.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        page = metrics.read().decode()
        assert metrics.status == 200 and 'view="customers:customer-create"' in page
        assert 'crm_celery_queue_length{queue="exports"}' in page and "crm_backup_age_seconds " in page

        def scheduled():
            with psycopg.connect(**backups.connection_params(database_name)) as db:
                return db.execute("SELECT count(*) FROM django_celery_beat_periodictask").fetchone()[0] > 0

        _wait(scheduled, 20, "beat writing its schedule", stack)
        assert all(stack.processes[name].poll() is None for name in ("web", "worker", "beat")), stack.logs()
    finally:
        stack.stop()
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(f"*smoke-{run}*"):
            client.delete(key)
        client.close()
