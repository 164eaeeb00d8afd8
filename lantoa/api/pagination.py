from django.http import HttpRequest

from lantoa.core.paging import counted_slice


def page_of(
    request: HttpRequest,
    queryset,
    *,
    page: int = 1,
    page_size: int = 50,
    max_size: int = 500,
    one_statement: bool = False,
):
    """Slice a queryset: returns (items, count, next_url). ``count`` is one COUNT query, or
    with ``one_statement`` a window count in the page's own statement (searches)."""
    page = max(1, page)
    page_size = max(1, min(page_size, max_size))
    start = (page - 1) * page_size
    if one_statement:
        items, count = counted_slice(queryset, start=start, size=page_size)
    else:
        count = queryset.count()
        # Past the end: no slice at all (a huge offset would overflow the database's integer).
        items = list(queryset[start : start + page_size]) if start < count else []
    next_url = None
    if start + page_size < count:
        params = request.GET.copy()
        params["page"] = page + 1
        params["page_size"] = page_size
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return items, count, next_url
