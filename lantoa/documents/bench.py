"""Benchmarks: issuing a dispatch to every commune, and an inbox page with its chains.

- issue: ``document_issue`` for one document addressed to every commune (deliveries,
  reporting deadline, history) against the floor of inserting the same delivery rows
  with one ``bulk_create``.
- inbox: one page of 50 deliveries of a commune with the chain of documents above each
  (ORM, as the page does it) against the same two statements in hand-written SQL.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from lantoa.accounts.models import Role, User
from lantoa.campaigns.services import campaign_create
from lantoa.core.bench import Row, best_of
from lantoa.documents import selectors, services
from lantoa.documents.models import Delivery, Document
from lantoa.documents.services import RecipientIn
from lantoa.units.models import Unit, UnitKind
from lantoa.units.services import unit_create

COMMUNES = 3_321
INBOX_DOCUMENTS = 300


def _world(ctx):
    if "documents_world" in ctx.cache:
        return ctx.cache["documents_world"]
    root = Unit.objects.filter(depth=1).first() or unit_create(
        parent=None, name="Bộ Giáo dục và Đào tạo", kind=UnitKind.BO_GDDT, abbreviation="BGDĐT"
    )
    if not root.abbreviation:
        root.abbreviation = "BGDĐT"
        root.save(update_fields=["abbreviation"])
    per_province = max(3, int(COMMUNES * ctx.scale) // 34)
    communes = []
    for p in range(34):
        province = unit_create(
            parent=root, name=f"UBND tỉnh Văn bản {p:02d}", kind=UnitKind.UBND_TINH
        )
        for c in range(per_province):
            communes.append(
                unit_create(
                    parent=province, name=f"UBND xã Văn bản {p:02d}-{c:03d}", kind=UnitKind.UBND_XA
                )
            )
    user = User.objects.filter(username="bench.documents").first() or User.objects.create_superuser(
        "bench.documents", "bench@lantoa.local", "x"
    )
    campaign = campaign_create(
        year=date.today().year + 60,
        title="Tuần lễ đo hiệu năng văn bản",
        theme="Đo",
        starts_on=date(date.today().year + 60, 10, 1),
        ends_on=date(date.today().year + 60, 10, 7),
        owner_unit=root,
    )
    world = {"root": root, "communes": communes, "user": user, "campaign": campaign}
    ctx.cache["documents_world"] = world
    return world


def _approved(world, *, recipients, subject: str, based_on=()) -> Document:
    user = world["user"]
    doc = services.document_create(
        user=user,
        campaign=world["campaign"],
        kind="cong_van",
        issuer_unit=world["root"],
        drafting_unit=world["root"],
        subject=subject,
        based_on=list(based_on),
        recipients=recipients,
        report_due_on=world["campaign"].ends_on,
    )
    services.document_submit(document=doc, user=user)
    return services.document_approve(document=doc, user=user)


def issue_to_every_commune(ctx) -> list[Row]:
    world = _world(ctx)
    communes = world["communes"]
    recipients = [RecipientIn(unit=u) for u in communes]

    class Rollback(Exception):
        pass

    def ours():
        try:
            with transaction.atomic():
                doc = _approved(world, recipients=recipients, subject="V/v đo hiệu năng")
                services.document_issue(document=doc, user=world["user"])
                raise Rollback
        except Rollback:
            pass

    def floor():
        try:
            with transaction.atomic():
                doc = _approved(world, recipients=recipients, subject="V/v đo hiệu năng")
                now = timezone.now()
                Delivery.objects.bulk_create(
                    [Delivery(document=doc, unit=u, delivered_at=now) for u in communes]
                )
                raise Rollback
        except Rollback:
            pass

    n = len(communes)
    return [
        Row(
            f"create+approve+issue to {n} communes (floor: same + bulk deliveries)",
            best_of(ours, repeat=3),
            best_of(floor, repeat=3),
            target=3,
        )
    ]


def inbox_page(ctx) -> list[Row]:
    world = _world(ctx)
    commune = world["communes"][0]
    if "documents_inbox" not in ctx.cache:
        prev = None
        for i in range(INBOX_DOCUMENTS):
            doc = _approved(
                world,
                recipients=[RecipientIn(unit=commune)],
                subject=f"V/v văn bản số {i}",
                based_on=[prev] if prev and i % 10 else [],
            )
            prev = services.document_issue(document=doc, user=world["user"])
        ctx.cache["documents_inbox"] = True
    user = User.objects.filter(username="bench.inbox").first()
    if user is None:
        from lantoa.accounts.services import membership_set

        user = User.objects.create_user("bench.inbox", "inbox@lantoa.local", "x")
        membership_set(user=user, unit=commune, role=Role.EDITOR)

    def ours():
        user._lantoa_memberships = None
        rows = list(selectors.inbox_for_user(user=user)[:50])
        chains = selectors.legal_bases_map([r.document for r in rows])
        return [(r.document.issuer_unit.name, len(chains[r.document_id])) for r in rows]

    def floor():
        with connection.cursor() as cur:
            cur.execute(
                "SELECT d.id, d.chain_ids, u.name FROM documents_delivery v "
                "JOIN documents_document d ON d.id = v.document_id "
                "JOIN units_unit u ON u.id = d.issuer_unit_id "
                "WHERE v.unit_id = %s ORDER BY v.read_at IS NOT NULL, v.read_at, "
                "v.delivered_at DESC, v.id DESC LIMIT 50",
                [commune.pk],
            )
            rows = cur.fetchall()
            import json

            ids = sorted(
                {i for r in rows for i in (json.loads(r[1]) if isinstance(r[1], str) else r[1])}
            )
            if ids:
                marks = ",".join(["%s"] * len(ids))
                sql = "SELECT d.id, d.number, d.symbol, u.name FROM documents_document d JOIN units_unit u ON u.id = d.issuer_unit_id WHERE d.id IN (%s)"  # noqa: E501
                cur.execute(sql % marks, ids)  # noqa: S608 - only placeholders are interpolated
                cur.fetchall()
        return rows

    assert len(ours()) == 50
    return [
        Row(
            f"inbox page of 50 with chains ({INBOX_DOCUMENTS} documents)",
            best_of(ours),
            best_of(floor),
            target=10,
            note="ORM rows + the memberships query vs two raw statements",
        )
    ]


BENCHMARKS = [issue_to_every_commune, inbox_page]
