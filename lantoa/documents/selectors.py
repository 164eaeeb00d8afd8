"""Reads for documents. Scope: a document is visible to the users of its issuing and
drafting units (and their ancestors), of the units it was delivered to, and of the
units consulted on it — always through ``document_get_for_user``."""

from __future__ import annotations

import difflib
from datetime import date

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from lantoa.accounts.selectors import memberships_for_user, scope_q
from lantoa.campaigns.models import Campaign
from lantoa.core.errors import NotFound
from lantoa.core.text import search_q
from lantoa.documents.models import (
    Assignment,
    AssignmentProgress,
    AssignmentStatus,
    Consultation,
    ConsultationAnswer,
    Delivery,
    Document,
    DocumentState,
    DocumentVersion,
)
from lantoa.documents.permissions import can_see_deliveries, can_see_versions
from lantoa.documents.services import default_report_due_on, document_area
from lantoa.units.models import Unit, UnitKind

# What a citation, a list row or an inbox row shows (no sections, no search key).
CITATION_FIELDS = (
    "id",
    "kind",
    "number",
    "symbol",
    "issued_on",
    "subject",
    "issuer_unit_id",
    "issuer_unit__name",
    "issuer_unit__depth",
)


def _visible_q(user) -> Q:
    if getattr(user, "is_superuser", False):
        return Q()
    delivered = Delivery.objects.filter(scope_q(user, "unit__path"), document_id=OuterRef("pk"))
    consulted = Consultation.objects.filter(
        scope_q(user, "units__path"), document_id=OuterRef("pk")
    )
    return (
        scope_q(user, "issuer_unit__path")
        | scope_q(user, "drafting_unit__path")
        | Q(Exists(delivered))
        | Q(Exists(consulted))
    )


def documents_visible(user) -> QuerySet[Document]:
    return Document.objects.filter(_visible_q(user))


def document_get_for_user(user, document_id) -> Document:
    try:
        return (
            documents_visible(user)
            .select_related(
                "issuer_unit", "drafting_unit", "campaign", "replaces", "report_to_unit"
            )
            .get(pk=int(document_id))
        )
    except (Document.DoesNotExist, ValueError, TypeError):
        raise NotFound


def documents_list(
    *,
    user,
    campaign: int | None = None,
    issuer: int | None = None,
    kind: str = "",
    state: str = "",
    q: str = "",
) -> QuerySet[Document]:
    qs = (
        documents_visible(user)
        .select_related("issuer_unit", "campaign")
        .defer("sections", "extra_legal_bases", "campaign__report_sections")
    )
    if campaign:
        qs = qs.filter(campaign_id=campaign)
    if issuer:
        qs = qs.filter(issuer_unit_id=issuer)
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    if q:
        qs = qs.filter(search_q(q))
    return qs.order_by("-issued_on", "-created_at", "-id")


def legal_bases_map(documents: list[Document]) -> dict[int, list[Document]]:
    """The whole chain above each document (top first), in one query for all of them."""
    ids = {pk for d in documents for pk in d.chain_ids}
    if not ids:
        return {d.pk: [] for d in documents}
    found = (
        Document.objects.filter(pk__in=ids)
        .select_related("issuer_unit")
        .only(*CITATION_FIELDS)
        .in_bulk()
    )
    result = {}
    for d in documents:
        chain = [found[pk] for pk in d.chain_ids if pk in found]
        chain.sort(key=lambda x: (x.issued_on or date.max, x.issuer_unit.depth))
        result[d.pk] = chain
    return result


def legal_bases(document: Document) -> list[Document]:
    return legal_bases_map([document])[document.pk]


def inbox_for_user(*, user, unread_first: bool = True) -> QuerySet[Delivery]:
    """Deliveries to the units the user holds a membership on, unread first."""
    unit_ids = [m.unit_id for m in memberships_for_user(user)]
    qs = (
        Delivery.objects.filter(unit_id__in=unit_ids)
        .select_related("document", "document__issuer_unit", "unit")
        .only(
            "id",
            "document_id",
            "unit_id",
            "delivered_at",
            "read_at",
            "unit__name",
            *[f"document__{f}" for f in CITATION_FIELDS],
            "document__chain_ids",
            "document__state",
            "document__external_id",
            "document__received_signatures",
        )
    )
    if unread_first:
        return qs.order_by(F("read_at").asc(nulls_first=True), "-delivered_at", "-id")
    return qs.order_by("-delivered_at", "-id")


def deliveries_for_document(document: Document, *, user) -> list[Delivery]:
    """Every recipient's read receipt: authors and the issuer's approvers only."""
    if not can_see_deliveries(user, document):
        raise NotFound
    return list(
        Delivery.objects.filter(document=document)
        .select_related("unit", "read_by")
        .order_by("unit__path")
    )


def consultation_table(document: Document, *, today: date | None = None) -> dict | None:
    """Per consulted unit: agree / comment (with text) / silent (after the deadline,
    recorded as consent) / pending (before it). Two queries."""
    today = today or timezone.localdate()
    consultation = (
        Consultation.objects.filter(document=document).order_by("-sent_on", "-id").first()
    )
    if consultation is None:
        return None
    responses = {r.unit_id: r for r in consultation.responses.select_related("responded_by")}
    closed = today > consultation.due_on
    rows = []
    counts = {"agree": 0, "comment": 0, "silent": 0, "pending": 0}
    for unit in consultation.units.order_by("path"):
        r = responses.get(unit.pk)
        if r:
            answer, comment = r.answer, r.comment
        elif closed:
            answer, comment = ConsultationAnswer.SILENT, ""
        else:
            answer, comment = "pending", ""
        counts[answer] += 1
        rows.append(
            {
                "unit": unit,
                "unit_id": unit.pk,
                "unit_name": unit.name,
                "answer": answer,
                "comment": comment,
                "response": r,
            }
        )
    return {
        "consultation": consultation,
        "due_on": consultation.due_on,
        "closed": closed,
        "rows": rows,
        "counts": counts,
    }


def versions_for_document(document: Document, *, user) -> list[DocumentVersion]:
    """Earlier draft versions: authors and the issuer's approvers only."""
    if not can_see_versions(user, document):
        raise NotFound
    return list(document.versions.select_related("created_by").order_by("version"))


def _vn_date(value: str | None) -> str:
    """ "2021-10-12" (as stored in a snapshot) → "12/10/2021"."""
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y") if value else ""
    except (TypeError, ValueError):
        return str(value)


def _snapshot_lines(snapshot: dict) -> list[str]:
    from lantoa.documents.models import EventForm

    lines = [f"Trích yếu: {snapshot.get('subject', '')}"]
    forms = dict(EventForm.choices)
    for key, label in (
        ("theme", "Chủ đề"),
        ("starts_on", "Từ ngày"),
        ("ends_on", "Đến ngày"),
        ("venue", "Địa điểm"),
        ("event_form", "Hình thức"),
        ("report_due_on", "Hạn báo cáo"),
    ):
        value = snapshot.get(key)
        if not value:
            continue
        if key.endswith("_on"):
            value = _vn_date(value)
        elif key == "event_form":
            value = str(forms.get(value, value))
        lines.append(f"{label}: {value}")
    if snapshot.get("report_to"):
        lines.append(f"Báo cáo về: {snapshot['report_to']}")
    for s in snapshot.get("sections", []):
        if s.get("heading"):
            lines.append(f"§ {s['heading']}")
        lines.extend(x for x in s.get("body", "").split("\n") if x.strip())
    for a in snapshot.get("assignments", []):
        due = f" (hạn {_vn_date(a['due_on'])})" if a.get("due_on") else ""
        lines.append(f"Nhiệm vụ – {a['to']}{due}: {a['text']}")
    lines.extend(f"Nơi nhận: {r}" for r in snapshot.get("recipients", []))
    return lines


def version_diff(*, document: Document, a: int, b: int) -> list[tuple[str, str]]:
    """[(tag, line)] with tag in "same", "add", "del" between versions a and b."""
    versions = {v.version: v for v in document.versions.filter(version__in=[a, b])}
    if a not in versions or b not in versions:
        raise NotFound
    old, new = _snapshot_lines(versions[a].snapshot), _snapshot_lines(versions[b].snapshot)
    out = []
    for line in difflib.ndiff(old, new):
        tag, text = line[:2], line[2:]
        if tag == "  ":
            out.append(("same", text))
        elif tag == "- ":
            out.append(("del", text))
        elif tag == "+ ":
            out.append(("add", text))
    return out


def tasks_for_unit(*, unit: Unit) -> list[dict]:
    """Assignments addressed to the unit, or to its kind in an issuer's area above it,
    from issued documents, with the unit's status. Two queries."""
    areas = [*unit.ancestor_paths(), unit.path]
    assignments = list(
        Assignment.objects.filter(document__state=DocumentState.ISSUED)
        .filter(Q(unit=unit) | Q(unit_kind=unit.kind, document__area_path__in=areas))
        .select_related("document", "document__issuer_unit")
        .order_by("due_on", "document_id", "position")
    )
    statuses = {
        s.assignment_id: s
        for s in AssignmentStatus.objects.filter(
            unit=unit, assignment_id__in=[a.pk for a in assignments]
        )
    }
    rows = []
    for a in assignments:
        s = statuses.get(a.pk)
        rows.append(
            {
                "assignment": a,
                "status": s.status if s else AssignmentProgress.OPEN,
                "status_label": s.get_status_display() if s else AssignmentProgress.OPEN.label,
                "note": s.note if s else "",
            }
        )
    return rows


def assignment_progress(document: Document, *, user, today: date | None = None) -> list[dict]:
    """For the issuer: every duty of the plan per addressed unit, with its status, due date
    and an overdue flag. Authors and the issuer's approvers only. Three queries."""
    if not can_see_deliveries(user, document):
        raise NotFound
    today = today or timezone.localdate()
    assignments = list(
        Assignment.objects.filter(document=document)
        .select_related("unit")
        .order_by("position", "id")
    )
    kinds = {a.unit_kind for a in assignments if a.unit_kind}
    by_kind: dict[str, list[Unit]] = {}
    if kinds:
        for u in (
            Unit.objects.filter(kind__in=kinds, path__startswith=document.area_path)
            .active_on(today)
            .only("id", "name", "kind", "path")
            .order_by("path")
        ):
            by_kind.setdefault(u.kind, []).append(u)
    statuses = {
        (s.assignment_id, s.unit_id): s
        for s in AssignmentStatus.objects.filter(assignment__document=document)
    }
    rows = []
    for a in assignments:
        for unit in [a.unit] if a.unit_id else by_kind.get(a.unit_kind, []):
            s = statuses.get((a.pk, unit.pk))
            status = s.status if s else AssignmentProgress.OPEN
            rows.append(
                {
                    "assignment_id": a.pk,
                    "heading": a.heading,
                    "text": a.text,
                    "unit_id": unit.pk,
                    "unit_name": unit.name,
                    "due_on": a.due_on,
                    "status": status,
                    "status_label": AssignmentProgress(status).label,
                    "note": s.note if s else "",
                    "updated_at": s.updated_at if s else None,
                    "overdue": bool(
                        a.due_on and a.due_on < today and status != AssignmentProgress.DONE
                    ),
                }
            )
    return rows


def assignment_get_for_user(user, assignment_id) -> Assignment:
    try:
        a = Assignment.objects.select_related("document").get(pk=int(assignment_id))
    except (Assignment.DoesNotExist, ValueError, TypeError):
        raise NotFound
    units = [m.unit for m in memberships_for_user(user)]
    for u in units:
        if a.unit_id == u.pk or (a.unit_kind == u.kind and u.path.startswith(a.document.area_path)):
            return a
    if documents_visible(user).filter(pk=a.document_id).exists():
        return a
    raise NotFound


def assignment_label(a: Assignment) -> str:
    if a.unit_id:
        return a.unit.name
    try:
        return "Các " + str(UnitKind(a.unit_kind).label).lower()
    except ValueError:
        return a.unit_kind


def plan_prefill(*, parent: Document, issuer: Unit) -> dict:
    """A new plan "based on" a received document: chain, theme, dates, activities,
    a report deadline before the parent's, and recipients from the issuer's children."""
    campaign: Campaign | None = parent.campaign
    area = document_area(issuer)
    on = campaign.starts_on if campaign else timezone.localdate()
    children = list(
        Unit.objects.filter(path__startswith=area.path, depth=area.depth + 1)
        .exclude(pk=issuer.pk)
        .active_on(on)
        .order_by("kind", "name")
    )
    activities = [
        s
        for s in parent.sections
        if "hoạt động" in (s.get("heading", "").lower()) or s.get("key") == "activities"
    ]
    theme = parent.theme or (campaign.theme if campaign else "")
    starts_on = parent.starts_on or (campaign.starts_on if campaign else None)
    ends_on = parent.ends_on or (campaign.ends_on if campaign else None)
    year = campaign.year if campaign else timezone.localdate().year
    sections = [
        {"key": "purpose", "heading": "I. MỤC ĐÍCH, YÊU CẦU", "body": ""},
        {"key": "theme", "heading": "II. CHỦ ĐỀ", "body": f"“{theme}”." if theme else ""},
        {
            "key": "time",
            "heading": "III. THỜI GIAN, ĐỊA ĐIỂM, HÌNH THỨC TỔ CHỨC",
            "body": (
                f"- Thời gian: từ ngày {starts_on:%d/%m/%Y} đến ngày {ends_on:%d/%m/%Y}."
                if starts_on and ends_on
                else ""
            ),
        },
        {
            "key": "activities",
            "heading": "IV. CÁC HOẠT ĐỘNG TRONG TUẦN LỄ",
            "body": "\n".join(s["body"] for s in activities),
        },
        {"key": "organisation", "heading": "V. TỔ CHỨC THỰC HIỆN", "body": ""},
        {"key": "reporting", "heading": "VI. CHẾ ĐỘ BÁO CÁO", "body": ""},
    ]
    due = default_report_due_on([parent], campaign)
    if due:
        sections[-1]["body"] = (
            f"Các đơn vị báo cáo kết quả tổ chức Tuần lễ về {issuer.name} trước ngày {due:%d/%m/%Y}."
        )
    return {
        "campaign": campaign,
        "kind": "ke_hoach",
        "issuer": issuer,
        "subject": f"Tổ chức “Tuần lễ hưởng ứng học tập suốt đời” năm {year}",
        "based_on": [parent],
        "legal_bases": legal_bases_map([parent])[parent.pk] + [parent],
        "theme": theme,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "event_form": "hybrid",
        "report_due_on": due,
        "sections": sections,
        "recipients": children,
        "place": issuer.place_name,
    }


def documents_for_campaign_page(*, user, campaign: Campaign) -> list[Document]:
    return list(
        documents_list(user=user, campaign=campaign.pk).filter(state=DocumentState.ISSUED)[:200]
    )
