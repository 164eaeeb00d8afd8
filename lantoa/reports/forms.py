"""The indicator-set editor's rows (``code_0``, ``name_0``…; ``left_0``…) read with
Django forms (``core.rowforms``): bounded, never a client-chosen loop bound."""

from __future__ import annotations

from django import forms

from lantoa.core.rowforms import IndexedRowForm, indexed_rows

MAX_INDICATORS = 300
MAX_RULES = 300


class IndicatorRowForm(IndexedRowForm):
    code = forms.CharField(required=False, max_length=64)
    name = forms.CharField(required=False, max_length=255)
    group = forms.CharField(required=False, max_length=255)
    uom = forms.CharField(required=False, max_length=16)


class RuleRowForm(IndexedRowForm):
    left = forms.CharField(required=False, max_length=64)
    right = forms.CharField(required=False, max_length=64)
    message = forms.CharField(required=False, max_length=500)


def indicator_set_from_post(data) -> tuple[list[dict], list[dict]]:
    """(indicators, rules) as ``indicator_set_update`` takes them; blank rows left out.
    Overlong values are cut to the field's length by the service's own checks."""
    indicators = []
    for row in indexed_rows(IndicatorRowForm, data, MAX_INDICATORS):
        code, name = row.raw("code").strip(), row.raw("name").strip()
        if not code and not name:
            continue
        indicators.append(
            {
                "code": code,
                "name": row.raw("name"),
                "group": row.raw("group"),
                "unit_of_measure": row.raw("uom") or "count",
            }
        )
    rules = []
    for row in indexed_rows(RuleRowForm, data, MAX_RULES):
        left = row.raw("left").strip()
        if not left:
            continue
        rules.append(
            {"left_code": left, "right_code": row.raw("right"), "message": row.raw("message")}
        )
    return indicators, rules
