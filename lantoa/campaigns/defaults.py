"""The default indicator set, rules, activity catalogue and report template (DESIGN.md, seed 000)."""

INDICATORS = [
    # (code, name, group, unit_of_measure)
    ("tuyen_truyen_tin_bai", "Tin, bài trên cổng thông tin, mạng xã hội", "Tuyên truyền", "count"),
    ("tuyen_truyen_bang_ron", "Băng rôn, khẩu hiệu", "Tuyên truyền", "count"),
    ("tuyen_truyen_phat_thanh", "Lượt phát thanh", "Tuyên truyền", "count"),
    ("tuyen_truyen_xe_luu_dong", "Xe tuyên truyền lưu động", "Tuyên truyền", "count"),
    ("khai_mac_le", "Lễ khai mạc, phát động", "Khai mạc", "count"),
    ("khai_mac_nguoi_du", "Người dự lễ khai mạc", "Khai mạc", "count"),
    ("lop_hoc", "Lớp học, khóa học", "Lớp học, khóa học", "count"),
    ("lop_hoc_truc_tuyen", "Trong đó: trực tuyến", "Lớp học, khóa học", "count"),
    ("nguoi_hoc", "Người học", "Lớp học, khóa học", "count"),
    ("nguoi_hoc_truc_tuyen", "Trong đó: học trực tuyến", "Lớp học, khóa học", "count"),
    ("ky_nang_so_buoi", "Buổi bồi dưỡng kỹ năng số", "Kỹ năng số", "count"),
    ("ky_nang_so_nguoi", "Người tham gia bồi dưỡng kỹ năng số", "Kỹ năng số", "count"),
    ("hoi_thao", "Hội thảo, diễn đàn, câu lạc bộ, giao lưu", "Hội thảo, diễn đàn", "count"),
    ("hoi_thao_nguoi", "Người tham gia hội thảo, diễn đàn", "Hội thảo, diễn đàn", "count"),
    ("cuoc_thi", "Cuộc thi, sân chơi", "Cuộc thi", "count"),
    ("cuoc_thi_nguoi", "Người dự thi", "Cuộc thi", "count"),
    ("thu_vien_moi", "Thư viện, tủ sách lớp học mới", "Thư viện, đọc sách", "count"),
    ("sach_luan_chuyen", "Đầu sách luân chuyển", "Thư viện, đọc sách", "count"),
    ("luot_doc", "Lượt bạn đọc", "Thư viện, đọc sách", "count"),
    ("hoc_lieu_mo", "Học liệu mở, học liệu số cung cấp", "Thư viện, đọc sách", "count"),
    ("khen_tap_the", "Tập thể được khen thưởng", "Khen thưởng", "count"),
    ("khen_ca_nhan", "Cá nhân được khen thưởng", "Khen thưởng", "count"),
    ("doi_tuong_hoc_sinh", "Học sinh, sinh viên", "Người tham gia theo đối tượng", "count"),
    ("doi_tuong_giao_vien", "Giáo viên, cán bộ quản lý", "Người tham gia theo đối tượng", "count"),
    ("doi_tuong_phu_huynh", "Cha mẹ học sinh", "Người tham gia theo đối tượng", "count"),
    (
        "doi_tuong_cbcc",
        "Cán bộ, công chức, người lao động",
        "Người tham gia theo đối tượng",
        "count",
    ),
    ("doi_tuong_nguoi_dan", "Người dân khác", "Người tham gia theo đối tượng", "count"),
]

RULES = [
    ("lop_hoc_truc_tuyen", "lop_hoc", "Số lớp trực tuyến không được lớn hơn tổng số lớp học"),
    (
        "nguoi_hoc_truc_tuyen",
        "nguoi_hoc",
        "Số người học trực tuyến không được lớn hơn tổng số người học",
    ),
]

ACTIVITY_TYPES = [
    ("khai_mac", "Lễ khai mạc, phát động"),
    ("lop_hoc", "Lớp học, khóa học"),
    ("ky_nang_so", "Bồi dưỡng kỹ năng số"),
    ("hoi_thao", "Hội thảo, diễn đàn, câu lạc bộ"),
    ("cuoc_thi", "Cuộc thi, sân chơi"),
    ("doc_sach", "Thư viện, đọc sách"),
    ("tuyen_truyen", "Tuyên truyền"),
]

# Seed 000, appendix: the report template.
REPORT_SECTIONS = [
    {"key": "chi_dao", "heading": "I.1. Công tác chỉ đạo, triển khai"},
    {"key": "hoat_dong", "heading": "I.2. Các hoạt động đã tổ chức"},
    {"key": "kinh_phi", "heading": "I.3. Kinh phí tổ chức (ngân sách nhà nước, xã hội hóa)"},
    {"key": "ket_qua", "heading": "II.1. Kết quả đạt được, bài học kinh nghiệm"},
    {"key": "kho_khan", "heading": "II.2. Khó khăn, vướng mắc"},
    {"key": "de_xuat", "heading": "II.3. Đề xuất, kiến nghị"},
]
