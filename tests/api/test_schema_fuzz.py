"""Schemathesis against the project's own schema: generated requests to every operation (a bounded
number each) never get a server error, and every answer matches the documented status codes and schemas."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings

from accounts import roles
from crm.api.tokens import token_create
from tests.factories import CustomerFactory, UserFactory


@pytest.fixture
def api_schema(db):
    admin = UserFactory(username="fuzz-admin", role=roles.ADMINISTRATOR)
    for _ in range(3):
        CustomerFactory(owner=admin)
    _, key = token_create(actor=admin, user=admin, name="fuzz", access="write")
    headers = {"Authorization": f"Bearer {key}"}
    # As Django's test client does: the test's transaction must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application(), headers=headers)
    schema.fuzz_headers = headers
    yield schema
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.content_type_conformance,
]


def test_no_server_error_and_no_schema_violation(api_schema):
    """Every operation, a few generated requests each (bounded so the run stays well under a minute)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 50

    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=3,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.call_and_validate(headers=api_schema.fuzz_headers, checks=CHECKS)

        run()
