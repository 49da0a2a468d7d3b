"""Settings shared by every environment, driven by environment variables."""

import ipaddress
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "simple_history",
    "django_celery_beat",
    "captcha",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crm",
    "crm.api",
    "accounts",
    "customers",
    "marketing",
    "sales",
    "service",
    "reports",
    "security",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost but one: request latency and queries per view for /metrics, slow SQL in the log.
    "crm.metrics.MetricsMiddleware",
    "crm.middleware.RequestLogMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "crm.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Signed in with a password but not yet with the second factor: only the second-factor pages open.
    "accounts.middleware.TwoFactorMiddleware",
    # After the sign-in check: the session and the user are read from the primary, the view's reads may not.
    "crm.db.ReplicaReadsMiddleware",
    # Last, so it turns the lockout signal of any sign-in view into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out client is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend with each user's permissions kept between requests while they are current.
    "accounts.backends.AuthorizationBackend",
]
# Users whose permissions, role scopes and team tree each process keeps (accounts.authorization); 0 turns it off.
AUTHORIZATION_CACHE_USERS = env.int("AUTHORIZATION_CACHE_USERS", default=10_000)

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "crm.context_processors.navigation",
                "crm.context_processors.upload_limits",
            ],
            # {% url %} of a fixed route reversed once per process (crm/templatetags/fixed_url.py).
            "builtins": ["crm.templatetags.fixed_url"],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/crm"),
}
# A socket directory in the URL's host part arrives percent-encoded (postgres://user@%2Fpath/db).
DATABASES["default"]["HOST"] = unquote(DATABASES["default"]["HOST"])
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
# List queries are short; JIT compilation costs them more than it saves.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
# An optional read replica (a streaming-replication standby of the primary): reports, dashboards, statistics,
# the big screen and exports read from it (crm/db.py); everything else, and every write, uses the primary.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db_url("DATABASE_REPLICA_URL"),
        **{key: DATABASES["default"][key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "OPTIONS")},
        "DISABLE_SERVER_SIDE_CURSORS": True,
        # Tests never build a second database for it: there it is the primary's test database.
        "TEST": {"MIRROR": "default"},
    }
    DATABASES["replica"]["HOST"] = unquote(DATABASES["replica"]["HOST"])
DATABASE_ROUTERS = ["crm.db.ReplicaRouter"]
# Views whose GET requests read from the replica (a name ending in ":" is a whole namespace).
REPLICA_READ_VIEWS = env.list(
    "REPLICA_READ_VIEWS",
    default=[
        "home",
        "reports:",
        "sales:forecast",
        "sales:performance",
        "service:statistics",
        "marketing:effect-comparison",
        "marketing:event-statistics",
    ],
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Argon2id first (crm/hashers.py); the others only read older hashes, which are upgraded at sign-in.
PASSWORD_HASHERS = [
    "crm.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
# The project's catalog first; then Chinese for third-party apps that ship none (kept apart: see its header).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# collectstatic writes here (the image does it at build time); whitenoise serves it.
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Stored files (uploads, job results) and backups: the local disk, or an S3-compatible object store when
# S3_BUCKET is set. Neither is ever served at a public URL (crm/storage.py): views check access, then
# stream the file, redirect to a signed link of the store, or hand it to the web server (FILE_DELIVERY).
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))
S3_BUCKET = env("S3_BUCKET", default="")
S3_OPTIONS = {
    "bucket_name": S3_BUCKET,
    "endpoint_url": env("S3_ENDPOINT_URL", default="") or None,
    "region_name": env("S3_REGION", default="") or None,
    "access_key": env("S3_ACCESS_KEY_ID", default="") or None,
    "secret_key": env("S3_SECRET_ACCESS_KEY", default="") or None,
    "addressing_style": env("S3_ADDRESSING_STYLE", default="") or None,
    "signature_version": "s3v4",
}
if S3_BUCKET:
    _MEDIA_STORAGE = {
        "BACKEND": "crm.storage.PrivateObjectStorage",
        "OPTIONS": {**S3_OPTIONS, "location": env("S3_MEDIA_PREFIX", default="") or "media"},
    }
    # Backups go off-site: to their own bucket when S3_BACKUP_BUCKET names one (with its own retention and
    # access rules), else under a prefix of the same bucket.
    _BACKUP_STORAGE = {
        "BACKEND": "crm.storage.ObjectStorage",
        "OPTIONS": {
            **S3_OPTIONS,
            # Set but empty (compose passes every variable) means "not set".
            "bucket_name": env("S3_BACKUP_BUCKET", default="") or S3_BUCKET,
            "location": env("S3_BACKUP_PREFIX", default="") or "backups",
        },
    }
else:
    _MEDIA_STORAGE = {"BACKEND": "crm.storage.PrivateLocalStorage"}
    _BACKUP_STORAGE = {"BACKEND": "crm.storage.BackupDirStorage"}
STORAGES = {
    "default": _MEDIA_STORAGE,
    "backups": _BACKUP_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_DELIVERY = env("FILE_DELIVERY", default="redirect" if S3_BUCKET else "stream")
FILE_ACCEL_REDIRECT_PREFIX = env("FILE_ACCEL_REDIRECT_PREFIX", default="/protected-files/")
FILE_URL_MAX_AGE_SECONDS = env.int("FILE_URL_MAX_AGE_SECONDS", default=60)

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
# Several installations (or test runs) may share one Redis: each prefixes its cache, broker and result keys.
REDIS_KEY_PREFIX = env("REDIS_KEY_PREFIX", default="")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": REDIS_KEY_PREFIX,
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
# Queues by kind, so a huge export never delays a reminder: each can have workers of its own (README
# "Workers"). Tasks not routed below go to "default".
CELERY_QUEUE_NAMES = ("default", "imports", "exports", "mail", "reports")
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_CREATE_MISSING_QUEUES = False
CELERY_TASK_QUEUES = [Queue(name, routing_key=name) for name in CELERY_QUEUE_NAMES]
CELERY_TASK_ROUTES = {
    # Exact names first: these would otherwise match a pattern below.
    "reports.tasks.send_scheduled_reports": {"queue": "reports"},
    "crm.tasks.merge_index_entries": {"queue": "imports"},
    "security.tasks.nightly_backup": {"queue": "exports"},
    "security.tasks.backup_run": {"queue": "exports"},
    "customers.tasks.recompute_customer_scores": {"queue": "reports"},
    "sales.tasks.update_customer_value_segments": {"queue": "reports"},
    "*.run_*_import": {"queue": "imports"},
    "*.run_*_export": {"queue": "exports"},
    "reports.tasks.*": {"queue": "reports"},
    "*.send_*": {"queue": "mail"},
}
# A task that runs past its soft limit gets SoftTimeLimitExceeded (the job records the failure); past the hard
# limit its worker process is replaced. Imports, exports, backups and bulk sends get the long limits.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=10 * 60)
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 5 * 60
CELERY_LONG_TASK_TIME_LIMIT = env.int("CELERY_LONG_TASK_TIME_LIMIT", default=2 * 60 * 60)
CELERY_LONG_TASKS = (
    "customers.tasks.run_customer_import",
    "customers.tasks.run_customer_export",
    "sales.tasks.run_lead_import",
    "sales.tasks.run_opportunity_export",
    "service.tasks.run_ticket_export",
    "security.tasks.run_behaviour_log_export",
    "security.tasks.nightly_backup",
    "security.tasks.backup_run",
    "crm.tasks.merge_index_entries",
    "marketing.tasks.send_event_invitations",
    "reports.tasks.send_scheduled_reports",
    "reports.tasks.refresh_sales_summaries",
    "reports.tasks.refresh_customer_summaries",
)
CELERY_TASK_ANNOTATIONS = {
    name: {"soft_time_limit": CELERY_LONG_TASK_TIME_LIMIT, "time_limit": CELERY_LONG_TASK_TIME_LIMIT + 5 * 60}
    for name in CELERY_LONG_TASKS
}
# Tasks are acknowledged when done (acks_late): Redis hands an unacknowledged task to another worker after
# the visibility timeout, so it must outlast the longest task and the furthest countdown, or a long export
# would run twice at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_LONG_TASK_TIME_LIMIT + 60 * 60}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {}
if REDIS_KEY_PREFIX:
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = f"{REDIS_KEY_PREFIX}:"
    CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS["global_keyprefix"] = f"{REDIS_KEY_PREFIX}:"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "purge-behaviour-log": {
        "task": "crm.tasks.purge_behaviour_log",
        # Nightly at a quiet hour rather than 24 hours after whenever beat last started.
        "schedule": crontab(hour=3, minute=15),
    },
    "generate-care-actions": {
        "task": "customers.tasks.generate_care_actions",
        "schedule": crontab(hour=6, minute=0),
    },
    "recompute-customer-scores": {
        "task": "customers.tasks.recompute_customer_scores",
        "schedule": crontab(hour=2, minute=30),
    },
    "nightly-backup": {
        "task": "security.tasks.nightly_backup",
        "schedule": crontab(hour=1, minute=30),
    },
    "worker-heartbeat": {
        "task": "security.tasks.worker_heartbeat",
        "schedule": 60,
    },
    "send-task-reminders": {
        "task": "customers.tasks.send_task_reminders",
        "schedule": 5 * 60,
    },
    "send-scheduled-reports": {
        "task": "reports.tasks.send_scheduled_reports",
        "schedule": 5 * 60,
    },
    "refresh-sales-summaries": {
        # The sales dashboard panels read these summaries; their figures are at most this old.
        "task": "reports.tasks.refresh_sales_summaries",
        "schedule": 5 * 60,
    },
    "refresh-customer-summaries": {
        "task": "reports.tasks.refresh_customer_summaries",
        "schedule": 5 * 60,
    },
    "send-sla-reminders": {
        "task": "service.tasks.send_sla_reminders",
        "schedule": 5 * 60,
    },
    "send-event-reminders": {
        "task": "marketing.tasks.send_event_reminders",
        "schedule": 15 * 60,
    },
    "customer-value-segments": {
        "task": "sales.tasks.update_customer_value_segments",
        "schedule": crontab(hour=3, minute=0),
    },
    "contract-reminders": {
        "task": "sales.tasks.send_contract_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "purge-waiting-imports": {
        "task": "crm.tasks.purge_waiting_uploads",
        "schedule": 60 * 60,
    },
}

# Customers whose data-quality score is below this count as incomplete (the list filter, the home chart).
QUALITY_THRESHOLD = env.int("QUALITY_THRESHOLD", default=60)

# Imports refuse larger files, longer sheets and workbooks that would unpack past the last limit.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=200_000)
IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("IMPORT_MAX_UNCOMPRESSED_BYTES", default=200 * 1024 * 1024)
# An uploaded import file nobody confirmed is deleted (with its waiting job) after this many hours.
IMPORT_WAITING_MAX_AGE_HOURS = env.int("IMPORT_WAITING_MAX_AGE_HOURS", default=24)
# Exports up to this many rows download at once; larger ones run as a background job.
EXPORT_SYNC_MAX_ROWS = env.int("EXPORT_SYNC_MAX_ROWS", default=5_000)
# A behaviour-log PDF (a background job beyond one page) holds at most this many entries (about 1,700 pages; the
# PDF is kept in memory until it is complete: ~70 MB for 50,000 entries); XLSX has no such cap.
EXPORT_PDF_MAX_ROWS = env.int("EXPORT_PDF_MAX_ROWS", default=50_000)

# How long behaviour-log entries are kept before the nightly clean-up removes them.
BEHAVIOUR_LOG_RETENTION_DAYS = env.int("BEHAVIOUR_LOG_RETENTION_DAYS", default=365)

# Backups (数据备份与恢复): where they go, and how many nightly ones the rotation keeps.
BACKUP_DIR = Path(env("BACKUP_DIR", default=str(BASE_DIR / "var" / "backups")))
BACKUP_KEEP_DAILY = env.int("BACKUP_KEEP_DAILY", default=7)
BACKUP_KEEP_WEEKLY = env.int("BACKUP_KEEP_WEEKLY", default=4)
BACKUP_KEEP_MONTHLY = env.int("BACKUP_KEEP_MONTHLY", default=6)
# Backups are encrypted with age to this secret key (AGE-SECRET-KEY-1…; `manage.py backup --generate-key`).
# Development derives one from SECRET_KEY; production must set it, and keep a copy away from the backups.
BACKUP_ENCRYPTION_KEY = env("BACKUP_ENCRYPTION_KEY", default="")
# Rows that never go into a backup: live sessions, captcha challenges and sign-in lockout counters.
BACKUP_EXCLUDE_TABLE_DATA = env.list(
    "BACKUP_EXCLUDE_TABLE_DATA",
    default=[
        "django_session",
        "captcha_captchastore",
        "axes_accessattempt",
        "axes_accessattemptexpiration",
        "axes_accessfailurelog",
    ],
)
# Directory of pg_dump / pg_restore when the ones found automatically do not match the server.
PG_BIN_DIR = env("PG_BIN_DIR", default="")

# /healthz answers 503 when the newest good backup or the worker's heartbeat is older than these.
HEALTH_BACKUP_MAX_AGE_HOURS = env.int("HEALTH_BACKUP_MAX_AGE_HOURS", default=26)
HEALTH_WORKER_MAX_AGE_SECONDS = env.int("HEALTH_WORKER_MAX_AGE_SECONDS", default=300)

# Administrators are alerted (bell and e-mail) on these patterns within ALERT_WINDOW_MINUTES.
ALERT_WINDOW_MINUTES = env.int("ALERT_WINDOW_MINUTES", default=15)
ALERT_FAILED_LOGINS = env.int("ALERT_FAILED_LOGINS", default=10)
ALERT_DELETES = env.int("ALERT_DELETES", default=20)
ALERT_EXPORT_ROWS = env.int("ALERT_EXPORT_ROWS", default=1000)

# Sensitive fields (crm.fields.EncryptedTextField): Fernet keys, the first encrypts and all decrypt; and
# the key of the hashes used for exact search. Development derives both from SECRET_KEY; production
# must set them (manage.py rotate_encryption_key --generate prints a new key).
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
FIELD_HASH_KEY = env("FIELD_HASH_KEY", default="")

# Follow-up tasks get a "due soon" reminder this many minutes before they are due.
TASK_REMINDER_LEAD_MINUTES = env.int("TASK_REMINDER_LEAD_MINUTES", default=60)
# An overdue reminder goes out only for a task that fell due within this many hours, so switching
# reminders on (or restarting a stopped beat) does not announce every long-forgotten open task at once.
TASK_OVERDUE_REMINDER_WINDOW_HOURS = env.int("TASK_OVERDUE_REMINDER_WINDOW_HOURS", default=24)

# Absolute links in e-mails and on share pages start with this (crm.links.absolute). Unless set, it
# is where `make run` serves: HOST and PORT, with a wildcard host read as this machine.
_SERVED_HOST = env("HOST", default="") or "127.0.0.1"
if _SERVED_HOST in {"0.0.0.0", "::"}:  # noqa: S104 - listening everywhere; links name this machine
    _SERVED_HOST = "127.0.0.1"
SITE_URL = env("SITE_URL", default="") or f"http://{_SERVED_HOST}:{env('PORT', default='') or '8000'}"
SMS_BACKEND = env("SMS_BACKEND", default="crm.sms.LogBackend")

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="crm@localhost")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 12)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", default=False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Pages hand htmx the token in the markup, so no script ever needs to read the cookie.
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# No inline script or style anywhere: behaviour lives in static/js/, data in data-* attributes or
# json_script; widths and colours that come from data are set by static/js/crm.js (data-width,
# data-colour), fixed ones are classes in static/css/crm.css.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# The client address (crm.middleware.client_ip) is REMOTE_ADDR unless proxies of our own stand in front:
# TRUSTED_PROXIES is how many of them append to X-Forwarded-For (1 for one nginx or load balancer), and
# TRUSTED_PROXY_NETWORKS lists the networks (CIDR) they are in. Anything further left in the header was
# written by the client and is ignored. The lockout, the logs and the public-form limits all use it.
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
TRUSTED_PROXY_NETWORKS = [
    str(ipaddress.ip_network(cidr.strip(), strict=False)) for cidr in env.list("TRUSTED_PROXY_NETWORKS", default=[])
]
RATELIMIT_IP_META_KEY = "crm.middleware.client_ip"

# Sign-in lockout (django-axes): a user name or a client address is locked after this many failures
# in a row, for AXES_COOLOFF_MINUTES; an administrator can unlock at once (user admin action).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "crm.middleware.client_ip"
AXES_VERBOSE = False
# Wrong second-factor codes count as failed sign-ins of that user and address (accounts/lockout.py), and a
# successful password no longer clears the count while the second factor is still to come. The codes typed
# are masked in the lockout records like passwords.
AXES_HANDLER = "accounts.lockout.SignInAttemptHandler"
AXES_SENSITIVE_PARAMETERS = ["code"]
# Two-factor sign-in (accounts/two_factor.py): roles whose sign-in policy requires it (Administrator by
# default, and superusers without a role) must set up an authenticator app; anyone who set one up enters its
# code (or a one-time recovery code) after the password. TWO_FACTOR_ENFORCED=false lifts the role requirement
# (development and the demo sign in in one step); users who set up an app still use it.
TWO_FACTOR_ENFORCED = env.bool("TWO_FACTOR_ENFORCED", default=True)
TWO_FACTOR_RECOVERY_CODES = 10
# The name authenticator apps show next to the account.
OTP_TOTP_ISSUER = env("TWO_FACTOR_ISSUER", default="CRM")
# django-axes is the one lockout; django-otp's own growing delays after a wrong code would refuse the right
# code typed a second later.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# The secrets of authenticator apps never show in Django admin.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# The sign-in form asks for a captcha once a user name or address has this many recent failures.
LOGIN_CAPTCHA_AFTER_FAILURES = env.int("LOGIN_CAPTCHA_AFTER_FAILURES", default=1)

# The privacy notice on the public forms (crm/consent.py): an administrator publishes versions in admin
# (Privacy notices); until then this version and text (empty = the built-in bilingual text) are shown.
# The forms named here (event_registration, web_lead, public_ticket) require ticking the consent box, and
# the consent is recorded with the notice version, the time, the client address and the record created.
PRIVACY_NOTICE_VERSION = env("PRIVACY_NOTICE_VERSION", default="1")
PRIVACY_NOTICE_TEXT = env("PRIVACY_NOTICE_TEXT", default="")
PRIVACY_CONSENT_REQUIRED_FORMS = env.list(
    "PRIVACY_CONSENT_REQUIRED_FORMS", default=["event_registration", "web_lead", "public_ticket"]
)

# Public forms (no sign-in) accept this many posts per client address; see crm/public.py.
PUBLIC_FORM_RATE = env("PUBLIC_FORM_RATE", default="10/h")
# A captcha people read at the first try: large upright letters without look-alikes (0/O, 1/I/L, 2/Z,
# 5/S, 8/B), light dots instead of crossing arcs, and a refresh button (static/js/crm.js).
CAPTCHA_FONT_SIZE = 34
CAPTCHA_LENGTH = 5
CAPTCHA_LETTER_ROTATION = (-10, 10)
CAPTCHA_NOISE_FUNCTIONS = ("captcha.helpers.noise_dots",)
CAPTCHA_CHALLENGE_FUNCT = "crm.public.captcha_challenge"
CAPTCHA_FOREGROUND_COLOR = "#1f3a93"

# Signed links that act on a person's record (ticket tracking and survey, event invitation, cancel and
# survey: crm/links.py) stop working after this many days.
PUBLIC_LINK_MAX_AGE_DAYS = env.int("PUBLIC_LINK_MAX_AGE_DAYS", default=180)
# Service tickets: attachment size limit and the satisfaction score at or below which a ticket is
# flagged for the manager's follow-up.
SERVICE_ATTACHMENT_MAX_BYTES = env.int("SERVICE_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
SERVICE_LOW_SCORE = env.int("SERVICE_LOW_SCORE", default=2)
# Sales: amounts in other currencies convert to this one in totals, forecasts and reports.
BASE_CURRENCY = env("BASE_CURRENCY", default="CNY")
# Contract numbers: {year}, {month}, {day} and {seq} (counted per year); must stay unique.
CONTRACT_NUMBER_PATTERN = env("CONTRACT_NUMBER_PATTERN", default="HT{year}-{seq:05d}")
# Contract attachments: largest size and the allowed file types (extensions).
CONTRACT_FILE_MAX_BYTES = env.int("CONTRACT_FILE_MAX_BYTES", default=10 * 1024 * 1024)
CONTRACT_FILE_TYPES = env.list("CONTRACT_FILE_TYPES", default=["pdf", "jpg", "jpeg", "png", "docx", "xlsx"])
# Contracts get expiry reminders this many days before they end.
CONTRACT_REMINDER_DAYS = [int(d) for d in env.list("CONTRACT_REMINDER_DAYS", default=["30", "7"])]
# The lead list's "untouched" view shows leads nobody worked on for this many days.
LEAD_UNTOUCHED_DAYS = env.int("LEAD_UNTOUCHED_DAYS", default=7)

# Lists never count more than this many rows exactly; beyond it they say "10,000+".
LIST_COUNT_LIMIT = env.int("LIST_COUNT_LIMIT", default=10_000)
# A list searched by text counts its matches up to this many ("more than 1,000"); its pages still go on to
# LIST_COUNT_LIMIT rows. A common word's matches, read through the text index and the scope's, cost a heap page each.
SEARCH_COUNT_LIMIT = env.int("SEARCH_COUNT_LIMIT", default=1_000)
# A list's count that reached its limit is cached this long (crm/pagination.py); 0 = off.
LIST_COUNT_CACHE_SECONDS = env.int("LIST_COUNT_CACHE_SECONDS", default=60)
# A list's rendered filter fields are cached this long at most (crm/filters.py, invalidated on every change of
# their choices that sends a signal); 0 = off.
LIST_FILTER_CACHE_SECONDS = env.int("LIST_FILTER_CACHE_SECONDS", default=300)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "crm.logs.JsonLogFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "requests": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # One JSON line per request with its duration (crm.middleware.RequestLogMiddleware).
        "crm.requests": {
            "handlers": ["requests"],
            "level": env("REQUEST_LOG_LEVEL", default="INFO"),
            "propagate": False,
        },
        # One JSON line per statement slower than SLOW_QUERY_MS, with the view or task that ran it.
        "crm.slow_sql": {"handlers": ["requests"], "level": "WARNING", "propagate": False},
    },
}

# Statements slower than this are logged (crm.slow_sql) with their view or task, and counted for /metrics.
SLOW_QUERY_MS = env.int("SLOW_QUERY_MS", default=500)
# /metrics (Prometheus) answers a request carrying "Authorization: Bearer <METRICS_TOKEN>", or one from an address
# in METRICS_ALLOWED_NETWORKS (CIDR, comma-separated; the direct peer's address, never a forwarded one). With
# neither set it answers 404.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=[])
# Jobs that finished within this window feed the job duration figures of /metrics.
METRICS_JOB_WINDOW_HOURS = env.int("METRICS_JOB_WINDOW_HOURS", default=24)

# A custom report lists at most this many rows (on the page and in its exports); grouped reports are small.
REPORT_MAX_ROWS = env.int("REPORT_MAX_ROWS", default=5_000)
# Computed report figures (dashboards, the big screen, custom reports) are cached this long per user; 0 = off.
REPORT_CACHE_SECONDS = env.int("REPORT_CACHE_SECONDS", default=120)
# Marketing: uploads (event posters and invitations, marketing assets) are refused above this size.
MARKETING_UPLOAD_MAX_BYTES = env.int("MARKETING_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# E-mail campaigns send at most this many e-mails a minute unless the campaign asks for fewer.
MARKETING_EMAIL_RATE_PER_MINUTE = env.int("MARKETING_EMAIL_RATE_PER_MINUTE", default=60)
# Confirmed registrants get a reminder this many hours before their event starts.
MARKETING_EVENT_REMINDER_HOURS = env.int("MARKETING_EVENT_REMINDER_HOURS", default=24)

# The REST API (/api/v1/, crm/api/): token or session authentication, module permissions of the user's roles,
# keyset pagination, a request rate per token, errors as JSON with field names.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "crm.api.authentication.TokenAuthentication",
        "crm.api.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["crm.api.permissions.ModulePermission", "crm.api.permissions.TokenAccess"],
    "DEFAULT_PAGINATION_CLASS": "crm.api.pagination.KeysetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["crm.api.throttling.PerTokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": env("API_RATE", default="1200/min")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "crm.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CRM API",
    # What an integrator needs besides the operations, on the docs page itself (English, like the schema).
    "DESCRIPTION": """Customers, sales, marketing and service records, scoped exactly as in the application: \
the same record scope, role permissions, validation and masking; a record outside your scope answers 404.

**Token.** Create one on [your API tokens page](/settings/api/) (read-only or read-write, optional expiry; it is \
shown once) and send it as `Authorization: Bearer <token>`. Each use is in the behaviour log. Requests per token \
are limited: 429 with `Retry-After`.

**Reading everything.** Lists are cursor pages: follow `next` until it is null (`page_size` up to 500). \
`updated_since=<ISO time>` for incremental sync, `ordering`, `fields=id,name,…` for sparse rows, and the list \
pages' filters.

**Writing.** Errors are 400 `{field: [messages]}` in your `Accept-Language`. Every record has an `ETag`; send it \
as `If-Match` and a stale write answers 412. `Idempotency-Key` on a POST makes a retry return the first answer. \
Customers, contacts, leads, products and orders carry `external_id`: `PUT …/by-external-id/<id>/` creates or \
updates one; `POST …/bulk/` takes up to 1,000 `records` (`id` → update, `external_id` → upsert, else create), \
`atomic=true` all or nothing, `atomic=false` a result per record.

**Webhooks.** On [your webhooks page](/settings/webhooks/) subscribe a URL to events (e.g. `opportunity.won`); \
payloads carry only what you may see. Each POST is signed per Standard Webhooks: headers `webhook-id`, \
`webhook-timestamp`, `webhook-signature` (`v1,<base64 HMAC-SHA256>` of `<id>.<timestamp>.<body>`, keyed with the \
base64 part of your `whsec_…` secret; two signatures while a rotated secret still signs). Answer 2xx; failures \
are retried with backoff, deliveries are in the page's log with *Send again*.""",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Vendored Swagger UI and Redoc (drf-spectacular-sidecar): nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The workflow statuses appear both on the record and in the request that moves it: one name each.
    "ENUM_NAME_OVERRIDES": {
        "TicketStatusEnum": "service.models.Ticket.Status",
        "EventStatusEnum": "marketing.models.Event.Status",
    },
}
# API tokens: at most this many per user; how often a token's use is written to the behaviour log.
API_TOKEN_LOG_MINUTES = env.int("API_TOKEN_LOG_MINUTES", default=15)
# Idempotency-Key: a POST repeated with the same key within this many hours answers the stored response.
API_IDEMPOTENCY_HOURS = env.int("API_IDEMPOTENCY_HOURS", default=24)
# Bulk endpoints take at most this many records per call.
API_BULK_MAX_RECORDS = env.int("API_BULK_MAX_RECORDS", default=1000)
# Webhooks: delivery attempts before giving up on one event, consecutive failed events before an endpoint is
# switched off (its owner is told), and whether URLs may point at private, loopback or link-local addresses.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=6)
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=5)
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)
WEBHOOK_ALLOW_PRIVATE_URLS = env.bool("WEBHOOK_ALLOW_PRIVATE_URLS", default=False)
# The first retry waits this long; each further one twice as long (30 s, 1 min, 2 min, … at most a day).
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
CELERY_BEAT_SCHEDULE["purge-api-records"] = {"task": "crm.api.tasks.purge_api_records", "schedule": 60 * 60}
