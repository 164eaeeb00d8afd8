"""A small world for document tests: ministry → province → district with its offices,
wards and a school; a second province to test reach; users with roles."""

from dataclasses import dataclass, field
from datetime import date

from lantoa.accounts.models import Role, User
from lantoa.accounts.services import membership_set
from lantoa.campaigns.services import campaign_create
from lantoa.documents import services
from lantoa.documents.services import AssignmentIn, RecipientIn
from lantoa.units.models import Unit
from lantoa.units.models import UnitKind as K
from lantoa.units.services import unit_create

PASSWORD = "hoctapsuotdoi"


@dataclass
class Small:
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    campaign: object = None


def small_world() -> Small:
    w = Small()
    u = w.units

    def add(key, parent, name, kind, **extra):
        u[key] = unit_create(parent=u[parent] if parent else None, name=name, kind=kind, **extra)

    add("bo", None, "Bộ Giáo dục và Đào tạo", K.BO_GDDT, abbreviation="BGDĐT", place_name="Hà Nội")
    add("tinh", "bo", "UBND tỉnh Thử", K.UBND_TINH, abbreviation="UBND", place_name="Thử")
    add("so", "tinh", "Sở Giáo dục và Đào tạo tỉnh Thử", K.SO_GDDT, abbreviation="SGDĐT")
    add("huyen", "tinh", "UBND huyện Mẫu", K.UBND_HUYEN, abbreviation="UBND", place_name="Mẫu")
    add(
        "pgd",
        "huyen",
        "Phòng Giáo dục và Đào tạo huyện Mẫu",
        K.PHONG_GDDT,
        abbreviation="PGDĐT",
        governing_body="UBND HUYỆN MẪU",
        place_name="Mẫu",
    )
    add(
        "bcd",
        "huyen",
        "Ban Chỉ đạo xây dựng xã hội học tập huyện Mẫu",
        K.BCD_XHHT,
        abbreviation="BCĐ",
    )
    add("xa1", "huyen", "UBND xã Một", K.UBND_XA, abbreviation="UBND")
    add("xa2", "huyen", "UBND xã Hai", K.UBND_XA, abbreviation="UBND")
    add("school", "pgd", "Trường THCS Mẫu", K.TRUONG_THCS)
    add("school2", "pgd", "Trường Tiểu học Mẫu", K.TRUONG_TH)
    add("tinh2", "bo", "UBND tỉnh Khác", K.UBND_TINH, abbreviation="UBND")
    add("xa_khac", "tinh2", "UBND xã Khác", K.UBND_XA, abbreviation="UBND")
    for username, key, role in [
        ("bo", "bo", Role.APPROVER),
        ("so", "so", Role.APPROVER),
        ("cv", "pgd", Role.EDITOR),
        ("leader", "huyen", Role.APPROVER),
        ("xa1", "xa1", Role.EDITOR),
        ("xa2", "xa2", Role.EDITOR),
        ("school", "school", Role.EDITOR),
        ("khac", "tinh2", Role.APPROVER),
    ]:
        user = User(username=username, full_name=username.upper(), email=f"{username}@x.vn")
        user.set_password(PASSWORD)
        user.save()
        membership_set(user=user, unit=u[key], role=role)
        w.users[username] = user
    # The office's editor also drafts for the district committee.
    membership_set(user=w.users["cv"], unit=u["huyen"], role=Role.EDITOR)
    w.campaign = campaign_create(
        year=2027,
        title="Tuần lễ hưởng ứng học tập suốt đời năm 2027",
        theme="Học tập suốt đời trong kỷ nguyên số",
        starts_on=date(2027, 10, 1),
        ends_on=date(2027, 10, 7),
        opening_on=date(2027, 10, 1),
        owner_unit=u["bo"],
    )
    return w


def issued(w: Small, *, issuer="bo", user="bo", report_due_on=date(2027, 10, 31), **fields):
    """An issued document of ``issuer`` (default: the ministry's dispatch to the province)."""
    defaults = dict(
        kind="cong_van",
        subject="V/v tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2027",
        recipients=[RecipientIn(unit=w.units["tinh"]), RecipientIn(unit=w.units["so"])],
        symbol_suffix="GDTX",
    )
    defaults.update(fields)
    actor = w.users[user]
    doc = services.document_create(
        user=actor,
        campaign=w.campaign,
        issuer_unit=w.units[issuer],
        drafting_unit=w.units[issuer],
        report_due_on=report_due_on,
        **defaults,
    )
    services.document_submit(document=doc, user=actor)
    services.document_approve(document=doc, user=actor)
    return services.document_issue(document=doc, user=actor, issued_on=date(2026, 9, 8))


def district_plan(w: Small, *, based_on=(), **fields):
    """A draft plan of the district committee, written by the education office."""
    defaults = dict(
        kind="ke_hoach",
        subject="Tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2027",
        report_due_on=date(2027, 10, 12),
        recipients=[
            RecipientIn(unit=w.units["xa1"]),
            RecipientIn(unit=w.units["xa2"]),
            RecipientIn(unit=w.units["school"]),
            RecipientIn(text="Lưu: VT."),
        ],
        assignments=[
            AssignmentIn(unit=w.units["pgd"], text="Tham mưu, tổng hợp, báo cáo."),
            AssignmentIn(
                unit_kind=K.UBND_XA, text="Xây dựng kế hoạch của xã.", due_on=date(2027, 10, 12)
            ),
            AssignmentIn(unit_kind=K.TRUONG_THCS, text="Lễ phát động vào giờ chào cờ."),
        ],
        sections=[{"key": "purpose", "heading": "I. MỤC ĐÍCH, YÊU CẦU", "body": "Đẩy mạnh."}],
        signer={"authority": "KT. CHỦ TỊCH", "title": "PHÓ CHỦ TỊCH", "name": "Nguyễn Văn A"},
    )
    defaults.update(fields)
    return services.document_create(
        user=w.users["cv"],
        campaign=w.campaign,
        issuer_unit=w.units["huyen"],
        drafting_unit=w.units["pgd"],
        based_on=list(based_on),
        **defaults,
    )
