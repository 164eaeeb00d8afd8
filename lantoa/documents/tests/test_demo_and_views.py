"""The demo's documents (seeds 000–004) and the pages that show them."""

import io
from datetime import date

import pytest
from docx import Document as DocxDocument
from docx.shared import Mm

from lantoa.campaigns.models import ReportingDeadline
from lantoa.documents import selectors
from lantoa.documents.models import Document, DocumentState
from lantoa.documents.output import document_docx

pytestmark = pytest.mark.django_db


def by_ref(ref: str) -> Document:
    number, symbol = ref.split("/")
    return Document.objects.get(number=int(number), symbol=symbol)


def test_demo_documents_match_the_seeds(demo):
    plan = by_ref("22/KH-BCĐ")
    assert plan.issued_on == date(2023, 9, 22) and plan.place == "Long Biên"
    assert [d.reference for d in selectors.legal_bases(plan)] == [
        "4864/BGDĐT-GDĐT",
        "3442/SGDĐT-GDĐT-ĐH",
    ]
    assert plan.report_due_on == date(2023, 10, 12)
    assert (plan.signer_authority, plan.signer_title, plan.signer_name) == (
        "KT. TRƯỞNG BAN",
        "PHÓ TRƯỞNG BAN THƯỜNG TRỰC",
        "Vũ Thị Thu Hà",
    )
    assert plan.drafting_unit == demo.units["pgd_longbien"]
    assert by_ref("3270/SGDĐT-GDTX-CN").issued_on == date(2021, 9, 15)
    assert by_ref("3764/BGDĐT-GDTX").issued_on == date(2021, 8, 31)
    assert by_ref("245/KH-PGDĐT").based_on.get().reference == "1679/SGDĐT-GDTX"

    tdm = by_ref("220/KH-UBND")
    assert tdm.issued_on == date(2021, 9, 29) and tdm.drafting_unit == demo.units["pgd_tdm"]
    table = selectors.consultation_table(tdm)
    assert table["due_on"] == date(2021, 9, 22) and len(table["rows"]) == 18
    answered = {r["unit_name"] for r in table["rows"] if r["answer"] in ("agree", "comment")}
    assert answered == {
        "Phòng Tài chính - Kế hoạch thành phố Thủ Dầu Một",
        "Phòng Văn hóa và Thông tin thành phố Thủ Dầu Một",
        "Phòng Nội vụ thành phố Thủ Dầu Một",
        "Đài truyền thanh thành phố Thủ Dầu Một",
        "UBND phường Hòa Phú",
        "UBND phường Phú Lợi",
    }
    assert table["counts"]["silent"] == 12
    assert table["consultation"].letter.reference == "1040/PGDĐT"
    assert by_ref("1103/PGDĐT").issued_on == date(2021, 9, 23)
    assert [v.version for v in tdm.versions.all()] == [1, 2, 3]
    diff = selectors.version_diff(document=tdm, a=1, b=2)
    assert ("add", "- Hình thức: trực tuyến.") in diff

    deadlines = {
        (d.campaign.year, d.unit.name): (d.due_on, d.source)
        for d in ReportingDeadline.objects.select_related("campaign", "unit")
    }
    assert deadlines[(2023, "UBND quận Long Biên")] == (date(2023, 10, 12), "22/KH-BCĐ")
    assert deadlines[(2021, "UBND thành phố Thủ Dầu Một")] == (date(2021, 10, 12), "220/KH-UBND")
    assert deadlines[(2020, "UBND tỉnh Lạng Sơn")] == (date(2020, 10, 25), "170/KH-UBND")
    assert deadlines[(2021, "Phòng Giáo dục và Đào tạo huyện Đức Trọng")][0] == date(2021, 10, 20)

    next_year = max(demo.campaigns)
    dispatch = Document.objects.get(
        campaign=demo.campaigns[next_year], issuer_unit=demo.units["bo"]
    )
    assert dispatch.state == DocumentState.ISSUED and dispatch.number == 1
    assert set(dispatch.deliveries.values_list("unit__kind", flat=True)) == {"ubnd_tinh", "so_gddt"}


def test_every_demo_document_renders_in_the_decree_30_layout(demo):
    for doc in Document.objects.select_related("issuer_unit"):
        opened = DocxDocument(io.BytesIO(document_docx(doc)))
        section = opened.sections[0]
        assert Mm(30) <= section.left_margin <= Mm(35), doc
        left, right = opened.tables[0].rows[0].cells
        lines = [p.text for p in left.paragraphs if p.text]
        assert f"Số: {doc.reference}" in lines, (doc, lines)
        assert doc.issuer_unit.name.upper() in lines
        assert right.paragraphs[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
        texts = [p.text for p in opened.paragraphs]
        if doc.kind == "cong_van":
            assert doc.subject in lines
        else:
            assert doc.get_kind_display().upper() in texts
    seed_000 = DocxDocument(io.BytesIO(document_docx(by_ref("3270/SGDĐT-GDTX-CN"))))
    texts = [p.text for p in seed_000.paragraphs]
    assert "PHỤ LỤC" in texts
    assert "BÁO CÁO TỔNG KẾT TUẦN LỄ HỌC TẬP SUỐT ĐỜI NĂM 2021" in texts
    assert seed_000.tables[-1].rows[0].cells[1].text == "Nội dung"
    header = seed_000.tables[0].rows[0].cells[0]
    assert [p.text for p in header.paragraphs if p.text][:2] == [
        "UBND THÀNH PHỐ HÀ NỘI",
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO HÀ NỘI",
    ]


def test_pages(demo, client_as):
    cv = client_as("cv.longbien")
    inbox = cv.get("/van-ban/")
    assert inbox.status_code == 200
    assert "3442/SGDĐT-GDĐT-ĐH" in inbox.content.decode()
    assert "chưa đọc" in inbox.content.decode()
    lst = cv.get("/van-ban/", {"tab": "list", "q": "tuan le"})
    assert "22/KH-BCĐ" in lst.content.decode()
    partial = cv.get("/van-ban/", {"tab": "list", "kind": "ke_hoach"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "22/KH-BCĐ" in partial.content.decode()
    parent = by_ref("3442/SGDĐT-GDĐT-ĐH")
    page = cv.get(
        "/van-ban/moi/", {"based_on": parent.pk, "issuer": demo.units["ubnd_longbien"].pk}
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "4864/BGDĐT-GDĐT" in html and "3442/SGDĐT-GDĐT-ĐH" in html
    assert "Xây dựng năng lực tự học trong kỷ nguyên số" in html
    assert 'value="13/10/2023"' in html  # three days before the department's 16/10
    assert "UBND phường Bồ Đề" in html
    tdm = by_ref("220/KH-UBND")
    leader = client_as("ubnd.thudaumot")
    detail = leader.get(f"/van-ban/{tdm.pk}/").content.decode()
    assert "Không có ý kiến, xem như thống nhất" in detail
    assert detail.index("Lịch sử xử lý") > detail.index('<main id="main">')
    assert "Đề nghị bổ sung hình thức tổ chức trực tuyến" in detail
    assert leader.get(f"/van-ban/{tdm.pk}/phien-ban/?a=1&b=2").status_code == 200
    r = leader.get(f"/van-ban/{tdm.pk}/tai/docx/")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    # out of scope: 404 on the page too
    assert client_as("thcs.ngoclam").get(f"/van-ban/{tdm.pk}/").status_code == 404
    school = client_as("thcs.ngoclam")
    # Since the 2025 reform THCS Ngọc Lâm sits under the new phường Bồ Đề: the ward's plan
    # for the next Week gives its secondary schools a duty, listed in the school's tasks.
    _ward_plan_with_a_duty_for_schools(demo)
    tasks = school.get("/van-ban/", {"tab": "tasks"}).content.decode()
    assert "Cấp THCS" in tasks
    assert cv.get("/tuan-le/").status_code == 200
    assert "22/KH-BCĐ" in cv.get(f"/tuan-le/{demo.campaigns[2023].pk}/").content.decode()
    assert cv.get("/tuan-le/moi/").status_code == 404
    assert client_as("bo.gddt").get("/tuan-le/moi/").status_code == 200


def test_duties_keep_the_seeds_own_numbering(demo):
    text = "\n".join(
        p.text for p in DocxDocument(io.BytesIO(document_docx(by_ref("22/KH-BCĐ")))).paragraphs
    )
    assert "5.3. Các trường học trên địa bàn Quận" in text
    assert "5. 5.3." not in text


def test_every_issued_demo_document_names_its_signer(demo):
    cv = by_ref("3442/SGDĐT-GDĐT-ĐH")
    assert (cv.signer_authority, cv.signer_title, cv.signer_name) == (
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Trần Thị Thanh Hà",
    )
    unnamed = Document.objects.filter(state=DocumentState.ISSUED, signer_name="")
    assert list(unnamed.values_list("symbol", "number")) == []
    text = [
        p.text for p in DocxDocument(io.BytesIO(document_docx(cv))).tables[-1].cell(0, 1).paragraphs
    ]
    assert "Trần Thị Thanh Hà" in text


def test_demo_keys_sign_3442_and_it_verifies(demo):
    from lantoa.documents import signing, verification

    cv = by_ref("3442/SGDĐT-GDĐT-ĐH")
    signed = signing.document_signed_pdf(cv)
    reports = verification.verify_pdf(signed)
    assert [(r.signer, r.valid) for r in reports] == [
        ("Trần Thị Thanh Hà", True),
        ("Sở Giáo dục và Đào tạo Hà Nội", True),
    ]
    # edXML round trip: the education office of Long Biên receives it as a message
    from lantoa.documents import edxml

    message = edxml.edxml_export(cv)
    got = edxml.edxml_import(data=message, user=demo.users["cv.longbien"])
    assert (got.number, got.symbol, got.issued_on, got.subject, got.signer_name) == (
        3442,
        "SGDĐT-GDĐT-ĐH",
        date(2023, 9, 21),
        cv.subject,
        "Trần Thị Thanh Hà",
    )
    assert [b.reference for b in got.based_on.all()] == ["4864/BGDĐT-GDĐT"]
    assert signing.document_signed_pdf(got) == signed


def _ward_plan_with_a_duty_for_schools(demo) -> Document:
    from lantoa.documents import services
    from lantoa.units.models import UnitKind

    ward, leader = demo.units["new_bode"], demo.users["phuongmoi.bode"]
    plan = services.document_create(
        user=leader,
        campaign=demo.campaigns[max(demo.campaigns)],
        kind="ke_hoach",
        issuer_unit=ward,
        drafting_unit=ward,
        subject="Tổ chức Tuần lễ hưởng ứng học tập suốt đời trên địa bàn phường",
        assignments=[
            services.AssignmentIn(
                unit_kind=UnitKind.TRUONG_THCS,
                heading="Cấp THCS",
                text="Cấp THCS: tổ chức lễ phát động vào giờ chào cờ.",
            )
        ],
    )
    services.document_submit(document=plan, user=leader)
    services.document_approve(document=plan, user=leader)
    return services.document_issue(document=plan, user=leader)
