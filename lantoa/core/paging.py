"""One page of a list and its total in one statement: ``COUNT(*) OVER ()`` beside the rows.

A paginator asks two statements (``COUNT(*)`` then ``LIMIT``), so a filtered search scans
its matches twice; the window count reads them once. Only a page past the end (no row to
carry the total) costs a second statement, the plain count, so the caller can show the
last page instead.
"""

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

# A page number beyond this is past the end of any list here (and a huge OFFSET would
# overflow the database's integer).
MAX_OFFSET = 2**31 - 1


def counted_slice(queryset: QuerySet, *, start: int, size: int) -> tuple[list, int]:
    """``queryset[start:start + size]`` and the total number of rows, in one statement
    (two when the slice is empty and ``start > 0``)."""
    rows = (
        list(queryset.annotate(window_total=Window(Count("*")))[start : start + size])
        if start < MAX_OFFSET
        else []
    )
    if rows:
        return rows, rows[0].window_total
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
