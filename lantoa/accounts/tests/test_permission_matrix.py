"""Who sees what: for every demo account, units inside vs outside its scope, on pages
and in the API, and the admin-only pages. Outside the scope is always 404."""

import pytest
from django.test import Client

from lantoa.conftest import DEMO_PASSWORD, api_token

# account → (units it may open, units it may not)
MATRIX = {
    "admin": (["bo", "ward_bode", "thcs_lienhiep", "new_bode"], []),
    "bo.gddt": (["bo", "ubnd_hanoi", "ward_bode", "thcs_lienhiep", "new_bode"], []),
    "so.hanoi": (["so_hanoi"], ["ubnd_hanoi", "pgd_longbien", "ubnd_langson", "bo"]),
    "pgd.longbien": (
        ["pgd_longbien", "thcs_ngoclam", "ubnd_longbien", "ward_bode", "htcd_bode"],
        ["ubnd_hanoi", "new_bode", "so_hanoi", "ubnd_tdm"],
    ),
    "cv.longbien": (["pgd_longbien", "th_giathuy"], ["ubnd_longbien", "ward_bode", "so_hanoi"]),
    "phuong.bode": (["ward_bode", "htcd_bode"], ["ward_02", "new_bode", "ubnd_longbien"]),
    "htcd.bode": (["htcd_bode"], ["ward_bode", "htcd_02"]),
    "thcs.ngoclam": (["thcs_ngoclam"], ["th_giathuy", "pgd_longbien", "ward_bode", "bo"]),
    "th.giathuy": (["th_giathuy"], ["thcs_ngoclam", "pgd_longbien"]),
    "ubnd.thudaumot": (
        ["ubnd_tdm", "ward_phuloi", "pgd_tdm", "dai_tdm"],
        ["ubnd_binhduong", "ubnd_hcm", "so_binhduong"],
    ),
    "pgd.thudaumot": (["pgd_tdm", "ward_hoaphu"], ["so_binhduong", "ubnd_binhduong"]),
    "phuong.phuloi": (["ward_phuloi"], ["ward_hoaphu", "ubnd_tdm"]),
    "phuong.hoaphu": (["ward_hoaphu"], ["ward_phuloi", "ubnd_tdm"]),
    "ubnd.langson": (["ubnd_langson", "so_langson", "dai_langson"], ["bo", "ubnd_hanoi"]),
    "pgd.ductrong": (
        ["pgd_ductrong", "thcs_lienhiep", "htcd_hiepthanh"],
        ["xa_ductrong", "so_lamdong"],
    ),
    "qt.longbien": (["ubnd_longbien", "ward_bode", "thcs_ngoclam"], ["ubnd_hanoi", "so_hanoi"]),
    "ubnd.hanoi": (
        ["ubnd_hanoi", "so_hanoi", "ubnd_longbien", "new_bode", "ward_bode"],
        ["bo", "ubnd_langson", "ubnd_hcm", "pgd_ductrong"],
    ),
    "phuongmoi.bode": (["new_bode"], ["ward_bode", "new_viethung", "ubnd_hanoi", "ubnd_longbien"]),
}
ADMINS = {"admin": "bo", "qt.longbien": "ubnd_longbien"}


def test_the_matrix_covers_every_demo_account():
    from lantoa.demo.world import ACCOUNTS

    assert set(MATRIX) == {a[0] for a in ACCOUNTS} | {"admin"}


def admin_pages(unit_id: int) -> list[str]:
    return [
        f"/don-vi/{unit_id}/them/",
        f"/don-vi/{unit_id}/nhap/",
        f"/don-vi/{unit_id}/nhap/mau.xlsx",
        f"/don-vi/{unit_id}/lich-su/",
        f"/tai-khoan/don-vi/{unit_id}/nguoi-dung/",
        f"/tai-khoan/don-vi/{unit_id}/nguoi-dung/them/",
        f"/tai-khoan/don-vi/{unit_id}/nguoi-dung/nhap/",
        f"/tai-khoan/don-vi/{unit_id}/nguoi-dung/mau.xlsx",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("username", sorted(MATRIX))
def test_scope_on_pages_and_api(demo, username):
    inside, outside = MATRIX[username]
    client = Client()
    assert (
        client.post(
            "/tai-khoan/dang-nhap/", {"username": username, "password": DEMO_PASSWORD}
        ).status_code
        == 302
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token(Client(), username)}"}
    api = Client()
    for key in inside:
        unit_id = demo[key].pk
        assert client.get(f"/don-vi/{unit_id}/").status_code == 200, (username, key)
        assert api.get(f"/api/v1/units/{unit_id}", **headers).status_code == 200, (username, key)
    for key in outside:
        unit_id = demo[key].pk
        assert client.get(f"/don-vi/{unit_id}/").status_code == 404, (username, key)
        response = api.get(f"/api/v1/units/{unit_id}", **headers)
        assert response.status_code == 404, (username, key)
        assert response["Content-Type"] == "application/problem+json"
        for page in admin_pages(unit_id):
            assert client.get(page).status_code == 404, (username, page)
    # Admin-only pages on the account's own unit: 200 for admins, 404 for everyone else.
    own = demo[ADMINS.get(username, inside[0])].pk
    expected = 200 if username in ADMINS else 404
    for page in admin_pages(own):
        assert client.get(page).status_code == expected, (username, page)
    # The unit list only holds units of the scope.
    listed = api.get("/api/v1/units", {"page_size": 500}, **headers).json()
    ids = {item["id"] for item in listed["items"]}
    assert {demo[k].pk for k in inside} <= ids
    assert not ids & {demo[k].pk for k in outside}


@pytest.mark.django_db
def test_unit_page_is_404_for_a_unit_that_does_not_exist(demo, client_as):
    response = client_as("admin").get("/don-vi/987654/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()
