"""Public pages under a budget on a phone: ≤ 20 KB transferred on a first visit and first
contentful paint ≤ 2.5 s on Chrome's "Slow 3G" (2 s latency, 400 kbit/s), measured in
Chromium through the DevTools protocol. One request per page: the stylesheet is inlined,
no script is loaded, the HTML is gzipped."""

import pytest

from lantoa.activities.models import Activity

BUDGET_BYTES = 20 * 1024
BUDGET_FCP_MS = 2500
# Chrome DevTools' "Slow 3G" preset.
SLOW_3G = {
    "offline": False,
    "latency": 400 * 5,
    "downloadThroughput": 500 * 1000 / 8 * 0.8,
    "uploadThroughput": 500 * 1000 / 8 * 0.8,
}


def _measure(chromium, url: str) -> dict:
    context = chromium.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 360, "height": 740}
    )
    try:
        page = context.new_page()
        page.set_default_timeout(30000)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        sizes, urls = {}, {}
        cdp.on(
            "Network.requestWillBeSent",
            lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]),
        )
        cdp.on(
            "Network.loadingFinished",
            lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
        )
        page.goto(url, wait_until="load")
        page.wait_for_timeout(300)
        fcp = page.evaluate(
            """() => { const e = performance.getEntriesByName('first-contentful-paint')[0];
                       return e ? e.startTime : null; }"""
        )
        return {
            "bytes": sum(sizes.values()),
            "fcp": fcp,
            # data: URLs are Chromium's own icons (no network).
            "requests": sorted(u for u in urls.values() if not u.startswith("data:")),
        }
    finally:
        context.close()


@pytest.mark.browser
def test_public_pages_fit_the_slow_3g_budget(chromium, demo_live_server):
    activity = Activity.objects.get(title="Tin học cơ bản cho người cao tuổi")
    base = demo_live_server.url
    pages = {
        "home": f"{base}/cong-khai/",
        "calendar": f"{base}/cong-khai/lich/",
        "search": f"{base}/cong-khai/lich/?q=ky+nang+so",
        "activity": f"{base}/cong-khai/hoat-dong/{activity.pk}/",
        "registration": f"{base}/cong-khai/dang-ky/",
        "honours": f"{base}/cong-khai/tuyen-duong/",
        "login": f"{base}/tai-khoan/dang-nhap/",
    }
    results = {name: _measure(chromium, url) for name, url in pages.items()}
    for name, r in results.items():
        assert r["requests"] == [pages[name]], (name, r["requests"])  # one request, no htmx
        assert r["bytes"] <= BUDGET_BYTES, (name, r["bytes"])
        assert r["fcp"] is not None and r["fcp"] <= BUDGET_FCP_MS, (name, r["fcp"])
