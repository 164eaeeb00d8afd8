"""Who may see the installation's internals (named predicates)."""

from lantoa.accounts.permissions import is_superuser

__all__ = ["can_see_health_details"]


def can_see_health_details(user) -> bool:
    """Queue depth, e-mail backlog, scheduled jobs: superusers and staff only."""
    return bool(getattr(user, "is_authenticated", False)) and (
        is_superuser(user) or bool(getattr(user, "is_staff", False))
    )
