"""Issue 8: the "Chuyển đơn vị" and "Kết thúc hoạt động" pages agree with the API."""

import pytest

from lantoa.units.models import Unit, UnitSuccession

pytestmark = pytest.mark.django_db


def fresh(unit):
    return Unit.objects.get(pk=unit.pk)


def test_move_page_finds_the_new_parent_and_moves(demo, client_as):
    client, school = client_as("admin"), demo["th_giathuy"]
    page = client.get(f"/don-vi/{school.pk}/").content.decode()
    assert f'href="/don-vi/{school.pk}/chuyen/"' in page
    found = client.get(f"/don-vi/{school.pk}/chuyen/", {"q": "bo de"}).content.decode()
    assert "UBND phường Bồ Đề" in found and f'value="{demo["new_bode"].pk}"' in found
    # The old ward is closed: not offered.
    assert f'value="{demo["ward_bode"].pk}"' not in found
    response = client.post(
        f"/don-vi/{school.pk}/chuyen/",
        {"q": "bo de", "parent_id": demo["new_bode"].pk, "version": fresh(school).version},
    )
    assert response.status_code == 302
    assert fresh(school).path.startswith(fresh(demo["new_bode"]).path)


def test_move_page_shows_a_stale_version_and_changes_nothing(demo, client_as):
    school = fresh(demo["th_giathuy"])
    page = client_as("admin").post(
        f"/don-vi/{school.pk}/chuyen/",
        {"q": "bo de", "parent_id": demo["new_bode"].pk, "version": school.version + 1},
    )
    assert page.status_code == 200
    assert "vừa được người khác thay đổi" in page.content.decode()
    assert fresh(school).path == school.path


@pytest.mark.parametrize(
    "username, status",
    [("admin", 200), ("qt.longbien", 200), ("pgd.longbien", 404), ("thcs.ngoclam", 404)],
)
def test_move_and_close_pages_are_for_admins_above(demo, client_as, api_as, username, status):
    school = demo["thcs_ngoclam"]
    client = client_as(username)
    assert client.get(f"/don-vi/{school.pk}/chuyen/").status_code == status
    assert client.get(f"/don-vi/{school.pk}/ket-thuc/").status_code == status
    # The API answers the same: 404 for the same people (a refused move otherwise).
    response = api_as(username).post(
        f"/api/v1/units/{school.pk}/move",
        {"parent_id": demo["ward_bode"].pk, "version": fresh(school).version},
    )
    assert response.status_code == (404 if status == 404 else 400)


def test_close_page_splits_with_shares(demo, client_as):
    school = demo["thcs_ngoclam"]
    a, b = demo["new_bode"], demo["new_viethung"]
    form = client_as("admin").get(f"/don-vi/{school.pk}/ket-thuc/").content.decode()
    assert f'<option value="{a.pk}">UBND phường Bồ Đề</option>' in form
    data = {
        "valid_to": "2026-06-30",
        "version": fresh(school).version,
        "successors-TOTAL_FORMS": "4",
        "successors-INITIAL_FORMS": "0",
        "successors-0-unit_id": a.pk,
        "successors-0-share": "0,6",
        "successors-1-unit_id": b.pk,
        "successors-1-share": "0,3",
    }
    bad = client_as("admin").post(f"/don-vi/{school.pk}/ket-thuc/", data).content.decode()
    assert "Tổng các tỷ lệ phải bằng 1 (đang là 0,9)" in bad
    assert fresh(school).valid_to is None
    data["successors-1-share"] = "0,4"
    response = client_as("admin").post(f"/don-vi/{school.pk}/ket-thuc/", data)
    assert response.status_code == 302
    shares = dict(
        UnitSuccession.objects.filter(predecessor=school).values_list("successor_id", "share")
    )
    assert {k: float(v) for k, v in shares.items()} == {a.pk: 0.6, b.pk: 0.4}
    page = client_as("admin").get(f"/don-vi/{school.pk}/").content.decode()
    assert "UBND phường Bồ Đề</a> (60%)" in page and "UBND phường Việt Hưng</a> (40%)" in page
    successor = client_as("admin").get(f"/don-vi/{a.pk}/").content.decode()
    assert "Trường THCS Ngọc Lâm</a> (60%)" in successor
