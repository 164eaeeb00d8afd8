from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from lantoa.activities.models import Activity, Registration
from lantoa.activities.tests.factories import activity_make


def test_home_shows_campaign_and_live_counters(demo, client):
    response = client.get("/cong-khai/")
    assert response.status_code == 200
    html = response.content.decode()
    campaign = demo.campaigns[max(demo.campaigns)]
    assert campaign.theme in html
    assert 'id="counters"' in html
    assert "Tin học cơ bản cho người cao tuổi" in html


def test_root_redirects_anonymous_visitors_to_the_portal(db, client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/cong-khai/"


def test_calendar_search_ignores_diacritics(demo, client):
    response = client.get("/cong-khai/lich/", {"q": "tin hoc co ban"})
    html = response.content.decode()
    assert "Tin học cơ bản cho người cao tuổi" in html
    assert "Lớp Tin học cơ bản cho đồng bào dân tộc" in html
    assert "Đọc sách cùng con" not in html
    # The internal activity never shows up.
    assert (
        "Họp chuyên môn nội bộ" not in client.get("/cong-khai/lich/", {"q": "hop"}).content.decode()
    )


def test_calendar_shows_upcoming_unless_past_is_asked(demo, client):
    html = client.get("/cong-khai/lich/").content.decode()
    assert "Tin học cơ bản cho người cao tuổi" in html
    assert "Cuộc thi Công dân số nhí" not in html
    past = client.get("/cong-khai/lich/", {"past": "1", "q": "cong dan so nhi"}).content.decode()
    assert "Cuộc thi Công dân số nhí" in past


def test_calendar_filters(demo, client):
    province = demo.units["ubnd_lamdong"]
    html = client.get("/cong-khai/lich/", {"province": province.pk}).content.decode()
    assert "Thương mại điện tử cho nông sản Đức Trọng" in html
    assert "Tin học cơ bản cho người cao tuổi" not in html
    online = client.get("/cong-khai/lich/", {"online": "1"}).content.decode()
    assert "An toàn trên mạng cho cha mẹ học sinh" in online
    assert "Tin học cơ bản cho người cao tuổi" not in online
    kind = client.get("/cong-khai/lich/", {"type": "doc_sach"}).content.decode()
    assert "Đọc sách cùng con" in kind
    assert "Sân chơi Công dân số" not in kind
    campaign = demo.campaigns[max(demo.campaigns)]
    day = client.get("/cong-khai/lich/", {"day": campaign.starts_on.isoformat()}).content.decode()
    assert "Lễ phát động Tuần lễ học tập suốt đời phường Bồ Đề" in day
    assert "Sân chơi Công dân số" not in day
    commune = demo.units["new_longbien"]
    both = client.get(
        "/cong-khai/lich/", {"province": demo.units["ubnd_hanoi"].pk, "commune": commune.pk}
    ).content.decode()
    assert "Bình dân học vụ số" in both
    assert "Đọc sách cùng con" not in both


def test_calendar_listing_fixed_queries(demo, client):
    client.get("/cong-khai/lich/")
    with CaptureQueriesContext(connection) as q1:
        client.get("/cong-khai/lich/", {"q": "hoc"})
    for i in range(10):
        activity_make(demo, title=f"Lớp học thêm {i}")
    with CaptureQueriesContext(connection) as q2:
        client.get("/cong-khai/lich/", {"q": "hoc"})
    assert len(q1) == len(q2)


def test_public_api_search_and_filters(demo, client):
    response = client.get("/api/v1/public/activities", {"q": "tin hoc co ban"})
    assert response.status_code == 200
    titles = {a["title"] for a in response.json()["items"]}
    assert "Tin học cơ bản cho người cao tuổi" in titles
    item = response.json()["items"][0]
    assert item["url"].endswith(f"/cong-khai/hoat-dong/{item['id']}/")
    assert "registrations" not in item
    online = client.get("/api/v1/public/activities", {"mode": "online"}).json()["items"]
    assert online and all(a["mode"] == "online" for a in online)
    unit = demo.units["pgd_ductrong"]
    scoped = client.get("/api/v1/public/activities", {"unit": unit.pk}).json()["items"]
    assert scoped and all(
        a["unit_name"]
        in {
            "Trường THCS Liên Hiệp",
            "Trung tâm học tập cộng đồng xã Liên Hiệp",
            "Trường Tiểu học Hiệp Thạnh",
            "Phòng Giáo dục và Đào tạo huyện Đức Trọng",
        }
        for a in scoped
    )
    campaign = demo.campaigns[max(demo.campaigns)]
    ranged = client.get(
        "/api/v1/public/activities",
        {"from": campaign.starts_on.isoformat(), "to": campaign.starts_on.isoformat()},
    ).json()["items"]
    assert {a["title"] for a in ranged} == {"Lễ phát động Tuần lễ học tập suốt đời phường Bồ Đề"}
    assert client.get("/api/v1/public/activities", {"from": "31/12/2027"}).status_code == 400


def test_activity_page_register_and_cancel(demo, client):
    activity = activity_make(demo, capacity=1)
    page = client.get(f"/cong-khai/hoat-dong/{activity.pk}/")
    assert page.status_code == 200
    assert "Đăng ký tham gia" in page.content.decode()
    refused = client.post(
        f"/cong-khai/hoat-dong/{activity.pk}/",
        {"full_name": "Hà Văn Trang", "phone": "0912345678"},
    )
    assert refused.status_code == 400
    assert "Nghị định 13/2023" in refused.content.decode()
    assert not activity.registrations.exists()
    done = client.post(
        f"/cong-khai/hoat-dong/{activity.pk}/",
        {"full_name": "Hà Văn Trang", "phone": "0912345678", "consent": "1"},
        follow=True,
    )
    html = done.content.decode()
    code = Registration.objects.get(activity=activity).code
    assert code in html
    assert "0912345678" not in html
    full = client.get(f"/cong-khai/hoat-dong/{activity.pk}/").content.decode()
    assert "danh sách chờ" in full
    lookup = client.get("/cong-khai/dang-ky/", {"code": code}).content.decode()
    assert "Đã xác nhận" in lookup
    assert "Hà Văn Trang" not in lookup
    client.post("/cong-khai/dang-ky/", {"code": code}, follow=True)
    assert Registration.objects.get(code=code).state == "cancelled"


def test_unit_text_is_escaped(demo, client):
    activity = activity_make(
        demo, title="<script>alert(1)</script> Lớp", description="<img src=x onerror=alert(1)>"
    )
    html = client.get(f"/cong-khai/hoat-dong/{activity.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert "<img src=x" not in html


def test_activity_ics_opens_back(demo, client):
    activity = Activity.objects.get(title="Tin học cơ bản cho người cao tuổi")
    response = client.get(f"/cong-khai/hoat-dong/{activity.pk}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    event = events[0]
    assert str(event["summary"]) == activity.title
    assert event.decoded("dtstart") == activity.starts_at
    assert event.decoded("dtend") == activity.ends_at
    assert str(event["url"]).endswith(f"/cong-khai/hoat-dong/{activity.pk}/")
    assert str(event["url"]).startswith("http")
    assert "Ngọc Lâm" in str(event["location"])


def test_feed_for_a_filter(demo, client):
    response = client.get("/cong-khai/lich.ics", {"online": "1"})
    cal = Calendar.from_ical(response.content)
    events = list(cal.walk("VEVENT"))
    expected = Activity.objects.filter(
        public=True, cancelled=False, mode__in=["online", "hybrid"], ends_at__gte=timezone.now()
    )
    assert len(events) == expected.count() > 0
    past = client.get("/cong-khai/lich.ics", {"online": "1", "past": "1"})
    every = Activity.objects.filter(public=True, cancelled=False, mode__in=["online", "hybrid"])
    assert len(list(Calendar.from_ical(past.content).walk("VEVENT"))) == every.count()
    assert every.count() > expected.count()
    assert all(str(e["url"]).startswith("http") for e in events)
    assert len({str(e["uid"]) for e in events}) == len(events)
    commune = client.get("/cong-khai/lich.ics", {"province": demo.units["ubnd_lamdong"].pk})
    titles = {str(e["summary"]) for e in Calendar.from_ical(commune.content).walk("VEVENT")}
    assert "Thương mại điện tử cho nông sản Đức Trọng" in titles
    assert "Tin học cơ bản cho người cao tuổi" not in titles


def test_honour_board_and_resources(demo, client):
    html = client.get("/cong-khai/tuyen-duong/").content.decode()
    assert "Trung tâm học tập cộng đồng phường Bồ Đề" in html
    assert "Thầy Lê Minh Quân" not in html  # still pending
    assert "Câu lạc bộ dưỡng sinh" not in html  # declined
    year = client.get(
        "/cong-khai/tuyen-duong/", {"campaign": demo.campaigns[2021].pk}
    ).content.decode()
    assert "Thư viện Trường Tiểu học Gia Thụy" in year
    assert "Ông Trần Văn Tự" not in year
    resources = client.get("/cong-khai/hoc-lieu/").content.decode()
    assert "Khóa học Kỹ năng số cơ bản" in resources


def test_page_waiting_list_and_rate_limit(demo, client, settings):
    settings.LANTOA_REGISTRATION_RATE_LIMIT = 2
    activity = activity_make(demo, capacity=1)
    url = f"/cong-khai/hoat-dong/{activity.pk}/"
    form = {"full_name": "Người Một", "phone": "0912000201", "consent": "1"}
    assert client.post(url, form).status_code == 302
    waiting = client.post(
        url,
        {"full_name": "Người Hai", "phone": "0912000202", "consent": "1", "waitlist": "1"},
        follow=True,
    )
    assert "danh sách chờ" in waiting.content.decode()
    assert Registration.objects.get(phone="0912000202").state == "waiting"
    flood = client.post(url, {"full_name": "Người Ba", "phone": "0912000203", "consent": "1"})
    assert flood.status_code == 400
    assert "quá nhiều lượt đăng ký" in flood.content.decode()
    assert not Registration.objects.filter(phone="0912000203").exists()


def test_search_matches_whole_words(demo, client):
    # "tin" is a word of "Tin học", not the start of "máy tính" in a description.
    html = client.get("/cong-khai/lich/", {"q": "tin hoc"}).content.decode()
    assert "Tin học cơ bản cho người cao tuổi" in html
    assert "Lễ phát động Tuần lễ học tập suốt đời phường Bồ Đề" not in html
    # The last word may be unfinished.
    assert (
        "Tin học cơ bản cho người cao tuổi"
        in client.get("/cong-khai/lich/", {"q": "tin ho"}).content.decode()
    )


def test_calendar_finds_a_class_near_me(demo, client):
    hanoi = demo.units["ubnd_hanoi"]
    html = client.get(
        "/cong-khai/lich/", {"q": "ky nang so", "province": hanoi.pk}
    ).content.decode()
    assert "An toàn trên mạng cho cha mẹ học sinh" in html
    assert "Bình dân học vụ số: cài đặt và dùng VNeID" in html
    # Every card says where: ward (or district) and province. Since the 2025 reform Long
    # Biên's schools and centres sit under the new wards: no card names the old district.
    assert "Phường Long Biên · Hà Nội" in html and "Phường Bồ Đề · Hà Nội" in html
    assert "Quận Long Biên · Hà Nội" not in html
    # The commune picker is there with the province chosen: current wards, once, named.
    assert "Phường Bồ Đề (Hà Nội)</option>" in html
    assert html.count("Phường Bồ Đề (Hà Nội)</option>") == 1
    assert "Phường Ngọc Lâm (Hà Nội)" not in html
    # Found by its organiser's ward: THCS Ngọc Lâm, in phường Bồ Đề since the reform.
    html = client.get("/cong-khai/lich/", {"q": "bo de"}).content.decode()
    assert "Tin học cơ bản cho người cao tuổi" in html


def test_commune_picker_without_reload(demo, client):
    hanoi = demo.units["ubnd_hanoi"]
    response = client.get("/cong-khai/xa-phuong.json", {"province": hanoi.pk})
    assert response.status_code == 200 and "max-age=3600" in response["Cache-Control"]
    names = [c["name"] for c in response.json()["communes"]]
    assert "Phường Bồ Đề (Hà Nội)" in names and len(names) == len(set(names))
    # Not a province, or nothing: an empty list, never an error page.
    school = demo.units["thcs_ngoclam"]
    for params in ({"province": school.pk}, {"province": "x"}, {}):
        assert client.get("/cong-khai/xa-phuong.json", params).json() == {"communes": []}


def test_empty_calendar_suggests_dropping_a_filter(demo, client):
    lamdong = demo.units["ubnd_lamdong"]
    html = client.get(
        "/cong-khai/lich/", {"q": "tieng anh", "province": lamdong.pk, "type": "lop_hoc"}
    ).content.decode()
    assert 'id="no-results"' in html
    assert "Tìm ở mọi tỉnh, thành phố" in html and "Mọi loại hoạt động" in html
    assert "Bỏ từ khóa tìm kiếm" in html and "Xem cả hoạt động đã qua" in html
    # Following "every province" finds the English class in Bồ Đề.
    html = client.get("/cong-khai/lich/", {"q": "tieng anh", "type": "lop_hoc"}).content.decode()
    assert "Lớp tiếng Anh giao tiếp miễn phí cho người lớn" in html


def test_registration_errors_sit_beside_their_fields(demo, client):
    activity = Activity.objects.get(title="Tin học cơ bản cho người cao tuổi")
    url = f"/cong-khai/hoat-dong/{activity.pk}/"
    response = client.post(url, {"full_name": "", "phone": "12", "consent": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Lỗi: Tin học cơ bản cho người cao tuổi" in html
    assert f'action="{url}#register"' in html  # the answer opens at the form, not the top
    for field in ("full_name", "phone", "consent"):
        assert f'aria-invalid="true" aria-describedby="{field}-error"' in html, field
        assert f'id="{field}-error"' in html
    assert 'href="#phone"' in html
    assert "Lỗi:" not in client.get(url).content.decode().split("</title>")[0]


def test_calendar_count_and_page_in_one_statement(demo, client):
    """The results count comes with the page (a scalar COUNT subquery): the activities are
    read by one statement, and the count shown is the real one."""
    for i in range(35):
        activity_make(demo, title=f"Lớp học ghép trang {i}")
    client.get("/cong-khai/lich/")
    table = Activity._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/cong-khai/lich/", {"q": "hoc ghep trang"})
    reads = [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"]]
    assert len(reads) == 1 and "SELECT COUNT(*) FROM" in reads[0], reads
    html = page.content.decode()
    assert page.context["page"].paginator.count == 35
    assert "35 hoạt động" in html and "Trang 1/2" in html
    second = client.get("/cong-khai/lich/", {"q": "hoc ghep trang", "page": 2})
    assert len(second.context["page"].object_list) == 5
    # Past the end: the last page (its count from a plain COUNT, the only extra statement).
    late = client.get("/cong-khai/lich/", {"q": "hoc ghep trang", "page": 9})
    assert late.context["page"].number == 2 and late.context["page"].paginator.count == 35
    none = client.get("/cong-khai/lich/", {"q": "khong co gi nhu the nay"})
    assert none.context["page"].paginator.count == 0 and none.context["widen"]
