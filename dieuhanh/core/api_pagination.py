"""One list shape for the whole API: ``{"count", "next", "previous", "results"}``."""

from __future__ import annotations

from urllib.parse import urlencode

MAX_LIMIT = 5000


def paginate(request, queryset, limit: int, offset: int, serialize) -> dict:
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    count = queryset.count()
    page = [serialize(item) for item in queryset[offset : offset + limit]]

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
