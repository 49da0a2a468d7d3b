"""`make test`'s dependency audit: pip-audit's report read right, accepted advisories honoured, a silent pass
(no advisory source reached) told apart from a clean one."""

from crm import devstack

REPORT = {
    "dependencies": [
        {"name": "django", "version": "5.2.19", "vulns": [{"id": "PYSEC-2026-1", "fix_versions": ["5.2.20"]}]},
        {"name": "celery", "version": "5.7.0", "vulns": []},
        {"name": "amqp", "skip_reason": "Dependency not found on PyPI and could not be audited: amqp (5.4.2)"},
    ]
}


def test_findings_fail_and_unreachable_packages_are_counted_apart():
    found, skipped, looked_up = devstack.audit_outcome(REPORT)
    assert found == [("django", "5.2.19", "PYSEC-2026-1")]
    assert skipped == ["amqp"] and looked_up == 2


def test_a_report_that_looked_nothing_up_is_not_a_clean_one():
    found, skipped, looked_up = devstack.audit_outcome({"dependencies": [REPORT["dependencies"][2]]})
    assert (found, looked_up) == ([], 0)


def test_accepted_advisories_are_read_with_their_reasons_and_comments_ignored(tmp_path):
    exceptions = tmp_path / "audit-exceptions.txt"
    exceptions.write_text(
        "# GHSA-aaaa-bbbb-cccc  # commented out: no longer accepted\n"
        "PYSEC-2026-1  # django: only the admin docs view, which we do not mount; revisit 2027-01\n"
        "\n  GHSA-xxxx-yyyy-zzzz\n",
        encoding="utf-8",
    )
    assert devstack.audit_exceptions(exceptions) == ["PYSEC-2026-1", "GHSA-xxxx-yyyy-zzzz"]
    assert devstack.audit_exceptions(tmp_path / "missing.txt") == []
    assert devstack.audit_exceptions() == []  # the repository accepts none today
