"""The office's activity list as .xlsx: a visible "Tải Excel" link for the chosen Week,
the page's rows (scope), a title row naming the unit and the Week, times as dates, numbers
as numbers, a fixed number of queries; ``GET /api/v1/activities.xlsx`` alike."""

import io
from datetime import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from lantoa.activities import selectors
from lantoa.activities.tests.factories import activity_make

OFFICE = "pgd.longbien"
ORGANISER = "thcs.ngoclam"  # the unit activity_make organises for


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200, response.content[:300]
    content = b"".join(response.streaming_content)
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


def test_activity_list_xlsx_has_the_pages_rows(demo, client_as):
    campaign = demo.campaigns[max(demo.campaigns)]
    client = client_as(ORGANISER)
    html = client.get("/hoat-dong/", {"campaign": campaign.pk}).content.decode()
    assert f'href="/hoat-dong/danh-sach.xlsx?campaign={campaign.pk}"' in html
    activity_make(demo, title='=HYPERLINK("x")', capacity=1234)
    rows = sheet_rows(client.get("/hoat-dong/danh-sach.xlsx", {"campaign": campaign.pk}))
    assert rows[0][0].startswith("Hoạt động của ") and f"Tuần lễ {campaign.year}" in rows[0][0]
    assert rows[1][:4] == ("Hoạt động", "Loại hoạt động", "Đơn vị tổ chức", "Bắt đầu")
    expected = list(selectors.activities_for_user(user=demo.users[ORGANISER], campaign=campaign))
    assert [r[0] for r in rows[2:]] == [a.title for a in expected]
    made = next(r for r in rows[2:] if r[0] == '=HYPERLINK("x")')  # text, not a formula
    assert isinstance(made[3], datetime) and made[7] == 1234 and made[8] == 0
    # Out of scope: Đức Trọng's activities are not in Long Biên's file.
    assert "Thương mại điện tử cho nông sản Đức Trọng" not in {r[0] for r in rows}


def test_activity_list_xlsx_runs_a_fixed_number_of_queries(demo, client_as):
    client = client_as(ORGANISER)
    client.get("/hoat-dong/")
    with CaptureQueriesContext(connection) as before:
        sheet_rows(client.get("/hoat-dong/danh-sach.xlsx"))
    for i in range(8):
        activity_make(demo, title=f"Thêm {i}")
    with CaptureQueriesContext(connection) as after:
        rows = sheet_rows(client.get("/hoat-dong/danh-sach.xlsx"))
    assert len(before) == len(after)
    assert {f"Thêm {i}" for i in range(8)} <= {r[0] for r in rows}


def test_api_activities_xlsx_matches_the_json_list(demo, api_as):
    campaign = demo.campaigns[2023]
    api = api_as(OFFICE)
    listed = api.get("/api/v1/activities", {"campaign": campaign.pk, "page_size": 500}).json()
    rows = sheet_rows(api.get("/api/v1/activities.xlsx", {"campaign": campaign.pk}))
    assert "Tuần lễ 2023" in rows[0][0]
    assert [r[0] for r in rows[2:]] == [a["title"] for a in listed["items"]]
    outside = demo.units["ubnd_tdm"].pk
    response = api.get("/api/v1/activities.xlsx", {"unit": outside})
    assert response.status_code == 404
