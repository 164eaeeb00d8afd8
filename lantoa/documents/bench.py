# ruff: noqa: S608 — the floor is hand-written SQL; only placeholders are interpolated
"""Benchmarks: issuing a dispatch to every commune, and an inbox page with its chains.

- issue: ``document_issue`` for one document addressed to every commune (deliveries,
  reporting deadline, history, one queued e-mail per commune), committed, against the
  floor of writing the same delivery and e-mail rows with bulk inserts and the same enqueue.
- inbox: one page of 50 deliveries of a commune with the chain of documents above each
  (ORM, as the page does it) against one hand-written statement (the page and its chains,
  JSON array expanded in SQL), with the full results compared.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from lantoa.accounts.models import Role, User
from lantoa.campaigns.services import campaign_create
from lantoa.core.bench import Row, best_of, same
from lantoa.documents import selectors, services
from lantoa.documents.models import Delivery, Document
from lantoa.documents.services import RecipientIn
from lantoa.notifications.emails import emails_dispatch
from lantoa.notifications.models import EmailMessageLog
from lantoa.units.models import UnitKind
from lantoa.units.services import unit_create

COMMUNES = 3_321
INBOX_DOCUMENTS = 300


def _world(ctx):
    if "documents_world" in ctx.cache:
        return ctx.cache["documents_world"]
    root = ctx.root(__name__, "Bộ GDĐT (đo văn bản)")
    per_province = max(3, int(COMMUNES * ctx.scale) // 34)
    communes = []
    for p in range(34):
        province = unit_create(
            parent=root, name=f"UBND tỉnh Văn bản {p:02d}", kind=UnitKind.UBND_TINH
        )
        for c in range(per_province):
            communes.append(
                unit_create(
                    parent=province,
                    name=f"UBND xã Văn bản {p:02d}-{c:03d}",
                    kind=UnitKind.UBND_XA,
                    email=f"xa{p:02d}{c:03d}@bench.lantoa.local",
                )
            )
    user = User.objects.filter(username="bench.documents").first() or User.objects.create_superuser(
        "bench.documents", "bench@lantoa.local", "x"
    )
    year = ctx.year(__name__)
    campaign = campaign_create(
        year=year,
        title="Tuần lễ đo hiệu năng văn bản",
        theme="Đo",
        starts_on=date(year, 10, 1),
        ends_on=date(year, 10, 7),
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
    """Ours: create, approve and issue (committed, as in production), which writes the
    deliveries, the reporting deadline, history, notices and one logged e-mail per commune,
    and enqueues the e-mails on commit. Floor: the same document created and approved, then
    the same delivery and e-mail rows written with bulk inserts and the same enqueue."""
    world = _world(ctx)
    communes = world["communes"]
    recipients = [RecipientIn(unit=u) for u in communes]
    issued: list[Document] = []
    floored: list[Document] = []

    def ours():
        with transaction.atomic():
            doc = _approved(world, recipients=recipients, subject="V/v đo hiệu năng")
            issued.append(services.document_issue(document=doc, user=world["user"]))

    def floor():
        with transaction.atomic():
            doc = _approved(world, recipients=recipients, subject="V/v đo hiệu năng (sàn)")
            now = timezone.now()
            Delivery.objects.bulk_create(
                [Delivery(document=doc, unit=u, delivered_at=now) for u in communes]
            )
            logs = EmailMessageLog.objects.bulk_create(
                [
                    EmailMessageLog(
                        sender_unit=world["root"],
                        recipient_unit=u,
                        kind="document",
                        to=u.email,
                        subject=doc.subject,
                        body=doc.subject,
                    )
                    for u in communes
                ],
                batch_size=500,
            )
            ids = [log.pk for log in logs]
            transaction.on_commit(lambda: emails_dispatch(ids=ids))
            floored.append(doc)

    ours_s, floor_s = best_of(ours, repeat=3), best_of(floor, repeat=3)
    # The same rows, compared in full: every commune got the delivery and one e-mail.
    mine, theirs = issued[-1], floored[-1]
    same(
        sorted(Delivery.objects.filter(document=mine).values_list("unit_id", flat=True)),
        sorted(Delivery.objects.filter(document=theirs).values_list("unit_id", flat=True)),
        "issue: deliveries",
    )
    since = mine.issued_at or mine.updated_at
    sent = sorted(
        EmailMessageLog.objects.filter(kind="document", created_at__gte=since)
        .exclude(subject__contains="(sàn)")
        .values_list("recipient_unit_id", "to")
    )
    expected = sorted((u.pk, u.email) for u in communes)
    same(sorted(set(sent)), expected, "issue: one e-mail per commune")
    n = len(communes)
    return [
        Row(
            f"documents: issue to {n:,} communes, committed, {n:,} e-mails queued",
            ours_s,
            floor_s,
            target=3,
            budget_ms=3000,
            note="floor = same document + bulk deliveries + bulk e-mail log + same enqueue",
        )
    ]


def _chain_join() -> str:
    """Each page row's chain documents (element order kept for ties), per vendor."""
    if connection.vendor == "postgresql":
        return (
            "LEFT JOIN LATERAL (SELECT cd.id, cd.issued_on, cu.depth, e.ord "
            "FROM jsonb_array_elements_text(p.chain_ids) WITH ORDINALITY e(val, ord) "
            "JOIN documents_document cd ON cd.id = e.val::int "
            "JOIN units_unit cu ON cu.id = cd.issuer_unit_id) c ON TRUE"
        )
    return (
        "LEFT JOIN (SELECT e.key AS ord, e.value AS val, pp.vid FROM page pp, "
        "json_each(pp.chain_ids) e) ce ON ce.vid = p.vid "
        "LEFT JOIN (SELECT cd.id, cd.issued_on, cu.depth FROM documents_document cd "
        "JOIN units_unit cu ON cu.id = cd.issuer_unit_id) c ON c.id = ce.val"
    )


def _raw_inbox(user_id: int) -> list[tuple]:
    """The inbox page in one hand-written statement: the user's page of 50 deliveries and
    the documents of their chains, top first."""
    order = "p.read_at IS NOT NULL, p.read_at, p.delivered_at DESC, p.vid DESC"
    ord_col = "c.ord" if connection.vendor == "postgresql" else "ce.ord"
    with connection.cursor() as cur:
        cur.execute(
            "WITH page AS (SELECT v.id AS vid, d.id AS did, d.chain_ids, u.name, v.read_at, "
            "v.delivered_at FROM documents_delivery v "
            "JOIN documents_document d ON d.id = v.document_id "
            "JOIN units_unit u ON u.id = d.issuer_unit_id "
            "WHERE v.unit_id IN (SELECT unit_id FROM accounts_membership "
            "WHERE user_id = %s AND is_active) "
            "ORDER BY v.read_at IS NOT NULL, v.read_at, v.delivered_at DESC, v.id DESC LIMIT 50) "
            f"SELECT p.vid, p.did, p.name, c.id FROM page p {_chain_join()} "
            f"ORDER BY {order}, COALESCE(c.issued_on, '9999-12-31'), c.depth, {ord_col}",
            [user_id],
        )
        rows = cur.fetchall()
    result: list[tuple] = []
    for vid, did, name, chain_id in rows:
        if not result or result[-1][0] != vid:
            result.append((vid, did, name, []))
        if chain_id is not None:
            result[-1][3].append(chain_id)
    return result


def inbox_page(ctx) -> list[Row]:
    world = _world(ctx)
    commune = world["communes"][0]
    n_docs = INBOX_DOCUMENTS if ctx.scale >= 0.1 else 60  # the smoke run needs one page
    if "documents_inbox" not in ctx.cache:
        prev = None
        for i in range(n_docs):
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
        return [
            (
                r.pk,
                r.document_id,
                r.document.issuer_unit.name,
                [d.pk for d in chains[r.document_id]],
            )
            for r in rows
        ]

    result = same(ours(), _raw_inbox(user.pk), "inbox page")
    assert len(result) == 50 and any(chain for *_x, chain in result)
    return [
        Row(
            f"documents: inbox page of 50 with chains ({n_docs} documents)",
            best_of(ours),
            best_of(lambda: _raw_inbox(user.pk)),
            target=10,
            budget_ms=50,
            note="floor = one statement (page + chains); results compared in full",
        )
    ]


BENCHMARKS = [issue_to_every_commune, inbox_page]
