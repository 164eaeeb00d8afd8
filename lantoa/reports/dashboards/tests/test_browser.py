from datetime import date, timedelta
from urllib.parse import urlparse

import pytest

from lantoa.demo.world import load_world
from lantoa.notifications.models import ReminderLog
from lantoa.notifications.tests.factories import make_campaign, set_deadline, submit

DUE = date(2026, 10, 12)


@pytest.mark.browser
def test_dashboard_draws_its_charts_offline(browser_login, demo_live_server):
    world = load_world()
    # 2026, after the 2025 reform: the new phường Bồ Đề's school and centre report to it.
    campaign = make_campaign(world, 2026)
    set_deadline(campaign, world.units["new_bode"], DUE)
    submit(world, "thcs.ngoclam", "thcs_ngoclam", campaign, {"lop_hoc": 3}, DUE - timedelta(2))
    submit(world, "htcd.bode", "htcd_bode", campaign, {"lop_hoc": 7}, DUE)

    page = browser_login("phuongmoi.bode")
    page.wait_for_url("**/tong-quan/")
    errors, hosts = [], set()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    requested = []
    page.on("request", lambda request: hosts.add(urlparse(request.url).hostname))
    page.on("request", lambda request: requested.append(request.url))

    unit = world.units["new_bode"]
    # A short phone screen, so the charts start well below the fold whatever the table above.
    page.set_viewport_size({"width": 360, "height": 560})
    page.goto(
        f"{demo_live_server.url}/tong-hop/?campaign={campaign.pk}&unit={unit.pk}&indicator=lop_hoc"
    )
    # Chart.js is not fetched while the charts are below the fold (phone screen)...
    page.wait_for_load_state("load")
    top = page.evaluate("document.getElementById('chart-timeline').getBoundingClientRect().top")
    assert top > page.viewport_size["height"] + 200, top
    assert not page.evaluate("window.lantoaChartsRequested === true")
    assert not any("chart.umd" in url for url in requested)
    # ...and is drawn once they scroll into view.
    page.locator("#chart-timeline").scroll_into_view_if_needed()
    page.wait_for_function("window.lantoaChartsReady === true")
    for canvas in ("chart-timeline", "chart-children", "chart-yoy"):
        box = page.locator(f"#{canvas}").bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, canvas
    # Chart.js has drawn something: the canvas is no longer blank.
    assert page.evaluate(
        """() => {
            const c = document.getElementById('chart-children');
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            return data.some((v, i) => i % 4 === 3 && v > 0);
        }"""
    )
    assert page.locator("#children-total").inner_text() == "10"
    # One click reminds the missing units, answered in place by htmx.
    page.click("text=Đôn đốc các đơn vị chưa nộp")
    page.wait_for_selector(".remind-result >> text=Đang gửi nhắc nhở")
    assert ReminderLog.objects.filter(campaign=campaign, kind="manual").exists()
    assert not errors, errors
    # Every request (page, Chart.js, htmx, CSS) went to the local server: no CDN.
    assert hosts <= {"127.0.0.1", "localhost"}, hosts
