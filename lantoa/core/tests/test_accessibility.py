"""axe-core (shipped inside axe-playwright-python: no network) finds no violation on the
pages citizens and schools use most, on a phone-sized screen."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from lantoa.activities.models import Activity
from lantoa.conftest import DEMO_PASSWORD
from lantoa.demo.world import load_world


def _contrast(rgb_a: str, rgb_b: str) -> float:
    def luminance(css: str) -> float:
        channels = [int(x) / 255 for x in css[css.index("(") + 1 : css.index(")")].split(",")[:3]]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(rgb_a), luminance(rgb_b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
    ]


@pytest.fixture
def phone(chromium, demo_live_server):
    context = chromium.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.mark.browser
def test_no_axe_violations_on_public_and_school_pages(phone, demo_live_server):
    base, page = demo_live_server.url, phone
    activity = Activity.objects.get(title="Tin học cơ bản cho người cao tuổi")
    found = {}
    for name, path in [
        ("portal home", "/cong-khai/"),
        ("calendar", "/cong-khai/lich/?q=ky+nang+so"),
        ("activity", f"/cong-khai/hoat-dong/{activity.pk}/"),
        ("registration", "/cong-khai/dang-ky/"),
        ("login", "/tai-khoan/dang-nhap/"),
    ]:
        page.goto(base + path)
        found[name] = _violations(page)
    # A registration refused: errors beside the fields are accessible too.
    page.goto(f"{base}/cong-khai/hoat-dong/{activity.pk}/")
    page.fill("#full_name", "Đinh Thị Thanh Xuân")
    page.fill("#phone", "123")
    page.click("#register button.primary")
    page.wait_for_selector("#register-errors")
    found["registration error"] = _violations(page)

    world = load_world()
    campaign, school = world.campaigns[2023], world.units["th_giathuy"]
    page.goto(f"{base}/tai-khoan/dang-nhap/")
    page.fill("#id_username", "th.giathuy")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/tong-quan/")
    found["school overview"] = _violations(page)
    page.goto(f"{base}/bao-cao/{campaign.pk}/{school.pk}/")
    found["report form"] = _violations(page)
    # Input borders stand out from the white field: at least 3:1.
    border, background = page.eval_on_selector(
        "#v_lop_hoc",
        "e => [getComputedStyle(e).borderTopColor, getComputedStyle(e).backgroundColor]",
    )
    assert _contrast(border, background) >= 3, (border, background)
    page.fill("#v_lop_hoc", "-1")
    page.click("#save-report")
    page.wait_for_selector("#form-summary")
    found["report form error"] = _violations(page)
    assert {k: v for k, v in found.items() if v} == {}
