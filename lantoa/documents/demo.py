"""Demo documents (DEMO.md): the seeds' documents with their numbers, dates, legal bases,
recipients and signers, the Thủ Dầu Một draft → consultation → approval → issue trail,
and the next Week's ministry dispatch. Called once by `lantoa demo`."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from lantoa.documents import services
from lantoa.documents.models import Delivery, Document, IssuerSetting, UnitSigner
from lantoa.documents.services import AssignmentIn, RecipientIn
from lantoa.units.models import Unit, UnitKind

ACTIVITIES_2021 = (
    "- Đẩy mạnh và đổi mới các hoạt động thông tin, tuyên truyền trên các phương tiện thông tin "
    "đại chúng, các cổng thông tin điện tử của đơn vị, tổ chức liên quan, các trang mạng xã hội "
    "(Facebook, Youtube, Zalo, Viber...) về tầm quan trọng và vai trò của chuyển đổi số trong việc "
    "cung ứng cơ hội học tập suốt đời cho mọi người trong bối cảnh giãn cách xã hội.\n"
    "- Vinh danh các tổ chức, cá nhân có những giải pháp, sáng kiến về chuyển đổi số góp phần thúc "
    "đẩy học tập suốt đời, xây dựng xã hội học tập.\n"
    "- Đẩy mạnh ứng dụng công nghệ số trong tổ chức các hoạt động dạy, học và các hoạt động thư viện "
    "trong các cơ sở giáo dục; tổ chức các lớp, khoá học trực tuyến miễn phí/phí thấp cho trẻ em và "
    "người lớn thông qua các phần mềm trực tuyến (Zoom, Google Meet, K12Online, Microsoft Teams...).\n"
    "- Tổ chức các lớp tập huấn, hướng dẫn về kỹ năng tìm kiếm, khai thác, sử dụng thông tin trên "
    "mạng Internet một cách an toàn, hiệu quả cho học sinh, phụ huynh, cán bộ, công nhân viên chức, "
    "người lao động."
)
ACTIVITIES_2023 = (
    "- Đẩy mạnh và đổi mới các hoạt động thông tin, tuyên truyền trên các phương tiện thông tin đại "
    "chúng, các cổng thông tin điện tử của đơn vị, tổ chức liên quan, các trang mạng xã hội về tầm "
    "quan trọng và vai trò của việc xây dựng năng lực tự học trong kỷ nguyên số. Treo băng rôn, khẩu "
    "hiệu tại các cơ sở giáo dục, các cơ quan và nơi công cộng.\n"
    "- Tổ chức Lễ khai mạc Tuần lễ có sự tham gia của đại diện Lãnh đạo cấp ủy đảng, chính quyền, "
    "các cơ quan, đơn vị có liên quan.\n"
    "- Triển khai các hoạt động của Tuần lễ theo hình thức trực tiếp hoặc trực tiếp kết hợp trực "
    "tuyến nhằm lan tỏa thông điệp và đưa chủ đề của Tuần lễ vào cuộc sống một cách thiết thực.\n"
    "- Tăng cường cung cấp các nguồn tài nguyên giáo dục mở hữu ích, các chương trình học tập trực "
    "tuyến; khuyến khích giáo viên, học sinh, sinh viên và học viên khai thác sử dụng.\n"
    "- Tăng cường cơ sở vật chất, trang thiết bị và học liệu cho các thư viện, đặc biệt là thư viện "
    "số; triển khai hiệu quả các hoạt động khuyến đọc.\n"
    "- Tổ chức các lớp tập huấn, hướng dẫn về kỹ năng tìm kiếm, khai thác sử dụng thông tin trên "
    "mạng internet một cách hiệu quả, an toàn cho học sinh, sinh viên, học viên, phụ huynh, cán bộ, "
    "công chức, viên chức, người lao động.\n"
    "- Khuyến khích các cơ quan, tổ chức tổ chức các sân chơi, diễn đàn, cuộc thi có chủ đề về cộng "
    "đồng số, công dân số."
)
PURPOSE_2021 = (
    "Tổ chức Tuần lễ nhằm tiếp tục đẩy mạnh phong trào học tập sâu rộng trong các tầng lớp nhân dân, "
    "giúp nâng cao nhận thức của người dân về vai trò của chuyển đổi số đối với việc học tập suốt đời; "
    "tăng cường trách nhiệm và huy động được sự quan tâm, tham gia của các cấp chính quyền, các ngành, "
    "các tổ chức, đoàn thể, lực lượng xã hội trong việc tận dụng các nền tảng công nghệ nhằm đa dạng "
    "hóa các kênh và công cụ học tập suốt đời, đáp ứng nhu cầu học tập của người dân trong bối cảnh "
    "dịch COVID-19 đang diễn biến phức tạp."
)
REPORT_TEMPLATE_3270 = (
    "BÁO CÁO TỔNG KẾT TUẦN LỄ HỌC TẬP SUỐT ĐỜI NĂM 2021\n"
    "I. TỔ CHỨC TRIỂN KHAI TUẦN LỄ\n"
    "1. Công tác chỉ đạo, triển khai, kiểm tra, đôn đốc thực hiện.\n"
    "2. Nội dung các hoạt động đã triển khai trong Tuần lễ.\n"
    "3. Kinh phí tổ chức Tuần lễ: ngân sách nhà nước; ngân sách hỗ trợ, vận động từ doanh nghiệp "
    "và các nguồn hợp pháp khác (nếu có).\n"
    "II. ĐÁNH GIÁ CHUNG\n"
    "1. Những kết quả đã đạt được; bài học kinh nghiệm.\n"
    "2. Khó khăn, tồn tại.\n"
    "3. Kiến nghị, đề xuất.\n"
    "4. Bảng tổng hợp số liệu các hoạt động tổ chức Tuần lễ (thống kê theo Mẫu tổng hợp).\n"
    "* Yêu cầu: báo cáo có kèm theo: Công văn chỉ đạo của đơn vị; minh chứng về các nội dung hoạt "
    "động của Tuần lễ: đường link, tin bài, ảnh, các hoạt động."
)


def _kids(unit: Unit, *kinds: str, on: date | None = None) -> list[Unit]:
    qs = Unit.objects.filter(path__startswith=unit.path, depth=unit.depth + 1)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    if on:
        qs = qs.active_on(on)
    return list(qs.order_by("path"))


# Signers the seeds do not name, chosen for the demo (names invented).
DEMO_SIGNERS = {
    "bo": [("KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", "Nguyễn Văn Bình")],
    "so_hanoi": [("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Thị Thanh Hà")],
    "so_binhduong": [("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Lê Văn Hùng")],
    "so_lamdong": [("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Phạm Thị Lan")],
    "ubnd_tdm": [("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Nguyễn Thu Cúc")],
    "pgd_longbien": [("", "TRƯỞNG PHÒNG", "Đỗ Minh Quân")],
    "ubnd_longbien": [("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Hoàng Văn Sơn")],
}


def _demo_signers(units: dict) -> None:
    for key, rows in DEMO_SIGNERS.items():
        unit = units.get(key)
        if unit is None:
            continue
        for i, (authority, title, name) in enumerate(rows):
            UnitSigner.objects.get_or_create(
                unit=unit,
                authority=authority,
                title=title,
                name=name,
                defaults={"position": i},
            )


def _with_signer(fields: dict) -> dict:
    """Complete a signer block the seeds leave unnamed from the issuer's signers, and
    record a named one as one of the issuer's signers."""
    signer = dict(fields.get("signer") or {})
    issuer = fields["issuer_unit"]
    if signer.get("name"):
        UnitSigner.objects.get_or_create(
            unit=issuer,
            authority=signer.get("authority", ""),
            title=signer.get("title", ""),
            name=signer["name"],
        )
    elif signer.get("title"):
        known = UnitSigner.objects.filter(unit=issuer, title=signer["title"]).first()
        if known is not None:
            signer = {"authority": known.authority, "title": known.title, "name": known.name}
    return {**fields, "signer": signer}


def _issue(*, actor, approver=None, issued_on: date, number: int | None, **fields) -> Document:
    doc = services.document_create(user=actor, **_with_signer(fields))
    services.document_submit(document=doc, user=actor)
    services.document_approve(document=doc, user=approver or actor)
    doc = services.document_issue(
        document=doc, user=approver or actor, issued_on=issued_on, number=number
    )
    # recorded after the fact: the recipients received it on the day it was issued
    arrived = datetime.combine(issued_on, time(15, 0), tzinfo=timezone.get_current_timezone())
    if arrived < timezone.now():
        Delivery.objects.filter(document=doc).update(delivered_at=arrived)
    return doc


def _info(*units) -> list[RecipientIn]:
    """Recipients for information or coordination ("để biết", "để phối hợp"): they are
    not asked to report under the document (DEMO.md, "Reporting lines in the demo")."""
    flat = [u for item in units for u in (item if isinstance(item, list) else [item])]
    return [RecipientIn(unit=u, reports=False) for u in flat]


def _R(*items) -> list[RecipientIn]:  # noqa: N802 - reads like a list literal
    out = []
    for item in items:
        if isinstance(item, RecipientIn):
            out.append(item)
        elif isinstance(item, list) and item and isinstance(item[0], RecipientIn):
            out.extend(item)
        elif isinstance(item, Unit):
            out.append(RecipientIn(unit=item))
        elif isinstance(item, list):
            out.extend(RecipientIn(unit=u) for u in item)
        else:
            out.append(RecipientIn(text=item))
    return out


def build(world) -> None:
    u, users, c = world.units, world.users, world.campaigns
    admin = users["admin"]
    IssuerSetting.objects.update_or_create(
        unit=u["ubnd_tdm"], defaults={"second_person_required": True}
    )
    provinces_then = [u["ubnd_hanoi"], u["ubnd_langson"], u["ubnd_binhduong"], u["ubnd_lamdong"]]
    departments_then = [u["so_hanoi"], u["so_langson"], u["so_binhduong"], u["so_lamdong"]]
    minister = {"authority": "KT. BỘ TRƯỞNG", "title": "THỨ TRƯỞNG", "name": ""}
    _demo_signers(u)

    # ---- 2020: ministry → Lạng Sơn (seed 001) -----------------------------------
    cv_3589 = _issue(
        actor=admin,
        issued_on=date(2020, 9, 15),
        number=3589,
        campaign=c[2020],
        kind="cong_van",
        issuer_unit=u["bo"],
        drafting_unit=u["bo"],
        symbol_suffix="GDĐT",
        subject="V/v tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2020",
        theme=c[2020].theme,
        starts_on=c[2020].starts_on,
        ends_on=c[2020].ends_on,
        report_due_on=date(2020, 10, 30),
        addressees=["Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"],
        sections=[
            {"key": "theme", "heading": "1. Chủ đề", "body": f"“{c[2020].theme}”."},
            {
                "key": "time",
                "heading": "2. Thời gian",
                "body": "Tuần lễ được tổ chức từ ngày 01/10/2020 đến ngày 07/10/2020.",
            },
            {
                "key": "reporting",
                "heading": "3. Chế độ báo cáo",
                "body": "Các địa phương báo cáo kết quả tổ chức Tuần lễ về Bộ Giáo dục và Đào tạo "
                "trước ngày 30/10/2020.",
            },
        ],
        recipients=_R(_info(provinces_then), departments_then, "Lưu: VT, GDTX."),
        signer=minister,
    )
    _issue(
        actor=admin,
        issued_on=date(2020, 9, 25),
        number=170,
        campaign=c[2020],
        kind="ke_hoach",
        issuer_unit=u["ubnd_langson"],
        drafting_unit=u["so_langson"],
        subject="Thực hiện Tuần lễ hưởng ứng học tập suốt đời năm 2020",
        based_on=[cv_3589],
        theme=c[2020].theme,
        starts_on=date(2020, 10, 1),
        ends_on=date(2020, 10, 7),
        report_due_on=date(2020, 10, 25),
        sections=[
            {
                "key": "purpose",
                "heading": "I. MỤC ĐÍCH, YÊU CẦU",
                "body": "1. Tiếp tục đẩy mạnh công tác tuyên truyền về học tập suốt đời và xây dựng xã "
                "hội học tập; nâng cao nhận thức của người dân về vai trò của chuyển đổi số đối với "
                "việc học tập suốt đời.\n2. Việc tổ chức Tuần lễ học tập suốt đời năm 2020 phải thiết "
                "thực, hiệu quả, đảm bảo an toàn trong điều kiện dịch COVID-19.",
            },
            {
                "key": "time",
                "heading": "II. NỘI DUNG HOẠT ĐỘNG",
                "body": "1. Tuần lễ diễn ra từ ngày 01/10/2020 đến ngày 07/10/2020. Các cơ quan, đơn "
                "vị tổ chức Lễ khai mạc vào ngày 01/10/2020.\n2. Chủ đề Tuần lễ hưởng ứng học tập "
                "suốt đời năm 2020: “Chuyển đổi số thúc đẩy Học tập suốt đời”.",
            },
            {"key": "organisation", "heading": "III. TỔ CHỨC THỰC HIỆN", "body": ""},
            {
                "key": "reporting",
                "heading": "IV. CHẾ ĐỘ BÁO CÁO",
                "body": "Kết thúc Tuần lễ, các sở, ban, ngành, Ủy ban nhân dân các huyện, thành phố "
                "báo cáo kết quả về Sở Giáo dục và Đào tạo trước ngày 25 tháng 10 năm 2020 để tổng "
                "hợp báo cáo Bộ Giáo dục và Đào tạo, Ủy ban nhân dân tỉnh trước ngày 30 tháng 10 năm "
                "2020./.",
            },
        ],
        assignments=[
            AssignmentIn(
                unit=u["so_langson"],
                heading="1. Sở Giáo dục và Đào tạo",
                text="Chủ trì, phối hợp với các sở, ngành, Ủy ban nhân dân các huyện, thành phố "
                "hướng dẫn, tổ chức Tuần lễ; tổng hợp kết quả báo cáo Bộ Giáo dục và Đào tạo, Ủy ban "
                "nhân dân tỉnh theo quy định.",
                due_on=date(2020, 10, 30),
            ),
            AssignmentIn(
                unit=u["sldtbxh_langson"],
                heading="2. Sở Lao động - Thương binh và Xã hội",
                text="Chỉ đạo các cơ sở giáo dục nghề nghiệp xây dựng kế hoạch, tổ chức các hoạt "
                "động thiết thực trong Tuần lễ.",
            ),
            AssignmentIn(
                unit=u["svhttdl_langson"],
                heading="3. Sở Văn hóa, Thể thao và Du lịch",
                text="Tổ chức tuyên truyền, giới thiệu sách, triển lãm tại các bảo tàng, tuyên "
                "truyền lưu động trong thời gian diễn ra Tuần lễ.",
            ),
            AssignmentIn(
                unit=u["dai_langson"],
                heading="5. Đài Phát thanh và Truyền hình tỉnh, Báo Lạng Sơn",
                text="Phối hợp với ngành Giáo dục và Đào tạo trong công tác tuyên truyền, đưa tin "
                "kịp thời các hoạt động của Tuần lễ.",
            ),
        ],
        recipients=_R(
            u["bo"],
            "Chủ tịch, các Phó Chủ tịch UBND tỉnh;",
            u["so_langson"],
            u["sldtbxh_langson"],
            u["svhttdl_langson"],
            u["dai_langson"],
            "Báo Lạng Sơn;",
            "C, PCVP UBND tỉnh, các phòng, ban, ĐVTT;",
            "Lưu: VT, KG-VX (LTT).",
        ),
        signer={"authority": "KT. CHỦ TỊCH", "title": "PHÓ CHỦ TỊCH", "name": "Nguyễn Long Hải"},
    )

    # ---- 2021: ministry 3764 → Hà Nội 3270 (seed 000), Bình Dương, Lâm Đồng ------
    cv_3764 = _issue(
        actor=admin,
        issued_on=date(2021, 8, 31),
        number=3764,
        campaign=c[2021],
        kind="cong_van",
        issuer_unit=u["bo"],
        drafting_unit=u["bo"],
        symbol_suffix="GDTX",
        subject="V/v tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021",
        theme=c[2021].theme,
        starts_on=c[2021].starts_on,
        ends_on=c[2021].ends_on,
        report_due_on=date(2021, 10, 30),
        addressees=["Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"],
        sections=[
            {"key": "purpose", "heading": "1. Mục đích, yêu cầu", "body": PURPOSE_2021},
            {"key": "theme", "heading": "2. Chủ đề", "body": f"“{c[2021].theme}”."},
            {
                "key": "time",
                "heading": "3. Thời gian",
                "body": "Tuần lễ được tổ chức từ ngày 01/10/2021 đến ngày 07/10/2021.",
            },
            {
                "key": "activities",
                "heading": "4. Các hoạt động trong Tuần lễ",
                "body": ACTIVITIES_2021,
            },
        ],
        recipients=_R(_info(provinces_then), departments_then, "Lưu: VT, GDTX."),
        signer=minister,
    )
    _issue(
        actor=admin,
        issued_on=date(2021, 9, 15),
        number=3270,
        campaign=c[2021],
        kind="cong_van",
        issuer_unit=u["so_hanoi"],
        drafting_unit=u["so_hanoi"],
        symbol_suffix="GDTX-CN",
        subject="V/v tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021",
        based_on=[cv_3764],
        extra_legal_bases=[
            "Thực hiện chỉ đạo của UBND thành phố Hà Nội tại Công văn số 9450/VP-KGVX ngày "
            "06/9/2021, Sở GDĐT Hà Nội đề nghị UBND quận, huyện, thị xã, thủ trưởng các đơn vị "
            "trực thuộc chỉ đạo tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021 với các nội "
            "dung sau:"
        ],
        addressees=["Ủy ban nhân dân quận, huyện, thị xã;", "Thủ trưởng các đơn vị trực thuộc."],
        theme=c[2021].theme,
        starts_on=date(2021, 10, 1),
        ends_on=date(2021, 10, 7),
        report_due_on=date(2021, 10, 15),
        sections=[
            {"key": "purpose", "heading": "1. Mục đích, yêu cầu", "body": PURPOSE_2021},
            {
                "key": "theme",
                "heading": "2. Chủ đề",
                "body": "Chủ đề Tuần lễ năm 2021: Chuyển đổi số và cơ hội học tập suốt đời cho tất "
                "cả mọi người trong bối cảnh đại dịch COVID-19.",
            },
            {
                "key": "time",
                "heading": "3. Thời gian",
                "body": "- Tuần lễ được tổ chức từ ngày 01/10/2021 đến ngày 07/10/2021.",
            },
            {
                "key": "activities",
                "heading": "4. Các nội dung hoạt động trong Tuần lễ",
                "body": ACTIVITIES_2021,
            },
            {"key": "organisation", "heading": "5. Tổ chức thực hiện", "body": ""},
            {
                "key": "reporting",
                "heading": "",
                "body": "Báo cáo kết quả tổ chức Tuần lễ (theo Phụ lục và biểu mẫu đính kèm) về Sở "
                "GD&ĐT (qua Phòng Giáo dục thường xuyên – chuyên nghiệp và theo địa chỉ thư điện tử: "
                "phamhuyen@hanoiedu.vn) trước ngày 15/10/2021 để tổng hợp, báo cáo UBND Thành phố và "
                "Bộ GD&ĐT.\nTrân trọng!",
            },
            {
                "key": "appendix",
                "heading": "Phụ lục",
                "subtitle": "(Kèm theo Công văn số 3270/SGDĐT-GDTX-CN ngày 15 tháng 9 năm 2021 "
                "của Sở Giáo dục và Đào tạo Hà Nội)",
                "body": REPORT_TEMPLATE_3270,
                "table": [["STT", "Nội dung", "Đơn vị tính", "Số lượng"]]
                + [
                    [str(i), ind.name, ind.get_unit_of_measure_display(), ""]
                    for i, ind in enumerate(c[2021].indicators.all(), start=1)
                ],
            },
        ],
        assignments=[
            AssignmentIn(
                unit_kind=UnitKind.UBND_HUYEN,
                heading="5.1. UBND quận, huyện, thị xã",
                text="Chỉ đạo Phòng GD&ĐT làm đầu mối phối hợp với Hội Khuyến học xây dựng nội "
                "dung, hướng dẫn hoạt động của Tuần lễ; bố trí và phê duyệt kinh phí tổ chức các "
                "hoạt động của Tuần lễ theo quy định.",
            ),
            AssignmentIn(
                unit_kind=UnitKind.PHONG_GDDT,
                heading="5.2. Phòng GD&ĐT quận, huyện, thị xã",
                text="Chủ trì, phối hợp với Hội Khuyến học và các cơ quan liên quan tham mưu UBND "
                "quận, huyện, thị xã tổ chức thực hiện các hoạt động của Tuần lễ năm 2021; báo cáo "
                "UBND quận, huyện, thị xã và Sở GD&ĐT về kết quả hoạt động của Tuần lễ.",
                due_on=date(2021, 10, 15),
            ),
        ],
        recipients=_R(
            "Như trên;",
            u["bo"],
            u["ubnd_hanoi"],
            _info(u["ubnd_longbien"]),
            # The district's education office and GDNN-GDTX centre report to the Sở
            # (DEMO.md, "Reporting lines in the demo"); the schools report to the office.
            u["pgd_longbien"],
            u["gdnn_longbien"],
            "Hội Khuyến học TP;",
            "Đ/c Giám đốc Sở;",
            "Đ/c PGĐ Phạm Văn Đại;",
            "Lưu: VT, GDTX-CN.",
        ),
        signer={"authority": "KT. GIÁM ĐỐC", "title": "PHÓ GIÁM ĐỐC", "name": "Phạm Văn Đại"},
    )
    cv_1575 = _issue(
        actor=admin,
        issued_on=date(2021, 9, 9),
        number=1575,
        campaign=c[2021],
        kind="cong_van",
        issuer_unit=u["so_binhduong"],
        drafting_unit=u["so_binhduong"],
        symbol_suffix="GDTrH",
        subject="V/v hướng dẫn tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021",
        based_on=[cv_3764],
        report_due_on=date(2021, 10, 20),
        theme=c[2021].theme,
        sections=[{"key": "activities", "heading": "", "body": ACTIVITIES_2021}],
        recipients=_R(u["ubnd_tdm"], u["pgd_tdm"], "Lưu: VT."),
        signer={"authority": "KT. GIÁM ĐỐC", "title": "PHÓ GIÁM ĐỐC", "name": ""},
    )
    cv_1679 = _issue(
        actor=admin,
        issued_on=date(2021, 9, 21),
        number=1679,
        campaign=c[2021],
        kind="cong_van",
        issuer_unit=u["so_lamdong"],
        drafting_unit=u["so_lamdong"],
        symbol_suffix="GDTX",
        subject="V/v tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021",
        based_on=[cv_3764],
        report_due_on=date(2021, 10, 25),
        theme=c[2021].theme,
        sections=[{"key": "activities", "heading": "", "body": ACTIVITIES_2021}],
        recipients=_R(u["pgd_ductrong"], "Lưu: VT, GDTX."),
        signer={"authority": "KT. GIÁM ĐỐC", "title": "PHÓ GIÁM ĐỐC", "name": ""},
    )
    _thu_dau_mot_trail(world, cv_3764, cv_1575)
    _duc_trong(world, cv_1679)
    _long_bien_2023(world)
    _next_week(world)


def _thu_dau_mot_trail(world, cv_3764: Document, cv_1575: Document) -> None:
    """Seed 003: 1040 (consultation) → 1103 (submission) → 220/KH-UBND (issue)."""
    u, users, c = world.units, world.users, world.campaigns
    author, leader, admin = users["pgd.thudaumot"], users["ubnd.thudaumot"], users["admin"]
    offices = [u["tckh_tdm"], u["nv_tdm"], u["vhtt_tdm"], u["dai_tdm"]]
    wards = _kids(u["ubnd_tdm"], UnitKind.UBND_XA)
    sections_draft = [
        {"key": "purpose", "heading": "I. MỤC ĐÍCH, YÊU CẦU", "body": PURPOSE_2021},
        {
            "key": "theme",
            "heading": "II. NỘI DUNG",
            "body": f"1. Chủ đề tuần lễ hưởng ứng\n“{c[2021].theme}”.",
        },
        {
            "key": "time",
            "heading": "2. Thời gian và địa điểm tổ chức",
            "body": "- Thời gian Tuần lễ được tổ chức từ ngày 01/10/2021 đến ngày 07/10/2021, trong "
            "đó Lễ khai mạc Tuần lễ sẽ được tổ chức vào ngày 01 tháng 10 năm 2021.\n- Địa điểm tổ "
            "chức Khai mạc Tuần lễ tại các trung tâm học tập công đồng trên địa bàn 14 phường.",
        },
        {"key": "activities", "heading": "4. Nội dung hoạt động", "body": ACTIVITIES_2021},
        {"key": "organisation", "heading": "III. TỔ CHỨC THỰC HIỆN", "body": ""},
    ]
    duties = [
        AssignmentIn(
            unit=u["pgd_tdm"],
            heading="1. Phòng Giáo dục và Đào tạo thành phố",
            text="Tham mưu Ủy ban nhân dân thành phố xây dựng kế hoạch và triển khai tổ chức Tuần "
            "lễ; tổng hợp kết quả hoạt động Tuần lễ của các cơ sở giáo dục và các Trung tâm học tập "
            "cộng đồng báo cáo UBND thành phố, Sở Giáo dục và Đào tạo.",
            due_on=date(2021, 10, 15),
        ),
        AssignmentIn(
            unit=u["tckh_tdm"],
            heading="2. Phòng Tài chính - Kế hoạch thành phố",
            text="Bố trí kinh phí tổ chức các hoạt động hưởng ứng Tuần lễ theo hướng dẫn tại Thông "
            "tư số 07/TT-BTC ngày 24/01/2018 của Bộ Tài chính.",
        ),
        AssignmentIn(
            unit=u["vhtt_tdm"],
            heading="3. Phòng Văn hóa và Thông tin, Đài truyền thanh thành phố",
            text="Đẩy mạnh các hoạt động thông tin, truyền thông về mục đích, ý nghĩa của việc tổ "
            "chức Tuần lễ.",
        ),
        AssignmentIn(
            unit=u["dai_tdm"],
            heading="3. Phòng Văn hóa và Thông tin, Đài truyền thanh thành phố",
            text="Thực hiện phát thanh tuyên truyền về học tập suốt đời.",
        ),
        AssignmentIn(
            unit_kind=UnitKind.UBND_XA,
            heading="4. Ủy ban nhân dân 14 phường",
            text="Xây dựng kế hoạch và triển khai tổ chức Tuần lễ trên địa bàn; chỉ đạo các Trung "
            "tâm học tập cộng đồng báo cáo kết quả thực hiện (kèm thống kê số liệu, hình ảnh tiêu "
            "biểu) về Phòng Giáo dục và Đào tạo thành phố.",
            due_on=date(2021, 10, 12),
        ),
    ]
    plan = services.document_create(
        user=author,
        campaign=c[2021],
        kind="ke_hoach",
        issuer_unit=u["ubnd_tdm"],
        drafting_unit=u["pgd_tdm"],
        subject="Tổ chức “Tuần lễ hưởng ứng học tập suốt đời năm 2021” trên địa bàn thành phố "
        "Thủ Dầu Một",
        based_on=[cv_3764, cv_1575],
        theme=c[2021].theme,
        starts_on=date(2021, 10, 1),
        ends_on=date(2021, 10, 7),
        venue="Các trung tâm học tập cộng đồng trên địa bàn 14 phường",
        event_form="in_person",
        report_due_on=date(2021, 10, 12),
        sections=sections_draft,
        assignments=duties,
        recipients=_R(
            "VP HĐND-UBND TP;",
            "CT, PCT UBND TP;",
            "BCĐ CMC-PCGD-XDXHHT thành phố;",
            u["pgd_tdm"],
            *offices,
            "Hội Khuyến học TP;",
            wards,
            "Lưu: VT.",
        ),
        signer={"authority": "", "title": "CHỦ TỊCH", "name": ""},
    )
    letter = _issue(
        actor=author,
        approver=admin,
        issued_on=date(2021, 9, 15),
        number=1040,
        campaign=c[2021],
        kind="cong_van",
        issuer_unit=u["pgd_tdm"],
        drafting_unit=u["pgd_tdm"],
        subject="V/v góp ý Dự thảo Kế hoạch Tổ chức “Tuần lễ hưởng ứng học tập suốt đời năm "
        "2021” trên địa bàn thành phố Thủ Dầu Một",
        extra_legal_bases=[
            "Căn cứ công văn số 827/PCVB-VP ngày 08/9/2021 của Ủy ban nhân dân (UBND) thành phố "
            "về việc tham mưu UBND thành phố triển khai thực hiện nội dung theo công văn "
            "3764/BGDĐT-GDĐT của Bộ Giáo dục và Đào tạo;"
        ],
        addressees=[
            "Phòng Kế hoạch - Tài chính;",
            "Phòng Nội vụ;",
            "Phòng Văn hóa, Thông tin - Thể thao;",
            "Đài truyền thanh;",
            "Ủy ban nhân dân 14 phường.",
        ],
        sections=[
            {
                "key": "",
                "heading": "",
                "body": "Phòng Giáo dục và Đào tạo (GDĐT) thành phố Thủ Dầu Một xây dựng Dự thảo Kế "
                "hoạch Tổ chức “Tuần lễ hưởng ứng học tập suốt đời năm 2021” trên địa bàn Thành phố "
                "Thủ Dầu Một.\n(Đính kèm Dự thảo Kế Hoạch)\nNhằm kịp thời tham mưu cho UBND thành "
                "phố ban hành, Phòng GDĐT thành phố đề nghị các Phòng, Ban thành phố và UBND 14 "
                "phường căn cứ vào chức năng nhiệm vụ được giao nghiên cứu, tham gia ý kiến góp ý Dự "
                "thảo Kế hoạch nêu trên và gửi văn bản góp ý về Phòng GDĐT trước ngày 22/9/2021.\n"
                "Rất mong được sự quan tâm, phối hợp của quý cơ quan thành phố, Ủy ban nhân dân 14 "
                "phường để Phòng GDĐT hoàn thành nhiệm vụ được giao./.",
            }
        ],
        recipients=_R("Như trên;", u["ubnd_tdm"], offices, wards, "Lưu: VT."),
        signer={"authority": "", "title": "TRƯỞNG PHÒNG", "name": "Nguyễn Văn Chệt"},
    )
    services.consultation_send(
        document=plan,
        user=author,
        units=offices + wards,
        due_on=date(2021, 9, 22),
        today=date(2021, 9, 15),
        letter=letter,
    )
    answers = [
        (
            u["tckh_tdm"],
            admin,
            False,
            "Đề nghị bổ sung căn cứ Thông tư số 07/TT-BTC ngày "
            "24/01/2018 của Bộ Tài chính về kinh phí tổ chức các hoạt động.",
        ),
        (
            u["vhtt_tdm"],
            admin,
            False,
            "Đề nghị bổ sung hình thức tổ chức trực tuyến do tình hình "
            "dịch COVID-19; giao Đài truyền thanh phối hợp tuyên truyền.",
        ),
        (u["nv_tdm"], admin, True, ""),
        (
            u["dai_tdm"],
            admin,
            False,
            "Thống nhất; đề nghị ghép nhiệm vụ của Đài truyền thanh với "
            "Phòng Văn hóa và Thông tin.",
        ),
        (u["ward_hoaphu"], users["phuong.hoaphu"], True, ""),
        (u["ward_phuloi"], users["phuong.phuloi"], True, ""),
    ]
    for i, (unit, who, agree, comment) in enumerate(answers):
        services.consultation_respond(
            document=plan,
            user=who,
            agree=agree,
            comment=comment,
            unit=unit,
            today=date(2021, 9, 17) + timedelta(days=i % 5),
        )
    # The author revises after the comments: venue left to the wards, online form.
    sections_final = [dict(s) for s in sections_draft]
    sections_final[2] = {
        "key": "time",
        "heading": "2. Thời gian, địa điểm, hình thức tổ chức",
        "body": "- Thời gian Tuần lễ được tổ chức từ ngày 01/10/2021 đến ngày 07/10/2021, trong đó "
        "Lễ khai mạc Tuần lễ sẽ được tổ chức vào ngày 01 tháng 10 năm 2021.\n- Địa điểm tổ chức Khai "
        "mạc Tuần lễ: Do UBND 14 phường bố trí.\n- Hình thức: trực tuyến.",
    }
    sections_final.append(
        {
            "key": "",
            "heading": "",
            "body": "Trên đây là Kế hoạch tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021 trên "
            "địa bàn thành phố Thủ Dầu Một. Trong quá trình tổ chức thực hiện nếu có vướng mắc đề "
            "nghị các đơn vị báo cáo UBND thành phố (thông qua phòng Giáo dục và đào tạo thành phố) "
            "để được hướng dẫn./.",
        }
    )
    plan = services.document_update(
        document=plan,
        user=author,
        version=plan.version,
        sections=sections_final,
        venue="Do UBND 14 phường bố trí",
        event_form="online",
        signer={"authority": "TM. ỦY BAN NHÂN DÂN", "title": "CHỦ TỊCH", "name": "Nguyễn Thu Cúc"},
    )
    _issue(
        actor=author,
        approver=admin,
        issued_on=date(2021, 9, 23),
        number=1103,
        campaign=c[2021],
        kind="cong_van",
        issuer_unit=u["pgd_tdm"],
        drafting_unit=u["pgd_tdm"],
        subject="V/v phê duyệt Kế hoạch Tổ chức “Tuần lễ hưởng ứng học tập suốt đời năm 2021” "
        "trên địa bàn Thành phố Thủ Dầu Một",
        addressees=["UBND thành phố Thủ Dầu Một."],
        extra_legal_bases=[
            "Thực hiện công văn số 827/PCVB-VP ngày 08/9/2021 của Ủy ban nhân dân thành phố về việc "
            "tham mưu UBND thành phố triển khai thực hiện nội dung theo công văn 3764/BGDĐT-GDTX "
            "của Bộ Giáo dục và Đào tạo;"
        ],
        sections=[
            {
                "key": "",
                "heading": "",
                "body": "Ngày 15/9/2021 Phòng GDĐT đã phát hành công văn số 1040/PGDĐT về việc đóng "
                "góp ý kiến cho dự thảo kế hoạch trên. Đã hết thời gian quy định, Phòng GDĐT chỉ "
                "nhận được văn bản góp ý của Phòng Tài chính - Kế hoạch, Phòng Văn hóa - Thông tin, "
                "Phòng Nội vụ, Đài truyền thanh thành phố và ý kiến thống nhất của UBND phường Hòa "
                "Phú, Phú Lợi; UBND các phường còn lại không có ý kiến và không gửi văn bản góp ý "
                "xem như thống nhất với nội dung dự thảo.\nKính trình UBND thành phố Thủ Dầu Một xem "
                "xét phê duyệt và ban hành Kế hoạch.",
            }
        ],
        recipients=_R("Như trên;", "VP.HĐND-UBND;", "Lưu: VT."),
        signer={"authority": "", "title": "TRƯỞNG PHÒNG", "name": "Nguyễn Văn Chệt"},
    )
    services.document_submit(document=plan, user=author, today=date(2021, 9, 23))
    services.document_approve(document=plan, user=leader)
    services.document_issue(document=plan, user=leader, issued_on=date(2021, 9, 29), number=220)
    # Recipients read it (read receipts): the education office and two wards.
    from lantoa.documents.models import Delivery

    Delivery.objects.filter(
        document=plan, unit__in=[u["pgd_tdm"], u["ward_phuloi"], u["ward_hoaphu"]]
    ).update(read_at=timezone.make_aware(timezone.datetime(2021, 9, 30, 8, 30)))


def _duc_trong(world, cv_1679: Document) -> None:
    u, users, c = world.units, world.users, world.campaigns
    schools = _kids(u["pgd_ductrong"])
    _issue(
        actor=users["pgd.ductrong"],
        issued_on=date(2021, 9, 24),
        number=245,
        campaign=c[2021],
        kind="ke_hoach",
        issuer_unit=u["pgd_ductrong"],
        drafting_unit=u["pgd_ductrong"],
        subject="Tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2021",
        based_on=[cv_1679],
        theme="Chuyển đổi số để xây dựng thành công một xã hội học tập mới",
        starts_on=date(2021, 10, 1),
        ends_on=date(2021, 10, 7),
        report_due_on=date(2021, 10, 20),
        sections=[
            {"key": "purpose", "heading": "1. MỤC ĐÍCH, YÊU CẦU", "body": "- " + PURPOSE_2021},
            {
                "key": "theme",
                "heading": "2. CHỦ ĐỀ",
                "body": "“Chuyển đổi số để xây dựng thành công một xã hội học tập mới”.",
            },
            {
                "key": "time",
                "heading": "3. THỜI GIAN TỔ CHỨC",
                "body": "Tuần lễ học tập suốt đời năm 2021 được phát động trên phạm vi toàn huyện từ "
                "ngày 01/10/2021 đến hết ngày 07/10/2021.",
            },
            {
                "key": "activities",
                "heading": "4. CÁC HOẠT ĐỘNG TRONG TUẦN LỄ",
                "body": ACTIVITIES_2021,
            },
            {"key": "organisation", "heading": "5. TỔ CHỨC THỰC HIỆN", "body": ""},
            {
                "key": "reporting",
                "heading": "",
                "body": "Kết thúc Tuần lễ hưởng ứng học tập suốt đời năm 2021, các đơn vị gửi hình "
                "ảnh và báo cáo kết quả việc tổ chức Tuần lễ về Phòng GD&ĐT chậm nhất đến 20/10/2021 "
                "qua email: pgdductrong.tt@gmail.com để tổng hợp báo cáo sở Giáo dục Đào tạo.",
            },
        ],
        assignments=[
            AssignmentIn(
                unit_kind=kind,
                heading="b) Đối với các cơ sở giáo dục, trung tâm HTCĐ",
                text="Tổ chức treo băng rôn, khẩu hiệu, pa-nô tuyên truyền, hưởng ứng Tuần lễ; tổ "
                "chức các hoạt động tuyên truyền tại đơn vị; gửi hình ảnh và báo cáo kết quả về "
                "Phòng GD&ĐT.",
                due_on=date(2021, 10, 20),
            )
            for kind in (
                UnitKind.TRUONG_MN,
                UnitKind.TRUONG_TH,
                UnitKind.TRUONG_THCS,
                UnitKind.TT_HTCD,
            )
        ],
        recipients=_R(
            "UBND huyện (để b/c);",
            "Hội khuyến học huyện (để p/h);",
            "UBND các xã, TT Liên Nghĩa (để p/h);",
            "Phòng VH-TT (để p/h);",
            "Lãnh đạo Phòng GDĐT;",
            schools,
            "Lưu VT.",
        ),
        signer={
            "authority": "KT. TRƯỞNG PHÒNG",
            "title": "PHÓ TRƯỞNG PHÒNG",
            "name": "Hồ Thị Hồng Châu",
        },
    )


def _long_bien_2023(world) -> None:
    u, users, c = world.units, world.users, world.campaigns
    admin = users["admin"]
    provinces_then = [u["ubnd_hanoi"], u["ubnd_langson"], u["ubnd_binhduong"], u["ubnd_lamdong"]]
    departments_then = [u["so_hanoi"], u["so_langson"], u["so_binhduong"], u["so_lamdong"]]
    cv_4864 = _issue(
        actor=admin,
        issued_on=date(2023, 9, 8),
        number=4864,
        campaign=c[2023],
        kind="cong_van",
        issuer_unit=u["bo"],
        drafting_unit=u["bo"],
        symbol_suffix="GDĐT",
        subject="V/v tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2023",
        theme=c[2023].theme,
        starts_on=date(2023, 10, 2),
        ends_on=date(2023, 10, 8),
        report_due_on=date(2023, 10, 31),
        addressees=["Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"],
        sections=[
            {"key": "theme", "heading": "1. Chủ đề", "body": f"“{c[2023].theme}”."},
            {"key": "activities", "heading": "2. Các hoạt động gợi ý", "body": ACTIVITIES_2023},
        ],
        recipients=_R(_info(provinces_then), departments_then, "Lưu: VT, GDTX."),
        signer={"authority": "KT. BỘ TRƯỞNG", "title": "THỨ TRƯỞNG", "name": ""},
    )
    cv_3442 = _issue(
        actor=admin,
        issued_on=date(2023, 9, 21),
        number=3442,
        campaign=c[2023],
        kind="cong_van",
        issuer_unit=u["so_hanoi"],
        drafting_unit=u["so_hanoi"],
        symbol_suffix="GDĐT-ĐH",
        subject="V/v tổ chức Tuần lễ hưởng ứng học tập suốt đời năm 2023",
        based_on=[cv_4864],
        theme=c[2023].theme,
        starts_on=date(2023, 10, 2),
        ends_on=date(2023, 10, 8),
        report_due_on=date(2023, 10, 16),
        addressees=["Ủy ban nhân dân quận, huyện, thị xã;", "Thủ trưởng các đơn vị trực thuộc."],
        sections=[{"key": "activities", "heading": "Các hoạt động gợi ý", "body": ACTIVITIES_2023}],
        recipients=_R(
            "Như trên;",
            _info(u["ubnd_longbien"]),
            u["pgd_longbien"],
            u["gdnn_longbien"],
            _info(u["bcd_longbien"]),
            "Lưu: VT, GDĐT-ĐH.",
        ),
        signer={"authority": "KT. GIÁM ĐỐC", "title": "PHÓ GIÁM ĐỐC", "name": ""},
    )
    wards = _kids(u["ubnd_longbien"], UnitKind.UBND_XA)
    schools = _kids(u["pgd_longbien"], *[k for k in UnitKind.values if k.startswith("truong_")])
    _issue(
        actor=admin,
        issued_on=date(2023, 9, 22),
        number=22,
        campaign=c[2023],
        kind="ke_hoach",
        issuer_unit=u["bcd_longbien"],
        drafting_unit=u["pgd_longbien"],
        subject="Tổ chức “Tuần lễ hưởng ứng học tập suốt đời” năm 2023",
        # The wards report to the district's People's Committee (seed 002).
        report_to_unit=u["ubnd_longbien"],
        based_on=[cv_3442],
        theme=c[2023].theme,
        starts_on=date(2023, 10, 2),
        ends_on=date(2023, 10, 8),
        venue="Tại tất cả các Trung tâm HTCĐ phường, các nhà trường và các thiết chế giáo dục ngoài "
        "nhà trường",
        event_form="hybrid",
        report_due_on=date(2023, 10, 12),
        sections=[
            {
                "key": "purpose",
                "heading": "1. Mục đích, yêu cầu",
                "body": "a) Tổ chức Tuần lễ nhằm tiếp tục đẩy mạnh phong trào học tập sâu rộng trong "
                "các tầng lớp nhân dân, giúp nâng cao nhận thức về năng lực tự học trong kỷ nguyên "
                "số; góp phần triển khai thành công phong trào thi đua “Cả nước xây dựng xã hội học "
                "tập, đẩy mạnh học tập suốt đời giai đoạn 2023-2030”.\nb) Tuần lễ được tổ chức với "
                "hình thức phù hợp, nội dung thiết thực, hiệu quả.",
            },
            {
                "key": "theme",
                "heading": "2. Chủ đề:",
                "body": "Chủ đề của Tuần lễ: Xây dựng năng lực tự học trong kỷ nguyên số.",
            },
            {
                "key": "time",
                "heading": "3. Thời gian tổ chức, địa điểm tổ chức:",
                "body": "- Thời gian: Tuần lễ được tổ chức từ ngày 02/10/2023 đến ngày 08/10/2023.\n"
                "- Địa điểm tổ chức Tuần lễ: Tại tất cả các Trung tâm HTCD phường, các nhà trường và "
                "các thiết chế giáo dục ngoài nhà trường.",
            },
            {
                "key": "activities",
                "heading": "4. Các hoạt động trong Tuần lễ",
                "body": ACTIVITIES_2023,
            },
            {"key": "organisation", "heading": "5. Tổ chức thực hiện", "body": ""},
            {
                "key": "reporting",
                "heading": "",
                "body": "Trên đây là kế hoạch tổ chức Tuần lễ năm 2023 của Ban Chỉ đạo xây dựng XHHT "
                "quận Long Biên. Báo cáo kết quả tổ chức Tuần lễ về Phòng GDĐT theo địa chỉ thư điện "
                "tử: nguyenvansan_longbien@hanoi.gov.vn trước ngày 12/10/2023 để Phòng tổng hợp, báo "
                "cáo UBND Quận, Sở GDĐT Hà Nội./.",
            },
        ],
        assignments=[
            AssignmentIn(
                unit=u["pgd_longbien"],
                heading="5.1. Phòng Giáo dục và Đào tạo Quận",
                text="Là cơ quan thường trực, phối hợp với Hội Khuyến học, Trung tâm GDNN-GDTX Quận "
                "tham mưu BCĐ Quận xây dựng chương trình, kế hoạch và tổ chức thực hiện; tổng hợp, "
                "báo cáo kết quả triển khai Tuần lễ về Sở Giáo dục và Đào tạo theo quy định.",
            ),
            AssignmentIn(
                unit_kind=UnitKind.UBND_XA,
                heading="5.2. UBND phường, Trung tâm Học tập cộng đồng và Hội Khuyến học 14 Phường",
                text="Chỉ đạo Trung tâm Học tập cộng đồng và Hội Khuyến học xây dựng kế hoạch tổ chức "
                "Ngày Hội Khuyến học kết hợp với phát động Tuần lễ; báo cáo kết quả thực hiện về cơ "
                "quan Thường trực đúng thời gian quy định.",
                due_on=date(2023, 10, 12),
            ),
            *[
                AssignmentIn(
                    unit_kind=kind,
                    heading="5.3. Các trường học trên địa bàn Quận",
                    text=text,
                    due_on=date(2023, 10, 12),
                )
                for kind, text in (
                    (
                        UnitKind.TRUONG_MN,
                        "Cấp MN: Tổ chức Lễ phát động lồng ghép trong buổi họp HĐSP nhà trường; báo "
                        "cáo kết quả về Phòng Giáo dục và Đào tạo.",
                    ),
                    (
                        UnitKind.TRUONG_TH,
                        "Cấp TH: Tổ chức lễ phát động đồng loạt vào giờ chào cờ, sáng thứ hai (ngày "
                        "02/10/2023); báo cáo kết quả về Phòng Giáo dục và Đào tạo.",
                    ),
                    (
                        UnitKind.TRUONG_THCS,
                        "Cấp THCS: Tổ chức lễ phát động đồng loạt vào giờ chào cờ, sáng thứ hai "
                        "(ngày 02/10/2023); báo cáo kết quả về Phòng Giáo dục và Đào tạo.",
                    ),
                )
            ],
            AssignmentIn(
                unit=u["gdnn_longbien"],
                heading="5.4. Trung tâm giáo dục nghề nghiệp – giáo dục thường xuyên quận Long Biên",
                text="Chủ động xây dựng kế hoạch, phối hợp với Phòng GDĐT Quận tổ chức triển khai các "
                "hoạt động trong Tuần lễ năm 2023; cung cấp kết quả cho phòng GDĐT tổng hợp.",
            ),
        ],
        recipients=_R(
            u["so_hanoi"],
            "BCĐ XDXHHT Quận;",
            wards,
            # Schools and the centre carry out the plan but are not asked to report under it:
            # schools report to the Phòng GDĐT, the centre to the Sở (3442).
            _info(schools),
            _info(u["gdnn_longbien"]),
            "Lưu: VT (02).",
        ),
        signer={
            "authority": "KT. TRƯỞNG BAN",
            "title": "PHÓ TRƯỞNG BAN THƯỜNG TRỰC",
            "name": "Vũ Thị Thu Hà",
        },
    )


def _next_week(world) -> None:
    """The next Week's ministry dispatch, issued today to the provinces (numbered from
    the ministry's register of this year)."""
    u, users, c = world.units, world.users, world.campaigns
    year = max(c)
    campaign = c[year]
    today = timezone.localdate()
    provinces = list(Unit.objects.filter(kind=UnitKind.UBND_TINH).active_on(today).order_by("path"))
    departments = list(Unit.objects.filter(kind=UnitKind.SO_GDDT).active_on(today).order_by("path"))
    cv_next = _issue(
        actor=users["admin"],
        approver=users["bo.gddt"],
        issued_on=today,
        number=None,
        campaign=campaign,
        kind="cong_van",
        issuer_unit=u["bo"],
        drafting_unit=u["bo"],
        symbol_suffix="GDTX",
        subject=f"V/v tổ chức Tuần lễ hưởng ứng học tập suốt đời năm {year}",
        theme=campaign.theme,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        report_due_on=campaign.ends_on + timedelta(days=25),
        addressees=["Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương"],
        sections=[
            {"key": "theme", "heading": "1. Chủ đề", "body": f"“{campaign.theme}”."},
            {
                "key": "time",
                "heading": "2. Thời gian",
                "body": f"Tuần lễ được tổ chức từ ngày {campaign.starts_on:%d/%m/%Y} đến ngày "
                f"{campaign.ends_on:%d/%m/%Y}; Lễ khai mạc ngày {campaign.opening_on:%d/%m/%Y}.",
            },
            {"key": "activities", "heading": "3. Các hoạt động gợi ý", "body": ACTIVITIES_2023},
            {
                "key": "reporting",
                "heading": "4. Chế độ báo cáo",
                "body": "Các địa phương báo cáo kết quả tổ chức Tuần lễ trên hệ thống Lantoa trước "
                f"ngày {campaign.ends_on + timedelta(days=25):%d/%m/%Y}.",
            },
        ],
        assignments=[
            AssignmentIn(
                unit_kind=UnitKind.SO_GDDT,
                heading="Sở Giáo dục và Đào tạo các tỉnh, thành phố",
                text="Tham mưu Ủy ban nhân dân tỉnh, thành phố xây dựng kế hoạch và tổ chức Tuần lễ; "
                "tổng hợp, báo cáo kết quả về Bộ Giáo dục và Đào tạo.",
                due_on=campaign.ends_on + timedelta(days=25),
            )
        ],
        recipients=_R(_info(provinces), departments, "Lưu: VT, GDTX."),
        signer={"authority": "KT. BỘ TRƯỞNG", "title": "THỨ TRƯỞNG", "name": ""},
    )
    # After the 2025 reform the Sở's dispatch addresses the new wards' People's Committees,
    # who report to the Sở (their schools and learning centres report to them).
    # DEMO.md, "Reporting lines in the demo".
    new_wards = [
        u[key] for key in ("new_longbien", "new_bode", "new_viethung", "new_phucloi") if key in u
    ]
    so_due = campaign.ends_on + timedelta(days=15)
    _issue(
        actor=users["admin"],
        approver=users.get("so.hanoi", users["admin"]),
        issued_on=today,
        number=None,
        campaign=campaign,
        kind="cong_van",
        issuer_unit=u["so_hanoi"],
        drafting_unit=u["so_hanoi"],
        symbol_suffix="GDTX",
        subject=f"V/v tổ chức Tuần lễ hưởng ứng học tập suốt đời năm {year}",
        based_on=[cv_next],
        theme=campaign.theme,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        report_due_on=so_due,
        addressees=["Ủy ban nhân dân các xã, phường"],
        sections=[
            {"key": "theme", "heading": "1. Chủ đề", "body": f"“{campaign.theme}”."},
            {
                "key": "reporting",
                "heading": "2. Chế độ báo cáo",
                "body": "Ủy ban nhân dân các phường tổng hợp kết quả của các trường học, trung "
                "tâm học tập cộng đồng trên địa bàn, báo cáo về Sở Giáo dục và Đào tạo trước "
                f"ngày {so_due:%d/%m/%Y}.",
            },
        ],
        recipients=_R(new_wards, _info(u["ubnd_hanoi"]), "Lưu: VT, GDTX."),
        signer={"authority": "KT. GIÁM ĐỐC", "title": "PHÓ GIÁM ĐỐC", "name": ""},
    )
