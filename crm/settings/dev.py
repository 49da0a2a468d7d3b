"""Local development: `make run`."""

from crm.crypto import development_age_identity, development_fernet_key

from .base import *  # noqa: F403
from .base import STORAGES, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["*"])
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[development_fernet_key(SECRET_KEY)])
FIELD_HASH_KEY = env("FIELD_HASH_KEY", default=f"hash-{SECRET_KEY}")
BACKUP_ENCRYPTION_KEY = env("BACKUP_ENCRYPTION_KEY", default=development_age_identity(SECRET_KEY))
# The demo signs in in one step; set TWO_FACTOR_ENFORCED=true to try the administrators' requirement.
TWO_FACTOR_ENFORCED = env.bool("TWO_FACTOR_ENFORCED", default=False)
