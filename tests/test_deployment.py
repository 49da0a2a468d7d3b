"""The deployment files, checked without a Docker engine: the compose file against the Compose
Specification's schema, the image's layout, the lock files against what is installed."""

import json
import os
import re
import subprocess
import sys
from importlib import metadata

import jsonschema
import pytest
from django.conf import settings
from packaging.markers import Marker
from packaging.requirements import Requirement

from crm import crypto
from security.services import backups

from . import deployment

ROOT = deployment.ROOT
DOTENV = {
    "SECRET_KEY": "compose-check-secret-key-that-is-long-enough-0123456789-abcdefghijklmnop",
    "FIELD_ENCRYPTION_KEYS": crypto.generate_key(),
    "FIELD_HASH_KEY": "compose-check-hash-key",
    "BACKUP_ENCRYPTION_KEY": backups.generate_key()[0],
}


def test_compose_file_follows_the_compose_specification():
    schema = json.loads((ROOT / "tests" / "schemas" / "compose-spec.json").read_text())
    jsonschema.validate(deployment.compose(), schema, cls=jsonschema.Draft201909Validator)


def test_compose_file_runs_the_images_commands_with_every_queue():
    assert deployment.service_command("web") == ["gunicorn", "--config", "gunicorn.conf.py", "crm.wsgi:application"]
    worker = deployment.service_command("worker")
    assert worker[:4] == ["celery", "-A", "crm", "worker"]
    assert worker[worker.index("--queues") + 1].split(",") == list(settings.CELERY_QUEUE_NAMES)
    assert deployment.service_command("beat")[:4] == ["celery", "-A", "crm", "beat"]
    assert deployment.service_command("migrate") == ["python", "manage.py", "migrate", "--no-input"]


def test_compose_asks_for_every_secret_production_requires():
    required = set(
        re.findall(r'env(?:\.list)?\("([A-Z_]+)"\)', (ROOT / "crm" / "settings" / "production.py").read_text())
    )
    assert required == {"SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "FIELD_HASH_KEY", "BACKUP_ENCRYPTION_KEY"}
    for name in required:
        with pytest.raises(deployment.MissingVariable, match=name):
            deployment.service_environment("web", {k: v for k, v in DOTENV.items() if k != name})


def _production_settings(environment: dict, *names: str) -> list[str]:
    code = f"from django.conf import settings; print(*[getattr(settings, n) for n in {list(names)!r}])"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT, env={**os.environ, **environment}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_compose_default_signs_in_over_plain_http_and_production_default_is_https_only():
    """A browser never sends a Secure cookie over plain HTTP: compose's default (port 8000, no TLS) must not
    mark them Secure, or nobody could sign in there. Without HTTPS_ONLY=false, production stays HTTPS-only."""
    names = ("SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS")
    compose_env = deployment.service_environment("web", DOTENV)
    assert _production_settings(compose_env, *names) == ["False", "False", "False", "0"]
    behind_tls = {key: value for key, value in compose_env.items() if key != "HTTPS_ONLY"}
    assert _production_settings(behind_tls, *names) == ["True", "True", "True", str(60 * 60 * 24 * 365)]


def test_image_installs_locked_dependencies_before_the_sources_and_runs_unprivileged():
    lines = [line.strip() for line in deployment.DOCKERFILE.read_text().splitlines()]
    stages = [i for i, line in enumerate(lines) if line.startswith("FROM ")]
    assert len(stages) >= 3, "a base, a build and a runtime stage"
    lock_copy = lines.index("COPY requirements/production.txt requirements/production.txt")
    install = next(i for i, line in enumerate(lines) if "--require-hashes -r requirements/production.txt" in line)
    sources = lines.index("COPY . .")
    assert lock_copy < install < sources
    built = "\n".join(lines[sources:])
    assert "compilemessages" in built and "collectstatic --no-input" in built
    runtime = lines[stages[-1] :]
    assert any(line.startswith("USER ") and line != "USER root" for line in runtime)
    assert any(line.startswith("HEALTHCHECK") for line in runtime) and "/healthz" in "\n".join(runtime)
    assert sum(line.startswith("CMD ") for line in deployment.DOCKERFILE.read_text().splitlines()) == 1


def _locked(path) -> dict[str, str]:
    """name → version of every package a lock file pins for this interpreter, each with at least one hash."""
    pins, text = {}, path.read_text().replace("\\\n", " ")
    for line in text.splitlines():
        if not line or line.startswith((" ", "#")):
            continue
        requirement = Requirement(line.split(" --hash")[0].strip())
        assert "--hash=sha256:" in line, f"{requirement.name} has no hash"
        if requirement.marker is None or Marker(str(requirement.marker)).evaluate():
            pins[requirement.name.lower()] = str(requirement.specifier).removeprefix("==")
    return pins


def test_installed_packages_are_exactly_the_locked_versions():
    """`make install` installs the development lock; a fresh clone gets exactly these versions."""
    locked = _locked(ROOT / "requirements" / "development.txt")
    installed = {name: metadata.version(name) for name in locked}
    assert installed == locked
    production = _locked(ROOT / "requirements" / "production.txt")
    assert {name: locked[name] for name in production} == production, "both locks pin the same releases"
    declared = [Requirement(r).name.lower() for r in metadata.requires("crm") or [] if "extra ==" not in r]
    assert set(declared) <= set(production), "every runtime dependency of pyproject.toml is locked"
