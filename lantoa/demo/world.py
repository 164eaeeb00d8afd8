"""The demo world of DEMO.md: the historical tree of the seeds, the 2025 successors, accounts."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings

from lantoa.accounts.models import Role, User
from lantoa.accounts.services import membership_set
from lantoa.campaigns.models import Campaign
from lantoa.campaigns.services import campaign_create
from lantoa.units.models import Unit, same_code_space_q
from lantoa.units.models import UnitKind as K
from lantoa.units.services import unit_close, unit_create

REFORM_END = date(2025, 6, 30)
REFORM_START = date(2025, 7, 1)

LONG_BIEN_WARDS = [
    # (name, code, successor key)
    ("Bồ Đề", "HN-LB-01", "bode"),
    ("Cự Khối", "HN-LB-02", "longbien"),
    ("Đức Giang", "HN-LB-03", "viethung"),
    ("Gia Thụy", "HN-LB-04", "bode"),
    ("Giang Biên", "HN-LB-05", "viethung"),
    ("Long Biên", "HN-LB-06", "longbien"),
    ("Ngọc Lâm", "HN-LB-07", "bode"),
    ("Ngọc Thụy", "HN-LB-08", "bode"),
    ("Phúc Đồng", "HN-LB-09", "longbien"),
    ("Phúc Lợi", "HN-LB-10", "phucloi"),
    ("Sài Đồng", "HN-LB-11", "phucloi"),
    ("Thạch Bàn", "HN-LB-12", "longbien"),
    ("Thượng Thanh", "HN-LB-13", "viethung"),
    ("Việt Hưng", "HN-LB-14", "viethung"),
]
# Wards split among several new wards (illustrative shares of their population): their
# earlier figures are divided by share in the year-over-year comparison.
WARD_SPLITS = {
    "Gia Thụy": [("bode", "0.6"), ("viethung", "0.4")],
    "Phúc Đồng": [("longbien", "0.7"), ("phucloi", "0.3")],
}
THU_DAU_MOT_WARDS = [
    "Phú Cường",
    "Hiệp Thành",
    "Chánh Nghĩa",
    "Phú Thọ",
    "Phú Hòa",
    "Phú Lợi",
    "Hiệp An",
    "Định Hòa",
    "Tân An",
    "Phú Mỹ",
    "Hòa Phú",
    "Phú Tân",
    "Tương Bình Hiệp",
    "Chánh Mỹ",
]

ACCOUNTS = [
    # (username, full name, unit key, role)
    ("bo.gddt", "Nguyễn Văn Bộ", "bo", Role.APPROVER),
    ("so.hanoi", "Trần Thị Hà", "so_hanoi", Role.APPROVER),
    ("pgd.longbien", "Lê Văn Biên", "pgd_longbien", Role.APPROVER),
    ("cv.longbien", "Phạm Thị Chuyên", "pgd_longbien", Role.EDITOR),
    ("phuong.bode", "Đỗ Văn Đề", "ward_bode", Role.EDITOR),
    ("htcd.bode", "Ngô Thị Học", "htcd_bode", Role.EDITOR),
    ("thcs.ngoclam", "Vũ Thị Lâm", "thcs_ngoclam", Role.EDITOR),
    ("th.giathuy", "Hoàng Văn Thụy", "th_giathuy", Role.EDITOR),
    ("ubnd.thudaumot", "Nguyễn Thị Thủ", "ubnd_tdm", Role.APPROVER),
    ("pgd.thudaumot", "Trần Văn Một", "pgd_tdm", Role.EDITOR),
    ("phuong.phuloi", "Lý Thị Lợi", "ward_phuloi", Role.EDITOR),
    ("phuong.hoaphu", "Đặng Văn Hòa", "ward_hoaphu", Role.EDITOR),
    ("ubnd.langson", "Hoàng Văn Lạng", "ubnd_langson", Role.APPROVER),
    ("pgd.ductrong", "K' Điểu", "pgd_ductrong", Role.APPROVER),
    ("qt.longbien", "Quản trị Long Biên", "ubnd_longbien", Role.ADMIN),
    ("ubnd.hanoi", "Nguyễn Văn Thành", "ubnd_hanoi", Role.APPROVER),
    ("phuongmoi.bode", "Trần Thị Đề", "new_bode", Role.APPROVER),
]
# Extra memberships: the Long Biên education office also works for the
# district People's Committee (it drafts the plans the committee issues).
EXTRA_MEMBERSHIPS = [
    ("pgd.longbien", "ubnd_longbien", Role.APPROVER),
    ("pgd.thudaumot", "ubnd_tdm", Role.EDITOR),
]


@dataclass
class World:
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    campaigns: dict[int, Campaign] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Unit:
        return self.units[key]


def build_world() -> World:
    w = World()
    u = w.units

    # No unit is created under a closed one: units that ended on 30/6/2025 are closed,
    # with their successors, once the whole historical tree stands.
    closing: dict[str, list] = {}

    def add(key, parent, name, kind, **extra):
        # With `lantoa demo --force` after `lantoa import_divisions`, the ministry, the
        # provinces and the 2025 communes already exist under their official codes.
        valid_to, successor = extra.pop("valid_to", None), extra.pop("successor", None)
        if valid_to:
            closing[key] = [valid_to, successor]
        code = extra.get("code")
        existing = Unit.objects.filter(same_code_space_q(kind), code=code).first() if code else None
        u[key] = existing or unit_create(
            parent=u[parent] if parent else None, name=name, kind=kind, **extra
        )
        return u[key]

    add(
        "bo",
        None,
        "Bộ Giáo dục và Đào tạo",
        K.BO_GDDT,
        code="BGDDT",
        abbreviation="BGDĐT",
        place_name="Hà Nội",
        email="vanthu@moet.gov.vn",
    )

    # Hà Nội (seed 000, 002)
    add(
        "ubnd_hanoi",
        "bo",
        "UBND Thành phố Hà Nội",
        K.UBND_TINH,
        code="1",
        abbreviation="UBND",
        place_name="Hà Nội",
    )
    add(
        "so_hanoi",
        "ubnd_hanoi",
        "Sở Giáo dục và Đào tạo Hà Nội",
        K.SO_GDDT,
        code="HN-SGDDT",
        abbreviation="SGDĐT",
        governing_body="UBND THÀNH PHỐ HÀ NỘI",
        place_name="Hà Nội",
        email="gdtx@hanoiedu.vn",
    )
    add(
        "ubnd_longbien",
        "ubnd_hanoi",
        "UBND quận Long Biên",
        K.UBND_HUYEN,
        code="HN-LB",
        abbreviation="UBND",
        place_name="Long Biên",
        valid_to=REFORM_END,
    )
    add(
        "bcd_longbien",
        "ubnd_longbien",
        "Ban Chỉ đạo xây dựng xã hội học tập quận Long Biên",
        K.BCD_XHHT,
        code="HN-LB-BCD",
        abbreviation="BCĐ",
        governing_body="UBND QUẬN LONG BIÊN",
        place_name="Long Biên",
        valid_to=REFORM_END,
    )
    add(
        "pgd_longbien",
        "ubnd_longbien",
        "Phòng Giáo dục và Đào tạo quận Long Biên",
        K.PHONG_GDDT,
        code="HN-LB-PGD",
        abbreviation="PGDĐT",
        governing_body="UBND QUẬN LONG BIÊN",
        place_name="Long Biên",
        email="pgd.longbien@hanoiedu.vn",
        valid_to=REFORM_END,
    )
    add(
        "gdnn_longbien",
        "pgd_longbien",
        "Trung tâm GDNN-GDTX quận Long Biên",
        K.TT_GDNN_GDTX,
        code="HN-LB-GDNN",
        valid_to=REFORM_END,
    )
    add(
        "thcs_ngoclam",
        "pgd_longbien",
        "Trường THCS Ngọc Lâm",
        K.TRUONG_THCS,
        code="HN-LB-THCS-NL",
        email="thcsngoclam@hanoiedu.vn",
    )
    add(
        "th_giathuy",
        "pgd_longbien",
        "Trường Tiểu học Gia Thụy",
        K.TRUONG_TH,
        code="HN-LB-TH-GT",
        email="thgiathuy@hanoiedu.vn",
    )
    add("mn_hoasua", "pgd_longbien", "Trường Mầm non Hoa Sữa", K.TRUONG_MN, code="HN-LB-MN-HS")
    add("th_ngocthuy", "pgd_longbien", "Trường Tiểu học Ngọc Thụy", K.TRUONG_TH, code="HN-LB-TH-NT")
    add("thcs_phucloi", "pgd_longbien", "Trường THCS Phúc Lợi", K.TRUONG_THCS, code="HN-LB-THCS-PL")
    # The 2025 successors (two-level government), with their official codes.
    for key, name, code in [
        ("new_longbien", "UBND phường Long Biên", "148"),
        ("new_bode", "UBND phường Bồ Đề", "130"),
        ("new_viethung", "UBND phường Việt Hưng", "127"),
        ("new_phucloi", "UBND phường Phúc Lợi", "136"),
    ]:
        add(
            key,
            "ubnd_hanoi",
            name,
            K.UBND_XA,
            code=code,
            abbreviation="UBND",
            place_name=name.removeprefix("UBND phường "),
            valid_from=REFORM_START,
        )
    for name, code, successor in LONG_BIEN_WARDS:
        key = "ward_" + code[-2:]
        add(
            key,
            "ubnd_longbien",
            f"UBND phường {name}",
            K.UBND_XA,
            code=code,
            abbreviation="UBND",
            governing_body="",
            place_name=name,
            valid_to=REFORM_END,
        )
        closing[key][1] = (
            [(u["new_" + k], Decimal(share)) for k, share in WARD_SPLITS[name]]
            if name in WARD_SPLITS
            else u["new_" + successor]
        )
        add(
            f"htcd_{code[-2:]}",
            key,
            f"Trung tâm học tập cộng đồng phường {name}",
            K.TT_HTCD,
            code=f"{code}-HTCD",
        )
        if name == "Bồ Đề":
            u["ward_bode"], u["htcd_bode"] = u[key], u[f"htcd_{code[-2:]}"]
    closing["ubnd_longbien"][1] = u["new_longbien"]
    for key in ("bcd_longbien", "pgd_longbien", "gdnn_longbien"):
        closing[key][1] = u["new_longbien"]

    # Lạng Sơn (seed 001)
    add(
        "ubnd_langson",
        "bo",
        "UBND tỉnh Lạng Sơn",
        K.UBND_TINH,
        code="20",
        abbreviation="UBND",
        place_name="Lạng Sơn",
    )
    add(
        "so_langson",
        "ubnd_langson",
        "Sở Giáo dục và Đào tạo Lạng Sơn",
        K.SO_GDDT,
        code="LS-SGDDT",
        abbreviation="SGDĐT",
        governing_body="UBND TỈNH LẠNG SƠN",
        place_name="Lạng Sơn",
    )
    add(
        "sldtbxh_langson",
        "ubnd_langson",
        "Sở Lao động - Thương binh và Xã hội Lạng Sơn",
        K.SO_KHAC,
        code="LS-SLDTBXH",
        abbreviation="SLĐTBXH",
    )
    add(
        "svhttdl_langson",
        "ubnd_langson",
        "Sở Văn hóa, Thể thao và Du lịch Lạng Sơn",
        K.SO_KHAC,
        code="LS-SVHTTDL",
        abbreviation="SVHTTDL",
    )
    add(
        "dai_langson",
        "ubnd_langson",
        "Đài Phát thanh - Truyền hình tỉnh Lạng Sơn",
        K.DAI_TRUYEN_THANH,
        code="LS-PTTH",
    )

    # Bình Dương, Thủ Dầu Một (seed 003)
    add(
        "ubnd_hcm",
        "bo",
        "UBND Thành phố Hồ Chí Minh",
        K.UBND_TINH,
        code="79",
        abbreviation="UBND",
        place_name="Thành phố Hồ Chí Minh",
    )
    add(
        "ubnd_binhduong",
        "bo",
        "UBND tỉnh Bình Dương",
        K.UBND_TINH,
        code="74",
        abbreviation="UBND",
        place_name="Bình Dương",
        valid_to=REFORM_END,
    )
    closing["ubnd_binhduong"][1] = u["ubnd_hcm"]
    add(
        "so_binhduong",
        "ubnd_binhduong",
        "Sở Giáo dục và Đào tạo Bình Dương",
        K.SO_GDDT,
        code="BD-SGDDT",
        abbreviation="SGDĐT",
        governing_body="UBND TỈNH BÌNH DƯƠNG",
        place_name="Bình Dương",
        valid_to=REFORM_END,
    )
    add(
        "ubnd_tdm",
        "ubnd_binhduong",
        "UBND thành phố Thủ Dầu Một",
        K.UBND_HUYEN,
        code="BD-TDM",
        abbreviation="UBND",
        place_name="Thủ Dầu Một",
        valid_to=REFORM_END,
    )
    add(
        "pgd_tdm",
        "ubnd_tdm",
        "Phòng Giáo dục và Đào tạo thành phố Thủ Dầu Một",
        K.PHONG_GDDT,
        code="BD-TDM-PGD",
        abbreviation="PGDĐT",
        governing_body="UBND THÀNH PHỐ THỦ DẦU MỘT",
        place_name="Thủ Dầu Một",
        valid_to=REFORM_END,
    )
    add(
        "tckh_tdm",
        "ubnd_tdm",
        "Phòng Tài chính - Kế hoạch thành phố Thủ Dầu Một",
        K.PHONG_TAI_CHINH,
        code="BD-TDM-TCKH",
        valid_to=REFORM_END,
    )
    add(
        "nv_tdm",
        "ubnd_tdm",
        "Phòng Nội vụ thành phố Thủ Dầu Một",
        K.PHONG_NOI_VU,
        code="BD-TDM-NV",
        valid_to=REFORM_END,
    )
    add(
        "vhtt_tdm",
        "ubnd_tdm",
        "Phòng Văn hóa và Thông tin thành phố Thủ Dầu Một",
        K.PHONG_VAN_HOA,
        code="BD-TDM-VHTT",
        valid_to=REFORM_END,
    )
    add(
        "dai_tdm",
        "ubnd_tdm",
        "Đài truyền thanh thành phố Thủ Dầu Một",
        K.DAI_TRUYEN_THANH,
        code="BD-TDM-DTT",
        valid_to=REFORM_END,
    )
    for i, name in enumerate(THU_DAU_MOT_WARDS, start=1):
        key = {"Phú Lợi": "ward_phuloi", "Hòa Phú": "ward_hoaphu"}.get(name, f"tdm_ward_{i:02d}")
        add(
            key,
            "ubnd_tdm",
            f"UBND phường {name}",
            K.UBND_XA,
            code=f"BD-TDM-{i:02d}",
            abbreviation="UBND",
            place_name=name,
            valid_to=REFORM_END,
            successor=u["ubnd_hcm"],
        )
    for key in ("ubnd_tdm", "so_binhduong", "pgd_tdm"):
        closing[key][1] = u["ubnd_hcm"]

    # Lâm Đồng, Đức Trọng (seed 004)
    add(
        "ubnd_lamdong",
        "bo",
        "UBND tỉnh Lâm Đồng",
        K.UBND_TINH,
        code="68",
        abbreviation="UBND",
        place_name="Lâm Đồng",
    )
    add(
        "so_lamdong",
        "ubnd_lamdong",
        "Sở Giáo dục và Đào tạo Lâm Đồng",
        K.SO_GDDT,
        code="LD-SGDDT",
        abbreviation="SGDĐT",
        governing_body="UBND TỈNH LÂM ĐỒNG",
        place_name="Lâm Đồng",
    )
    add(
        "xa_ductrong",
        "ubnd_lamdong",
        "UBND xã Đức Trọng",
        K.UBND_XA,
        code="24958",
        abbreviation="UBND",
        place_name="Đức Trọng",
        valid_from=REFORM_START,
    )
    add(
        "pgd_ductrong",
        "so_lamdong",
        "Phòng Giáo dục và Đào tạo huyện Đức Trọng",
        K.PHONG_GDDT,
        code="LD-DT-PGD",
        abbreviation="PGDĐT",
        governing_body="UBND HUYỆN ĐỨC TRỌNG",
        place_name="Đức Trọng",
        valid_to=REFORM_END,
        successor=u["xa_ductrong"],
    )
    add(
        "thcs_lienhiep",
        "pgd_ductrong",
        "Trường THCS Liên Hiệp",
        K.TRUONG_THCS,
        code="LD-DT-THCS-LH",
    )
    add(
        "th_hiepthanh",
        "pgd_ductrong",
        "Trường Tiểu học Hiệp Thạnh",
        K.TRUONG_TH,
        code="LD-DT-TH-HT",
    )
    add("mn_lienninh", "pgd_ductrong", "Trường Mầm non Liên Nghĩa", K.TRUONG_MN, code="LD-DT-MN-LN")
    add(
        "htcd_lienhiep",
        "pgd_ductrong",
        "Trung tâm học tập cộng đồng xã Liên Hiệp",
        K.TT_HTCD,
        code="LD-DT-HTCD-LH",
    )
    add(
        "htcd_hiepthanh",
        "pgd_ductrong",
        "Trung tâm học tập cộng đồng xã Hiệp Thạnh",
        K.TT_HTCD,
        code="LD-DT-HTCD-HT",
    )

    for key, (valid_to, successor) in closing.items():
        if not u[key].is_closed:
            if isinstance(successor, list):
                unit_close(unit=u[key], valid_to=valid_to, successors=successor)
            else:
                unit_close(unit=u[key], valid_to=valid_to, successor=successor)
    current = Unit.objects.in_bulk([unit.pk for unit in u.values()])
    u.update({key: current[unit.pk] for key, unit in u.items()})

    _accounts(w)
    _campaigns(w)
    return w


def _accounts(w: World) -> None:
    password = settings.LANTOA_DEMO_PASSWORD
    admin = User.objects.create_superuser(
        "admin", "admin@lantoa.local", password, full_name="Quản trị hệ thống"
    )
    w.users["admin"] = admin
    for username, full_name, unit_key, role in ACCOUNTS:
        user = User(username=username, full_name=full_name, email=f"{username}@demo.lantoa.local")
        user.set_password(password)
        user.save()
        membership_set(user=user, unit=w.units[unit_key], role=role)
        w.users[username] = user
    for username, unit_key, role in EXTRA_MEMBERSHIPS:
        membership_set(user=w.users[username], unit=w.units[unit_key], role=role)


CAMPAIGNS = [
    (
        2020,
        "Tuần lễ hưởng ứng học tập suốt đời năm 2020",
        "Chuyển đổi số thúc đẩy Học tập suốt đời",
        date(2020, 10, 1),
        date(2020, 10, 7),
        date(2020, 10, 1),
    ),
    (
        2021,
        "Tuần lễ hưởng ứng học tập suốt đời năm 2021",
        "Chuyển đổi số và cơ hội học tập suốt đời cho tất cả mọi người trong bối cảnh đại dịch COVID-19",
        date(2021, 10, 1),
        date(2021, 10, 7),
        date(2021, 10, 1),
    ),
    (
        2023,
        "Tuần lễ hưởng ứng học tập suốt đời năm 2023",
        "Xây dựng năng lực tự học trong kỷ nguyên số",
        date(2023, 10, 1),
        date(2023, 10, 7),
        date(2023, 10, 2),
    ),
]


def next_week_year(today: date) -> int:
    """The first year whose week (1–7 October) is still ahead of ``today``."""
    return today.year if today < date(today.year, 10, 1) else today.year + 1


def _campaigns(w: World) -> None:
    from django.utils import timezone

    for year, title, theme, starts, ends, opening in CAMPAIGNS:
        w.campaigns[year] = campaign_create(
            year=year,
            title=title,
            theme=theme,
            starts_on=starts,
            ends_on=ends,
            opening_on=opening,
            owner_unit=w.units["bo"],
        )
    year = next_week_year(timezone.localdate())
    w.campaigns[year] = campaign_create(
        year=year,
        title=f"Tuần lễ hưởng ứng học tập suốt đời năm {year}",
        theme="Học tập suốt đời trong kỷ nguyên số: mỗi người dân là một công dân số",
        starts_on=date(year, 10, 1),
        ends_on=date(year, 10, 7),
        opening_on=date(year, 10, 1),
        owner_unit=w.units["bo"],
    )


def remember_world(w: World) -> None:
    """Store the world's handles so later demo steps can run in another invocation."""
    from lantoa.core.models import SystemFlag

    SystemFlag.objects.bulk_create(
        [SystemFlag(key=f"demo:unit:{key}", value=str(unit.pk)) for key, unit in w.units.items()],
        ignore_conflicts=True,
    )


def load_world() -> World:
    """Handles on an already built demo world."""
    from lantoa.core.models import SystemFlag

    w = World()
    flags = dict(
        SystemFlag.objects.filter(key__startswith="demo:unit:").values_list("key", "value")
    )
    units = Unit.objects.in_bulk([int(v) for v in flags.values()])
    w.units = {
        k.removeprefix("demo:unit:"): units[int(v)] for k, v in flags.items() if int(v) in units
    }
    w.users = {u.username: u for u in User.objects.all()}
    w.campaigns = {c.year: c for c in Campaign.objects.all()}
    return w
