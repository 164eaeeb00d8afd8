"""Cached fragments of the public portal, invalidated by the services that change them.

The portal's home page is the most-hit page of the product and the same for every visitor:
its body (campaign, live counters, upcoming activities) is rendered once and kept in the
cache (Redis at scale, shared by every worker) under a *portal version*. Services that
change what it shows (activities, registrations, campaigns) call
:func:`public_cache_invalidate`, which moves the version on when their transaction
commits; the next visitor renders afresh. ``LANTOA_PORTAL_CACHE_SECONDS`` (default 60)
bounds how long a fragment lives anyway (a replica behind by a moment, or per-process
caches without Redis, cannot keep an old page longer).
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language

VERSION_KEY = "lantoa:portal:version"


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, str(time.time_ns()), None)
        version = cache.get(VERSION_KEY, "0")
    return version


def _bump() -> None:
    cache.set(VERSION_KEY, str(time.time_ns()), None)


def public_cache_invalidate() -> None:
    """Call from a service that changed what public pages show (after its commit)."""
    transaction.on_commit(_bump)


def public_fragment(name: str, build: Callable[[], str]) -> str:
    """``build()``'s HTML, cached per portal version, language and day."""
    key = f"lantoa:portal:{name}:{_version()}:{get_language()}:{timezone.localdate():%Y%m%d}"
    html = cache.get(key)
    if html is None:
        html = build()
        cache.set(key, html, int(getattr(settings, "LANTOA_PORTAL_CACHE_SECONDS", 60)))
    return html
