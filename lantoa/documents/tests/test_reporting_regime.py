"""A plan's reporting regime (issue 8): "báo cáo về" the issuer or a named unit, and
recipients informed only ("để biết"), on the edit page, the detail page, the API (read,
write, OpenAPI) and the DOCX; the campaign's reporting tree follows it."""

import io
from datetime import date

import pytest
from docx import Document as DocxDocument

from lantoa.documents import services
from lantoa.documents.models import Document
from lantoa.documents.services import RecipientIn
from lantoa.documents.tests.factories import district_plan, issued, small_world
from lantoa.reports.lines.services import reporting_tree_build
from lantoa.reports.models import ReportingNode

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return small_world()


def page_form(w, **overrides):
    data = {
        "issuer_unit": w.units["huyen"].pk,
        "drafting_unit": w.units["pgd"].pk,
        "campaign": w.campaign.pk,
        "kind": "ke_hoach",
        "subject": "Kế hoạch tổ chức Tuần lễ",
        "section_key_0": "purpose",
        "section_heading_0": "I. MỤC ĐÍCH",
        "section_body_0": "Đẩy mạnh.",
        "recipient_units": [w.units["xa1"].pk, w.units["school"].pk],
        "recipient_info": [w.units["xa2"].pk],
        "report_to_unit": w.units["pgd"].pk,
        "recipient_text": "Lưu: VT.",
        "report_due_on": "12/10/2027",
    }
    data.update(overrides)
    return data


def regime(doc: Document) -> tuple:
    doc.refresh_from_db()
    flags = {r.unit.name: r.reports for r in doc.recipients.select_related("unit") if r.unit_id}
    return doc.report_to_unit_id, flags


def test_the_plan_page_names_whom_to_report_to_and_who_is_informed(w, client_as):
    cv = client_as("cv")
    page = cv.get(f"/van-ban/moi/?issuer={w.units['huyen'].pk}").content.decode()
    assert 'name="report_to_unit"' in page and "UBND huyện Mẫu (cơ quan ban hành)" in page
    assert 'name="recipient_info"' in page

    r = cv.post("/van-ban/moi/", page_form(w))
    assert r.status_code == 302, r.content.decode()[:2000]
    doc = Document.objects.get()
    assert regime(doc) == (
        w.units["pgd"].pk,
        {"UBND xã Một": True, "Trường THCS Mẫu": True, "UBND xã Hai": False},
    )

    detail = cv.get(f"/van-ban/{doc.pk}/").content.decode()
    assert 'id="report-to">Phòng Giáo dục và Đào tạo huyện Mẫu<' in detail
    assert 'UBND xã Hai <span class="badge">để biết</span>' in detail
    assert 'UBND xã Một <span class="badge">' not in detail

    edit = cv.get(f"/van-ban/{doc.pk}/sua/").content.decode()
    assert f'<option value="{w.units["pgd"].pk}" selected>' in edit
    assert f'name="recipient_info" value="{w.units["xa2"].pk}" checked' in edit
    assert f'name="recipient_units" value="{w.units["xa1"].pk}" checked' in edit

    # Back to the issuer, and Xã Hai reports too.
    r = cv.post(
        f"/van-ban/{doc.pk}/sua/",
        page_form(
            w,
            version=doc.version,
            report_to_unit="",
            recipient_info=[],
            recipient_units=[w.units["xa1"].pk, w.units["xa2"].pk],
        ),
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert regime(doc) == (None, {"UBND xã Một": True, "UBND xã Hai": True})
    detail = cv.get(f"/van-ban/{doc.pk}/").content.decode()
    assert 'id="report-to">UBND huyện Mẫu (cơ quan ban hành)<' in detail


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"report_to_unit": "xa_khac"}, "nằm ngoài phạm vi của cơ quan ban hành"),
        ({"report_to_unit": "xa1"}, "vừa là nơi nhận báo cáo vừa là đơn vị phải báo cáo"),
        ({"report_to_unit": "abc"}, "Không tìm thấy đơn vị nhận báo cáo đã chọn."),
        ({"recipient_info": ["999999"]}, "Không tìm thấy đơn vị nhận đã chọn."),
    ],
)
def test_a_bad_reporting_regime_on_the_page_changes_nothing(w, client_as, overrides, message):
    value = overrides.get("report_to_unit")
    if value in w.units:
        overrides = {**overrides, "report_to_unit": w.units[value].pk}
    cv = client_as("cv")
    r = cv.post("/van-ban/moi/", page_form(w, **overrides))
    assert r.status_code == 400
    assert message in r.content.decode()
    assert Document.objects.count() == 0

    doc = district_plan(w)
    r = cv.post(f"/van-ban/{doc.pk}/sua/", page_form(w, version=doc.version, **overrides))
    assert r.status_code == 400
    assert message in r.content.decode()
    assert regime(doc) == (
        None,
        {"UBND xã Một": True, "UBND xã Hai": True, "Trường THCS Mẫu": True},
    )
    assert doc.version == 1


def api_payload(w, **overrides):
    body = {
        "campaign_id": w.campaign.pk,
        "kind": "ke_hoach",
        "issuer_unit_id": w.units["huyen"].pk,
        "drafting_unit_id": w.units["pgd"].pk,
        "subject": "Tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2027",
        "sections": [{"heading": "I. MỤC ĐÍCH, YÊU CẦU", "body": "Đẩy mạnh học tập."}],
        "recipients": [
            {"unit_id": w.units["xa1"].pk},
            {"unit_id": w.units["xa2"].pk, "reports": False},
            {"text": "Lưu: VT."},
        ],
        "report_to_unit_id": w.units["pgd"].pk,
        "report_due_on": "2027-10-12",
        "signer": {"authority": "KT. CHỦ TỊCH", "title": "PHÓ CHỦ TỊCH", "name": "Nguyễn Văn A"},
    }
    body.update(overrides)
    return body


def test_the_documents_api_reads_and_writes_the_regime(w, api_as):
    cv = api_as("cv")
    r = cv.post("/api/v1/documents", api_payload(w))
    assert r.status_code == 201, r.content
    doc = r.json()
    assert doc["report_to_unit_id"] == w.units["pgd"].pk
    assert (doc["reports_to_unit_id"], doc["reports_to_name"]) == (
        w.units["pgd"].pk,
        "Phòng Giáo dục và Đào tạo huyện Mẫu",
    )
    assert [(x["unit_id"], x["reports"]) for x in doc["recipients"]] == [
        (w.units["xa1"].pk, True),
        (w.units["xa2"].pk, False),
        (None, True),
    ]
    assert cv.get(f"/api/v1/documents/{doc['id']}").json()["report_to_unit_id"] == (
        w.units["pgd"].pk
    )

    r = cv.patch(f"/api/v1/documents/{doc['id']}", {"version": 1, "report_to_unit_id": None})
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["report_to_unit_id"] is None
    assert (out["reports_to_unit_id"], out["reports_to_name"]) == (
        w.units["huyen"].pk,
        "UBND huyện Mẫu",
    )
    # A PATCH without the recipients keeps who is informed only.
    assert [x["reports"] for x in out["recipients"]] == [True, False, True]


@pytest.mark.parametrize(
    "key, reason",
    [("xa_khac", "ngoài phạm vi"), ("xa1", "vừa là nơi nhận báo cáo"), (None, "Không tìm thấy")],
)
def test_a_bad_report_to_unit_is_a_problem_and_changes_nothing(w, api_as, key, reason):
    cv = api_as("cv")
    unit_id = w.units[key].pk if key else 999999
    before = Document.objects.count()
    r = cv.post("/api/v1/documents", api_payload(w, report_to_unit_id=unit_id))
    assert r.status_code == 400 and r["Content-Type"].startswith("application/problem+json")
    body = r.json()
    assert "report_to_unit_id" in {e["field"] for e in body["errors"]}
    assert reason in body["detail"]
    if key:
        assert body["code"] == "report_to_invalid"
    assert Document.objects.count() == before

    pk = cv.post("/api/v1/documents", api_payload(w)).json()["id"]
    r = cv.patch(f"/api/v1/documents/{pk}", {"version": 1, "report_to_unit_id": unit_id})
    assert r.status_code == 400
    stored = Document.objects.get(pk=pk)
    assert (stored.report_to_unit_id, stored.version) == (w.units["pgd"].pk, 1)


def test_openapi_describes_the_regime(w, api_as):
    schemas = api_as("cv").get("/api/v1/openapi.json").json()["components"]["schemas"]
    for name in ("DocumentIn", "DocumentPatch", "DocumentOut"):
        assert "report_to_unit_id" in schemas[name]["properties"], name
    assert "Báo cáo về" in schemas["DocumentIn"]["properties"]["report_to_unit_id"]["description"]
    assert {"reports_to_unit_id", "reports_to_name"} <= set(schemas["DocumentOut"]["properties"])
    assert "để biết" in schemas["RecipientIO"]["properties"]["reports"]["description"]


def docx_texts(content: bytes) -> tuple[list[str], list[str]]:
    opened = DocxDocument(io.BytesIO(content))
    body = [p.text for p in opened.paragraphs]
    footer = opened.tables[-1].rows[0].cells[0]
    return body, [p.text for p in footer.paragraphs]


def test_the_docx_states_the_regime(w, api_as):
    cv = api_as("cv")
    pk = cv.post("/api/v1/documents", api_payload(w)).json()["id"]
    body, sent_to = docx_texts(cv.get(f"/api/v1/documents/{pk}/file?format=docx").content)
    sentence = (
        "Các đơn vị báo cáo kết quả thực hiện về Phòng Giáo dục và Đào tạo huyện Mẫu "
        "trước ngày 12/10/2027."
    )
    assert sentence in body
    assert body.index(sentence) > body.index("Đẩy mạnh học tập.")
    assert sent_to[0] == "Nơi nhận:"
    assert "- UBND xã Một;" in sent_to and "- UBND xã Hai (để biết);" in sent_to

    # Named nobody: the recipients report to the issuer, in the "reporting" section.
    cv.patch(
        f"/api/v1/documents/{pk}",
        {
            "version": 1,
            "report_to_unit_id": None,
            "sections": [
                {"heading": "I. MỤC ĐÍCH", "body": "Đẩy mạnh."},
                {"key": "reporting", "heading": "II. CHẾ ĐỘ BÁO CÁO", "body": "Qua Lantoa./."},
            ],
        },
    )
    body, _sent = docx_texts(cv.get(f"/api/v1/documents/{pk}/file?format=docx").content)
    i = body.index("II. CHẾ ĐỘ BÁO CÁO")
    assert body[i + 1 : i + 3] == [
        "Các đơn vị báo cáo kết quả thực hiện về UBND huyện Mẫu trước ngày 12/10/2027.",
        "Qua Lantoa./.",
    ]


def test_a_document_only_informing_states_no_reporting_sentence(w, api_as):
    cv = api_as("cv")
    payload = api_payload(
        w, report_to_unit_id=None, recipients=[{"unit_id": w.units["xa1"].pk, "reports": False}]
    )
    pk = cv.post("/api/v1/documents", payload).json()["id"]
    body, sent_to = docx_texts(cv.get(f"/api/v1/documents/{pk}/file?format=docx").content)
    assert not any("báo cáo kết quả thực hiện về" in t for t in body)
    assert "- UBND xã Một (để biết);" in sent_to


def test_the_reporting_tree_follows_the_regime(w):
    issued(
        w,
        issuer="so",
        user="so",
        report_due_on=date(2027, 10, 20),
        recipients=[RecipientIn(unit=w.units["huyen"]), RecipientIn(unit=w.units["pgd"])],
    )
    reporting_tree_build(campaign=w.campaign, force=True)
    plan = district_plan(
        w,
        report_to_unit=w.units["pgd"],
        recipients=[
            RecipientIn(unit=w.units["xa1"]),
            RecipientIn(unit=w.units["xa2"], reports=False),
            RecipientIn(unit=w.units["school2"]),
        ],
    )
    services.document_submit(document=plan, user=w.users["cv"])
    services.document_approve(document=plan, user=w.users["leader"])
    plan = services.document_issue(document=plan, user=w.users["leader"])

    nodes = {
        n.unit_id: (n.parent_unit_id, n.claimed_by_id)
        for n in ReportingNode.objects.filter(campaign=w.campaign)
    }
    u = {k: unit.pk for k, unit in w.units.items()}
    # The plan's reporting recipients report to the unit it names, claimed by it …
    assert nodes[u["xa1"]] == (u["pgd"], plan.pk)
    assert nodes[u["school2"]] == (u["pgd"], plan.pk)
    # … the one informed only keeps its administrative line, unclaimed.
    assert nodes[u["xa2"]] == (u["huyen"], None)
    # The Sở's dispatch still holds the district and its office.
    assert nodes[u["pgd"]][0] == u["so"]
