"""Campaign pages: list, detail, create (approver of the top unit only)."""

import pytest

from lantoa.campaigns.models import Campaign

pytestmark = pytest.mark.django_db


def test_list_and_detail_show_past_weeks(demo, client_as):
    cv = client_as("cv.longbien")
    html = cv.get("/tuan-le/").content.decode()
    for year in (2020, 2021, 2023):
        assert f"/tuan-le/{demo.campaigns[year].pk}/" in html
    detail = cv.get(f"/tuan-le/{demo.campaigns[2023].pk}/").content.decode()
    assert "Xây dựng năng lực tự học trong kỷ nguyên số" in detail
    assert "02/10/2023" in detail  # opening day, dd/mm/yyyy
    assert "22/KH-BCĐ" in detail
    assert cv.get("/tuan-le/999999/").status_code == 404


def test_only_an_approver_of_the_top_unit_may_create(demo, client_as):
    assert client_as("cv.longbien").get("/tuan-le/moi/").status_code == 404
    assert client_as("so.hanoi").get("/tuan-le/moi/").status_code == 404
    assert client_as("bo.gddt").get("/tuan-le/moi/").status_code == 200


def test_ministry_creates_next_years_campaign_with_copied_indicators(demo, client_as):
    bo = client_as("bo.gddt")
    year = max(demo.campaigns) + 1
    r = bo.post(
        "/tuan-le/moi/",
        {
            "year": year,
            "title": f"Tuần lễ hưởng ứng học tập suốt đời năm {year}",
            "theme": "Học tập suốt đời cho mọi người",
            "starts_on": f"{year}-10-01",
            "ends_on": f"{year}-10-07",
            "opening_on": f"{year}-10-01",
        },
    )
    assert r.status_code == 302
    new = Campaign.objects.get(year=year)
    assert new.indicators.count() == demo.campaigns[max(demo.campaigns)].indicators.count()
    bad = bo.post(
        "/tuan-le/moi/",
        {
            "year": year,
            "title": "X",
            "theme": "Y",
            "starts_on": f"{year}-10-07",
            "ends_on": f"{year}-10-01",
        },
    )
    assert bad.status_code == 200 and "Đã có Tuần lễ năm" in bad.content.decode()
