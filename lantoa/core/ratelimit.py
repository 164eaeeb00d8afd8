"""Rate limits that hold across processes.

``rate_count(key=..., window=...)`` records one hit of ``key`` in the current fixed window
and returns the hits so far, counted in a store every worker shares: Redis when
``REDIS_URL`` is set (atomic INCR), the database otherwise (an atomic UPDATE on
``RateCounter``). A per-process memory cache would let N workers accept N times the limit.
When the store cannot be reached it raises ``RateLimitUnavailable``: callers refuse the
request (fail closed) with a clear message rather than let it through unchecked.
"""

import time

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F

from lantoa.core.models import RateCounter


class RateLimitUnavailable(Exception):
    """The shared counter cannot be reached."""


def rate_count(*, key: str, window: int) -> int:
    slot = int(time.time() // window)
    if settings.REDIS_URL:
        return _redis_count(f"lantoa:rate:{key}:{slot}", window)
    return _database_count(key[:200], slot)


def _redis_count(key: str, window: int) -> int:
    from django.core.cache import caches

    cache = caches["default"]
    try:
        cache.add(key, 0, timeout=window + 5)
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        try:
            cache.set(key, 1, timeout=window + 5)
        except Exception as exc:
            raise RateLimitUnavailable from exc
        return 1
    except Exception as exc:  # redis.ConnectionError, TimeoutError…
        raise RateLimitUnavailable from exc


def _database_count(key: str, slot: int) -> int:
    try:
        with transaction.atomic():
            hits = RateCounter.objects.filter(key=key, window=slot)
            if not hits.update(count=F("count") + 1):
                try:
                    with transaction.atomic():
                        RateCounter.objects.create(key=key, window=slot, count=1)
                except IntegrityError:  # another process created it first
                    hits.update(count=F("count") + 1)
                else:
                    RateCounter.objects.filter(window__lt=slot - 1).delete()
            return hits.values_list("count", flat=True).get()
    except DatabaseError as exc:
        raise RateLimitUnavailable from exc
