"""Who may see the installation's internals (named predicates)."""

__all__ = ["can_see_health_details"]


def can_see_health_details(user) -> bool:
    """Queue depth, e-mail backlog, scheduled jobs: superusers and staff only."""
    return bool(getattr(user, "is_authenticated", False)) and (
        bool(getattr(user, "is_superuser", False)) or bool(getattr(user, "is_staff", False))
    )
