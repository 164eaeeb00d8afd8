"""The unit tree's materialised paths, below every app that filters by subtree
(units, history, accounts…): a subtree is one index range."""

from django.db import connection
from django.db.models import Q

# Materialised-path characters are 0-9A-Z, so every descendant path p + "…"
# sorts below p + "[" ("[" follows "Z" in ASCII).
PATH_UPPER = "["


def subtree_q(path: str, field: str = "path") -> Q:
    """Rows whose ``field`` lies in the subtree rooted at ``path`` (one index range scan)."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": path})
    return Q(**{f"{field}__gte": path, f"{field}__lt": path + PATH_UPPER})
