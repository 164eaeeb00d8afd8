"""Login throttling (django-axes): an account is locked after LANTOA_LOGIN_ACCOUNT_LIMIT
failures from any address, and an address after LANTOA_LOGIN_ADDRESS_LIMIT failures on
any accounts, within AXES_COOLOFF_TIME — so one password tried across many accounts is
throttled too (API.md: "too many failures for an account or address → 429"). The address
limit is higher: offices share one NAT address.

Axes counts failures per parameter (``AXES_LOCKOUT_PARAMETERS = ["username",
"ip_address"]``) with a single limit; ``login_failure_limit`` is that limit, computed per
request so each parameter gets its own.
"""

from django.conf import settings
from django.db.models import Sum

from lantoa.accounts.usernames import username_normalise

UNREACHABLE = 2**31


def axes_username(request, credentials) -> str:
    """AXES_USERNAME_CALLABLE: the username as it is stored, so NFD/NFC or upper/lower
    spellings count against the same account."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = request.POST.get("username") if request.method == "POST" else None
    return username_normalise(raw) if raw else ""


def _failures(request, **lookup) -> int:
    from axes.attempts import get_cool_off_threshold
    from axes.models import AccessAttempt

    qs = AccessAttempt.objects.filter(**lookup)
    if settings.AXES_COOLOFF_TIME:
        qs = qs.filter(attempt_time__gte=get_cool_off_threshold(request))
    return qs.aggregate(n=Sum("failures_since_start"))["n"] or 0


def login_failure_limit(request, credentials) -> int:
    """AXES_FAILURE_LIMIT: 0 (locked) once the account or the address is over its own
    limit, otherwise a count never reached."""
    from axes.helpers import get_client_ip_address

    username = axes_username(request, credentials)
    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    if username and _failures(request, username=username) >= settings.LANTOA_LOGIN_ACCOUNT_LIMIT:
        return 0
    if address and _failures(request, ip_address=address) >= settings.LANTOA_LOGIN_ADDRESS_LIMIT:
        return 0
    return UNREACHABLE
