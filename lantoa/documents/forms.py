"""The document editor's form: Django forms for the fields and the repeated rows
(sections, duties), so the page never parses ``request.POST`` by hand and the client
never chooses a loop bound (``core.rowforms``). Field names are the editor's
(``section_heading_0``, ``duty_target_0``…), so the template is unchanged."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from lantoa.core.dates import VietnameseDateField
from lantoa.core.errors import NotFound
from lantoa.core.rowforms import IndexedRowForm, indexed_rows
from lantoa.documents import selectors, services
from lantoa.documents.signers import signer_dict, signer_get
from lantoa.units.models import Unit

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
MAX_SECTIONS = 60
MAX_DUTIES = 200
MAX_IDS = 5000


class IdListField(forms.Field):
    """Several ``<select multiple>``/checkbox values that are row ids."""

    widget = forms.SelectMultiple

    def to_python(self, value) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        if len(values) > MAX_IDS:
            raise ValidationError(_("Chọn quá nhiều mục."))
        ids = []
        for v in values:
            v = str(v).strip()
            if not v.isdigit() or len(v) > 18:
                raise ValidationError(_("Không tìm thấy mục đã chọn."))
            ids.append(int(v))
        return list(dict.fromkeys(ids))


def _date_field() -> forms.DateField:
    return VietnameseDateField(required=False)


class DocumentForm(forms.Form):
    kind = forms.CharField(required=False, max_length=32)
    subject = forms.CharField(required=False, max_length=1000)
    place = forms.CharField(required=False, max_length=200)
    theme = forms.CharField(required=False, max_length=1000)
    starts_on = _date_field()
    ends_on = _date_field()
    venue = forms.CharField(required=False, max_length=1000)
    event_form = forms.CharField(required=False, max_length=32)
    report_due_on = _date_field()
    # "Báo cáo về": empty = the issuer.
    report_to_unit = forms.CharField(required=False, max_length=20)
    recipient_units = IdListField(required=False)
    # Recipients informed only ("để biết"): ticking one also makes it a recipient.
    recipient_info = IdListField(required=False)
    recipient_text = forms.CharField(required=False, max_length=20000)
    based_on = IdListField(required=False)
    signer_id = forms.CharField(required=False, max_length=20)
    signer_authority = forms.CharField(required=False, max_length=255)
    signer_title = forms.CharField(required=False, max_length=255)
    signer_name = forms.CharField(required=False, max_length=255)


class SectionForm(IndexedRowForm):
    pattern = "section_{field}_{index}"
    key = forms.CharField(required=False, max_length=50)
    heading = forms.CharField(required=False, max_length=500)
    body = forms.CharField(required=False, strip=False, max_length=100000)


class DutyForm(IndexedRowForm):
    pattern = "duty_{field}_{index}"
    target = forms.CharField(required=False, max_length=60)
    text = forms.CharField(required=False, max_length=5000)
    due = _date_field()


def _errors(form: forms.Form, data) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, messages in form.errors.items():
        field = form.fields.get(name)
        if isinstance(field, forms.DateField):
            raw = data.get(form.add_prefix(name), "")
            messages = [_("Ngày “%(v)s” không hợp lệ (dd/mm/yyyy).") % {"v": raw}]
        errors.setdefault(name, []).extend(messages)
    return errors


def _signer(cd: dict, issuer: Unit | None) -> dict:
    """The signer chosen from the issuer's list, or typed in."""
    if cd["signer_id"] and issuer is not None:
        try:
            return signer_dict(signer_get(issuer, cd["signer_id"]))
        except NotFound:
            raise ValidationError({"signer": _("Không tìm thấy người ký đã chọn.")})
    return {
        "authority": cd["signer_authority"],
        "title": cd["signer_title"],
        "name": cd["signer_name"],
    }


def document_form_data(data, *, user, issuer: Unit | None) -> dict:
    """The editor's POST as the keyword arguments of ``document_create``/``document_update``;
    ``ValidationError`` (Vietnamese, per field) for anything malformed."""
    form = DocumentForm(data)
    sections = indexed_rows(SectionForm, data, MAX_SECTIONS)
    duties = indexed_rows(DutyForm, data, MAX_DUTIES)
    errors: dict[str, list[str]] = {}
    for f in (form, *sections, *duties):
        if not f.is_valid():
            for name, messages in _errors(f, data).items():
                errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    cd = form.cleaned_data
    recipients = _unit_recipients(cd["recipient_units"], cd["recipient_info"])
    recipients += [
        services.RecipientIn(text=line.strip())
        for line in cd["recipient_text"].splitlines()
        if line.strip()
    ]
    assignments = []
    for duty in duties:
        target, text = duty.cleaned_data["target"], duty.cleaned_data["text"].strip()
        if not target and not text:
            continue
        unit, kind = None, ""
        if target.startswith("unit:") and target[5:].isdigit() and len(target) < 25:
            unit = Unit.objects.filter(pk=int(target[5:])).first()
        elif target.startswith("kind:"):
            kind = target[5:]
        assignments.append(
            services.AssignmentIn(
                text=text, unit=unit, unit_kind=kind, due_on=duty.cleaned_data["due"]
            )
        )
    based_on = list(selectors.documents_visible(user).filter(pk__in=cd["based_on"]))
    if len(based_on) != len(cd["based_on"]):
        raise ValidationError({"based_on": _("Không tìm thấy văn bản căn cứ.")})
    return {
        "kind": cd["kind"] or "ke_hoach",
        "report_to_unit": _report_to(cd["report_to_unit"]),
        "subject": cd["subject"],
        "sections": [{k: s.cleaned_data[k] for k in ("key", "heading", "body")} for s in sections],
        "recipients": recipients,
        "assignments": assignments,
        "based_on": based_on,
        "signer": _signer(cd, issuer),
        "report_due_on": cd["report_due_on"],
        "place": cd["place"],
        "theme": cd["theme"],
        "starts_on": cd["starts_on"],
        "ends_on": cd["ends_on"],
        "venue": cd["venue"],
        "event_form": cd["event_form"],
    }


def _unit_recipients(ids: list[int], info_ids: list[int]) -> list[services.RecipientIn]:
    """The ticked recipients in order, then those ticked only "để biết"."""
    wanted = list(dict.fromkeys([*ids, *info_ids]))
    units = Unit.objects.in_bulk(wanted)
    if len(units) != len(wanted):
        raise ValidationError({"recipients": _("Không tìm thấy đơn vị nhận đã chọn.")})
    informed = set(info_ids)
    return [services.RecipientIn(unit=units[pk], reports=pk not in informed) for pk in wanted]


def _report_to(value: str) -> Unit | None:
    value = value.strip()
    if not value:
        return None
    found = value.isdigit() and len(value) <= 18
    unit = Unit.objects.filter(pk=int(value)).first() if found else None
    if unit is None:
        raise ValidationError({"report_to_unit": _("Không tìm thấy đơn vị nhận báo cáo đã chọn.")})
    return unit


def posted_sections(data) -> list[dict]:
    """The sections as typed (to show the form again after an error)."""
    return [
        {name: row.raw(name) for name in ("key", "heading", "body")}
        for row in indexed_rows(SectionForm, data, MAX_SECTIONS)
    ]


def posted_duties(data) -> list[dict]:
    """The duty rows as typed (to show the form again after an error)."""
    return [
        {"target": row.raw("target"), "text": row.raw("text"), "due_raw": row.raw("due")}
        for row in indexed_rows(DutyForm, data, MAX_DUTIES)
    ]


def posted_ids(data, name: str) -> list[int]:
    """Ids of a multiple choice as posted; anything that is not an id is left out."""
    return [int(v) for v in data.getlist(name)[:MAX_IDS] if v.isdigit() and len(v) <= 18]
