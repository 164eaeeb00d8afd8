"""The campaign edit form on a 360 px phone: accessible, dd/mm/yyyy dates, saved."""

import pytest
from django.utils import timezone

from lantoa.campaigns.models import Campaign
from lantoa.conftest import DEMO_PASSWORD

# The 360 px phone and the axe-core run of the accessibility suite, shared.
from lantoa.core.tests.test_accessibility import _violations, phone  # noqa: F401


@pytest.mark.browser
def test_owner_edits_the_week_on_a_phone(phone, demo_live_server):  # noqa: F811
    base, page = demo_live_server.url, phone
    week = Campaign.objects.filter(ends_on__gte=timezone.localdate()).get()
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.fill("#id_username", "bo.gddt")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/tong-quan/")
    page.goto(f"{base}/tuan-le/{week.pk}/")
    page.click("#campaign-edit summary")
    assert page.input_value("#id_ends_on") == f"07/10/{week.year}"
    found = {"form": _violations(page)}
    page.fill("#id_ends_on", f"09/10/{week.year}")
    page.fill("#id_theme", "Chủ đề sửa trên điện thoại")
    page.click("#campaign-edit button[type=submit]")
    page.wait_for_selector(".messages")
    assert "Đã lưu thay đổi của Tuần lễ." in page.inner_text(".messages")
    found["saved"] = _violations(page)
    assert {k: v for k, v in found.items() if v} == {}
    fresh = Campaign.objects.get(pk=week.pk)
    assert (fresh.theme, f"{fresh.ends_on:%d/%m/%Y}", fresh.version) == (
        "Chủ đề sửa trên điện thoại",
        f"09/10/{week.year}",
        2,
    )
