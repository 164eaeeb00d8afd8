"""The decision (quyết định, QĐ) listing a unit's approved honours, in the Decree 30 layout."""

from django.utils import timezone

from lantoa.campaigns.models import Campaign
from lantoa.documents.rendering import Appendix, OfficialDocument, render_docx
from lantoa.documents.signers import default_signer
from lantoa.honours.models import NomineeKind
from lantoa.honours.selectors import honours_approved_by
from lantoa.units.models import Unit


def decision_document(*, campaign: Campaign, unit: Unit) -> OfficialDocument:
    honours = list(honours_approved_by(campaign=campaign, unit=unit))
    collectives = [h for h in honours if h.nominee_kind == NomineeKind.COLLECTIVE]
    individuals = [h for h in honours if h.nominee_kind == NomineeKind.INDIVIDUAL]
    symbol = f"QĐ-{unit.abbreviation}" if unit.abbreviation else "QĐ"
    table = [["TT", "Tập thể, cá nhân", "Đơn vị", "Thành tích"]]
    for i, h in enumerate(collectives + individuals, start=1):
        table.append([str(i), h.nominee_name, h.unit.name, h.achievement])
    return OfficialDocument(
        kind="quyet_dinh",
        issuer_name=unit.name,
        governing_body=unit.governing_body,
        number=None,
        symbol=symbol,
        place=unit.place_name,
        issued_on=timezone.localdate(),
        subject=(
            f"Về việc tuyên dương tập thể, cá nhân có thành tích tiêu biểu trong {campaign.title}"
        ),
        legal_bases=[
            "Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022;",
            f"Căn cứ kết quả tổ chức {campaign.title};",
            "Xét đề nghị của các đơn vị,",
        ],
        sections=[
            (
                "QUYẾT ĐỊNH:",
                f"Điều 1. Tuyên dương {len(collectives)} tập thể và {len(individuals)} cá nhân "
                f"đã có thành tích tiêu biểu trong {campaign.title} "
                f"(chủ đề «{campaign.theme}») (danh sách kèm theo).\n"
                "Điều 2. Quyết định có hiệu lực kể từ ngày ký.\n"
                "Điều 3. Các đơn vị và tập thể, cá nhân có tên tại Điều 1 chịu trách nhiệm "
                "thi hành Quyết định này.",
            )
        ],
        recipients=["Như Điều 3;", "Lưu: VT."],
        signer=default_signer(unit),
        appendices=[
            Appendix(
                title="DANH SÁCH TẬP THỂ, CÁ NHÂN ĐƯỢC TUYÊN DƯƠNG",
                subtitle=f"(Kèm theo Quyết định số      /{symbol})",
                table=table,
            )
        ],
        draft=True,
    )


def decision_docx(*, campaign: Campaign, unit: Unit) -> bytes:
    return render_docx(decision_document(campaign=campaign, unit=unit))
