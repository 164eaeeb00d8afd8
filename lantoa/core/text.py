"""Vietnamese text: NFC normalisation and diacritic-insensitive search keys."""

import unicodedata

from django.db.models import Q

_SPECIAL = str.maketrans({"đ": "d", "Đ": "d"})


def nfc(value: str | None) -> str:
    """Normalise to NFC (what Vietnamese keyboards on Windows do not always produce)."""
    return unicodedata.normalize("NFC", value or "").strip()


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
