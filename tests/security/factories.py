from accounts import roles
from tests.factories import UserFactory


def administrator(**kwargs):
    kwargs.setdefault("username", "admin-user")
    return UserFactory(role=roles.ADMINISTRATOR, **kwargs)
