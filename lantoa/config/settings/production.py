"""Production: HTTPS, secure cookies, hashed static files. Requires LANTOA_SECRET_KEY."""

import os

from .base import *  # noqa: F403

SECRET_KEY = os.environ["LANTOA_SECRET_KEY"]
DEBUG = False
SECURE_SSL_REDIRECT = os.environ.get("LANTOA_SSL_REDIRECT", "1") == "1"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("LANTOA_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
STORAGES = {
    "default": STORAGES["default"],  # noqa: F405 (disk or S3, see lantoa/config/storage.py)
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
