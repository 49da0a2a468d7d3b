"""The authentication backend of the project (settings.AUTHENTICATION_BACKENDS)."""

from django.contrib.auth.backends import ModelBackend

from .authorization import load


class AuthorizationBackend(ModelBackend):
    """Django's model backend, with the user's permissions from :func:`load`'s entry when it is current."""

    def get_user_permissions(self, user_obj, obj=None):
        load(user_obj)
        return super().get_user_permissions(user_obj, obj)

    def get_group_permissions(self, user_obj, obj=None):
        load(user_obj)
        return super().get_group_permissions(user_obj, obj)

    def get_all_permissions(self, user_obj, obj=None):
        load(user_obj)
        return super().get_all_permissions(user_obj, obj)
