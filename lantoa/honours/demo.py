"""Demo nominations and honours: approved ones on the public board, one pending, one declined."""

from lantoa.honours import services

# (year, unit key, kind, name, achievement, final unit key, outcome)
NOMINATIONS = [
    (
        2023,
        "thcs_ngoclam",
        "individual",
        "Cô Nguyễn Thị Hạnh, giáo viên Tin học",
        "Sáng kiến chuyển đổi số trong học tập suốt đời: lớp tin học miễn phí cho người cao tuổi",
        "pgd_longbien",
        "approve",
    ),
    (
        2023,
        "htcd_bode",
        "collective",
        "Trung tâm học tập cộng đồng phường Bồ Đề",
        "Tổ chức 12 lớp kỹ năng số cho hơn 400 người dân trong Tuần lễ",
        "ward_bode",
        "approve",
    ),
    (
        2023,
        "ward_hoaphu",
        "individual",
        "Ông Trần Văn Tự, khu phố 2",
        "Tấm gương tự học: tự học và hướng dẫn bà con dùng dịch vụ công trực tuyến",
        "ubnd_tdm",
        "approve",
    ),
    (
        2023,
        "htcd_lienhiep",
        "collective",
        "Trung tâm học tập cộng đồng xã Liên Hiệp",
        "Đưa kỹ năng số đến với đồng bào dân tộc thiểu số",
        "pgd_ductrong",
        "approve",
    ),
    (
        2021,
        "th_giathuy",
        "collective",
        "Thư viện Trường Tiểu học Gia Thụy",
        "Duy trì thư viện trực tuyến cho học sinh trong thời gian giãn cách",
        "pgd_longbien",
        "approve",
    ),
    (
        2023,
        "th_giathuy",
        "individual",
        "Thầy Lê Minh Quân, Tổng phụ trách Đội",
        "Phong trào đọc sách: mỗi lớp một tủ sách",
        "pgd_longbien",
        "pending",
    ),
    (
        2023,
        "ward_phuloi",
        "collective",
        "Câu lạc bộ dưỡng sinh khu phố 5",
        "Duy trì sinh hoạt đều đặn",
        "ubnd_tdm",
        "decline",
    ),
]


def build(world) -> None:
    admin = world.users["admin"]
    for year, key, kind, name, achievement, final_key, outcome in NOMINATIONS:
        nomination = services.nomination_create(
            user=admin,
            campaign=world.campaigns[year],
            unit=world.units[key],
            nominee_kind=kind,
            nominee_name=name,
            achievement=achievement,
            final_unit=world.units[final_key],
        )
        if outcome == "approve":
            while nomination.state == "pending":
                nomination = services.nomination_approve(user=admin, nomination=nomination)
        elif outcome == "decline":
            services.nomination_decline(
                user=admin,
                nomination=nomination,
                reason="Thành tích chưa gắn với hoạt động của Tuần lễ; đề nghị bổ sung minh chứng.",
            )
