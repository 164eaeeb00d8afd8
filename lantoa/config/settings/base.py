"""Lantoa settings.

Everything comes from environment variables; the embedded default (SQLite in
``LANTOA_DATA_DIR``, local files, in-process tasks, console e-mail) needs none.

- ``LANTOA_DATA_DIR``   folder for the SQLite database, uploads and the generated
                        secret key (default ``var/`` in the checkout; relative values are
                        taken from the checkout too; see lantoa/config/datadir.py)
- ``DATABASE_URL``      e.g. ``postgresql://user@host:5432/lantoa`` (default SQLite)
- ``DATABASE_REPLICA_URL``  a streaming replica for the portal and dashboards (optional)
- ``LANTOA_SECRET_KEY`` secret key (default: generated once into the data folder)
- ``LANTOA_ALLOWED_HOSTS`` comma separated (default ``127.0.0.1,localhost``)
- ``LANTOA_EMAIL_URL``  ``smtp://user:pass@host:587?tls=1`` (default: files in the data
                        folder's ``mail/``; ``console://`` prints them, addresses included)
- ``LANTOA_DEFAULT_FROM_EMAIL``
- ``REDIS_URL``         cache + task broker at scale (default: local memory + SQLite tasks)
- ``LANTOA_DEMO_PASSWORD`` password of every demo account (default ``hoctapsuotdoi``)
- ``LANTOA_BASE_URL``   absolute address used in e-mails and calendar feeds
- ``LANTOA_S3_BUCKET``  uploads in an S3-compatible store (lantoa/config/storage.py)
"""

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from lantoa.config.database import REPLICA, databases_from_env, prepares_statements
from lantoa.config.datadir import resolve_data_dir
from lantoa.config.storage import default_storage_from_env

PACKAGE_DIR = Path(__file__).resolve().parent.parent.parent
# Resolved once, absolute (relative values and the default `var` are taken from the
# checkout, not the current directory), checked against its marker: lantoa/config/datadir.py.
DATA_DIR = resolve_data_dir()


def _secret_key() -> str:
    if key := os.environ.get("LANTOA_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("LANTOA_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("LANTOA_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("LANTOA_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]
BASE_URL = os.environ.get("LANTOA_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # runserver (the embedded default) leaves /static/ to WhiteNoise: compressed, cached.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "axes",
    "django_htmx",
    "ninja",  # serves the API docs' Swagger UI from local static files, not a CDN
    "huey.contrib.djhuey",
    "lantoa.core",
    "lantoa.units",
    "lantoa.accounts",
    "lantoa.history",
    "lantoa.campaigns",
    "lantoa.documents",
    "lantoa.reports",
    "lantoa.notifications",
    "lantoa.activities",
    "lantoa.honours",
    "lantoa.portal",
    "lantoa.api",
    "lantoa.demo",
    "lantoa.overview",
]

MIDDLEWARE = [
    "lantoa.core.uploads.RequestSizeLimitMiddleware",  # first: before anything reads the body
    # the client's address from a trusted reverse proxy, before anything reads REMOTE_ADDR
    "lantoa.core.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # outside the session middleware: a session written at the end of a request pins too
    "lantoa.core.dbrouting.ReplicaRoutingMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed (static files come compressed from WhiteNoise).
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lantoa.core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "lantoa.core.middleware.CleanTextInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lantoa.core.middleware.BoundedNumbersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "lantoa.accounts.middleware.ActiveMembershipMiddleware",
    "axes.middleware.AxesMiddleware",
    "lantoa.core.middleware.NotFoundMiddleware",
]

ROOT_URLCONF = "lantoa.config.urls"
WSGI_APPLICATION = "lantoa.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lantoa.accounts.context_processors.membership",
            ],
        },
    }
]

# Primary, optional read replica, kept connections, JIT off: lantoa/config/database.py.
DATABASES = databases_from_env(os.environ, sqlite_path=DATA_DIR / "lantoa.sqlite3")
# The hot hand-written reads are prepared once per PostgreSQL session (lantoa/core/prepared.py).
LANTOA_DB_PREPARE = prepares_statements(os.environ)
# The public portal and the dashboards read from the replica when there is one, except for a
# user who wrote in the last LANTOA_REPLICA_PIN_SECONDS (lantoa/core/dbrouting.py).
LANTOA_READ_REPLICA = REPLICA if REPLICA in DATABASES else ""
LANTOA_REPLICA_PIN_SECONDS = int(os.environ.get("LANTOA_REPLICA_PIN_SECONDS", "10"))
# The portal home page body is cached until a service changes it, at most this long
# (lantoa/core/publiccache.py).
LANTOA_PORTAL_CACHE_SECONDS = int(os.environ.get("LANTOA_PORTAL_CACHE_SECONDS", "60"))
DATABASE_ROUTERS = ["lantoa.core.dbrouting.ReplicaRouter"]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "lantoa.accounts.backends.UsernameBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Django's rules with Vietnamese messages (lantoa/accounts/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "lantoa.accounts.passwords.MinimumLengthValidator"},
    {"NAME": "lantoa.accounts.passwords.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "overview:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling (lantoa/accounts/throttle.py): an account is locked after
# LANTOA_LOGIN_ACCOUNT_LIMIT failures from any address, an address after
# LANTOA_LOGIN_ADDRESS_LIMIT failures on any accounts, for AXES_COOLOFF_TIME (15 minutes).
LANTOA_LOGIN_ACCOUNT_LIMIT = int(os.environ.get("LANTOA_LOGIN_ACCOUNT_LIMIT", "5"))
LANTOA_LOGIN_ADDRESS_LIMIT = int(os.environ.get("LANTOA_LOGIN_ADDRESS_LIMIT", "30"))
AXES_FAILURE_LIMIT = "lantoa.accounts.throttle.login_failure_limit"
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "lantoa.accounts.throttle.axes_username"
# A success must not wipe the address' failures (one valid account would reset them).
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "lantoa.accounts.views.locked_out"
AXES_VERBOSE = False

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["lantoa.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("LANTOA_MEDIA_ROOT", DATA_DIR / "media"))
# Uploads on the local disk, or on an S3-compatible store when LANTOA_S3_BUCKET is set
# (private objects, served only through core:download): lantoa/config/storage.py.
STORAGES = {
    "default": default_storage_from_env(os.environ),
    # Hashed, gzipped copies made by collectstatic (start.sh), served by WhiteNoise.
    "staticfiles": {"BACKEND": "lantoa.core.staticfiles.StaticFiles"},
}
# Uploads (lantoa.core.uploads): a request body above LANTOA_MAX_REQUEST_BYTES is refused
# (413) before it is read; photos above LANTOA_MAX_IMAGE_PIXELS are refused before decoding.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # form fields and JSON bodies (files excluded)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
LANTOA_MAX_REQUEST_BYTES = 21 * 1024 * 1024
# Digital signatures (documents/signing.py, verification.py): a folder of PKCS#12 keys per
# issuing unit (<unit code>.p12, passwords from LANTOA_SIGNING_PASSWORD_<CODE>, a
# <code>.pass file or LANTOA_SIGNING_PASSWORD) and a folder of trusted root certificates.
LANTOA_SIGNING_KEYS_DIR = os.environ.get("LANTOA_SIGNING_KEYS_DIR", "")
LANTOA_SIGNING_PASSWORD = os.environ.get("LANTOA_SIGNING_PASSWORD", "")
LANTOA_TRUST_ROOTS_DIR = os.environ.get("LANTOA_TRUST_ROOTS_DIR", "")
LANTOA_MAX_IMAGE_BYTES = 10 * 1024 * 1024
LANTOA_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
LANTOA_MAX_IMAGE_PIXELS = 40_000_000

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"


def _email_settings(url: str | None) -> dict:
    if not url:
        # Embedded default: each message is written to a file in the data folder (deleted
        # after LANTOA_EMAIL_FILE_RETENTION_DAYS), never to the server log: addresses of
        # registrants are personal data.
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(DATA_DIR / "mail"),
        }
    if url == "console://":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parts = urlparse(url)
    query = parse_qs(parts.query)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or 25,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": query.get("tls", ["0"])[0] == "1",
        "EMAIL_USE_SSL": query.get("ssl", ["0"])[0] == "1",
    }


globals().update(_email_settings(os.environ.get("LANTOA_EMAIL_URL")))
DEFAULT_FROM_EMAIL = os.environ.get("LANTOA_DEFAULT_FROM_EMAIL", "Lantoa <no-reply@lantoa.local>")

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "lantoa",
        "url": REDIS_URL,
        "immediate": False,
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Embedded default: tasks stored in SQLite next to the database; the
    # `lantoa run_huey` worker is started in-process by start.sh.
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "lantoa",
        "filename": str(DATA_DIR / "tasks.sqlite3"),
        "immediate": False,
    }

# E-mail is sent by the task worker, one task per message (lantoa/notifications/emails.py):
# - LANTOA_EMAIL_RETRIES            retries after a failed attempt (default 5)
# - LANTOA_EMAIL_RETRY_DELAY        seconds before the first retry, doubled each time (default 60)
# - LANTOA_EMAIL_LOG_RETENTION_DAYS addresses, subjects and bodies of the e-mail log are blanked
#                                   after this many days (default 30)
# - LANTOA_EMAIL_FILE_RETENTION_DAYS files of the embedded default's file backend are deleted
#                                   after this many days (default 7)
LANTOA_EMAIL_RETRIES = int(os.environ.get("LANTOA_EMAIL_RETRIES", "5"))
LANTOA_EMAIL_RETRY_DELAY = int(os.environ.get("LANTOA_EMAIL_RETRY_DELAY", "60"))
LANTOA_EMAIL_LOG_RETENTION_DAYS = int(os.environ.get("LANTOA_EMAIL_LOG_RETENTION_DAYS", "30"))
LANTOA_EMAIL_FILE_RETENTION_DAYS = int(os.environ.get("LANTOA_EMAIL_FILE_RETENTION_DAYS", "7"))

# National exports (roll-up .xlsx, consolidated .docx of units at depth <= 1) are built by
# the task worker and kept LANTOA_EXPORT_RETENTION_DAYS days (lantoa/core/exports.py).
LANTOA_EXPORT_WORKER_DEPTH = int(os.environ.get("LANTOA_EXPORT_WORKER_DEPTH", "1"))
LANTOA_EXPORT_RETENTION_DAYS = int(os.environ.get("LANTOA_EXPORT_RETENTION_DAYS", "7"))

# Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses, e.g.
# 127.0.0.1 for nginx on the same machine); none by default.
LANTOA_TRUSTED_PROXIES = tuple(
    a.strip() for a in os.environ.get("LANTOA_TRUSTED_PROXIES", "").split(",") if a.strip()
)

LANTOA_DEMO_PASSWORD = os.environ.get("LANTOA_DEMO_PASSWORD", "hoctapsuotdoi")
# API tokens live one day by default; POST /api/v1/auth/token/renew gives a fresh one.
LANTOA_API_TOKEN_DAYS = int(os.environ.get("LANTOA_API_TOKEN_DAYS", "1"))

# Self-service password reset (/tai-khoan/quen-mat-khau/, lantoa/accounts/services.py):
# - LANTOA_PASSWORD_RESET_TIMEOUT        seconds a reset or invitation link stays valid
#                                        (default 259200 = 3 days); a link also stops working
#                                        once used, since it covers the password hash
# - LANTOA_PASSWORD_RESET_ADDRESS_LIMIT  requests one client address may make per window
#                                        (default 10; offices share a NAT address)
# - LANTOA_PASSWORD_RESET_EMAIL_LIMIT    requests for one e-mail address per window (default 3)
# - LANTOA_PASSWORD_RESET_WINDOW         the window in seconds (default 3600)
PASSWORD_RESET_TIMEOUT = int(os.environ.get("LANTOA_PASSWORD_RESET_TIMEOUT", "259200"))
LANTOA_PASSWORD_RESET_ADDRESS_LIMIT = int(
    os.environ.get("LANTOA_PASSWORD_RESET_ADDRESS_LIMIT", "10")
)
LANTOA_PASSWORD_RESET_EMAIL_LIMIT = int(os.environ.get("LANTOA_PASSWORD_RESET_EMAIL_LIMIT", "3"))
LANTOA_PASSWORD_RESET_WINDOW = int(os.environ.get("LANTOA_PASSWORD_RESET_WINDOW", "3600"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LANTOA_LOG_LEVEL", "WARNING")},
}

# Activities and the public portal (issue 5):
# - LANTOA_REGISTRATION_RATE_LIMIT   registrations a single address may attempt per window
#                                    (default 20; 0 disables; a school or office behind one NAT
#                                    address shares it). The address is REMOTE_ADDR: behind a
#                                    reverse proxy, make the proxy set it to the client's.
# - LANTOA_REGISTRATION_RATE_WINDOW  the window in seconds (default 600)
# - LANTOA_REGISTRATION_RETENTION_DAYS  registrants' names, phones and e-mails are anonymised
#                                    this many days after their campaign ends (default 90)
LANTOA_REGISTRATION_RATE_LIMIT = int(os.environ.get("LANTOA_REGISTRATION_RATE_LIMIT", "20"))
LANTOA_REGISTRATION_RATE_WINDOW = int(os.environ.get("LANTOA_REGISTRATION_RATE_WINDOW", "600"))
LANTOA_REGISTRATION_RETENTION_DAYS = int(os.environ.get("LANTOA_REGISTRATION_RETENTION_DAYS", "90"))

# Reminders (issue 4): days before a deadline to remind units that have not submitted,
# and how many days after it to keep reminding daily.
LANTOA_REMINDER_DAYS_BEFORE = tuple(
    int(d) for d in os.environ.get("LANTOA_REMINDER_DAYS_BEFORE", "3,1").split(",") if d.strip()
)
LANTOA_REMINDER_OVERDUE_DAYS = int(os.environ.get("LANTOA_REMINDER_OVERDUE_DAYS", "7"))
