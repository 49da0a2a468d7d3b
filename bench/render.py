"""Throughput of a list page against a bare Django view under the same gunicorn, in one run (issue 18: the
customer list ≥ 25 % of the bare view's requests a second).

Run from the repository root (``wrk`` must be installed: ``make bench-tools``):

    .venv/bin/python bench/render.py                               # customer list, manager, crm_bench
    .venv/bin/python bench/render.py --path /contacts/ --user executive --seconds 20
    .venv/bin/python bench/render.py --database crm_bench_small --check   # exit 1 under 25 %

Starts gunicorn with ``--workers`` (default 2) sync workers on the project's ``gunicorn.conf.py`` and the
development settings with ``DEBUG`` off (``bench/render_settings.py``, the same template engine and middleware as
production), signed in as ``--user`` with a session cookie. ``wrk`` then loads the bare view (``/bench-bare/``:
the whole middleware chain, the session and the user, no page) and the list page in turn, ``--rounds`` times each,
``--seconds`` a time, with ``--connections`` connections; the ratio is taken from the sums, so both views share the
machine's state of that minute. Many short rounds (6 of 5 s) rather than two long ones: on a shared virtual machine
the bare view alone measured 420–630 req/s from one quarter minute to the next, and a slow spell that fell on one
view's long round moved a two-round ratio by up to five points. Uses the data as it is: load it with ``lists.py`` or
``customer_list.py`` first.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from benchsetup import ROOT, report_rows, setup_django

RATIO_BUDGET = 0.25


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="crm_bench")
    parser.add_argument("--path", default="/customers/", help="The list page to load (default the customer list).")
    parser.add_argument("--user", default="manager")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--json", help="Append the result rows to this file (make bench).")
    return parser.parse_args()


def session_cookie(username: str) -> str:
    from django.conf import settings
    from django.test import Client

    from accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def start_gunicorn(args, log_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "render_settings",
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "GUNICORN_ACCESS_LOG": "",
        # No worker restarts in the middle of a measurement.
        "GUNICORN_MAX_REQUESTS": "0",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "--config", "gunicorn.conf.py", "--pythonpath", "bench", "crm.wsgi:application"]
    log = log_path.open("w")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def fetch(url: str, cookie: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own local server
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, ""


def wait_until_up(url: str, cookie: str, server: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped (exit {server.returncode}); see {log_path}")
        try:
            if fetch(url, cookie)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    sys.exit(f"gunicorn did not answer within 90 s; see {log_path}")


def wrk(url: str, cookie: str, *, seconds: int, connections: int) -> float:
    """Requests a second that ``wrk`` measured; every response must be a 200."""
    done = subprocess.run(
        ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s", "-H", f"Cookie: {cookie}",
         url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    if "Non-2xx" in done.stdout:
        sys.exit(f"{url} answered other than 200:\n{done.stdout}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))


def main():
    args = parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: make bench-tools (or apt-get install wrk)")
    setup_django(args.database)
    cookie = session_cookie(args.user)
    base = f"http://127.0.0.1:{args.port}"
    bare, page = f"{base}/bench-bare/", f"{base}{args.path}"
    log_path = ROOT / "var" / "bench" / "render-gunicorn.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    server = start_gunicorn(args, log_path)
    try:
        wait_until_up(bare, cookie, server, log_path)
        status, body = fetch(page, cookie)
        if status != 200 or "<table" not in body:
            sys.exit(f"{args.path} as {args.user}: status {status}, no table; see {log_path}")
        # Warm-up: every worker's connections, caches and templates.
        for url in (bare, page):
            wrk(url, cookie, seconds=2, connections=args.connections)
        totals = {bare: 0.0, page: 0.0}
        for round_ in range(args.rounds):
            for url in (bare, page) if round_ % 2 == 0 else (page, bare):
                rate = wrk(url, cookie, seconds=args.seconds, connections=args.connections)
                totals[url] += rate
                print(f"  round {round_ + 1}: {url.removeprefix(base)} {rate:.1f} req/s", flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    bare_rate, page_rate = totals[bare] / args.rounds, totals[page] / args.rounds
    ratio = page_rate / bare_rate
    load = os.getloadavg()[0]
    print(f"\nbare view {bare_rate:.1f} req/s, {args.path} ({args.user}) {page_rate:.1f} req/s: {ratio:.0%} "
          f"(budget ≥ {RATIO_BUDGET:.0%}); {args.workers} workers, {args.connections} connections, "
          f"load average {load:.1f}")  # fmt: skip
    ok = ratio >= RATIO_BUDGET
    row = {"case": f"{args.path} ({args.user}) req/s vs bare view", "p50": None, "p95": None, "queries": None,
           "budget": f"≥ {RATIO_BUDGET:.0%}: {page_rate:.0f}/{bare_rate:.0f} = {ratio:.0%}", "ok": ok}  # fmt: skip
    if args.json:
        report_rows([row], title="list page throughput under gunicorn", json_path=args.json)
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
