"""Who may remind units and resend e-mail (see ``lantoa.accounts.permissions``)."""

from lantoa.accounts.permissions import Role, has_role


def can_send_reminders(user, unit) -> bool:
    """Remind the units below ``unit`` that have not reported: its editors and leaders."""
    return has_role(user, unit, Role.EDITOR)


def can_retry_email(user, sender_unit) -> bool:
    """Send a failed message again: the sending office."""
    return sender_unit is not None and has_role(user, sender_unit, Role.EDITOR)
