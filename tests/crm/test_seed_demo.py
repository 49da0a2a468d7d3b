"""The demo data set loads without sending its made-up mail anywhere."""

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_seeding_the_demo_prints_no_e_mail_to_the_console(settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    printed = capsys.readouterr().out
    assert "Subject:" not in printed
    assert "crm-demo-2026" in out.getvalue()  # the logins are still shown
