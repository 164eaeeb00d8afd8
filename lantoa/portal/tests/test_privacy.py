"""Walk every public page and endpoint of the demo: no registrant's name, phone or e-mail."""

import re
from urllib.parse import urljoin, urlparse

from lantoa.activities.models import Activity, Registration

PUBLIC_PREFIXES = ("/cong-khai/", "/api/v1/public/")


def _links(html: str, base: str) -> set[str]:
    found = set()
    for href in re.findall(r'href="([^"#]+)"', html):
        url = urljoin(base, href.replace("&amp;", "&"))
        parsed = urlparse(url)
        if parsed.netloc not in ("", "testserver"):
            continue
        path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        if path.startswith(PUBLIC_PREFIXES):
            found.add(path)
    return found


def test_no_personal_data_on_public_pages(demo, client):
    registrations = list(Registration.objects.all())
    assert len(registrations) >= 4
    secrets = set()
    for r in registrations:
        secrets |= {r.full_name, r.phone, r.email} - {""}
    start = {
        "/",
        "/cong-khai/",
        "/cong-khai/lich/",
        "/cong-khai/lich.ics",
        "/cong-khai/tuyen-duong/",
        "/cong-khai/hoc-lieu/",
        "/cong-khai/dang-ky/",
        "/api/v1/public/activities?page_size=500",
        "/api/v1/public/honours",
    }
    for a in Activity.objects.filter(public=True):
        start |= {
            f"/cong-khai/hoat-dong/{a.pk}/",
            f"/cong-khai/hoat-dong/{a.pk}.ics",
            f"/api/v1/public/activities/{a.pk}",
        }
    for r in registrations:
        start.add(f"/cong-khai/dang-ky/?code={r.code}")
    seen: set[str] = set()
    queue = sorted(start)
    while queue and len(seen) < 400:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        body = response.content.decode()
        for secret in secrets:
            assert secret not in body, (path, secret)
        if "html" in response.get("Content-Type", ""):
            queue.extend(_links(body, path) - seen)
    assert len(seen) > 60
