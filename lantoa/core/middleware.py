import re

from django.conf import settings
from django.http import Http404
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.translation import gettext as _

from lantoa.core.errors import NotFound
from lantoa.core.problems import problem
from lantoa.core.text import clean_input


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Vietnamese unless the user chose another language (the language cookie).

    Offices often run English-language browsers and Windows; Django's default would
    follow the browser's Accept-Language and show them English.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class NotFoundMiddleware:
    """``NotFound`` from a selector or service (missing, or outside the user's scope)
    is a 404 page: decided here once, so views need not catch it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            raise Http404 from exception
        return None


class CleanTextInputMiddleware:
    """Form posts arrive NFC-normalised, without control characters (``\\x01``, ``\\x0b``
    pasted from Word), before any form or service sees them; password fields untouched."""

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type in self.FORM_TYPES:
            cleaned = request.POST.copy()
            for key, values in cleaned.lists():
                if "password" not in key:
                    cleaned.setlist(key, [clean_input(v) for v in values])
            cleaned._mutable = False
            request.POST = cleaned
        return self.get_response(request)


INT64_MAX = 2**63 - 1
_INTEGER = re.compile(r"[+-]?\d+")


def _out_of_range(value: str) -> bool:
    return bool(_INTEGER.fullmatch(value)) and (len(value) > 19 or abs(int(value)) > INT64_MAX)


class BoundedNumbersMiddleware:
    """An integer beyond 64 bits in the path (an id) or a query parameter (``page``, a
    filter) is refused before any view converts it or hands it to the database: 400
    problem+json in the API, the 404 page elsewhere — never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        parts = [p for p in request.path_info.split("/") if p]
        values = [v for _key, items in request.GET.lists() for v in items]
        if any(_out_of_range(v.strip()) for v in parts + values):
            if request.path_info.startswith("/api/"):
                return problem(
                    400, _("Giá trị số vượt quá giới hạn cho phép."), code="number_out_of_range"
                )
            raise Http404
        return self.get_response(request)


class TrustedProxyMiddleware:
    """Behind a reverse proxy, REMOTE_ADDR is the proxy's address: every citizen would share
    one registration rate-limit bucket and one login-throttling address. When the request
    comes from one of ``LANTOA_TRUSTED_PROXIES`` (comma-separated addresses), REMOTE_ADDR
    becomes the client address that proxy appended to X-Forwarded-For (the rightmost entry
    not itself a trusted proxy). From anyone else, X-Forwarded-For is ignored: it can be forged.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = frozenset(getattr(settings, "LANTOA_TRUSTED_PROXIES", ()))

    def __call__(self, request):
        if self.trusted and request.META.get("REMOTE_ADDR") in self.trusted:
            chain = [
                a.strip()
                for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
                if a.strip()
            ]
            for address in reversed(chain):
                if address not in self.trusted:
                    request.META["REMOTE_ADDR"] = address[:45]
                    break
        return self.get_response(request)
