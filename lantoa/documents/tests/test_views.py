"""Pages: bad input shows a Vietnamese message and changes nothing; HTMX partials."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lantoa.documents import services
from lantoa.documents.models import Document, DocumentState, IssuerSetting
from lantoa.documents.tests.factories import district_plan, issued, small_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return small_world()


def form(w, **overrides):
    data = {
        "issuer_unit": w.units["huyen"].pk,
        "drafting_unit": w.units["pgd"].pk,
        "campaign": w.campaign.pk,
        "kind": "ke_hoach",
        "subject": "Kế hoạch tổ chức Tuần lễ",
        "section_key_0": "purpose",
        "section_heading_0": "I. MỤC ĐÍCH",
        "section_body_0": "Đẩy mạnh.",
        "recipient_units": [w.units["xa1"].pk],
        "recipient_text": "Lưu: VT.",
        "duty_rows": "2",
        "duty_target_0": "kind:ubnd_xa",
        "duty_text_0": "Xây dựng kế hoạch",
        "duty_due_0": "2027-10-12",
        "report_due_on": "2027-10-12",
    }
    data.update(overrides)
    return data


def test_write_a_plan_on_the_page(w, client_as):
    cv = client_as("cv")
    r = cv.post("/van-ban/moi/", form(w))
    assert r.status_code == 302
    doc = Document.objects.get()
    assert doc.issuer_unit == w.units["huyen"] and doc.drafting_unit == w.units["pgd"]
    assert doc.assignments.get().unit_kind == "ubnd_xa"
    assert [r.label() for r in doc.recipients.all()] == ["UBND xã Một", "Lưu: VT."]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"subject": ""}, "Trích yếu (tên văn bản) không được để trống."),
        ({"recipient_units": [999999]}, "Không tìm thấy đơn vị nhận đã chọn."),
        ({"report_due_on": "31/02/2027"}, "không hợp lệ"),
    ],
)
def test_bad_input_on_the_page_changes_nothing(w, client_as, overrides, message):
    r = client_as("cv").post("/van-ban/moi/", form(w, **overrides))
    assert r.status_code == 400
    assert message in r.content.decode()
    assert Document.objects.count() == 0


def test_late_deadline_and_past_consultation_on_the_page(w, client_as):
    from lantoa.documents.services import RecipientIn

    top = issued(w)
    dept = issued(
        w, issuer="so", user="so", based_on=[top], recipients=[RecipientIn(unit=w.units["huyen"])]
    )
    cv = client_as("cv")
    r = cv.post("/van-ban/moi/", form(w, based_on=[dept.pk], report_due_on="2027-11-30"))
    assert r.status_code == 400 and "muộn hơn hạn báo cáo" in r.content.decode()
    r = cv.post("/van-ban/moi/", form(w, based_on=[top.pk]))
    assert r.status_code == 400 and "Không tìm thấy văn bản căn cứ." in r.content.decode()
    assert Document.objects.filter(state=DocumentState.DRAFT).count() == 0
    plan = district_plan(w)
    past = (timezone.localdate() - timedelta(days=2)).isoformat()
    r = cv.post(
        f"/van-ban/{plan.pk}/lay-y-kien/",
        {"unit_ids": [w.units["xa1"].pk], "due_on": past},
        follow=True,
    )
    assert "đã qua" in r.content.decode()
    plan.refresh_from_db()
    assert plan.state == DocumentState.DRAFT


def test_answer_with_htmx_and_not_twice(w, client_as):
    plan = district_plan(w)
    services.consultation_send(
        document=plan,
        user=w.users["cv"],
        units=[w.units["xa1"]],
        due_on=timezone.localdate() + timedelta(days=2),
    )
    xa1 = client_as("xa1")
    page = xa1.get(f"/van-ban/{plan.pk}/").content.decode()
    assert "Gửi ý kiến của đơn vị" in page
    r = xa1.post(
        f"/van-ban/{plan.pk}/gop-y/",
        {"answer": "agree", "unit_id": w.units["xa1"].pk},
        HTTP_HX_REQUEST="true",
    )
    html = r.content.decode()
    assert "<html" not in html and "Đã gửi ý kiến góp ý." in html and "Thống nhất" in html
    r = xa1.post(f"/van-ban/{plan.pk}/gop-y/", {"answer": "agree"}, HTTP_HX_REQUEST="true")
    assert (
        "mỗi đơn vị chỉ trả lời một lần" in r.content.decode()
        or "Gửi ý kiến" not in r.content.decode()
    )


def test_editing_an_issued_document_redirects_with_a_message(w, client_as):
    doc = issued(w)
    r = client_as("bo").get(f"/van-ban/{doc.pk}/sua/", follow=True)
    assert "không thể sửa" in r.content.decode()


def test_own_approval_refused_on_the_page(w, client_as):
    IssuerSetting.objects.create(unit=w.units["huyen"], second_person_required=True)
    doc = services.document_create(
        user=w.users["leader"],
        kind="thong_bao",
        issuer_unit=w.units["huyen"],
        drafting_unit=w.units["huyen"],
        subject="Thông báo",
    )
    services.document_submit(document=doc, user=w.users["leader"])
    r = client_as("leader").post(f"/van-ban/{doc.pk}/phe-duyet/", follow=True)
    assert "người thứ hai" in r.content.decode()
    doc.refresh_from_db()
    assert doc.state == DocumentState.SUBMITTED


def test_approval_rule_setting(w, client_as):
    assert client_as("cv").get("/van-ban/quy-dinh-phe-duyet/").status_code == 404
    leader = client_as("leader")
    assert leader.get("/van-ban/quy-dinh-phe-duyet/").status_code == 200
    leader.post("/van-ban/quy-dinh-phe-duyet/", {"second_person_required": "on"})
    assert IssuerSetting.objects.get(unit=w.units["huyen"]).second_person_required


def test_task_status_with_htmx(w, client_as):
    plan = district_plan(w)
    services.document_submit(document=plan, user=w.users["cv"])
    services.document_approve(document=plan, user=w.users["leader"])
    services.document_issue(document=plan, user=w.users["leader"])
    xa1 = client_as("xa1")
    tasks = xa1.get("/van-ban/", {"tab": "tasks"}).content.decode()
    assert "Xây dựng kế hoạch của xã." in tasks
    a = plan.assignments.get(unit_kind="ubnd_xa")
    r = xa1.post(f"/van-ban/nhiem-vu/{a.pk}/", {"status": "done"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and 'value="done" selected' in r.content.decode()
    assert (
        client_as("khac").post(f"/van-ban/nhiem-vu/{a.pk}/", {"status": "done"}).status_code == 404
    )


def test_correction_replaces_an_issued_document(w, client_as):
    plan = district_plan(w)
    services.document_submit(document=plan, user=w.users["cv"])
    services.document_approve(document=plan, user=w.users["leader"])
    services.document_issue(document=plan, user=w.users["leader"])
    cv = client_as("cv")
    assert "Soạn văn bản thay thế (đính chính)" in cv.get(f"/van-ban/{plan.pk}/").content.decode()
    page = cv.get("/van-ban/moi/", {"replaces": plan.pk}).content.decode()
    assert "thay thế văn bản 01/KH-UBND" in page and plan.subject in page
    data = form(w, replaces=plan.pk, subject=plan.subject + " (đính chính)")
    r = cv.post("/van-ban/moi/", data)
    assert r.status_code == 302
    fix = Document.objects.get(replaces=plan)
    assert fix.state == DocumentState.DRAFT and fix.issuer_unit == plan.issuer_unit
    plan.refresh_from_db()
    assert plan.state == DocumentState.ISSUED and plan.subject.endswith("2027")
    detail = cv.get(f"/van-ban/{plan.pk}/").content.decode()
    assert "Đã được thay thế bởi" in detail
    # a draft cannot be "replaced"
    assert cv.get("/van-ban/moi/", {"replaces": fix.pk}).status_code == 404
