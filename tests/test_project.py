"""Project-wide checks: migrations match the models and the Chinese catalog is complete."""

import ast
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


def test_makemessages_would_neither_add_nor_drop_a_string():
    """Running makemessages would add nothing (no marked string is missing from the catalog) and drop nothing (every
    string of the catalog is still marked where makemessages can see it: one translated only inside an f-string was
    dropped, and the page showed it in English)."""
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
    before = _msgids(original.decode("utf-8"))
    assert (after - before, before - after) == (set(), set())


_GETTEXT = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}


def test_no_text_is_translated_inside_an_f_string():
    """makemessages (xgettext) does not look inside an f-string: a text translated only there never reaches the
    catalog, or leaves it at the next ``make messages``."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {".venv", "var", "staticfiles", "tests", "bench"} or "migrations" in relative.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                found += [
                    f"{relative}:{call.lineno}"
                    for call in ast.walk(node)
                    if isinstance(call, ast.Call) and getattr(call.func, "id", None) in _GETTEXT
                ]
    assert found == []


@pytest.mark.django_db
def test_each_run_has_its_own_database_and_broker_prefix(settings):
    """Two runs on one server never share a test database, broker keys or cache keys."""
    from django.db import connection

    run = os.environ["TEST_RUN_ID"]
    assert connection.settings_dict["NAME"] == f"test_crm_{run}"
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] == f"test-{run}:"
    assert settings.CACHES["default"]["KEY_PREFIX"] == f"test-{run}"
