"""Each unit's signers: kept by its leaders, chosen when drafting, on every output."""

import pytest
from django.core.exceptions import ValidationError

from lantoa.core.errors import PermissionDeniedError
from lantoa.documents.models import Document, UnitSigner
from lantoa.documents.signers import default_signer, unit_signer_save
from lantoa.documents.tests.factories import small_world
from lantoa.honours.decision import decision_document
from lantoa.reports.exports import consolidated_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return small_world()


def test_leaders_keep_the_signers_with_clear_messages(w):
    huyen = w.units["huyen"]
    with pytest.raises(PermissionDeniedError):
        unit_signer_save(unit=huyen, user=w.users["cv"], authority="", title="CHỦ TỊCH", name="A")
    with pytest.raises(ValidationError) as exc:
        unit_signer_save(
            unit=huyen, user=w.users["leader"], authority="THAY CHỦ TỊCH", title="", name=""
        )
    assert set(exc.value.message_dict) == {"authority", "title", "name"}
    assert not UnitSigner.objects.exists()
    s = unit_signer_save(
        unit=huyen,
        user=w.users["leader"],
        authority="kt. chủ tịch",
        title="Phó Chủ tịch",
        name="Nguyễn Văn A",
    )
    assert (s.authority, s.title, s.name) == ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Văn A")
    block = default_signer(huyen)
    assert (block.authority, block.title, block.name) == (
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Văn A",
    )


def test_consolidated_report_and_decision_carry_the_full_block(w):
    pgd = w.units["pgd"]
    unit_signer_save(
        unit=w.units["huyen"],
        user=w.users["leader"],
        authority="",
        title="TRƯỞNG PHÒNG",
        name="Bỏ qua",
    )
    # the office's own signer, set by the district's approver (an ancestor's role counts)
    unit_signer_save(
        unit=pgd, user=w.users["leader"], authority="", title="TRƯỞNG PHÒNG", name="Lê Thị B"
    )
    for doc in (
        consolidated_document(campaign=w.campaign, unit=pgd),
        decision_document(campaign=w.campaign, unit=pgd),
    ):
        assert (doc.signer.title, doc.signer.name) == ("TRƯỞNG PHÒNG", "Lê Thị B")


def test_the_drafting_page_offers_the_issuers_signers(w, client_as):
    s = unit_signer_save(
        unit=w.units["huyen"],
        user=w.users["leader"],
        authority="KT. CHỦ TỊCH",
        title="PHÓ CHỦ TỊCH",
        name="Nguyễn Văn A",
    )
    client = client_as("cv")
    page = client.get(f"/van-ban/moi/?issuer={w.units['huyen'].pk}").content.decode()
    assert "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH / Nguyễn Văn A" in page
    r = client.post(
        "/van-ban/moi/",
        {
            "issuer_unit": w.units["huyen"].pk,
            "drafting_unit": w.units["pgd"].pk,
            "kind": "ke_hoach",
            "subject": "Kế hoạch thử",
            "signer_id": s.pk,
            "signer_name": "ignored",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    doc = Document.objects.get(subject="Kế hoạch thử")
    assert (doc.signer_authority, doc.signer_title, doc.signer_name) == (
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Văn A",
    )


def test_signers_page(w, client_as):
    client = client_as("leader")
    r = client.post(
        "/van-ban/nguoi-ky/",
        {"authority": "TM. ỦY BAN NHÂN DÂN", "title": "CHỦ TỊCH", "name": "Trần C"},
    )
    assert r.status_code == 302
    assert "Trần C" in client.get("/van-ban/nguoi-ky/").content.decode()
    assert client_as("cv").get("/van-ban/nguoi-ky/").status_code == 404
