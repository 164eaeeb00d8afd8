"""Demo activities (DEMO.md): past weeks with participants and evidence, the next week open for
registration, a few registrations (invented people), open learning resources."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from lantoa.activities import services
from lantoa.activities.models import Registration

# (unit key, type, title, day offset in the week, hour, hours, mode, location, online url,
#  capacity, audience, participants)
PAST = [
    (
        "htcd_bode",
        "khai_mac",
        "Lễ phát động Tuần lễ học tập suốt đời phường Bồ Đề",
        0,
        8,
        2,
        "in_person",
        "Nhà văn hóa tổ dân phố 5, phường Bồ Đề",
        "",
        None,
        ["nguoi_dan", "cbcc"],
        {"nguoi_dan": 180, "cbcc": 40},
    ),
    (
        "htcd_bode",
        "ky_nang_so",
        "Kỹ năng số cho người cao tuổi: dùng điện thoại thông minh an toàn",
        2,
        14,
        2,
        "in_person",
        "Trung tâm HTCĐ phường Bồ Đề",
        "",
        40,
        ["nguoi_dan"],
        {"nguoi_dan": 38},
    ),
    (
        "thcs_ngoclam",
        "cuoc_thi",
        "Cuộc thi Công dân số nhí",
        3,
        8,
        3,
        "hybrid",
        "Trường THCS Ngọc Lâm",
        "https://k12online.vn/ngoclam/cong-dan-so",
        None,
        ["hoc_sinh"],
        {"hoc_sinh": 420, "giao_vien": 25},
    ),
    (
        "th_giathuy",
        "doc_sach",
        "Ngày hội đọc sách và luân chuyển tủ sách lớp học",
        4,
        8,
        4,
        "in_person",
        "Thư viện Trường Tiểu học Gia Thụy",
        "",
        None,
        ["hoc_sinh", "phu_huynh"],
        {"hoc_sinh": 650, "phu_huynh": 120},
    ),
    (
        "pgd_longbien",
        "hoi_thao",
        "Hội thảo Xây dựng năng lực tự học trong kỷ nguyên số",
        1,
        8,
        4,
        "online",
        "",
        "https://meet.google.com/lbn-tuhoc-2023",
        300,
        ["giao_vien", "cbcc"],
        {"giao_vien": 210, "cbcc": 35},
    ),
    (
        "ward_phuloi",
        "lop_hoc",
        "Lớp Tin học cơ bản cho người lao động",
        1,
        18,
        2,
        "in_person",
        "Nhà văn hóa khu phố 3, phường Phú Lợi",
        "",
        35,
        ["nguoi_dan", "cbcc"],
        {"nguoi_dan": 24, "cbcc": 9},
    ),
    (
        "ward_hoaphu",
        "lop_hoc",
        "Khóa học trực tuyến Sử dụng dịch vụ công trực tuyến",
        2,
        19,
        2,
        "online",
        "",
        "https://zoom.us/j/74000000001",
        200,
        ["nguoi_dan"],
        {"nguoi_dan": 146},
    ),
    (
        "pgd_tdm",
        "hoi_thao",
        "Diễn đàn Học tập suốt đời trong trường học Thủ Dầu Một",
        3,
        8,
        3,
        "hybrid",
        "Hội trường UBND thành phố Thủ Dầu Một",
        "https://teams.microsoft.com/l/tdm-hoc-tap",
        None,
        ["giao_vien"],
        {"giao_vien": 160},
    ),
    (
        "pgd_ductrong",
        "khai_mac",
        "Lễ khai mạc Tuần lễ học tập suốt đời huyện Đức Trọng",
        0,
        7,
        2,
        "in_person",
        "Quảng trường huyện Đức Trọng",
        "",
        None,
        ["nguoi_dan", "hoc_sinh"],
        {"nguoi_dan": 300, "hoc_sinh": 200},
    ),
    (
        "htcd_lienhiep",
        "ky_nang_so",
        "Chuyển đổi số trong sản xuất nông nghiệp cho bà con Liên Hiệp",
        2,
        14,
        3,
        "in_person",
        "Trung tâm HTCĐ xã Liên Hiệp",
        "",
        60,
        ["nguoi_dan"],
        {"nguoi_dan": 57},
    ),
]

UPCOMING = [
    (
        "thcs_ngoclam",
        "lop_hoc",
        "Tin học cơ bản cho người cao tuổi",
        1,
        8,
        3,
        "in_person",
        "Phòng máy Trường THCS Ngọc Lâm, 2 Ngõ 279 Nguyễn Văn Cừ",
        "",
        30,
        ["nguoi_dan"],
    ),
    (
        "thcs_ngoclam",
        "ky_nang_so",
        "An toàn trên mạng cho cha mẹ học sinh",
        2,
        19,
        2,
        "online",
        "",
        "https://meet.google.com/ngoclam-antoan",
        100,
        ["phu_huynh"],
    ),
    (
        "th_giathuy",
        "doc_sach",
        "Đọc sách cùng con: ngày hội thư viện mở",
        3,
        8,
        4,
        "in_person",
        "Thư viện Trường Tiểu học Gia Thụy",
        "",
        80,
        ["hoc_sinh", "phu_huynh"],
    ),
    (
        "mn_hoasua",
        "hoi_thao",
        "Câu lạc bộ cha mẹ: nuôi dạy trẻ trong thời đại số",
        4,
        17,
        2,
        "hybrid",
        "Trường Mầm non Hoa Sữa",
        "https://zoom.us/j/74000000002",
        40,
        ["phu_huynh"],
    ),
    (
        "htcd_bode",
        "lop_hoc",
        "Lớp tiếng Anh giao tiếp miễn phí cho người lớn",
        2,
        18,
        2,
        "in_person",
        "Trung tâm HTCĐ phường Bồ Đề",
        "",
        25,
        ["nguoi_dan"],
    ),
    (
        "new_bode",
        "khai_mac",
        "Lễ phát động Tuần lễ học tập suốt đời phường Bồ Đề",
        0,
        8,
        2,
        "in_person",
        "Sân UBND phường Bồ Đề",
        "",
        None,
        ["nguoi_dan", "cbcc"],
    ),
    (
        "new_longbien",
        "ky_nang_so",
        "Bình dân học vụ số: cài đặt và dùng VNeID",
        1,
        14,
        2,
        "in_person",
        "Nhà văn hóa phường Long Biên",
        "",
        50,
        ["nguoi_dan"],
    ),
    (
        "new_longbien",
        "cuoc_thi",
        "Sân chơi Công dân số cho thiếu nhi",
        5,
        8,
        3,
        "in_person",
        "Công viên phường Long Biên",
        "",
        120,
        ["hoc_sinh"],
    ),
    (
        "ubnd_hcm",
        "hoi_thao",
        "Diễn đàn Thành phố học tập Thủ Dầu Một",
        2,
        8,
        4,
        "hybrid",
        "Hội trường Trung tâm hành chính Thủ Dầu Một",
        "https://teams.microsoft.com/l/tdm-forum",
        200,
        ["cbcc", "giao_vien"],
    ),
    (
        "ubnd_hcm",
        "lop_hoc",
        "Khóa học trực tuyến Kỹ năng văn phòng số",
        3,
        19,
        2,
        "online",
        "",
        "https://zoom.us/j/74000000003",
        500,
        ["cbcc", "nguoi_dan"],
    ),
    (
        "xa_ductrong",
        "ky_nang_so",
        "Thương mại điện tử cho nông sản Đức Trọng",
        1,
        14,
        3,
        "in_person",
        "Hội trường UBND xã Đức Trọng",
        "",
        60,
        ["nguoi_dan"],
    ),
    (
        "thcs_lienhiep",
        "lop_hoc",
        "Lớp Tin học cơ bản cho đồng bào dân tộc",
        2,
        8,
        3,
        "in_person",
        "Trường THCS Liên Hiệp",
        "",
        2,
        ["nguoi_dan"],
    ),
    (
        "htcd_lienhiep",
        "doc_sach",
        "Tủ sách cộng đồng: đọc sách cùng bà con",
        4,
        15,
        2,
        "in_person",
        "Trung tâm HTCĐ xã Liên Hiệp",
        "",
        None,
        ["nguoi_dan"],
    ),
    (
        "th_hiepthanh",
        "cuoc_thi",
        "Cuộc thi Em yêu sách trực tuyến",
        3,
        9,
        2,
        "online",
        "",
        "https://k12online.vn/hiepthanh/em-yeu-sach",
        None,
        ["hoc_sinh"],
    ),
]

# Invented registrants (no real people).
REGISTRANTS = [
    ("Phan Thị Ngọc Diệp", "0912000101", "diep.demo@example.com"),
    ("Bùi Quang Khải", "0987000102", ""),
    ("Tạ Minh Châu", "", "chau.demo@example.com"),
    ("Lương Văn Đạt", "0356000104", ""),
]

RESOURCES = [
    (
        "pgd_longbien",
        "course",
        "Khóa học Kỹ năng số cơ bản (miễn phí)",
        "https://onetouch.edu.vn/ky-nang-so",
    ),
    (
        "th_giathuy",
        "ebook",
        "Tủ sách điện tử Gia Thụy",
        "https://thuvien.giathuy.edu.vn/sach-dien-tu",
    ),
    (
        "pgd_tdm",
        "lecture",
        "Bài giảng ghi hình: Dịch vụ công trực tuyến",
        "https://www.youtube.com/watch?v=tdm-dvc",
    ),
    (
        "pgd_ductrong",
        "course",
        "Học liệu số cho Trung tâm học tập cộng đồng",
        "https://hoclieu.ductrong.edu.vn",
    ),
]


def _at(campaign, offset: int, hour: int):
    day = campaign.starts_on + timedelta(days=offset)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def build(world) -> None:
    admin = world.users["admin"]
    past_years = sorted(y for y in world.campaigns if y < max(world.campaigns))
    for i, year in enumerate(past_years):
        campaign = world.campaigns[year]
        for j, row in enumerate(PAST):
            if (i + j) % len(past_years) and year != 2023:
                continue
            key, type_code, title, offset, hour, hours, mode, loc, url, cap, aud, people = row
            starts = _at(campaign, offset, hour)
            activity = services.activity_create(
                user=admin,
                campaign=campaign,
                unit=world.units[key],
                type=type_code,
                title=title,
                description=f"Hoạt động hưởng ứng {campaign.title}.",
                starts_at=starts,
                ends_at=starts + timedelta(hours=hours),
                mode=mode,
                location=loc,
                online_url=url,
                capacity=cap,
                audience=aud,
                public=True,
            )
            services.activity_participants_set(user=admin, activity=activity, participants=people)
            services.evidence_add(
                user=admin,
                activity=activity,
                title="Bài viết trên cổng thông tin",
                url=f"https://tintuc.example.vn/{year}/hoat-dong-{activity.pk}",
            )
    campaign = world.campaigns[max(world.campaigns)]
    upcoming = []
    for key, type_code, title, offset, hour, hours, mode, loc, url, cap, aud in UPCOMING:
        starts = _at(campaign, offset, hour)
        upcoming.append(
            services.activity_create(
                user=admin,
                campaign=campaign,
                unit=world.units[key],
                type=type_code,
                title=title,
                description=(
                    "Miễn phí, mở cho mọi người dân. Mang theo điện thoại hoặc máy tính "
                    "nếu có.\nĐơn vị tổ chức sẽ liên hệ xác nhận trước ngày diễn ra."
                ),
                starts_at=starts,
                ends_at=starts + timedelta(hours=hours),
                mode=mode,
                location=loc,
                online_url=url,
                capacity=cap,
                audience=aud,
                public=True,
            )
        )
    services.activity_create(
        user=admin,
        campaign=campaign,
        unit=world.units["thcs_ngoclam"],
        type="hoi_thao",
        title="Họp chuyên môn nội bộ chuẩn bị Tuần lễ",
        starts_at=_at(campaign, -3, 14),
        ends_at=_at(campaign, -3, 16),
        mode="in_person",
        location="Phòng họp Trường THCS Ngọc Lâm",
        public=False,
    )
    # Registrations: two people for the first class; the small Liên Hiệp class is full and
    # has a waiting list.
    for name, phone, email in REGISTRANTS[:2]:
        services.registration_create(
            activity=upcoming[0], full_name=name, phone=phone, email=email, consent=True
        )
    full = next(a for a in upcoming if a.capacity == 2)
    for name, phone, email in REGISTRANTS[1:]:
        services.registration_create(
            activity=full, full_name=name, phone=phone, email=email, consent=True, waitlist=True
        )
    assert Registration.objects.filter(activity=full, state="waiting").exists()
    for key, kind, title, url in RESOURCES:
        services.resource_create(
            user=admin,
            campaign=campaign,
            unit=world.units[key],
            kind=kind,
            title=title,
            url=url,
            description="Học liệu mở, miễn phí.",
        )
