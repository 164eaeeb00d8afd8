import io
import re

import pytest
from django.core import mail
from django.test import Client
from openpyxl import Workbook, load_workbook

from lantoa.accounts.models import ApiToken, Membership, User
from lantoa.history.models import HistoryEntry


def users_url(unit, suffix=""):
    return f"/tai-khoan/don-vi/{unit.pk}/nguoi-dung/{suffix}"


@pytest.mark.django_db
def test_admin_lists_the_users_of_the_subtree(demo, client_as):
    page = client_as("qt.longbien").get(users_url(demo["ubnd_longbien"])).content.decode()
    for username in ("pgd.longbien", "cv.longbien", "phuong.bode", "htcd.bode", "thcs.ngoclam"):
        assert username in page
    assert "so.hanoi" not in page and "phuong.phuloi" not in page


@pytest.mark.django_db(transaction=True)
def test_create_with_invitation_sends_a_link_that_sets_the_password(demo, client_as):
    client = client_as("qt.longbien")
    response = client.post(
        users_url(demo["ubnd_longbien"], "them/"),
        {
            "username": "Nguyen.Van.A",
            "full_name": "Nguyễn Văn A",
            "email": "a@example.vn",
            "unit": str(demo["ward_bode"].pk),
            "role": "editor",
            "send_invite": "on",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="nguyen.van.a")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).unit_id == demo["ward_bode"].pk
    (message,) = [m for m in mail.outbox if m.to == ["a@example.vn"]]
    assert "tài khoản của bạn đã được tạo" in message.subject
    link = re.search(r"http://[^/]+(/tai-khoan/dat-mat-khau/\S+)", message.body).group(1)
    anonymous = Client()
    form = anonymous.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0] if form.redirect_chain else link
    done = anonymous.post(
        set_url, {"new_password1": "Hoc-tap-2027!", "new_password2": "Hoc-tap-2027!"}
    )
    assert done.status_code == 302
    assert (
        anonymous.post(
            "/tai-khoan/dang-nhap/", {"username": "nguyen.van.a", "password": "Hoc-tap-2027!"}
        ).status_code
        == 302
    )


@pytest.mark.django_db
def test_create_without_invitation_shows_a_temporary_password(demo, client_as):
    client = client_as("qt.longbien")
    response = client.post(
        users_url(demo["ubnd_longbien"], "them/"),
        {
            "username": "ngoclam.2",
            "full_name": "Vũ Văn Hai",
            "unit": str(demo["thcs_ngoclam"].pk),
            "role": "viewer",
        },
        follow=True,
    )
    text = response.content.decode()
    password = re.search(r"Mật khẩu tạm thời: (\S+?)<", text).group(1)
    assert (
        Client()
        .post("/tai-khoan/dang-nhap/", {"username": "ngoclam.2", "password": password})
        .status_code
        == 302
    )


@pytest.mark.django_db
def test_create_rejects_duplicates_and_units_outside_the_subtree(demo, client_as):
    client = client_as("qt.longbien")
    page = client.post(
        users_url(demo["ubnd_longbien"], "them/"),
        {
            "username": "cv.longbien",
            "full_name": "X",
            "unit": str(demo["so_hanoi"].pk),
            "role": "admin",
        },
    ).content.decode()
    assert "Hãy chọn một lựa chọn hợp lệ" in page
    page = client.post(
        users_url(demo["ubnd_longbien"], "them/"),
        {
            "username": "cv.longbien",
            "full_name": "X",
            "unit": str(demo["ward_bode"].pk),
            "role": "admin",
        },
    ).content.decode()
    assert "Tên đăng nhập “cv.longbien” đã tồn tại" in page
    assert not Membership.objects.filter(unit=demo["so_hanoi"], role="admin").exists()


@pytest.mark.django_db
def test_reset_password_and_deactivate(demo, client_as, api_as):
    api = api_as("cv.longbien")
    client = client_as("qt.longbien")
    target = demo.users["cv.longbien"]
    manage = users_url(demo["ubnd_longbien"], f"{target.pk}/")
    page = client.post(manage, {"action": "reset"}, follow=True).content.decode()
    password = re.search(r"Mật khẩu mới của cv.longbien: (\S+?)<", page).group(1)
    assert not ApiToken.objects.filter(user=target).exists()
    assert api.get("/api/v1/me").status_code == 401
    assert (
        Client()
        .post("/tai-khoan/dang-nhap/", {"username": "cv.longbien", "password": password})
        .status_code
        == 302
    )
    client.post(manage, {"action": "deactivate"})
    assert not User.objects.get(pk=target.pk).is_active
    locked = Client().post(
        "/tai-khoan/dang-nhap/", {"username": "cv.longbien", "password": password}
    )
    assert locked.status_code == 200
    actions = set(
        HistoryEntry.objects.filter(object_id=str(target.pk)).values_list("action", flat=True)
    )
    assert {"password_reset", "deactivate"} <= actions


@pytest.mark.django_db
def test_admin_cannot_reset_someone_who_also_works_above(demo, client_as):
    # pgd.longbien's memberships are all under UBND quận Long Biên: allowed.
    # so.hanoi gets a viewer role in a ward: its account still serves the Sở.
    from lantoa.accounts.services import membership_set

    membership_set(user=demo.users["so.hanoi"], unit=demo["ward_bode"], role="viewer")
    target = demo.users["so.hanoi"]
    old_password = User.objects.get(pk=target.pk).password
    page = (
        client_as("qt.longbien")
        .post(users_url(demo["ubnd_longbien"], f"{target.pk}/"), {"action": "reset"}, follow=True)
        .content.decode()
    )
    assert "ngoài phạm vi của bạn" in page
    assert User.objects.get(pk=target.pk).password == old_password


@pytest.mark.django_db
def test_membership_assign_and_remove_are_recorded(demo, client_as):
    client = client_as("qt.longbien")
    target = demo.users["phuong.bode"]
    manage = users_url(demo["ubnd_longbien"], f"{target.pk}/")
    client.post(
        manage, {"action": "membership", "unit": str(demo["htcd_bode"].pk), "role": "approver"}
    )
    membership = Membership.objects.get(user=target, unit=demo["htcd_bode"])
    assert membership.role == "approver"
    client.post(manage, {"action": "remove", "membership_id": str(membership.pk)})
    assert not Membership.objects.get(pk=membership.pk).is_active
    assert client.post(manage, {"action": "remove", "membership_id": "abc"}).status_code == 302
    history = client.get(f"/don-vi/{demo['ubnd_longbien'].pk}/lich-su/").content.decode()
    assert (
        "Phân quyền phuong.bode: Lãnh đạo (phê duyệt, ký) tại Trung tâm học tập cộng đồng phường Bồ Đề"
        in history
    )
    assert "Thu hồi quyền của phuong.bode" in history
    assert "is_active</code>: có → không" in history


@pytest.mark.django_db
def test_user_outside_the_subtree_is_404(demo, client_as):
    client = client_as("qt.longbien")
    outsider = demo.users["so.hanoi"]
    assert client.get(users_url(demo["ubnd_longbien"], f"{outsider.pk}/")).status_code == 404
    assert (
        client.post(
            users_url(demo["ubnd_longbien"], f"{outsider.pk}/"), {"action": "deactivate"}
        ).status_code
        == 404
    )
    assert User.objects.get(pk=outsider.pk).is_active


def sheet(rows, name="nguoi-dung.xlsx"):
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


HEADER = ["Tên đăng nhập", "Họ và tên", "Thư điện tử", "Mã đơn vị", "Vai trò"]


@pytest.mark.django_db
def test_users_import_xlsx(demo, client_as):
    upload = sheet(
        [
            HEADER,
            ["gv.ngoclam", "Nguyễn Thị Giáo", "gv@example.vn", "HN-LB-THCS-NL", "editor"],
            ["ld.bode", "Trần Văn Lãnh", "", "HN-LB-01", "approver"],
        ]
    )
    response = client_as("qt.longbien").post(
        users_url(demo["ubnd_longbien"], "nhap/"), {"file": upload}
    )
    assert response.status_code == 302
    assert Membership.objects.get(user__username="ld.bode").unit_id == demo["ward_bode"].pk
    assert Membership.objects.get(user__username="gv.ngoclam").role == "editor"


@pytest.mark.django_db
def test_users_import_with_bad_rows_imports_nothing_and_lists_every_row(demo, client_as):
    before = User.objects.count()
    upload = sheet(
        [
            HEADER,
            ["ok.user", "Người Tốt", "", "HN-LB-01", "viewer"],
            ["thcs.ngoclam", "Trùng", "", "HN-LB-01", "viewer"],
            ["", "Không tên", "khong-email", "HN-SGDDT", "boss"],
            ["ok.user", "Lặp lại", "", "HN-LB-01", "editor"],
        ]
    )
    page = (
        client_as("qt.longbien")
        .post(users_url(demo["ubnd_longbien"], "nhap/"), {"file": upload})
        .content.decode()
    )
    assert "Tệp có 6 lỗi, chưa nhập dòng nào" in page
    assert "Dòng 3, cột “Tên đăng nhập”: “thcs.ngoclam” đã tồn tại" in page
    assert "Dòng 4, cột “Tên đăng nhập”: không được để trống" in page
    assert "Dòng 4, cột “Mã đơn vị”: không tìm thấy đơn vị “HN-SGDDT” trong phạm vi của bạn" in page
    assert "Dòng 4, cột “Vai trò”: vai trò “boss” không hợp lệ" in page
    assert "Dòng 4, cột “Thư điện tử”: địa chỉ không hợp lệ" in page
    assert "Dòng 5, cột “Tên đăng nhập”: “ok.user” đã tồn tại" in page
    assert User.objects.count() == before


@pytest.mark.django_db
def test_users_import_csv_and_template(demo, client_as):
    client = client_as("qt.longbien")
    upload = io.BytesIO(
        "username,full_name,unit_code,role\nhtcd.2,Người Hai,HN-LB-01-HTCD,viewer\n".encode()
    )
    upload.name = "u.csv"
    assert (
        client.post(users_url(demo["ubnd_longbien"], "nhap/"), {"file": upload}).status_code == 302
    )
    assert User.objects.filter(username="htcd.2").exists()
    response = client.get(users_url(demo["ubnd_longbien"], "mau.xlsx"))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    assert rows[1][3] == "HN-LB"


@pytest.mark.django_db
def test_users_list_query_count_does_not_grow(demo, client_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lantoa.accounts.services import user_create

    client = client_as("qt.longbien")
    url = users_url(demo["ubnd_longbien"])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for i in range(20):
        user_create(
            username=f"gv{i}",
            full_name=f"Giáo viên {i}",
            email="",
            unit=demo["thcs_ngoclam"],
            role="viewer",
        )
    with CaptureQueriesContext(connection) as after:
        page = client.get(url).content.decode()
    assert "gv19" in page
    assert len(after.captured_queries) == len(before.captured_queries)
