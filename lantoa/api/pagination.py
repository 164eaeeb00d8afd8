from django.http import HttpRequest


def page_of(
    request: HttpRequest, queryset, *, page: int = 1, page_size: int = 50, max_size: int = 500
):
    """Slice a queryset: returns (items, count, next_url). ``count`` is one COUNT query."""
    page = max(1, page)
    page_size = max(1, min(page_size, max_size))
    count = queryset.count()
    start = (page - 1) * page_size
    # Past the end: no slice at all (a huge offset would overflow the database's integer).
    items = list(queryset[start : start + page_size]) if start < count else []
    next_url = None
    if start + page_size < count:
        params = request.GET.copy()
        params["page"] = page + 1
        params["page_size"] = page_size
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return items, count, next_url
