"""Dates as Vietnamese users write them: ngày/tháng/năm (02/10/2023 is 2 October), never the
browser's locale date picker (which shows month-first dates on many phones).

``parse_vietnamese_date`` reads 2/10/2023, 02-10-2023, 02.10.2023 and, for links and old
bookmarks, ISO 2023-10-02. ``VietnameseDateField`` is the form field every page uses: a text
input with a dd/mm/yyyy hint and a typing mask (static/forms.js)."""

import re
from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_DMY = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_TIME = re.compile(r"^\s*(\d{1,2})[:hH](\d{2})\s*$")
MIN_YEAR, MAX_YEAR = 1900, 2100
HINT = _("ngày/tháng/năm, ví dụ 02/10/2023")
INVALID = _("Ngày không hợp lệ: nhập theo dạng ngày/tháng/năm, ví dụ 02/10/2023.")


def parse_vietnamese_date(value) -> date | None:
    """``None`` for an empty value; ValidationError (Vietnamese) for anything else not a date."""
    if value is None or isinstance(value, date):
        return value
    text = str(value).strip()
    if not text:
        return None
    if m := _DMY.match(text):
        day, month, year = (int(g) for g in m.groups())
    elif m := _ISO.match(text):
        year, month, day = (int(g) for g in m.groups())
    else:
        raise ValidationError(INVALID, code="invalid")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(INVALID, code="invalid")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError(INVALID, code="invalid") from None


class VietnameseDateInput(forms.TextInput):
    """A text box, never ``type=date``: dd/mm/yyyy shown, typed digits get their slashes."""

    def __init__(self, attrs=None):
        base = {
            "inputmode": "numeric",
            "placeholder": "dd/mm/yyyy",
            "autocomplete": "off",
            "maxlength": "10",
            "data-date-mask": "",
            "size": "10",
        }
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, date):
            return value.strftime("%d/%m/%Y")
        return super().format_value(value)


class VietnameseDateField(forms.DateField):
    widget = VietnameseDateInput
    default_error_messages = {"invalid": INVALID}

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", HINT)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, datetime):
            return value.date()
        return parse_vietnamese_date(value)


class VietnameseDateTimeInput(forms.TextInput):
    def __init__(self, attrs=None):
        base = {"placeholder": "dd/mm/yyyy hh:mm", "autocomplete": "off", "maxlength": "16"}
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, datetime):
            from django.utils import timezone

            if timezone.is_aware(value):
                value = timezone.localtime(value)
            return value.strftime("%d/%m/%Y %H:%M")
        return super().format_value(value)


class VietnameseDateTimeField(forms.DateTimeField):
    """ "02/10/2023 14:00" (also ISO 2023-10-02T14:00); local time."""

    widget = VietnameseDateTimeInput
    default_error_messages = {
        "invalid": _(
            "Thời gian không hợp lệ: nhập ngày/tháng/năm giờ:phút, ví dụ 02/10/2023 14:00."
        )
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("ngày/tháng/năm giờ:phút, ví dụ 02/10/2023 14:00"))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, datetime) or value in self.empty_values:
            return super().to_python(value)
        text = str(value).strip().replace("T", " ")
        day_part, _sep, time_part = text.rpartition(" ")
        if not day_part:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            day = parse_vietnamese_date(day_part)
        except ValidationError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        m = _TIME.match(time_part) or re.match(r"^\s*(\d{1,2}):(\d{2}):\d{2}\s*$", time_part)
        if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(
            datetime(day.year, day.month, day.day, int(m.group(1)), int(m.group(2)))
        )
