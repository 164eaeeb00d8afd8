"""Vietnamese text: NFC normalisation and diacritic-insensitive search keys."""

import re
import unicodedata

from django.db.models import Q

_SPECIAL = str.maketrans({"đ": "d", "Đ": "d"})


# C0/C1 control characters (Word pastes \x01, \x0b…), lone surrogates and the two
# non-characters XML forbids; tab and line feed stay.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def nfc(value: str | None) -> str:
    """Normalise to NFC (what Vietnamese keyboards on Windows do not always produce),
    drop control characters (kept: tab, line feed; CR LF becomes LF) and trim."""
    text = unicodedata.normalize("NFC", value or "")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


def clean_input(value: str) -> str:
    """Text as it arrives from a form or the API: NFC, no control characters (tab and line
    breaks kept, CR LF → LF); not trimmed (forms and services decide that)."""
    text = unicodedata.normalize("NFC", value)
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def clean_input_deep(data, *, keep=lambda key: "password" in str(key)):
    """``clean_input`` on every string of a parsed JSON body; values under keys for which
    ``keep(key)`` is true (passwords: compared byte for byte) are left as they are."""
    if isinstance(data, str):
        return clean_input(data)
    if isinstance(data, list):
        return [clean_input_deep(v, keep=keep) for v in data]
    if isinstance(data, dict):
        return {k: v if keep(k) else clean_input_deep(v, keep=keep) for k, v in data.items()}
    return data


def xml_safe(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot hold (for DOCX/XLSX output)."""
    return _CONTROL.sub("", value)


def fold(value: str | None) -> str:
    """Search key: lower case, no diacritics, single spaces ("Phường Bồ Đề" → "phuong bo de")."""
    text = unicodedata.normalize("NFD", (value or "").translate(_SPECIAL))
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return " ".join(text.lower().translate(_SPECIAL).split())


def search_q(q: str, field: str = "search_text") -> Q:
    """Every word of ``q``, folded, must appear in the folded ``field``."""
    query = Q()
    for word in fold(q).split():
        query &= Q(**{f"{field}__contains": word})
    return query
