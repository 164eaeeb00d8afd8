"""Read replica routing with read-your-writes.

When ``DATABASE_REPLICA_URL`` is configured (lantoa/config/database.py), GET and HEAD requests
to the routes in ``REPLICA_ROUTES`` (the public portal and the dashboards: read-only pages
that many people poll) read from the ``replica`` alias. Everything else, every write, and
every read outside a request (task workers, commands) uses the primary.

Read-your-writes: a request that wrote anything (or used POST/PUT/PATCH/DELETE) gets a
cookie pinning that browser to the primary for ``LANTOA_REPLICA_PIN_SECONDS`` (default 10;
streaming replication lags by milliseconds), so an office that has just submitted a report
sees it on the dashboard at once. Within one request, the first write also sends every
later read of that request to the primary. Sessions and login throttling are always read
from the primary, and so is who is asking (the user and memberships are loaded before the
view is resolved). Hand-written reads ask ``router.db_for_read`` for their alias, as the
ORM does.

The decision is kept in a context variable per request (one per gunicorn thread), set by
:class:`ReplicaRoutingMiddleware` and read by :class:`ReplicaRouter`.
"""

import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings

from lantoa.config.database import PRIMARY

PIN_COOKIE = "lantoa_primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# URL names (``namespace:*`` for a whole namespace) whose reads may go to the replica.
REPLICA_ROUTES = (
    "portal:*",
    "dashboards:*",
    "overview:dashboard",
    "reports:completeness",
    "reports:rollup",
    "api:campaign_completeness",
    "api:campaign_rollup",
    "api:public_activities",
)
# Apps whose tables are read from the primary whatever the route.
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes"})


@dataclass
class _Route:
    replica: str = ""  # alias to read from, "" for the primary
    wrote: bool = False


_route: ContextVar[_Route | None] = ContextVar("lantoa_db_route", default=None)


def reads_from() -> str:
    """The alias this request's reads go to now (for tests and the health page)."""
    route = _route.get()
    if route is None or route.wrote or not route.replica:
        return PRIMARY
    return route.replica


class ReplicaRouter:
    """Reads: the replica when the middleware chose it; writes and migrations: the primary."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return PRIMARY
        return reads_from()

    def db_for_write(self, model, **hints):
        route = _route.get()
        if route is not None:
            route.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, **hints):
        return db == PRIMARY


def _route_matches(view_name: str) -> bool:
    namespace = view_name.rsplit(":", 1)[0] if ":" in view_name else ""
    routes = getattr(settings, "LANTOA_REPLICA_ROUTES", REPLICA_ROUTES)
    return view_name in routes or (bool(namespace) and f"{namespace}:*" in routes)


def pinned_to_primary(request) -> bool:
    try:
        return float(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
    except ValueError:
        return False


class ReplicaRoutingMiddleware:
    """Chooses, per request, where reads go; pins a browser that wrote to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _route.set(_Route())
        try:
            response = self.get_response(request)
            route = _route.get()
            if route.wrote or request.method not in SAFE_METHODS:
                seconds = int(getattr(settings, "LANTOA_REPLICA_PIN_SECONDS", 10))
                if getattr(settings, "LANTOA_READ_REPLICA", "") and seconds > 0:
                    response.set_cookie(
                        PIN_COOKIE,
                        f"{time.time() + seconds:.3f}",
                        max_age=seconds,
                        httponly=True,
                        samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE,
                    )
            return response
        finally:
            _route.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        replica = getattr(settings, "LANTOA_READ_REPLICA", "")
        match = request.resolver_match
        if (
            replica
            and request.method in ("GET", "HEAD")
            and match is not None
            and _route_matches(match.view_name)
            and not pinned_to_primary(request)
        ):
            _route.get().replica = replica
        return None
