"""Where to go after a form: a ``next`` the client sent is followed only if it stays on this
site (no open redirect to another host or scheme)."""

from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, fallback, *args) -> str:
    """``next`` (form field, then query) when it is a local URL; otherwise ``fallback``
    (a URL, or a URL name resolved with ``args``)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(fallback, *args)
