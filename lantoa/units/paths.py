"""Columns elsewhere that copy a unit's materialised path (e.g. a document's ``area_path``).

Apps above ``units`` register them once (in ``AppConfig.ready``), so a move rewrites them in
the same transaction with one set-based UPDATE each, without ``units`` importing upwards.
"""

import json
from collections.abc import Callable

from django.db import connection
from django.db.models import Value
from django.db.models.functions import Concat, Substr

from lantoa.core.bulk import json_rows
from lantoa.units.models import subtree_q

_COPIES: list[tuple[type, str]] = []


def path_copy_register(model: type, field: str) -> None:
    if (model, field) not in _COPIES:
        _COPIES.append((model, field))


def path_copies_move(*, old_path: str, new_path: str) -> int:
    """Rewrite every registered copy under ``old_path`` to lie under ``new_path``."""
    changed = 0
    for model, field in _COPIES:
        changed += model.objects.filter(subtree_q(old_path, field)).update(
            **{field: Concat(Value(new_path), Substr(field, len(old_path) + 1))}
        )
    return changed


# --- units moved: apps above ``units`` follow (e.g. open campaigns' reporting trees) ------

_MOVED_HOOKS: list[Callable[..., None]] = []


def units_moved_register(hook: Callable[..., None]) -> None:
    """``hook(unit_ids=[...], old_paths={id: path})`` runs after units moved (their paths
    already rewritten), in the same transaction."""
    if hook not in _MOVED_HOOKS:
        _MOVED_HOOKS.append(hook)


def units_moved(unit_ids: list[int], *, old_paths: dict[int, str]) -> None:
    """Announce moved units once (a restructuring sheet announces all its moves at once).
    ``old_paths``: the path before the move of every unit whose path changed (at least the
    moved ones; their subtrees too when other moves may lie inside them)."""
    for hook in _MOVED_HOOKS:
        hook(unit_ids=list(unit_ids), old_paths=dict(old_paths))


# --- set-based writes from a list of rows (bulk restructuring) ---------------------------


def path_copies_remap(mapping: dict[str, str]) -> int:
    """Rewrite every registered copy equal to an old unit path (``mapping``: old → new) in
    one statement per copy (a bulk restructuring: every unit whose path changes is listed)."""
    if not mapping:
        return 0
    rows = json.dumps([{"old": old, "new": new} for old, new in mapping.items()])
    source = json_rows([("old", "text"), ("new", "text")])
    changed = 0
    with connection.cursor() as cursor:
        for model, field in _COPIES:
            table, column = model._meta.db_table, model._meta.get_field(field).column
            cursor.execute(
                f"UPDATE {table} SET {column} = m.new FROM {source} "  # noqa: S608 — our names
                f"WHERE {table}.{column} = m.old",
                [rows],
            )
            changed += cursor.rowcount
    return changed
