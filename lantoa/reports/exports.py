"""Downloads built from the live data: a report's Excel template, the consolidated table
(.xlsx, "Mẫu tổng hợp") and the office's consolidated report (Decree 30 DOCX, kind BC)."""

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from lantoa.campaigns.models import Campaign
from lantoa.core.spreadsheets import table_xlsx_file
from lantoa.documents.rendering import Appendix, OfficialDocument, render_docx
from lantoa.documents.signers import default_signer
from lantoa.notifications.selectors import reminder_latest
from lantoa.reports.excel import report_template, rollup_workbook
from lantoa.reports.lines.selectors import LINE_REPORTING, completeness, line_node, rollup
from lantoa.reports.models import BUDGET_SPONSOR, BUDGET_STATE, Report
from lantoa.reports.selectors import indicators_for, report_values
from lantoa.units.models import Unit

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HEADLINE_CODES = ["lop_hoc", "nguoi_hoc", "hoi_thao", "cuoc_thi", "ky_nang_so_nguoi"]


def num(n: int | None) -> str:
    """1.234.567 (Vietnamese grouping)."""
    return f"{int(n or 0):,}".replace(",", ".")


def _slug(text: str) -> str:
    return slugify(text.replace("đ", "d").replace("Đ", "D"))[:60] or "don-vi"


def template_filename(report: Report) -> str:
    return f"bao-cao-{report.campaign.year}-{_slug(report.unit.name)}.xlsx"


def rollup_filename(campaign: Campaign, unit: Unit) -> str:
    return f"tong-hop-{campaign.year}-{_slug(unit.name)}.xlsx"


def consolidated_filename(campaign: Campaign, unit: Unit) -> str:
    return f"bao-cao-tong-hop-{campaign.year}-{_slug(unit.name)}.docx"


def missing_filename(campaign: Campaign, unit: Unit) -> str:
    return f"chua-bao-cao-{campaign.year}-{_slug(unit.name)}.xlsx"


def missing_xlsx_file(*, campaign: Campaign, unit: Unit, line: str = LINE_REPORTING):
    """The units below ``unit`` that have not reported (the completeness page's list, every
    row): due date, overdue flag, how many reminders reached each and when the last one was
    sent. Three queries (the list, the reminders) whatever the number of units."""
    today = timezone.localdate()
    missing = completeness(campaign=campaign, unit=unit, line=line)["missing"]
    reminded = reminder_latest(campaign=campaign)

    def rows():
        for m in missing:
            seen = reminded.get(m["unit_id"], {})
            last = seen.get("last_at")
            yield [
                m["unit_name"],
                m["due_on"],
                _("Có") if m["due_on"] and m["due_on"] < today else "",
                seen.get("count", 0),
                timezone.localtime(last).replace(tzinfo=None) if last else None,
            ]

    line_name = _("tuyến báo cáo") if line == LINE_REPORTING else _("địa giới hành chính")
    return table_xlsx_file(
        title=_("Đơn vị chưa báo cáo"),
        heading=_(
            "Đơn vị chưa báo cáo — %(unit)s — %(campaign)s (%(line)s) — "
            "%(count)s đơn vị — xuất ngày %(day)s"
        )
        % {
            "unit": unit.name,
            "campaign": campaign.title,
            "line": line_name,
            "count": num(len(missing)),
            "day": today.strftime("%d/%m/%Y"),
        },
        headers=[
            _("Đơn vị"),
            _("Hạn báo cáo"),
            _("Quá hạn"),
            _("Số lần đôn đốc"),
            _("Đôn đốc gần nhất"),
        ],
        rows=rows(),
    )


def report_template_bytes(report: Report) -> bytes:
    return report_template(
        report=report, indicators=indicators_for(report.campaign), values=report_values(report)
    )


def rollup_xlsx_bytes(*, campaign: Campaign, unit: Unit, line: str = LINE_REPORTING) -> bytes:
    """The "Mẫu tổng hợp": one row per reporting child (or administrative child)."""
    return rollup_workbook(
        campaign=campaign,
        unit=unit,
        indicators=indicators_for(campaign),
        rollup=rollup(campaign=campaign, unit=unit, line=line),
    )


def _reports_to(*, campaign: Campaign, unit: Unit, line: str) -> Unit | None:
    """The office the consolidated report is sent to (first line of "Nơi nhận")."""
    if line == LINE_REPORTING:
        node = line_node(campaign=campaign, unit=unit)
        if node is not None and node.parent_unit_id:
            return Unit.objects.filter(pk=node.parent_unit_id).first()
    return Unit.objects.get_parent(unit)


def consolidated_document(
    *, campaign: Campaign, unit: Unit, line: str = LINE_REPORTING
) -> OfficialDocument:
    """The office's consolidated report: its own narrative, the roll-up's numbers, an appendix."""
    indicators = indicators_for(campaign)
    rollup_ = rollup(campaign=campaign, unit=unit, line=line)
    completeness_ = completeness(campaign=campaign, unit=unit, line=line)
    own = Report.objects.filter(campaign=campaign, unit=unit).first()
    narrative = (own.sections if own else {}) or {}
    totals = rollup_["totals"]

    expected, submitted = completeness_["expected"], completeness_["submitted"]
    rate = f"{submitted * 100 / expected:.1f}".replace(".", ",") if expected else "0"
    figures = [
        f"Số đơn vị phải báo cáo: {num(expected)}; đã báo cáo: {num(submitted)} ({rate}%), "
        f"trong đó đúng hạn: {num(completeness_['on_time'])}; đã tiếp nhận: "
        f"{num(completeness_['accepted'])}."
    ]
    group = None
    for ind in indicators:
        if ind.group != group:
            group = ind.group
            figures.append(f"{group}:")
        figures.append(f"- {ind.name}: {num(totals.get(ind.code))}")
    figures.append(
        f"Kinh phí: ngân sách nhà nước {num(totals.get(BUDGET_STATE))} đồng; "
        f"xã hội hóa {num(totals.get(BUDGET_SPONSOR))} đồng."
    )
    sections: list[tuple[str, str]] = [
        (
            "",
            f"Thực hiện kế hoạch tổ chức {campaign.title} với chủ đề «{campaign.theme}», "
            f"{unit.name} báo cáo kết quả tổ chức Tuần lễ trên địa bàn, lĩnh vực phụ trách "
            "như sau:",
        )
    ]
    headings = {s["key"]: s["heading"] for s in campaign.report_sections}
    for section in campaign.report_sections:
        body = (narrative.get(section["key"]) or "").strip()
        if section["key"] == "kinh_phi" and not body:
            continue
        sections.append((headings[section["key"]], body or "(Đơn vị chưa nhập nội dung.)"))
        if section["key"] == "hoat_dong":
            sections.append(
                ("Kết quả thống kê (tổng hợp từ báo cáo của các đơn vị)", "\n".join(figures))
            )

    head = ["STT", "Đơn vị", "Phải báo cáo", "Đã báo cáo", "Đúng hạn"]
    headline = [i for i in indicators if i.code in HEADLINE_CODES] or indicators[:5]
    table = [head + [i.name for i in headline]]
    for n, row in enumerate(rollup_["rows"], start=1):
        table.append(
            [
                str(n),
                row["unit_name"],
                num(row["expected"]),
                num(row["submitted"]),
                num(row["on_time"]),
                *[num(row["values"].get(i.code)) for i in headline],
            ]
        )
    table.append(
        [
            "",
            f"Của chính {unit.name}",
            "",
            "",
            "",
            *[num(rollup_["own"].get(i.code)) for i in headline],
        ]
    )
    table.append(
        [
            "",
            "Tổng cộng",
            num(sum(r["expected"] for r in rollup_["rows"])),
            num(sum(r["submitted"] for r in rollup_["rows"])),
            num(sum(r["on_time"] for r in rollup_["rows"])),
            *[num(totals.get(i.code)) for i in headline],
        ]
    )
    totals_table = [["STT", "Nhóm", "Chỉ tiêu", "Đơn vị tính", "Tổng cộng"]]
    for n, ind in enumerate(indicators, start=1):
        totals_table.append(
            [
                str(n),
                ind.group,
                ind.name,
                "đồng" if ind.unit_of_measure == "vnd" else "số lượng",
                num(totals.get(ind.code)),
            ]
        )
    parent = _reports_to(campaign=campaign, unit=unit, line=line)
    abbreviation = unit.abbreviation or "".join(w[0] for w in unit.name.split() if w[:1].isupper())
    return OfficialDocument(
        kind="bao_cao",
        issuer_name=unit.name,
        governing_body=unit.governing_body,
        symbol=f"BC-{abbreviation}" if abbreviation else "BC",
        place=unit.place_name,
        issued_on=timezone.localdate(),
        subject=f"Kết quả tổ chức Tuần lễ hưởng ứng học tập suốt đời năm {campaign.year}",
        sections=sections,
        recipients=[*([parent.name] if parent else []), "Lưu: VT."],
        signer=default_signer(unit),
        appendices=[
            Appendix(
                title="PHỤ LỤC I. SỐ LIỆU TỔNG HỢP THEO CHỈ TIÊU",
                subtitle=f"(Kèm theo báo cáo của {unit.name})",
                table=totals_table,
            ),
            Appendix(
                title="PHỤ LỤC II. TÌNH HÌNH BÁO CÁO VÀ SỐ LIỆU CHÍNH THEO ĐƠN VỊ",
                subtitle="(Số liệu của mỗi đơn vị gồm cả các đơn vị trực thuộc)",
                table=table,
                landscape=True,
            ),
        ],
    )


def consolidated_docx_bytes(*, campaign: Campaign, unit: Unit, line: str = LINE_REPORTING) -> bytes:
    return render_docx(consolidated_document(campaign=campaign, unit=unit, line=line))
