"""Demo reports for 2020, 2021 and 2023 (some accepted, returned, late, missing).

Deadlines follow the seeds: Lạng Sơn's units by 25/10/2020 (seed 001); Hà Nội's
districts to the department by 15/10/2021 (seed 000); Thủ Dầu Một's wards by
12/10/2021 and the city by 15/10/2021 (seed 003); Đức Trọng's schools by
20/10/2021 (seed 004); Long Biên's units by 12/10/2023 (seed 002). Provinces
report to the ministry by 30/10. Figures are deterministic (seeded by unit and
year) and sized like a ward, a school or an office.
"""

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from lantoa.accounts.models import Role
from lantoa.campaigns.models import ReportingDeadline
from lantoa.reports.lines.services import campaign_close, reporting_tree_build
from lantoa.reports.models import Report
from lantoa.reports.services import (
    report_accept,
    report_return,
    report_save,
    report_submit,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

DEADLINES = {
    2020: [
        ("bo", date(2020, 10, 30), ["ubnd_tinh"], "Công văn của Bộ GDĐT"),
        ("ubnd_langson", date(2020, 10, 25), [], "Kế hoạch của UBND tỉnh Lạng Sơn năm 2020"),
    ],
    2021: [
        ("bo", date(2021, 10, 30), ["ubnd_tinh"], "Công văn 3764/BGDĐT-GDTX"),
        ("ubnd_hanoi", date(2021, 10, 15), [], "Công văn 3270/SGDĐT-GDTX-CN"),
        ("ubnd_binhduong", date(2021, 10, 15), [], "Kế hoạch 220/KH-UBND"),
        ("ubnd_tdm", date(2021, 10, 12), [], "Kế hoạch 220/KH-UBND"),
        ("ubnd_lamdong", date(2021, 10, 25), [], "Công văn 1679/SGDĐT-GDTX"),
        ("pgd_ductrong", date(2021, 10, 20), [], "Kế hoạch của Phòng GDĐT huyện Đức Trọng"),
    ],
    2023: [
        ("bo", date(2023, 10, 30), ["ubnd_tinh"], "Công văn 4864/BGDĐT-GDĐT"),
        ("ubnd_hanoi", date(2023, 10, 16), [], "Công văn 3442/SGDĐT-GDTX"),
        ("ubnd_longbien", date(2023, 10, 12), [], "Kế hoạch 22/KH-BCĐ"),
    ],
}

# (unit key, outcome, days relative to the deadline when submitted)
# outcome: accepted | submitted | late | returned | draft (missing)
LONG_BIEN_2023 = [
    ("thcs_ngoclam", "accepted", -3),
    ("th_giathuy", "draft", 0),  # th.giathuy fills it in during the demo
    ("mn_hoasua", "returned", -2),
    ("th_ngocthuy", "late", 2),
    ("thcs_phucloi", "draft", 0),
    ("gdnn_longbien", "accepted", -4),
    ("pgd_longbien", "submitted", 0),
    ("bcd_longbien", "draft", 0),
]
THU_DAU_MOT_2021 = [
    ("pgd_tdm", "accepted", -1),
    ("tckh_tdm", "submitted", -2),
    ("nv_tdm", "draft", 0),
    ("vhtt_tdm", "late", 1),
    ("dai_tdm", "accepted", -3),
    ("ward_phuloi", "accepted", -2),
    ("ward_hoaphu", "returned", -1),
]
DUC_TRONG_2021 = [
    ("thcs_lienhiep", "accepted", -5),
    ("th_hiepthanh", "accepted", -2),
    ("mn_lienninh", "returned", -1),
    ("htcd_lienhiep", "late", 3),
    ("htcd_hiepthanh", "draft", 0),
]
LANG_SON_2020 = [
    ("so_langson", "accepted", -4),
    ("sldtbxh_langson", "submitted", -1),
    ("svhttdl_langson", "late", 2),
    ("dai_langson", "accepted", -2),
]

RETURN_REASONS = [
    "Số người học trực tuyến chưa khớp với danh sách lớp; đề nghị rà soát và bổ sung minh chứng.",
    "Thiếu văn bản chỉ đạo của đơn vị và ảnh hoạt động; đề nghị bổ sung.",
    "Kinh phí xã hội hóa chưa ghi rõ nguồn tài trợ; đề nghị làm rõ.",
]


def _figures(kind: str, rng: random.Random) -> dict:
    r = rng.randint
    if kind.startswith("truong"):
        classes = r(2, 8)
        learners = r(60, 420)
        v = {
            "tuyen_truyen_tin_bai": r(3, 15),
            "tuyen_truyen_bang_ron": r(2, 6),
            "khai_mac_le": 1,
            "khai_mac_nguoi_du": r(250, 900),
            "lop_hoc": classes,
            "lop_hoc_truc_tuyen": r(0, classes),
            "nguoi_hoc": learners,
            "nguoi_hoc_truc_tuyen": r(0, learners // 2),
            "ky_nang_so_buoi": r(1, 4),
            "ky_nang_so_nguoi": r(40, 200),
            "cuoc_thi": r(1, 3),
            "cuoc_thi_nguoi": r(30, 250),
            "thu_vien_moi": r(0, 6),
            "sach_luan_chuyen": r(120, 800),
            "luot_doc": r(300, 2500),
            "doi_tuong_hoc_sinh": r(300, 1200),
            "doi_tuong_giao_vien": r(30, 90),
            "doi_tuong_phu_huynh": r(50, 350),
        }
        return {
            "values": v,
            "budget_state": r(2, 10) * 1_000_000,
            "budget_sponsor": r(0, 15) * 500_000,
        }
    if kind in ("tt_htcd", "tt_gdnn_gdtx"):
        classes = r(3, 10)
        learners = r(80, 500)
        v = {
            "tuyen_truyen_phat_thanh": r(3, 12),
            "khai_mac_le": 1,
            "khai_mac_nguoi_du": r(120, 400),
            "lop_hoc": classes,
            "lop_hoc_truc_tuyen": r(0, classes // 2),
            "nguoi_hoc": learners,
            "nguoi_hoc_truc_tuyen": r(0, learners // 3),
            "ky_nang_so_buoi": r(2, 6),
            "ky_nang_so_nguoi": r(60, 220),
            "hoi_thao": r(1, 4),
            "hoi_thao_nguoi": r(40, 180),
            "hoc_lieu_mo": r(5, 40),
            "doi_tuong_cbcc": r(10, 45),
            "doi_tuong_nguoi_dan": r(200, 800),
        }
        return {
            "values": v,
            "budget_state": r(3, 8) * 1_000_000,
            "budget_sponsor": r(0, 10) * 1_000_000,
        }
    v = {
        "tuyen_truyen_tin_bai": r(5, 30),
        "tuyen_truyen_bang_ron": r(5, 25),
        "tuyen_truyen_phat_thanh": r(8, 30),
        "tuyen_truyen_xe_luu_dong": r(0, 2),
        "khai_mac_le": 1,
        "khai_mac_nguoi_du": r(150, 500),
        "hoi_thao": r(1, 3),
        "hoi_thao_nguoi": r(50, 200),
        "khen_tap_the": r(0, 4),
        "khen_ca_nhan": r(0, 10),
        "doi_tuong_cbcc": r(20, 120),
    }
    return {
        "values": v,
        "budget_state": r(5, 30) * 1_000_000,
        "budget_sponsor": r(0, 20) * 1_000_000,
    }


def _sections(unit, year: int, theme: str, rng: random.Random) -> dict:
    name = unit.name
    results = [
        "Các lớp học kỹ năng số thu hút đông người dân tham gia; phối hợp tốt với nhà trường và các đoàn thể.",
        "Phong trào đọc sách được duy trì; tủ sách lớp học, thư viện thân thiện phát huy hiệu quả.",
        "Hình thức trực tuyến giúp mở rộng đối tượng tham gia, nhất là cha mẹ học sinh và người lao động.",
        "Công tác tuyên truyền trên cổng thông tin và mạng xã hội được đẩy mạnh, lan tỏa rộng rãi.",
    ]
    difficulties = [
        "Kinh phí tổ chức còn hạn chế, chủ yếu dựa vào xã hội hóa.",
        "Một bộ phận người cao tuổi còn khó khăn khi tham gia học trực tuyến.",
        "Thời gian tổ chức trùng với nhiều hoạt động khác của địa phương.",
        "Cơ sở vật chất, thiết bị phục vụ học tập số chưa đồng bộ.",
    ]
    proposals = [
        "Đề nghị cấp trên bố trí kinh phí hỗ trợ các trung tâm học tập cộng đồng.",
        "Đề nghị tổ chức tập huấn kỹ năng số cho cán bộ phụ trách.",
        "Đề nghị xây dựng kho học liệu số dùng chung cho các đơn vị.",
        "Đề nghị sớm ban hành hướng dẫn để đơn vị chủ động xây dựng kế hoạch.",
    ]
    return {
        "chi_dao": f"{name} ban hành kế hoạch tổ chức Tuần lễ hưởng ứng học tập suốt đời năm {year} "
        f"với chủ đề «{theme}», phân công nhiệm vụ cụ thể cho từng bộ phận.",
        "hoat_dong": "Tổ chức lễ khai mạc, treo băng rôn, khẩu hiệu; mở các lớp học, buổi bồi dưỡng kỹ "
        "năng số; phát động phong trào đọc sách và học tập trực tuyến.",
        "kinh_phi": "Kinh phí từ ngân sách nhà nước và nguồn xã hội hóa của các nhà hảo tâm, doanh nghiệp.",
        "ket_qua": rng.choice(results),
        "kho_khan": rng.choice(difficulties),
        "de_xuat": rng.choice(proposals),
    }


def _at(due: date, days: int, hour: int = 16) -> datetime:
    return datetime.combine(due + timedelta(days=days), time(hour, 30), tzinfo=TZ)


def _make(world, campaign, key: str, outcome: str, days: int, *, reviewer) -> None:
    from lantoa.reports.lines.selectors import line_deadline_for_unit

    unit = world.units.get(key)
    if unit is None:
        return
    admin = world.users["admin"]
    editor = next(
        (
            u
            for u in world.users.values()
            if any(m.unit_id == unit.pk and m.role == Role.EDITOR for m in u.memberships.all())
        ),
        admin,
    )
    rng = random.Random(f"{campaign.year}:{key}")
    figures = _figures(unit.kind, rng)
    report = Report(campaign=campaign, unit=unit, version=0)
    report = report_save(
        report=report,
        user=editor,
        version=0,
        values=figures["values"],
        sections=_sections(unit, campaign.year, campaign.theme, rng),
        budget_state=figures["budget_state"],
        budget_sponsor=figures["budget_sponsor"],
    )
    if outcome == "draft":
        return
    due = line_deadline_for_unit(campaign=campaign, unit=unit) or campaign.ends_on + timedelta(
        days=10
    )
    report = report_submit(report=report, user=editor, now=_at(due, days))
    if outcome == "accepted":
        report_accept(report=report, user=reviewer, now=_at(due, max(days, 0) + 2, 9))
    elif outcome == "returned":
        report_return(report=report, user=reviewer, reason=rng.choice(RETURN_REASONS))


def _deadlines(world) -> None:
    for year, rows in DEADLINES.items():
        campaign = world.campaigns.get(year)
        if campaign is None:
            continue
        for key, due_on, kinds, source in rows:
            ReportingDeadline.objects.get_or_create(
                campaign=campaign,
                unit=world.units[key],
                defaults={"due_on": due_on, "kinds": kinds, "source": source},
            )


def build(world) -> None:
    campaigns = [world.campaigns.get(y) for y in (2020, 2021, 2023)]
    if any(c is None for c in campaigns) or Report.objects.filter(campaign__in=campaigns).exists():
        return
    _deadlines(world)
    # Every campaign's reporting tree, from its issued plans (DEMO.md, "Reporting lines in
    # the demo"); the reports below then move the node totals through the services.
    for campaign in world.campaigns.values():
        reporting_tree_build(campaign=campaign, force=True)
    c2020, c2021, c2023 = campaigns
    users = world.users
    admin = users["admin"]
    pgd_longbien = users.get("pgd.longbien", admin)

    # 2023, Long Biên (seed 002): wards and their learning centres, schools, offices.
    special = {world.units["htcd_bode"].pk: "returned", world.units["ward_bode"].pk: "draft"}
    for i in range(1, 15):
        n = f"{i:02d}"
        ward_outcome = (
            "accepted" if i % 5 == 0 else "late" if i == 7 else "draft" if i == 11 else "submitted"
        )
        htcd_outcome = (
            "accepted"
            if i in (1, 4)
            else "returned"
            if i == 9
            else "draft"
            if i in (12, 13)
            else "submitted"
        )
        ward_outcome = special.get(world.units[f"ward_{n}"].pk, ward_outcome)
        htcd_outcome = special.get(world.units[f"htcd_{n}"].pk, htcd_outcome)
        _make(
            world,
            c2023,
            f"ward_{n}",
            ward_outcome,
            1 if ward_outcome == "late" else -1 - i % 3,
            reviewer=admin,
        )
        _make(world, c2023, f"htcd_{n}", htcd_outcome, -i % 4, reviewer=admin)
    for key, outcome, days in LONG_BIEN_2023:
        _make(world, c2023, key, outcome, days, reviewer=pgd_longbien)
    _make(world, c2023, "ubnd_longbien", "submitted", -1, reviewer=admin)

    # 2021: Hà Nội (seed 000) — Long Biên schools and centres; Thủ Dầu Một (seed 003);
    # Đức Trọng (seed 004).
    for key, outcome, days in [
        ("thcs_ngoclam", "accepted", -2),
        ("th_giathuy", "accepted", -1),
        ("mn_hoasua", "submitted", 0),
        ("pgd_longbien", "accepted", -1),
        ("htcd_01", "submitted", -2),
        ("htcd_02", "late", 2),
        ("htcd_03", "accepted", -3),
    ]:
        _make(
            world,
            c2021,
            key,
            outcome,
            days,
            reviewer=pgd_longbien if key != "pgd_longbien" else admin,
        )
    ubnd_tdm = users.get("ubnd.thudaumot", admin)
    for key, outcome, days in THU_DAU_MOT_2021:
        _make(world, c2021, key, outcome, days, reviewer=ubnd_tdm)
    for i in range(1, 15):
        key = f"tdm_ward_{i:02d}"
        outcome = (
            "draft"
            if i in (4, 9)
            else "late"
            if i == 6
            else "accepted"
            if i % 3 == 0
            else "submitted"
        )
        _make(world, c2021, key, outcome, 2 if outcome == "late" else -(i % 3), reviewer=ubnd_tdm)
    _make(world, c2021, "ubnd_tdm", "submitted", -1, reviewer=admin)
    pgd_ductrong = users.get("pgd.ductrong", admin)
    for key, outcome, days in DUC_TRONG_2021:
        _make(world, c2021, key, outcome, days, reviewer=pgd_ductrong)
    _make(world, c2021, "pgd_ductrong", "submitted", -2, reviewer=admin)

    # 2020: Lạng Sơn (seed 001), and a few Long Biên units for year-over-year views.
    ubnd_langson = users.get("ubnd.langson", admin)
    for key, outcome, days in LANG_SON_2020:
        _make(world, c2020, key, outcome, days, reviewer=ubnd_langson)
    _make(world, c2020, "ubnd_langson", "accepted", -1, reviewer=admin)
    for key in ("thcs_ngoclam", "th_giathuy", "htcd_01", "htcd_03"):
        _make(world, c2020, key, "accepted", -1, reviewer=admin)

    # Past Weeks are closed: their reporting trees stay as they were, whatever the 2025
    # reform later moves, merges or splits.
    for campaign in campaigns:
        campaign_close(campaign=campaign, user=admin, closed_on=date(campaign.year, 12, 31))
