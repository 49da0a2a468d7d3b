"""The test suite: real PostgreSQL and Redis, a Redis database of its own."""

import os

from crm.crypto import development_age_identity, development_fernet_key

from .base import *  # noqa: F403
from .base import BASE_DIR, CELERY_BROKER_TRANSPORT_OPTIONS, DATABASES, STORAGES, env

# Two test runs on one PostgreSQL/Redis server must not meet: each run gets its own database name, broker
# key prefix and cache prefix. Child processes the suite starts inherit the same id through the environment.
TEST_RUN_ID = os.environ.setdefault("TEST_RUN_ID", f"{os.getpid()}")
DATABASES["default"]["TEST"] = {"NAME": f"test_crm_{TEST_RUN_ID}"}

SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"

# Database 15 keeps the suite's tasks away from a development worker on database 0.
REDIS_URL = env("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
REDIS_KEY_PREFIX = f"test-{TEST_RUN_ID}"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": REDIS_KEY_PREFIX,
    }
}
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS = {**CELERY_BROKER_TRANSPORT_OPTIONS, "global_keyprefix": f"{REDIS_KEY_PREFIX}:"}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"global_keyprefix": f"{REDIS_KEY_PREFIX}:"}
CELERY_RESULT_BACKEND = REDIS_URL
LANGUAGE_CODE = "en"
SMS_BACKEND = "crm.sms.MemoryBackend"
# The captcha accepts "PASSED" in tests; any other wrong answer is still refused.
CAPTCHA_TEST_MODE = True
# Report tests change data between requests and expect fresh figures; one test turns the cache on.
REPORT_CACHE_SECONDS = 0
BACKUP_DIR = BASE_DIR / "var" / "test-backups"
FIELD_ENCRYPTION_KEYS = [development_fernet_key(SECRET_KEY)]
FIELD_HASH_KEY = "test-only-hash-key"  # noqa: S105
BACKUP_ENCRYPTION_KEY = development_age_identity(SECRET_KEY)
# Tests sign administrators in with a password alone; the two-factor tests turn the requirement on.
TWO_FACTOR_ENFORCED = False
