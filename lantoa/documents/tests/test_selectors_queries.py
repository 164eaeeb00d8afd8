"""Lists, inbox, chains and consultation tables run a fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lantoa.documents import selectors, services
from lantoa.documents.services import RecipientIn
from lantoa.documents.tests.factories import district_plan, issued, small_world

pytestmark = pytest.mark.django_db


def count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def grow(w, n: int, parent):
    """n more department dispatches to the district, each based on the previous one."""
    prev = parent
    for i in range(n):
        prev = issued(
            w,
            issuer="so",
            user="so",
            subject=f"V/v số {i}",
            based_on=[prev],
            report_due_on=date(2027, 10, 20),
            recipients=[RecipientIn(unit=w.units["huyen"])],
        )
    return prev


def test_inbox_with_chains_is_a_fixed_number_of_queries():
    w = small_world()
    top = issued(w)
    grow(w, 2, top)
    leader = w.users["leader"]

    def page():
        rows = list(selectors.inbox_for_user(user=leader)[:50])
        chains = selectors.legal_bases_map([r.document for r in rows])
        return [
            (r.document.issuer_unit.name, [c.issuer_unit.name for c in chains[r.document_id]])
            for r in rows
        ]

    leader._lantoa_memberships = None
    small = count(page)
    grow(w, 6, top)
    leader._lantoa_memberships = None
    assert count(page) == small
    assert len(page()) == 8


def test_document_list_is_a_fixed_number_of_queries():
    w = small_world()
    top = issued(w)
    grow(w, 2, top)
    user = w.users["leader"]

    def listing():
        user._lantoa_memberships = None
        return [
            (d.reference, d.issuer_unit.name)
            for d in selectors.documents_list(user=user, q="to chuc")[:50]
        ]

    first = count(listing)
    grow(w, 5, top)
    assert count(listing) == first


def test_consultation_table_is_a_fixed_number_of_queries():
    w = small_world()
    plan = district_plan(w)
    services.consultation_send(
        document=plan,
        user=w.users["cv"],
        units=[w.units["xa1"], w.units["xa2"], w.units["school"]],
        due_on=timezone.localdate() + timedelta(days=3),
    )
    services.consultation_respond(document=plan, user=w.users["xa1"], agree=True)
    assert count(lambda: selectors.consultation_table(plan)) <= 3


def test_search_ignores_diacritics():
    w = small_world()
    doc = issued(w)
    found = selectors.documents_list(user=w.users["bo"], q="TUAN LE hoc tap")
    assert list(found) == [doc]
    assert list(selectors.documents_list(user=w.users["bo"], q="01/BGDĐT")) == [doc]
