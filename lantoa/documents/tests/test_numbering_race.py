"""Many documents of one issuer issued at the same moment: no duplicate, no gap."""

import threading
from datetime import date

import pytest
from django.db import connection, connections

from lantoa.documents import services
from lantoa.documents.models import Document
from lantoa.documents.tests.factories import small_world

THREADS = 12


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_distinct_consecutive_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL only")
    w = small_world()
    bo = w.users["bo"]
    drafts = []
    for i in range(THREADS):
        d = services.document_create(
            user=bo,
            kind="cong_van",
            issuer_unit=w.units["bo"],
            drafting_unit=w.units["bo"],
            subject=f"V/v văn bản {i}",
        )
        services.document_submit(document=d, user=bo)
        drafts.append(services.document_approve(document=d, user=bo))

    barrier = threading.Barrier(THREADS)
    errors: list[Exception] = []

    def issue(doc):
        try:
            barrier.wait()
            services.document_issue(document=doc, user=bo, issued_on=date(2027, 9, 8))
        except Exception as exc:  # noqa: BLE001 - any error fails the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=issue, args=(d,)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(Document.objects.filter(year=2027).values_list("number", flat=True))
    assert numbers == list(range(1, THREADS + 1))
