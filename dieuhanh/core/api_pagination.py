"""One list shape for the whole API: ``{"count", "next", "previous", "results"}``."""

from __future__ import annotations

from urllib.parse import urlencode

MAX_LIMIT = 5000


def paginate(request, queryset, limit: int, offset: int, serialize, prepare=None) -> dict:
    """One page of ``queryset``; ``prepare`` turns the page's rows into what ``serialize``
    takes, all at once (figures computed for the page in one go)."""
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    count = queryset.count()
    rows = list(queryset[offset : offset + limit])
    page = [serialize(item) for item in (prepare(rows) if prepare else rows)]

    def link(new_offset: int) -> str:
        params = request.GET.copy()
        params["offset"] = str(new_offset)
        params["limit"] = str(limit)
        return request.build_absolute_uri(f"{request.path}?{urlencode(params, doseq=True)}")

    return {
        "count": count,
        "next": link(offset + limit) if offset + limit < count else None,
        "previous": link(max(offset - limit, 0)) if offset > 0 else None,
        "results": page,
    }
