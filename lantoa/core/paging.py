"""One page of a list and its total in one statement: the count as an uncorrelated scalar
subquery beside the page's rows.

A paginator asks two statements (``COUNT(*)`` then ``LIMIT``). Asking them as one saves a
round trip and keeps each part on its own best plan: the database computes the count once
(PostgreSQL's InitPlan; SQLite caches a constant subquery) and still reads the page from an
index in order, stopping after the page. ``COUNT(*) OVER ()`` was measured and rejected:
it makes the page read and sort every match (an unfiltered calendar on PostgreSQL went from
~15 ms to ~210 ms at 30,000 activities). Only a page past the end (no row to carry the
total) costs a second statement, the plain count, so the caller can show the last page.
"""

from django.core.paginator import Page, Paginator
from django.db.models import IntegerField, QuerySet
from django.db.models.expressions import RawSQL

# A page number beyond this is past the end of any list here (and a huge OFFSET would
# overflow the database's integer).
MAX_OFFSET = 2**31 - 1


def _with_total(queryset: QuerySet) -> QuerySet:
    # Django's own compiled SQL of the same filters, with its bound parameters.
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    count = f"SELECT COUNT(*) FROM ({sql}) counted"  # noqa: S608
    total = RawSQL(count, params, output_field=IntegerField())  # noqa: S611
    return queryset.annotate(list_total=total)


def counted_slice(queryset: QuerySet, *, start: int, size: int) -> tuple[list, int]:
    """``queryset[start:start + size]`` and the total number of rows, in one statement
    (two when the slice is empty and ``start > 0``)."""
    if queryset.query.is_empty():
        return [], 0
    rows = list(_with_total(queryset)[start : start + size]) if start < MAX_OFFSET else []
    if rows:
        return rows, rows[0].list_total
    return [], 0 if start == 0 else queryset.count()


def counted_page(queryset: QuerySet, number, per_page: int) -> Page:
    """Like ``Paginator(queryset, per_page).get_page(number)``, in one statement; a number
    that is not one gives the first page, one past the end the last page."""
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    rows, total = counted_slice(queryset, start=(number - 1) * per_page, size=per_page)
    paginator = Paginator(queryset, per_page)
    paginator.count = total  # known: the paginator asks no COUNT of its own
    if not rows and total:
        number = paginator.num_pages
        rows = list(queryset[(number - 1) * per_page : number * per_page])
    return Page(rows, number, paginator)
