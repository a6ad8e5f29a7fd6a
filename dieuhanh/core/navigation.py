"""Navigation that grows as modules land.

Each app's ``AppConfig`` may declare ``navigation = (NavItem(...), ...)``; the header shows
the entries of every installed app that the user may open, ordered by ``order``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    order: int = 100
    permission: str | None = None
    staff_only: bool = False

    def visible_to(self, user) -> bool:
        if not user.is_authenticated:
            return False
        if self.staff_only and not user.is_staff:
            return False
        return self.permission is None or user.has_perm(self.permission)


@dataclass(frozen=True)
class NavEntry:
    label: str
    url: str
    icon: str
    active: bool


def navigation_for(user, current_path: str) -> list[NavEntry]:
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        items.extend(getattr(config, "navigation", ()))
    visible = []
    for item in sorted(items, key=lambda i: (i.order, str(i.label))):
        if not item.visible_to(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        visible.append((item, url))
    # The entry whose address is the longest prefix of the page's is the active one
    # (/data/imports/ is Imports, not Data entry at /data/).
    matches = [url for _item, url in visible if _opens(url, current_path)]
    current = max(matches, key=len) if matches else None
    return [
        NavEntry(label=str(item.label), url=url, icon=item.icon, active=url == current)
        for item, url in visible
    ]


def local_target(request, target: str | None) -> str | None:
    """``target`` when it is an address of this site (a form's "back to" field), else None:
    never a redirect to another site, whatever the spelling (``//host``, ``/\\host``)."""
    if not target or not target.startswith("/"):
        return None
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _opens(url: str, path: str) -> bool:
    return path == url if url == "/" else path.startswith(url)
