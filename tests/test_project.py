"""Project-wide checks: migrations match the models and the Chinese catalog is complete."""

import os
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_no_missing_migrations():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def test_zh_hans_catalog_is_complete_and_compiled(tmp_path):
    po = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    compiled = tmp_path / "django.mo"
    result = subprocess.run(["msgfmt", "--check", "--statistics", "-o", str(compiled), str(po)],  # noqa: S603,S607
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
    # The committed .mo is what this .po compiles to, so Chinese shows without a build step.
    assert compiled.read_bytes() == po.with_suffix(".mo").read_bytes()


def _msgids(text: str) -> set[str]:
    ids, current, inside = set(), None, False
    for line in text.splitlines():
        if line.startswith("msgid "):
            current, inside = line[6:].strip().strip('"'), True
        elif inside and line.startswith('"'):
            current += line.strip().strip('"')
        else:
            if inside and current:
                ids.add(current)
            inside = False
    return ids


def test_every_marked_string_is_in_the_catalog():
    """Running makemessages would add nothing: no marked string is missing from the catalog."""
    po = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    original = po.read_bytes()
    try:
        call_command(
            "makemessages", locale=["zh_Hans"], verbosity=0, no_obsolete=True,
            ignore_patterns=[".venv/*", "var/*", "staticfiles/*", "tests/*", "bench/*"],
        )  # fmt: skip
        after = _msgids(po.read_text(encoding="utf-8"))
    finally:
        po.write_bytes(original)
    assert after - _msgids(original.decode("utf-8")) == set()


@pytest.mark.django_db
def test_each_run_has_its_own_database_and_broker_prefix(settings):
    """Two runs on one server never share a test database, broker keys or cache keys."""
    from django.db import connection

    run = os.environ["TEST_RUN_ID"]
    assert connection.settings_dict["NAME"] == f"test_crm_{run}"
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] == f"test-{run}:"
    assert settings.CACHES["default"]["KEY_PREFIX"] == f"test-{run}"
