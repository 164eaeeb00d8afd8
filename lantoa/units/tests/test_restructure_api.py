"""POST /units/restructure: the restructuring sheet through the API (multipart .xlsx), with
the page's scope and all-or-nothing rule; documented in OpenAPI; the page states the cap."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.formats import number_format

from lantoa.history.models import HistoryEntry
from lantoa.units.models import Unit
from lantoa.units.restructuring import HEADERS, MAX_ROWS
from lantoa.units.tests.test_restructuring_sheet import xlsx

URL = "/api/v1/units/restructure"


def _file(rows) -> SimpleUploadedFile:
    return SimpleUploadedFile("tai-cau-truc.xlsx", xlsx(rows).getvalue())


def test_a_clean_sheet_answers_a_summary(demo, api_as):
    sheet = [
        HEADERS,
        ["HN-LB-THCS-NL", "130", "", "", ""],
        ["HN-LB-MN-HS", "", "130; 127", "0,6; 0,4", "30/06/2026"],
    ]
    r = api_as("admin").upload(URL, {"file": _file(sheet)}, {"unit_id": demo["ubnd_hanoi"].pk})
    assert r.status_code == 200, r.content
    assert r.json() == {"rows": 2, "moved": 1, "closed": 1}
    new_bode = Unit.objects.get(pk=demo["new_bode"].pk)
    assert Unit.objects.get(pk=demo["thcs_ngoclam"].pk).path.startswith(new_bode.path)
    assert HistoryEntry.objects.filter(action="move", object_id=str(demo["thcs_ngoclam"].pk))


def test_bad_rows_are_each_listed_in_problem_json_and_nothing_changes(demo, api_as):
    before = list(Unit.objects.values_list("pk", "path", "valid_to", "version"))
    sheet = [
        HEADERS,
        ["KHONG-CO", "130", "", "", ""],
        ["HN-LB-MN-HS", "", "130; 127", "0,5; 0,4", "30/06/2026"],
        ["HN-LB-TH-NT", "HN-LB-01", "", "", ""],
    ]
    r = api_as("admin").upload(URL, {"file": _file(sheet)}, {"unit_id": demo["ubnd_hanoi"].pk})
    assert r.status_code == 400
    assert r["Content-Type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == "unit_restructure_rows"
    assert body["detail"] == "Tệp có 3 lỗi, chưa áp dụng dòng nào."
    assert [(e["row"], e["column"]) for e in body["errors"]] == [
        (2, "Mã đơn vị"),
        (3, "Tỷ lệ"),
        (4, "Mã đơn vị cấp trên mới"),
    ]
    assert "tổng các tỷ lệ phải bằng 1" in body["errors"][1]["message"]
    assert list(Unit.objects.values_list("pk", "path", "valid_to", "version")) == before


def test_scope_like_the_page(demo, api_as):
    sheet = [HEADERS, ["HN-LB-THCS-NL", "130", "", "", ""]]
    # so.hanoi administers no unit: 404, as the page.
    r = api_as("so.hanoi").upload(URL, {"file": _file(sheet)}, {"unit_id": demo["ubnd_hanoi"].pk})
    assert r.status_code == 404
    # Long Biên's admin: a Hà Nội code outside Long Biên is unknown there.
    r = api_as("qt.longbien").upload(
        URL,
        {"file": _file([HEADERS, ["LD-DT-PGD", "HN-LB-THCS-NL", "", "", ""]])},
        {"unit_id": demo["ubnd_longbien"].pk},
    )
    assert r.status_code == 400
    assert "không tìm thấy đơn vị “LD-DT-PGD”" in r.json()["errors"][0]["message"]
    r = api_as("admin").upload(URL, {}, {"unit_id": demo["ubnd_hanoi"].pk})
    assert r.status_code == 400 and r.json()["code"] == "upload_missing"


def test_openapi_documents_the_endpoint(demo, api_as):
    schema = api_as("admin").get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/units/restructure"]["post"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
    assert {"200", "400"} <= set(operation["responses"])
    assert "20,000" in operation["description"]


def test_the_page_states_the_cap(demo, client_as):
    page = client_as("admin").get(f"/don-vi/{demo['ubnd_hanoi'].pk}/tai-cau-truc/")
    assert number_format(MAX_ROWS, force_grouping=True) in page.content.decode()
