"""Each unit's signers (người ký): authority line (for whom), title, full name.

A draft picks one (its block is copied onto the document and fixed at issue); outputs
that are not documents of their own (the consolidated report, the honours decision)
use the unit's first active signer, so every generated file carries a full block.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from lantoa.core.errors import NotFound, PermissionDeniedError
from lantoa.core.text import nfc
from lantoa.documents.models import UnitSigner
from lantoa.documents.permissions import can_manage_signers
from lantoa.documents.rendering import Signer
from lantoa.history.services import history_record
from lantoa.units.models import Unit

AUTHORITY_PREFIXES = ("TM.", "KT.", "Q.", "TL.", "TUQ.")


def _clean(authority: str, title: str, name: str) -> tuple[str, str, str]:
    authority, title, name = nfc(authority).upper(), nfc(title).upper(), nfc(name)
    errors: dict[str, list[str]] = {}
    if authority and not authority.startswith(AUTHORITY_PREFIXES):
        errors["authority"] = [
            _("Quyền hạn ký bắt đầu bằng TM., KT., Q., TL. hoặc TUQ. (ví dụ “KT. CHỦ TỊCH”).")
        ]
    if not title:
        errors["title"] = [_("Chức vụ người ký không được để trống.")]
    if not name:
        errors["name"] = [_("Họ và tên người ký không được để trống.")]
    for field, value in (("authority", authority), ("title", title), ("name", name)):
        if len(value) > 100:
            errors.setdefault(field, []).append(_("Tối đa 100 ký tự."))
    if errors:
        raise ValidationError(errors)
    return authority, title, name


@transaction.atomic
def unit_signer_save(
    *,
    unit: Unit,
    user,
    authority: str,
    title: str,
    name: str,
    signer: UnitSigner | None = None,
    active: bool = True,
) -> UnitSigner:
    """Add a signer to a unit (or change one): the unit's approvers and admins only."""
    if not can_manage_signers(user, unit):
        raise PermissionDeniedError(_("Chỉ lãnh đạo hoặc quản trị đơn vị mới được sửa người ký."))
    authority, title, name = _clean(authority, title, name)
    if signer is None:
        last = UnitSigner.objects.filter(unit=unit).aggregate(m=Max("position"))["m"]
        signer = UnitSigner(unit=unit, position=0 if last is None else last + 1)
    elif signer.unit_id != unit.pk:
        raise NotFound
    before = str(signer) if signer.pk else ""
    signer.authority, signer.title, signer.name, signer.active = authority, title, name, active
    signer.full_clean()
    signer.save()
    history_record(
        actor=user,
        unit=unit,
        obj=signer,
        action="update" if before else "create",
        summary=_("Người ký: %(s)s") % {"s": str(signer)},
    )
    return signer


def signers_for_unit(unit: Unit, *, active_only: bool = True) -> list[UnitSigner]:
    qs = UnitSigner.objects.filter(unit=unit)
    if active_only:
        qs = qs.filter(active=True)
    return list(qs)


def signer_get(unit: Unit, signer_id) -> UnitSigner:
    try:
        return UnitSigner.objects.get(unit=unit, pk=int(signer_id))
    except (UnitSigner.DoesNotExist, TypeError, ValueError):
        raise NotFound


def default_signer(unit: Unit, *, fallback_title: str = "THỦ TRƯỞNG ĐƠN VỊ") -> Signer:
    """The unit's first active signer; the head's title alone when none is recorded."""
    first = UnitSigner.objects.filter(unit=unit, active=True).first()
    if first is None:
        return Signer(authority="", title=fallback_title, name="")
    return Signer(authority=first.authority, title=first.title, name=first.name)


def signer_dict(signer: UnitSigner) -> dict:
    return {"authority": signer.authority, "title": signer.title, "name": signer.name}
