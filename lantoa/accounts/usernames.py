"""Usernames: one spelling per account.

A username is stored NFC-normalised and lower-case, and may hold only Latin letters (with
Vietnamese diacritics: ``cán.bộ``), digits and ``. _ - @``: no spaces, no control or
invisible characters, no look-alike letters from other scripts. Login normalises what was
typed the same way, so NFC and NFD ``cán.bộ`` (a Mac and a Windows keyboard) are one account,
for authentication and for login throttling alike.
"""

import string
import unicodedata

from django.utils.translation import gettext as _

from lantoa.core.text import nfc

MAX_LENGTH = 150
_PLAIN = set(string.ascii_lowercase + string.digits + "._-@")


def username_normalise(raw: str | None) -> str:
    return nfc(raw or "").lower()


def _safe_char(c: str) -> bool:
    if c in _PLAIN or c == "đ":
        return True
    base, *marks = unicodedata.normalize("NFD", c)
    return base in string.ascii_lowercase and all(unicodedata.category(m) == "Mn" for m in marks)


def username_problem(name: str) -> str | None:
    """Why ``name`` (already normalised) cannot be a username, or None."""
    if not name:
        return _("Tên đăng nhập không được để trống.")
    if len(name) > MAX_LENGTH:
        return _("Tên đăng nhập dài tối đa %(n)s ký tự.") % {"n": MAX_LENGTH}
    if not all(_safe_char(c) for c in name):
        return _(
            "Tên đăng nhập chỉ gồm chữ cái (có thể có dấu tiếng Việt), chữ số và các dấu . _ - @"
        )
    return None
