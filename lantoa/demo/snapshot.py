"""Build the demo world once per test session, then restore it by bulk insert.

Building the demo through the services (history, numbering, versions, …) takes about
a second; tests need it hundreds of times. The first build is captured row by row and
later tests get the same rows (same primary keys) re-inserted in one transaction.
Timestamps are kept as captured (auto_now is bypassed while restoring).
"""

import copy
from contextlib import contextmanager

from django.apps import apps
from django.core.management import call_command
from django.db import connection, models, transaction

SKIP = {("contenttypes", "contenttype"), ("auth", "permission"), ("sessions", "session")}

_captured: list[tuple[type[models.Model], list[dict]]] | None = None


def _models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if (m._meta.app_label, m._meta.model_name) not in SKIP
        and not m._meta.proxy
        and m._meta.managed
    ]


@contextmanager
def _no_auto_now():
    fields = [
        f
        for m in _models()
        for f in m._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add


def load_demo() -> None:
    """Put the demo world into the (empty) test database."""
    global _captured
    if _captured is None:
        call_command("demo", verbosity=0)
        _captured = [(m, list(m._base_manager.order_by().values())) for m in _models()]
        _captured = [(m, rows) for m, rows in _captured if rows]
        return
    with _no_auto_now(), transaction.atomic():
        for model, rows in _captured:
            # Deep copies: a test mutating a JSON value must not change later tests' world.
            model._base_manager.bulk_create(
                [model(**copy.deepcopy(row)) for row in rows], batch_size=500
            )
    if connection.vendor == "postgresql":
        sql = connection.ops.sequence_reset_sql(_NoStyle(), [m for m, _ in _captured])
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)


class _NoStyle:
    def __getattr__(self, name):
        return lambda text: text
