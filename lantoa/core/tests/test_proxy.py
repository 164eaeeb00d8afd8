"""Behind a trusted reverse proxy the client's address comes from X-Forwarded-For; from
anyone else the header is ignored."""

from django.http import HttpResponse
from django.test import RequestFactory

from lantoa.core.middleware import TrustedProxyMiddleware


def _seen(settings, remote: str, forwarded: str | None, trusted=("127.0.0.1",)) -> str:
    settings.LANTOA_TRUSTED_PROXIES = trusted
    seen = {}

    def view(request):
        seen["addr"] = request.META["REMOTE_ADDR"]
        return HttpResponse()

    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    TrustedProxyMiddleware(view)(RequestFactory().get("/", **headers))
    return seen["addr"]


def test_client_address_from_the_trusted_proxy(settings):
    assert _seen(settings, "127.0.0.1", "203.0.113.7") == "203.0.113.7"
    # A forged entry sent by the client stays on the left: the proxy's own entry wins.
    assert _seen(settings, "127.0.0.1", "10.9.9.9, 203.0.113.7") == "203.0.113.7"
    # Two proxies in a row.
    assert _seen(settings, "127.0.0.1", "203.0.113.7, 10.0.0.2", ("127.0.0.1", "10.0.0.2")) == (
        "203.0.113.7"
    )


def test_forwarded_header_is_ignored_from_anyone_else(settings):
    assert _seen(settings, "198.51.100.1", "203.0.113.7") == "198.51.100.1"
    assert _seen(settings, "127.0.0.1", "203.0.113.7", trusted=()) == "127.0.0.1"
    assert _seen(settings, "127.0.0.1", None) == "127.0.0.1"
