import io

from docx import Document as Docx

from lantoa.honours.models import Honour, Nomination


def _nominate(api, world, **extra):
    # The Week after the 2025 reform: THCS Ngọc Lâm sits under the new phường Bồ Đề.
    body = {
        "campaign_id": world.campaigns[max(world.campaigns)].pk,
        "unit_id": world.units["thcs_ngoclam"].pk,
        "nominee_kind": "individual",
        "nominee_name": "Cô Đặng Thu Hà",
        "achievement": "Tấm gương tự học: hoàn thành 5 khóa học trực tuyến",
    }
    body.update(extra)
    return api.post("/api/v1/nominations", body)


def test_nomination_goes_up_to_the_final_level(demo, api_as, client):
    api = api_as("thcs.ngoclam")
    response = _nominate(api, demo, final_unit_id=demo.units["ubnd_hanoi"].pk)
    assert response.status_code == 201, response.content
    nomination = response.json()
    assert nomination["state"] == "pending"
    assert nomination["reviewer_unit_id"] == demo.units["new_bode"].pk
    # The nominating school cannot approve; the ward's approver can; the abolished district
    # office no longer sees it.
    assert api.post(f"/api/v1/nominations/{nomination['id']}/approve").status_code == 403
    gone = api_as("pgd.longbien").post(f"/api/v1/nominations/{nomination['id']}/approve")
    assert gone.status_code == 404
    step = api_as("phuongmoi.bode").post(f"/api/v1/nominations/{nomination['id']}/approve")
    assert step.status_code == 200
    assert step.json()["state"] == "pending"
    assert step.json()["reviewer_unit_id"] == demo.units["ubnd_hanoi"].pk
    public = client.get("/api/v1/public/honours").json()["items"]
    assert "Cô Đặng Thu Hà" not in {h["nominee_name"] for h in public}
    # The ward cannot approve twice; Sở GDĐT is a sibling of the city's People's Committee,
    # not its approver.
    again = api_as("phuongmoi.bode").post(f"/api/v1/nominations/{nomination['id']}/approve")
    assert again.status_code == 403
    refused = api_as("so.hanoi").post(f"/api/v1/nominations/{nomination['id']}/approve")
    assert refused.status_code == 404
    final = api_as("ubnd.hanoi").post(f"/api/v1/nominations/{nomination['id']}/approve")
    assert final.status_code == 200
    assert final.json()["state"] == "approved"
    again = api_as("admin").post(f"/api/v1/nominations/{nomination['id']}/approve")
    assert again.status_code == 409
    campaign = demo.campaigns[max(demo.campaigns)]
    board = client.get("/api/v1/public/honours", {"campaign": campaign.pk}).json()
    mine = [h for h in board["items"] if h["nominee_name"] == "Cô Đặng Thu Hà"]
    assert mine and mine[0]["province_name"] == "UBND Thành phố Hà Nội"
    assert mine[0]["approved_by_unit_name"] == demo.units["ubnd_hanoi"].name


def test_decline_needs_a_reason(demo, api_as):
    nomination = _nominate(api_as("thcs.ngoclam"), demo).json()
    approver = api_as("phuongmoi.bode")
    empty = approver.post(f"/api/v1/nominations/{nomination['id']}/decline", {"reason": " "})
    assert empty.status_code == 400
    assert Nomination.objects.get(pk=nomination["id"]).state == "pending"
    done = approver.post(
        f"/api/v1/nominations/{nomination['id']}/decline", {"reason": "Chưa đủ minh chứng"}
    )
    assert done.status_code == 200
    assert done.json()["state"] == "declined"
    assert done.json()["reason"] == "Chưa đủ minh chứng"
    assert not Honour.objects.filter(nomination_id=nomination["id"]).exists()


def test_bad_nominations(demo, api_as):
    api = api_as("thcs.ngoclam")
    assert _nominate(api, demo, nominee_name="").status_code == 400
    assert _nominate(api, demo, achievement="").status_code == 400
    assert _nominate(api, demo, nominee_kind="alien").status_code == 400
    bad_final = _nominate(api, demo, final_unit_id=demo.units["pgd_tdm"].pk)
    assert bad_final.status_code == 400
    out = _nominate(api, demo, unit_id=demo.units["ward_phuloi"].pk)
    assert out.status_code == 404
    nomination = _nominate(api, demo).json()
    assert api_as("pgd.thudaumot").get(f"/api/v1/nominations/{nomination['id']}").status_code == 404
    assert (
        api_as("pgd.thudaumot").post(f"/api/v1/nominations/{nomination['id']}/approve").status_code
        == 404
    )


def test_pages_approve_and_decision_docx(demo, client_as):
    client = client_as("pgd.longbien")
    page = client.get("/tuyen-duong/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Thầy Lê Minh Quân" in html
    pending = Nomination.objects.get(nominee_name__startswith="Thầy Lê Minh Quân")
    client.post(f"/tuyen-duong/{pending.pk}/phe-duyet/")
    pending.refresh_from_db()
    assert pending.state == "approved"
    response = client.get(
        "/tuyen-duong/quyet-dinh.docx",
        {"campaign": demo.campaigns[2023].pk, "unit": demo.units["pgd_longbien"].pk},
    )
    assert response.status_code == 200
    doc = Docx(io.BytesIO(response.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "QUYẾT ĐỊNH" in text + cells
    assert "Thầy Lê Minh Quân" in cells
    assert "Cô Nguyễn Thị Hạnh" in cells
    assert client_as("thcs.ngoclam").get("/tuyen-duong/quyet-dinh.docx").status_code == 404


def test_nominate_from_the_page(demo, client_as):
    # The Week after the 2025 reform: the centre sits under the new phường Bồ Đề.
    client = client_as("htcd.bode")
    response = client.post(
        "/tuyen-duong/",
        {
            "campaign": demo.campaigns[max(demo.campaigns)].pk,
            "nominee_kind": "collective",
            "nominee_name": "Câu lạc bộ tin học phường",
            "achievement": "Mở lớp tin học miễn phí",
            "final_unit": demo.units["new_bode"].pk,
        },
    )
    assert response.status_code == 302
    nomination = Nomination.objects.get(nominee_name="Câu lạc bộ tin học phường")
    assert nomination.reviewer_unit == demo.units["new_bode"]


def test_decision_draft_goes_into_the_documents_flow(demo, client_as):
    from lantoa.documents.models import Document

    client = client_as("pgd.longbien")
    unit = demo.units["pgd_longbien"]
    campaign = demo.campaigns[2023]
    response = client.post(f"/tuyen-duong/quyet-dinh.docx?campaign={campaign.pk}&unit={unit.pk}")
    assert response.status_code == 302, response.content
    document = Document.objects.get(kind="quyet_dinh", issuer_unit=unit, campaign=campaign)
    assert document.state == "draft"
    assert response["Location"].endswith(f"/van-ban/{document.pk}/")
    appendix = [s for s in document.sections if s.get("key") == "appendix"][0]
    assert "Cô Nguyễn Thị Hạnh, giáo viên Tin học" in {row[1] for row in appendix["table"]}
    # A unit that approved nothing gets a clear refusal, and nothing is written.
    empty = client_as("pgd.ductrong").post(
        f"/tuyen-duong/quyet-dinh.docx?campaign={demo.campaigns[2021].pk}", follow=True
    )
    assert "chưa phê duyệt tuyên dương nào" in empty.content.decode()
    assert Document.objects.filter(kind="quyet_dinh").count() == 1
