"""Template filters for Vietnamese display: money in đồng, numbers 1.234.567."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def dong(value) -> str:
    if value in (None, ""):
        return ""
    return f"{number_format(int(value), force_grouping=True)} đ"


@register.filter
def num(value) -> str:
    if value in (None, ""):
        return ""
    return number_format(value, force_grouping=True)


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def change_value(value) -> str:
    """A before/after value in the history: none → "—", booleans in words."""
    from django.utils.translation import gettext

    if value is None or value == "":
        return "—"
    if value is True:
        return gettext("có")
    if value is False:
        return gettext("không")
    return str(value)
