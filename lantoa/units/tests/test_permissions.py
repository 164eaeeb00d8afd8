"""Issue 9: "admin of an ancestor" is one rule (``units.permissions.can_edit_unit``) for
pages and API alike, and ``unit_update`` only sets the editable fields."""

import pytest
from django.core.exceptions import ValidationError

from lantoa.core.errors import NotFound
from lantoa.units import services
from lantoa.units.models import Unit
from lantoa.units.permissions import can_edit_unit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "username, key, allowed",
    [
        ("admin", "bo", True),  # the top unit: a superuser only, on page and API alike
        ("admin", "ward_bode", True),
        ("bo.gddt", "bo", False),
        ("qt.longbien", "ward_bode", True),  # admin of an ancestor
        ("qt.longbien", "ubnd_longbien", False),  # its own unit's admin: no
        ("qt.longbien", "ubnd_hanoi", False),  # outside the scope: no
        ("pgd.longbien", "thcs_ngoclam", False),  # not an admin
    ],
)
def test_page_and_api_agree_on_who_edits_a_unit(demo, client_as, api_as, username, key, allowed):
    unit = demo[key]
    assert can_edit_unit(demo.users[username], unit) is allowed
    page = client_as(username).get(f"/don-vi/{unit.pk}/sua/")
    api = api_as(username).patch(f"/api/v1/units/{unit.pk}", {"address": "Số 1"})
    assert (page.status_code == 200) is allowed, page.status_code
    assert (api.status_code == 200) is allowed, api.content
    if not allowed:
        assert page.status_code == api.status_code == 404
    assert (Unit.objects.get(pk=unit.pk).address == "Số 1") is allowed


def test_unit_update_sets_only_whitelisted_fields(demo):
    ward = demo["ward_bode"]
    path, depth = ward.path, ward.depth
    with pytest.raises(ValidationError) as exc:
        services.unit_update(unit=ward, path="0001", depth=1, name="Phường X")
    assert set(exc.value.message_dict) == {"path", "depth"}
    ward.refresh_from_db()
    assert (ward.path, ward.depth, ward.name) == (path, depth, "UBND phường Bồ Đề")


def test_unit_services_enforce_the_rule_too(demo):
    with pytest.raises(NotFound):
        services.unit_update(
            unit=demo["ubnd_longbien"], actor=demo.users["qt.longbien"], address="Số 2"
        )
    with pytest.raises(NotFound):
        services.unit_create(
            parent=demo["ubnd_hanoi"],
            actor=demo.users["qt.longbien"],
            name="Trường Thử",
            kind="truong_th",
        )
