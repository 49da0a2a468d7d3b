import pytest
from rest_framework.test import APIClient

from crm.api.models import ApiToken
from crm.api.tokens import token_create


@pytest.fixture
def api_for(db):
    """An API client authenticated with a fresh token of ``user``: ``api_for(user, access="write")``."""

    def make(user, access=ApiToken.Access.WRITE):
        _token, key = token_create(actor=user, user=user, name="test", access=access)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
        return client

    return make
