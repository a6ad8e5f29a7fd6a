"""One pager for every list page: the page asked for and the query string that keeps the
other filters when moving to another page (``templates/includes/pagination.html``)."""

from __future__ import annotations

from django.core.paginator import Page, Paginator


def page_of(request, items, per_page: int) -> tuple[Page, str]:
    """The page of ``items`` that ``?page=`` asks for, and the request's other parameters."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
