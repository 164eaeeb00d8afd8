"""Issue 9's permission findings for documents: each test failed before the rules were
decided once in ``documents/permissions.py`` and enforced by the services."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from lantoa.conftest import login_client
from lantoa.core.errors import NotFound, PermissionDeniedError
from lantoa.documents import selectors, services
from lantoa.documents.models import Document, DocumentState
from lantoa.documents.permissions import (
    can_draft_for,
    can_see_deliveries,
    can_see_versions,
    draftable_issuers,
)
from lantoa.documents.tests.factories import issued, small_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return small_world()


def _draft_payload(w, issuer, drafting):
    return {
        "kind": "cong_van",
        "issuer_unit_id": w.units[issuer].pk,
        "drafting_unit_id": w.units[drafting].pk,
        "subject": "V/v tổ chức Tuần lễ",
        "recipients": [{"unit_id": w.units["xa1"].pk}],
    }


def test_draftable_issuers_are_the_own_unit_its_parent_and_the_parents_committee(w):
    u = w.units
    # cv edits the education office and the district: office, district, the district's
    # committee, and the province above the district; never the ministry or a neighbour.
    assert {x.pk for x in draftable_issuers(w.users["cv"])} == {
        u["pgd"].pk,
        u["huyen"].pk,
        u["bcd"].pk,
        u["tinh"].pk,
    }
    assert {x.pk for x in draftable_issuers(w.users["school"])} == {u["school"].pk, u["pgd"].pk}
    for key in ("bo", "tinh", "huyen", "bcd", "so", "tinh2"):
        assert not can_draft_for(w.users["school"], u[key]), key
    assert can_draft_for(w.users["cv"], u["bcd"]) and not can_draft_for(w.users["cv"], u["bo"])
    # the same answer, unit by unit, as the list the page offers
    for user in w.users.values():
        offered = {x.pk for x in draftable_issuers(user)}
        assert offered == {x.pk for x in u.values() if can_draft_for(user, x)}, user


def test_a_school_cannot_write_in_the_provinces_name_through_the_service(w):
    before = Document.objects.count()
    with pytest.raises(PermissionDeniedError):
        services.document_create(
            user=w.users["school"],
            kind="cong_van",
            issuer_unit=w.units["tinh"],
            drafting_unit=w.units["school"],
            subject="V/v tổ chức Tuần lễ",
        )
    assert Document.objects.count() == before


@pytest.mark.parametrize("issuer", ["tinh", "bo", "huyen"])
def test_a_school_cannot_write_in_another_units_name_through_the_api(w, api_as, issuer):
    before = Document.objects.count()
    response = api_as("school").post("/api/v1/documents", _draft_payload(w, issuer, "school"))
    assert response.status_code == 404, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert Document.objects.count() == before


def test_the_office_still_drafts_for_the_district_and_its_committee(w, api_as):
    api = api_as("cv")
    for issuer in ("huyen", "bcd", "pgd"):
        response = api.post("/api/v1/documents", _draft_payload(w, issuer, "pgd"))
        assert response.status_code == 201, (issuer, response.content)


def _foreign_draft(w) -> Document:
    """A draft issued in the province's name by a school, as the old rule let through."""
    doc = services.document_create(
        user=None,
        kind="cong_van",
        issuer_unit=w.units["tinh"],
        drafting_unit=w.units["school"],
        subject="V/v tổ chức Tuần lễ",
    )
    assert doc.state == DocumentState.DRAFT
    return doc


def test_a_draft_beyond_reach_can_be_neither_consulted_nor_submitted(w, api_as):
    doc = _foreign_draft(w)
    school = w.users["school"]
    with pytest.raises(PermissionDeniedError):
        services.consultation_send(
            document=doc,
            user=school,
            units=[w.units["xa1"]],
            due_on=timezone.localdate() + timedelta(days=5),
        )
    with pytest.raises(PermissionDeniedError):
        services.document_submit(document=doc, user=school)
    api = api_as("school")
    consult = api.post(
        f"/api/v1/documents/{doc.pk}/consultation",
        {
            "unit_ids": [w.units["xa1"].pk],
            "due_on": str(timezone.localdate() + timedelta(days=5)),
        },
    )
    assert consult.status_code == 403, consult.content
    assert api.post(f"/api/v1/documents/{doc.pk}/submit").status_code == 403
    page = login_client("school")
    assert page.get(f"/van-ban/{doc.pk}/sua/").status_code == 404
    page.post(f"/van-ban/{doc.pk}/trinh/")
    doc.refresh_from_db()
    assert doc.state == DocumentState.DRAFT and not doc.consultations.exists()


def test_replacing_a_document_of_a_unit_beyond_reach_is_404(w):
    """so reads the ministry's dispatch (a recipient) but may not draft in its name."""
    top = issued(w)
    client = login_client("so")
    assert client.get(f"/van-ban/{top.pk}/").status_code == 200
    assert client.get(f"/van-ban/moi/?replaces={top.pk}").status_code == 404
    before = Document.objects.count()
    response = client.post(
        "/van-ban/moi/", {"replaces": top.pk, "subject": "Đính chính", "kind": "cong_van"}
    )
    assert response.status_code == 404
    assert Document.objects.count() == before
    assert login_client("bo").get(f"/van-ban/moi/?replaces={top.pk}").status_code == 200


def test_versions_and_read_receipts_only_for_authors_and_the_issuers_approvers(w, api_as):
    top = issued(w)
    recipient = w.users["so"]
    assert not can_see_versions(recipient, top) and not can_see_deliveries(recipient, top)
    with pytest.raises(NotFound):
        selectors.versions_for_document(top, user=recipient)
    with pytest.raises(NotFound):
        selectors.deliveries_for_document(top, user=recipient)
    api = api_as("so")
    assert api.get(f"/api/v1/documents/{top.pk}").status_code == 200
    for path in ("versions", "deliveries"):
        response = api.get(f"/api/v1/documents/{top.pk}/{path}")
        assert response.status_code == 404, (path, response.content)
    assert login_client("so").get(f"/van-ban/{top.pk}/phien-ban/").status_code == 404
    author = api_as("bo")
    assert len(author.get(f"/api/v1/documents/{top.pk}/versions").json()) >= 1
    assert {d["unit_id"] for d in author.get(f"/api/v1/documents/{top.pk}/deliveries").json()} == {
        w.units["tinh"].pk,
        w.units["so"].pk,
    }
    assert login_client("bo").get(f"/van-ban/{top.pk}/phien-ban/").status_code == 200


def test_the_district_leader_approves_and_sees_the_offices_versions(w):
    from lantoa.documents.tests.factories import district_plan

    plan = district_plan(w)
    leader = w.users["leader"]
    assert can_see_versions(leader, plan)
    assert [v.version for v in selectors.versions_for_document(plan, user=leader)] == [1]
    services.document_submit(document=plan, user=w.users["cv"])
    services.document_approve(document=plan, user=leader)
    issued_plan = services.document_issue(document=plan, user=leader, issued_on=date(2027, 9, 20))
    ward = w.users["xa1"]
    assert not can_see_deliveries(ward, issued_plan)
    assert selectors.document_get_for_user(ward, issued_plan.pk) == issued_plan


def test_the_page_refuses_an_issuer_beyond_reach_instead_of_swapping_it(w):
    """The page used to fall back to the default issuer; now it answers 404 like the API."""
    before = Document.objects.count()
    response = login_client("school").post(
        "/van-ban/moi/",
        {
            "kind": "cong_van",
            "subject": "V/v tổ chức Tuần lễ",
            "issuer_unit": w.units["tinh"].pk,
            "drafting_unit": w.units["school"].pk,
        },
    )
    assert response.status_code == 404
    assert Document.objects.count() == before
    assert login_client("school").get(f"/van-ban/moi/?issuer={w.units['bo'].pk}").status_code == 404


def test_the_detail_page_offers_editing_and_attaching_only_to_who_may(w):
    doc = _foreign_draft(w)
    response = login_client("school").get(f"/van-ban/{doc.pk}/")
    assert response.status_code == 200
    assert response.context["is_author"] is True
    assert response.context["can_edit"] is False and response.context["can_attach"] is False
    assert f"/van-ban/{doc.pk}/sua/" not in response.content.decode()
