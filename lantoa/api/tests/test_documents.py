"""Documents API (API.md): shapes, state transitions, problem+json for every bad input."""

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone
from docx import Document as DocxDocument

from lantoa.documents.models import Document, DocumentState
from lantoa.documents.tests.factories import issued, small_world

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def w():
    return small_world()


@pytest.fixture
def dept(w):
    top = issued(w)
    from lantoa.documents.services import RecipientIn

    return issued(
        w,
        issuer="so",
        user="so",
        based_on=[top],
        report_due_on=date(2027, 10, 20),
        recipients=[RecipientIn(unit=w.units["huyen"]), RecipientIn(unit=w.units["pgd"])],
        symbol_suffix="GDTX",
    )


def plan_payload(w, dept, **overrides):
    body = {
        "campaign_id": w.campaign.pk,
        "kind": "ke_hoach",
        "issuer_unit_id": w.units["huyen"].pk,
        "drafting_unit_id": w.units["pgd"].pk,
        "subject": "Tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2027",
        "based_on": [dept.pk],
        "sections": [{"heading": "I. MỤC ĐÍCH, YÊU CẦU", "body": "Đẩy mạnh học tập."}],
        "recipients": [
            {"unit_id": w.units["xa1"].pk},
            {"unit_id": w.units["school"].pk},
            {"text": "Lưu: VT."},
        ],
        "signer": {"authority": "KT. CHỦ TỊCH", "title": "PHÓ CHỦ TỊCH", "name": "Nguyễn Văn A"},
        "report_due_on": "2027-10-12",
        "place": "Mẫu",
        "assignments": [
            {"unit_kind": "ubnd_xa", "text": "Xây dựng kế hoạch", "due_on": "2027-10-12"}
        ],
    }
    body.update(overrides)
    return body


def assert_problem(response, status, field=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["detail"]
    if field:
        assert field in {e["field"] for e in body["errors"]}, body
    return body


def test_full_flow_through_the_api(w, dept, api_as):
    cv, leader, xa1 = api_as("cv"), api_as("leader"), api_as("xa1")
    r = cv.post("/api/v1/documents", plan_payload(w, dept))
    assert r.status_code == 201, r.content
    doc = r.json()
    assert doc["state"] == "draft" and doc["number"] is None
    assert [b["number"] for b in doc["legal_bases"]] == [1, 1]
    assert [b["symbol"] for b in doc["legal_bases"]] == ["BGDĐT-GDTX", "SGDĐT-GDTX"]
    assert doc["legal_bases"][0]["issuer_name"] == "Bộ Giáo dục và Đào tạo"
    pk = doc["id"]

    due = (TODAY + timedelta(days=4)).isoformat()
    r = cv.post(
        f"/api/v1/documents/{pk}/consultation",
        {"unit_ids": [w.units["xa1"].pk, w.units["xa2"].pk], "due_on": due},
    )
    assert r.status_code == 201, r.content
    r = xa1.post(
        f"/api/v1/documents/{pk}/consultation/responses",
        {"agree": False, "comment": "Bổ sung địa điểm"},
    )
    assert r.status_code == 201 and r.json()["answer"] == "comment"
    assert_problem(xa1.post(f"/api/v1/documents/{pk}/consultation/responses", {"agree": True}), 409)
    table = cv.get(f"/api/v1/documents/{pk}/consultation").json()
    assert table["due_on"] == due
    assert {x["unit_name"]: x["answer"] for x in table["responses"]} == {"UBND xã Một": "comment"}
    assert [x["unit_name"] for x in table["pending"]] == ["UBND xã Hai"]

    r = cv.patch(f"/api/v1/documents/{pk}", {"version": 1, "venue": "Nhà văn hóa"})
    assert r.status_code == 200 and r.json()["version"] == 2
    assert_problem(cv.patch(f"/api/v1/documents/{pk}", {"version": 1, "venue": "X"}), 409)

    assert cv.post(f"/api/v1/documents/{pk}/submit").json()["state"] == "submitted"
    assert_problem(cv.post(f"/api/v1/documents/{pk}/approve"), 403)
    r = leader.post(f"/api/v1/documents/{pk}/return", {"reason": ""})
    assert_problem(r, 400, "reason")
    assert (
        leader.post(f"/api/v1/documents/{pk}/return", {"reason": "Sửa căn cứ"}).json()["state"]
        == "returned"
    )
    cv.post(f"/api/v1/documents/{pk}/submit")
    assert_problem(leader.post(f"/api/v1/documents/{pk}/issue"), 409)
    assert leader.post(f"/api/v1/documents/{pk}/approve").json()["state"] == "approved"
    r = leader.post(f"/api/v1/documents/{pk}/issue")
    assert r.status_code == 200
    out = r.json()
    assert (out["state"], out["number"], out["symbol"]) == ("issued", 1, "KH-UBND")
    assert out["issued_on"] == TODAY.isoformat()

    assert_problem(
        cv.patch(f"/api/v1/documents/{pk}", {"version": out["version"], "subject": "X"}), 409
    )

    inbox = api_as("school").get("/api/v1/inbox").json()
    assert [(i["document_id"], i["read_at"]) for i in inbox["items"]] == [(pk, None)]
    assert [b["symbol"] for b in inbox["items"][0]["legal_bases"]] == ["BGDĐT-GDTX", "SGDĐT-GDTX"]
    api_as("school").get(f"/api/v1/documents/{pk}")
    assert api_as("school").get("/api/v1/inbox").json()["items"][0]["read_at"] is not None
    receipts = {
        d["unit_name"]: d["read_at"]
        for d in leader.get(f"/api/v1/documents/{pk}/deliveries").json()
    }
    assert receipts["Trường THCS Mẫu"] is not None and receipts["UBND xã Một"] is None

    r = cv.get(f"/api/v1/documents/{pk}/file?format=docx")
    assert r.status_code == 200
    opened = DocxDocument(io.BytesIO(r.content))
    left = [p.text for p in opened.tables[0].rows[0].cells[0].paragraphs if p.text]
    assert "Số: 01/KH-UBND" in left
    texts = [p.text for p in opened.paragraphs]
    assert "KẾ HOẠCH" in texts
    assert any(
        t.startswith("Căn cứ Công văn số 01/BGDĐT-GDTX ngày 08/9/2026 của Bộ Giáo dục")
        for t in texts
    )


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"subject": ""}, "subject"),
        ({"issuer_unit_id": None}, "issuer_unit_id"),
        ({"report_due_on": "2027-10-25"}, "report_due_on"),
    ],
)
def test_bad_input_is_a_problem_and_changes_nothing(w, dept, api_as, overrides, field):
    before = Document.objects.count()
    r = api_as("cv").post("/api/v1/documents", plan_payload(w, dept, **overrides))
    body = assert_problem(r, 400, field)
    assert any(
        "ư" in e["message"] or "ô" in e["message"] or "ạ" in e["message"] for e in body["errors"]
    )
    assert Document.objects.count() == before


def test_recipient_outside_reach_is_400(w, dept, api_as):
    r = api_as("cv").post(
        "/api/v1/documents", plan_payload(w, dept, recipients=[{"unit_id": w.units["xa_khac"].pk}])
    )
    body = assert_problem(r, 400, "recipients")
    assert "ngoài phạm vi" in body["detail"]


def test_consultation_deadline_in_the_past_is_400(w, dept, api_as):
    cv = api_as("cv")
    pk = cv.post("/api/v1/documents", plan_payload(w, dept)).json()["id"]
    past = (TODAY - timedelta(days=1)).isoformat()
    assert_problem(
        cv.post(
            f"/api/v1/documents/{pk}/consultation",
            {"unit_ids": [w.units["xa1"].pk], "due_on": past},
        ),
        400,
        "due_on",
    )
    assert Document.objects.get(pk=pk).state == DocumentState.DRAFT


def test_out_of_scope_is_404(w, dept, api_as):
    pk = api_as("cv").post("/api/v1/documents", plan_payload(w, dept)).json()["id"]
    other = api_as("khac")
    assert_problem(other.get(f"/api/v1/documents/{pk}"), 404)
    assert_problem(other.post(f"/api/v1/documents/{pk}/approve"), 404)
    assert_problem(other.get(f"/api/v1/documents/{pk}/file?format=docx"), 404)
    assert other.get("/api/v1/documents").json()["count"] == 0


def test_list_filters_and_search(w, dept, api_as):
    cv = api_as("cv")
    cv.post("/api/v1/documents", plan_payload(w, dept))
    body = cv.get("/api/v1/documents", {"kind": "ke_hoach"}).json()
    assert body["count"] == 1 and body["items"][0]["state"] == "draft"
    assert cv.get("/api/v1/documents", {"q": "tuan le hoc tap"}).json()["count"] == 2
    assert (
        cv.get("/api/v1/documents", {"state": "issued", "issuer": w.units["so"].pk}).json()["count"]
        == 1
    )


def test_pdf_or_a_clear_message(w, dept, api_as):
    from lantoa.documents.rendering import pdf_available

    r = api_as("leader").get(f"/api/v1/documents/{dept.pk}/file?format=pdf")
    if pdf_available():
        assert r.status_code == 200 and r.content.startswith(b"%PDF")
    else:
        assert_problem(r, 501)
    assert_problem(api_as("leader").get(f"/api/v1/documents/{dept.pk}/file?format=odt"), 400)


def test_openapi_lists_the_documents_paths(api_as):
    small_world()
    paths = api_as("cv").get("/api/v1/openapi.json").json()["paths"]
    for p in (
        "/api/v1/documents",
        "/api/v1/documents/{document_id}",
        "/api/v1/documents/{document_id}/consultation",
        "/api/v1/documents/{document_id}/consultation/responses",
        "/api/v1/documents/{document_id}/issue",
        "/api/v1/documents/{document_id}/file",
        "/api/v1/inbox",
    ):
        assert p in paths


def test_second_person_rule_per_document(w, dept, api_as):
    leader = api_as("leader")
    body = plan_payload(w, dept, drafting_unit_id=w.units["huyen"].pk, second_person_required=True)
    doc = leader.post("/api/v1/documents", body).json()
    assert doc["second_person_required"] is True
    leader.post(f"/api/v1/documents/{doc['id']}/submit")
    problem = assert_problem(leader.post(f"/api/v1/documents/{doc['id']}/approve"), 403)
    assert "người thứ hai" in problem["detail"]


def test_silent_only_after_the_deadline(w, api_as):
    from lantoa.documents import services
    from lantoa.documents.models import Consultation
    from lantoa.documents.tests.factories import district_plan

    plan = district_plan(w)
    services.consultation_send(
        document=plan, user=w.users["cv"], units=[w.units["xa1"], w.units["xa2"]], due_on=TODAY
    )
    Consultation.objects.filter(document=plan).update(due_on=TODAY - timedelta(days=1))
    table = api_as("cv").get(f"/api/v1/documents/{plan.pk}/consultation").json()
    assert {x["answer"] for x in table["responses"]} == {"silent"} and table["pending"] == []
