"""Vietnamese date entry: day first, parsed on the server, never the browser's date picker."""

from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from lantoa.core.dates import (
    VietnameseDateField,
    VietnameseDateTimeField,
    parse_vietnamese_date,
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("02/10/2023", date(2023, 10, 2)),  # 2 October, not 10 February
        ("2/10/2023", date(2023, 10, 2)),
        (" 02-10-2023 ", date(2023, 10, 2)),
        ("02.10.2023", date(2023, 10, 2)),
        ("29/02/2024", date(2024, 2, 29)),
        ("2023-10-02", date(2023, 10, 2)),  # ISO from old links
        ("", None),
        (None, None),
    ],
)
def test_parse_vietnamese_dates(text, expected):
    assert parse_vietnamese_date(text) == expected


@pytest.mark.parametrize(
    "text", ["10/2023", "31/02/2023", "29/02/2023", "02/13/2023", "02/10/23", "hôm nay", "1/1/1800"]
)
def test_bad_dates_are_refused_in_vietnamese(text):
    with pytest.raises(ValidationError) as exc:
        parse_vietnamese_date(text)
    assert "ngày/tháng/năm, ví dụ 02/10/2023" in exc.value.messages[0]


def test_date_field_renders_a_text_box_with_the_hint():
    field = VietnameseDateField()
    html = field.widget.render("d", date(2023, 10, 2))
    assert 'type="text"' in html and 'value="02/10/2023"' in html
    assert 'placeholder="dd/mm/yyyy"' in html and "data-date-mask" in html
    assert 'type="date"' not in html
    assert "02/10/2023" in str(field.help_text)
    assert field.clean("2/10/2023") == date(2023, 10, 2)
    with pytest.raises(ValidationError):
        field.clean("10/02/23")


def test_datetime_field_day_first_in_local_time():
    field = VietnameseDateTimeField()
    value = field.clean("02/10/2023 14:30")
    assert timezone.localtime(value).replace(tzinfo=None) == datetime(2023, 10, 2, 14, 30)
    assert field.clean("2023-10-02T14:30") == value
    assert field.widget.format_value(value) == "02/10/2023 14:30"
    for bad in ("02/10/2023", "02/10/2023 25:00", "14:30"):
        with pytest.raises(ValidationError):
            field.clean(bad)
