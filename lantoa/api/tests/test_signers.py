"""Signers API: GET/POST /units/{id}/signers, PATCH /units/{id}/signers/{signer_id}."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lantoa.documents.models import UnitSigner
from lantoa.history.models import HistoryEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_tree):
    return demo_tree


def _url(unit, signer=None) -> str:
    return f"/api/v1/units/{unit.pk}/signers" + (f"/{signer}" if signer else "")


def test_leaders_add_and_change_signers_everyone_in_scope_reads(demo, api_as):
    office = demo.units["pgd_longbien"]
    leader = api_as("pgd.longbien")
    created = leader.post(
        _url(office),
        {"authority": "kt. trưởng phòng", "title": "Phó Trưởng phòng", "name": "Lê Văn Ký"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body | {"id": 0, "position": 0} == {
        "id": 0,
        "authority": "KT. TRƯỞNG PHÒNG",
        "title": "PHÓ TRƯỞNG PHÒNG",
        "name": "Lê Văn Ký",
        "position": 0,
        "active": True,
    }
    editor = api_as("cv.longbien")
    with CaptureQueriesContext(connection) as ctx:
        listed = editor.get(_url(office))
    assert listed.status_code == 200 and body in listed.json()
    assert len(ctx.captured_queries) <= 6

    changed = leader.patch(_url(office, body["id"]), {"name": "Lê Văn Mới", "active": False})
    assert changed.status_code == 200
    assert (
        changed.json()["name"] == "Lê Văn Mới" and changed.json()["authority"] == "KT. TRƯỞNG PHÒNG"
    )
    assert changed.json()["active"] is False
    assert body["id"] not in [s["id"] for s in editor.get(_url(office), {"active": "true"}).json()]
    assert (
        HistoryEntry.objects.filter(object_type="unitsigner", object_id=str(body["id"])).count()
        == 2
    )


def test_refusals(demo, api_as):
    office = demo.units["pgd_longbien"]
    signer = UnitSigner.objects.create(unit=office, title="TRƯỞNG PHÒNG", name="Trần Văn A")
    editor = api_as("cv.longbien")
    forbidden = editor.post(_url(office), {"title": "CHỦ TỊCH", "name": "X"})
    assert forbidden.status_code == 403
    assert forbidden["Content-Type"].startswith("application/problem+json")
    assert editor.patch(_url(office, signer.pk), {"name": "Y"}).status_code == 403
    outsider = api_as("ubnd.langson")
    assert outsider.get(_url(office)).status_code == 404
    assert outsider.patch(_url(office, signer.pk), {"name": "Z"}).status_code == 404
    leader = api_as("pgd.longbien")
    bad = leader.post(_url(office), {"authority": "THAY MẶT", "title": "", "name": ""})
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"authority", "title", "name"}
    # A signer of another unit is not found through this unit.
    other = UnitSigner.objects.create(unit=demo.units["ubnd_langson"], title="CHỦ TỊCH", name="B")
    assert leader.patch(_url(office, other.pk), {"name": "C"}).status_code == 404
    assert UnitSigner.objects.get(pk=signer.pk).name == "Trần Văn A"
    assert UnitSigner.objects.get(pk=other.pk).name == "B"
