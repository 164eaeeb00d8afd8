"""Repeated rows of a plain HTML form (``code_0``, ``code_1``… or ``duty_text_0``…) read
with Django forms: one small form per row, rows read until the first missing index and
never past a fixed cap, so the client does not choose the loop bound."""

from __future__ import annotations

from django import forms


class IndexedRowForm(forms.Form):
    """One row; its fields are named ``pattern.format(field=…, index=…)``."""

    pattern = "{field}_{index}"

    def __init__(self, data, index: int):
        self.index = index
        super().__init__(data, prefix=str(index))

    def add_prefix(self, field_name: str) -> str:
        return self.pattern.format(field=field_name, index=self.index)

    @classmethod
    def present(cls, data, index: int) -> bool:
        return any(cls.pattern.format(field=name, index=index) in data for name in cls.base_fields)

    def raw(self, field_name: str) -> str:
        return str(self.data.get(self.add_prefix(field_name), ""))


def indexed_rows(form_class: type[IndexedRowForm], data, limit: int) -> list[IndexedRowForm]:
    rows = []
    for index in range(limit):
        if not form_class.present(data, index):
            break
        rows.append(form_class(data, index))
    return rows
