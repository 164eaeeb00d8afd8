"""Columns elsewhere that copy a unit's materialised path (e.g. a document's ``area_path``).

Apps above ``units`` register them once (in ``AppConfig.ready``), so a move rewrites them in
the same transaction with one set-based UPDATE each, without ``units`` importing upwards.
"""

from django.db.models import Value
from django.db.models.functions import Concat, Substr

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
