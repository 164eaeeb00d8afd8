"""State transitions and bad input of the documents services (real DB, small world)."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from lantoa.campaigns.models import ReportingDeadline
from lantoa.core.errors import Conflict, PermissionDeniedError
from lantoa.documents import selectors, services
from lantoa.documents.models import (
    Delivery,
    Document,
    DocumentState,
    DocumentVersion,
    IssuerSetting,
    Register,
)
from lantoa.documents.services import AssignmentIn, RecipientIn
from lantoa.documents.tests.factories import district_plan, issued, small_world
from lantoa.notifications.models import Notification
from lantoa.units.models import UnitKind

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def w():
    return small_world()


@pytest.fixture
def chain(w):
    """Ministry dispatch → department dispatch (based on it), both issued."""
    top = issued(w)
    dept = issued(
        w,
        issuer="so",
        user="so",
        based_on=[top],
        report_due_on=date(2027, 10, 20),
        recipients=[RecipientIn(unit=w.units["huyen"]), RecipientIn(unit=w.units["pgd"])],
        symbol_suffix="GDTX",
    )
    return top, dept


def test_plan_based_on_a_received_document_carries_the_whole_chain(w, chain):
    top, dept = chain
    plan = district_plan(w, based_on=[dept])
    assert plan.state == DocumentState.DRAFT and plan.version == 1
    assert [d.pk for d in selectors.legal_bases(plan)] == [top.pk, dept.pk]
    assert plan.area_path == w.units["huyen"].path
    assert DocumentVersion.objects.filter(document=plan).count() == 1


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"subject": "  "}, "subject"),
        ({"report_due_on": date(2027, 10, 25)}, "report_due_on"),
        ({"recipients": [RecipientIn(unit=None, text="")]}, "recipients"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(w, chain, overrides, field):
    before = Document.objects.count()
    with pytest.raises(ValidationError) as exc:
        district_plan(w, based_on=[chain[1]], **overrides)
    assert field in exc.value.message_dict
    assert Document.objects.count() == before


def test_deadline_after_the_parents_deadline_says_why(w, chain):
    with pytest.raises(ValidationError) as exc:
        district_plan(w, based_on=[chain[1]], report_due_on=date(2027, 10, 21))
    message = exc.value.message_dict["report_due_on"][0]
    assert "21/10/2027" in message and "20/10/2027" in message and "GDTX" in message


def test_missing_issuer_is_refused(w):
    with pytest.raises(ValidationError) as exc:
        services.document_create(
            user=w.users["cv"],
            kind="ke_hoach",
            issuer_unit=None,
            drafting_unit=w.units["pgd"],
            subject="X",
        )
    assert "issuer_unit_id" in exc.value.message_dict


def test_recipient_outside_the_issuers_reach_is_refused(w):
    with pytest.raises(ValidationError) as exc:
        district_plan(w, recipients=[RecipientIn(unit=w.units["xa_khac"])])
    assert "UBND xã Khác" in exc.value.message_dict["recipients"][0]
    assert "ngoài phạm vi" in exc.value.message_dict["recipients"][0]


def test_duty_outside_the_issuers_area_is_refused(w):
    with pytest.raises(ValidationError) as exc:
        district_plan(w, assignments=[AssignmentIn(unit=w.units["xa_khac"], text="Làm")])
    assert "assignments" in exc.value.message_dict


def test_drafting_unit_must_belong_to_the_issuer(w):
    with pytest.raises(ValidationError) as exc:
        services.document_create(
            user=w.users["khac"],
            kind="ke_hoach",
            issuer_unit=w.units["huyen"],
            drafting_unit=w.units["tinh2"],
            subject="Kế hoạch",
        )
    assert "drafting_unit_id" in exc.value.message_dict


def test_consultation_round_trip(w):
    plan = district_plan(w)
    due = TODAY + timedelta(days=5)
    services.consultation_send(
        document=plan, user=w.users["cv"], units=[w.units["xa1"], w.units["xa2"]], due_on=due
    )
    plan.refresh_from_db()
    assert plan.state == DocumentState.CONSULTATION
    services.consultation_respond(document=plan, user=w.users["xa1"], agree=True)
    with pytest.raises(Conflict, match="một lần"):
        services.consultation_respond(
            document=plan, user=w.users["xa1"], agree=False, comment="Nữa"
        )
    with pytest.raises(ValidationError):
        services.consultation_respond(document=plan, user=w.users["xa2"], agree=False, comment="")
    with pytest.raises(Conflict, match="hết hạn"):
        services.consultation_respond(
            document=plan, user=w.users["xa2"], agree=True, today=due + timedelta(days=1)
        )
    with pytest.raises(PermissionDeniedError):
        services.consultation_respond(document=plan, user=w.users["school"], agree=True)
    before = {r["unit_name"]: r["answer"] for r in selectors.consultation_table(plan)["rows"]}
    assert before == {"UBND xã Một": "agree", "UBND xã Hai": "pending"}
    after = selectors.consultation_table(plan, today=due + timedelta(days=1))
    assert {r["unit_name"]: r["answer"] for r in after["rows"]} == {
        "UBND xã Một": "agree",
        "UBND xã Hai": "silent",
    }
    # the author revises during the consultation: versions can be compared
    services.document_update(document=plan, user=w.users["cv"], version=1, venue="Nhà văn hóa xã")
    diff = selectors.version_diff(document=plan, a=1, b=2)
    assert ("add", "Địa điểm: Nhà văn hóa xã") in diff


def test_consultation_deadline_in_the_past_is_refused(w):
    plan = district_plan(w)
    with pytest.raises(ValidationError) as exc:
        services.consultation_send(
            document=plan,
            user=w.users["cv"],
            units=[w.units["xa1"]],
            due_on=TODAY - timedelta(days=1),
        )
    assert "đã qua" in exc.value.message_dict["due_on"][0]
    plan.refresh_from_db()
    assert plan.state == DocumentState.DRAFT


def test_consultation_outside_reach_is_refused(w):
    plan = district_plan(w)
    with pytest.raises(ValidationError):
        services.consultation_send(
            document=plan, user=w.users["cv"], units=[w.units["xa_khac"]], due_on=TODAY
        )


def test_stale_version_is_a_conflict(w):
    plan = district_plan(w)
    services.document_update(document=plan, user=w.users["cv"], version=1, subject="Kế hoạch mới")
    with pytest.raises(Conflict, match="phiên bản"):
        services.document_update(document=plan, user=w.users["cv"], version=1, subject="Cũ")
    plan.refresh_from_db()
    assert plan.subject == "Kế hoạch mới" and plan.version == 2


def test_submit_approve_issue_numbers_delivers_and_sets_the_deadline(
    w, chain, django_capture_on_commit_callbacks
):
    plan = district_plan(w, based_on=[chain[1]])
    services.document_submit(document=plan, user=w.users["cv"])
    services.document_approve(document=plan, user=w.users["leader"])
    with django_capture_on_commit_callbacks(execute=True):
        plan = services.document_issue(
            document=plan, user=w.users["leader"], issued_on=date(2026, 9, 29)
        )
    assert (plan.number, plan.symbol, plan.reference) == (1, "KH-UBND", "01/KH-UBND")
    assert plan.state == DocumentState.ISSUED and plan.issued_on == date(2026, 9, 29)
    assert set(Delivery.objects.filter(document=plan).values_list("unit__name", flat=True)) == {
        "UBND xã Một",
        "UBND xã Hai",
        "Trường THCS Mẫu",
    }
    assert Notification.objects.filter(user=w.users["xa1"], kind="document").exists()
    assert any("xa1@x.vn" in m.to for m in mail.outbox)
    deadline = ReportingDeadline.objects.get(campaign=w.campaign, unit=w.units["huyen"])
    assert deadline.due_on == date(2027, 10, 12) and deadline.source == "01/KH-UBND"


def test_issued_document_is_immutable(w):
    doc = issued(w)
    with pytest.raises(Conflict, match="đã ban hành"):
        services.document_update(document=doc, user=w.users["bo"], version=doc.version, subject="X")
    with pytest.raises(Conflict):
        services.consultation_send(
            document=doc, user=w.users["bo"], units=[w.units["tinh"]], due_on=TODAY
        )
    with pytest.raises(Conflict):
        services.document_issue(document=doc, user=w.users["bo"])
    doc.refresh_from_db()
    assert doc.subject.startswith("V/v tổ chức")


def test_correction_is_a_new_document_that_replaces_it(w):
    doc = issued(w)
    fix = services.document_create(
        user=w.users["bo"],
        kind="cong_van",
        issuer_unit=w.units["bo"],
        drafting_unit=w.units["bo"],
        subject="V/v đính chính",
        replaces=doc,
    )
    assert fix.replaces == doc and list(doc.replaced_by.all()) == [fix]


def test_issue_requires_approval(w):
    plan = district_plan(w)
    services.document_submit(document=plan, user=w.users["cv"])
    with pytest.raises(Conflict, match="phê duyệt"):
        services.document_issue(document=plan, user=w.users["leader"])


def test_approving_ones_own_draft_needs_a_second_person(w):
    IssuerSetting.objects.create(unit=w.units["huyen"], second_person_required=True)
    doc = services.document_create(
        user=w.users["leader"],
        kind="thong_bao",
        issuer_unit=w.units["huyen"],
        drafting_unit=w.units["huyen"],
        subject="Thông báo lịch khai mạc",
    )
    assert doc.second_person_required
    services.document_submit(document=doc, user=w.users["leader"])
    with pytest.raises(PermissionDeniedError, match="người thứ hai"):
        services.document_approve(document=doc, user=w.users["leader"])
    doc.refresh_from_db()
    assert doc.state == DocumentState.SUBMITTED


def test_only_an_approver_of_the_issuer_approves(w):
    plan = district_plan(w)
    services.document_submit(document=plan, user=w.users["cv"])
    with pytest.raises(PermissionDeniedError):
        services.document_approve(document=plan, user=w.users["cv"])


def test_return_needs_a_reason_then_the_draft_is_editable_again(w):
    plan = district_plan(w)
    services.document_submit(document=plan, user=w.users["cv"])
    with pytest.raises(ValidationError):
        services.document_return(document=plan, user=w.users["leader"], reason=" ")
    services.document_return(document=plan, user=w.users["leader"], reason="Bổ sung căn cứ")
    plan.refresh_from_db()
    assert plan.state == DocumentState.RETURNED and plan.returned_reason == "Bổ sung căn cứ"
    services.document_update(document=plan, user=w.users["cv"], version=plan.version, venue="X")
    services.document_submit(document=plan, user=w.users["cv"])


def test_numbers_restart_every_year_and_explicit_numbers_are_unique(w):
    def approved(subject):
        d = services.document_create(
            user=w.users["bo"],
            kind="cong_van",
            issuer_unit=w.units["bo"],
            drafting_unit=w.units["bo"],
            subject=subject,
        )
        services.document_submit(document=d, user=w.users["bo"])
        return services.document_approve(document=d, user=w.users["bo"])

    a = services.document_issue(
        document=approved("a"), user=w.users["bo"], issued_on=date(2026, 12, 30)
    )
    b = services.document_issue(
        document=approved("b"), user=w.users["bo"], issued_on=date(2026, 12, 31)
    )
    c = services.document_issue(
        document=approved("c"), user=w.users["bo"], issued_on=date(2027, 1, 2)
    )
    assert (a.number, b.number, c.number) == (1, 2, 1)
    assert c.reference == "01/BGDĐT"
    d = approved("d")
    with pytest.raises(ValidationError):
        services.document_issue(
            document=d, user=w.users["bo"], issued_on=date(2027, 3, 1), number=1
        )
    e = services.document_issue(
        document=d, user=w.users["bo"], issued_on=date(2027, 3, 1), number=50
    )
    f = services.document_issue(
        document=approved("f"), user=w.users["bo"], issued_on=date(2027, 3, 2)
    )
    assert (e.number, f.number) == (50, 51)
    assert Register.objects.get(unit=w.units["bo"], year=2027).last_number == 51


def test_tasks_reach_units_by_kind_in_the_area_and_keep_a_status(w):
    plan = district_plan(w)
    services.document_submit(document=plan, user=w.users["cv"])
    services.document_approve(document=plan, user=w.users["leader"])
    services.document_issue(document=plan, user=w.users["leader"])
    ward_tasks = selectors.tasks_for_unit(unit=w.units["xa1"])
    assert [t["assignment"].text for t in ward_tasks] == ["Xây dựng kế hoạch của xã."]
    assert [
        t["assignment"].unit_kind for t in selectors.tasks_for_unit(unit=w.units["school"])
    ] == [UnitKind.TRUONG_THCS]
    assert selectors.tasks_for_unit(unit=w.units["school2"]) == []
    assert selectors.tasks_for_unit(unit=w.units["xa_khac"]) == []
    services.assignment_status_set(
        assignment=ward_tasks[0]["assignment"],
        unit=w.units["xa1"],
        user=w.users["xa1"],
        status="done",
    )
    assert selectors.tasks_for_unit(unit=w.units["xa1"])[0]["status"] == "done"
    assert selectors.tasks_for_unit(unit=w.units["xa2"])[0]["status"] == "open"


def test_inbox_unread_first_and_read_receipts(w, chain):
    top, dept = chain
    rows = list(selectors.inbox_for_user(user=w.users["leader"]))
    assert [r.document_id for r in rows] == [dept.pk]
    third = issued(w, issuer="so", user="so", recipients=[RecipientIn(unit=w.units["huyen"])])
    services.document_mark_read(document=dept, user=w.users["leader"])
    rows = list(selectors.inbox_for_user(user=w.users["leader"]))
    assert [r.document_id for r in rows] == [third.pk, dept.pk]
    assert rows[0].read_at is None and rows[1].read_at is not None
    assert rows[1].read_by == w.users["leader"]


def test_scope(w, chain):
    top, dept = chain
    plan = district_plan(w, based_on=[dept])
    assert selectors.documents_visible(w.users["khac"]).filter(pk=plan.pk).count() == 0
    assert selectors.documents_visible(w.users["cv"]).filter(pk=plan.pk).count() == 1
    # a consulted unit sees the draft; the school does not
    services.consultation_send(
        document=plan, user=w.users["cv"], units=[w.units["xa1"]], due_on=TODAY
    )
    assert selectors.documents_visible(w.users["xa1"]).filter(pk=plan.pk).exists()
    assert not selectors.documents_visible(w.users["school"]).filter(pk=plan.pk).exists()


def test_submitting_after_the_deadline_records_silence_as_consent(w):
    plan = district_plan(w)
    due = TODAY + timedelta(days=1)
    services.consultation_send(
        document=plan, user=w.users["cv"], units=[w.units["xa1"], w.units["xa2"]], due_on=due
    )
    services.consultation_respond(document=plan, user=w.users["xa1"], agree=True)
    services.document_submit(document=plan, user=w.users["cv"], today=due + timedelta(days=1))
    from lantoa.documents.models import ConsultationResponse

    stored = {r.unit.name: r.answer for r in ConsultationResponse.objects.select_related("unit")}
    assert stored == {"UBND xã Một": "agree", "UBND xã Hai": "silent"}
    table = selectors.consultation_table(plan, today=TODAY)
    assert table["counts"] == {"agree": 1, "comment": 0, "silent": 1, "pending": 0}
