"""Test settings: fast hasher, in-memory e-mail, tasks run immediately."""

import os

os.environ.setdefault(
    "LANTOA_DATA_DIR", os.path.join(os.path.dirname(__file__), "../../../var/test")
)

from .base import *  # noqa: E402,F403
from .base import DATA_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
HUEY = {"huey_class": "huey.MemoryHuey", "name": "lantoa-test", "immediate": True}
MEDIA_ROOT = DATA_DIR / "media-test"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True
DEBUG = False
