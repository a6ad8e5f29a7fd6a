from django.conf import settings
from django.utils.functional import SimpleLazyObject

from dieuhanh.core.navigation import navigation_for


def site(request):
    return {
        "site_version": settings.DIEUHANH_VERSION,
        "site_demo": settings.DIEUHANH_DEMO,
        "navigation": SimpleLazyObject(lambda: navigation_for(request.user, request.path)),
        "sso_enabled": bool(settings.OIDC_RP_CLIENT_ID),
        "sso_label": settings.DIEUHANH_OIDC_LABEL,
        "unread_notifications": SimpleLazyObject(lambda: _unread(request)),
    }


def _unread(request) -> int:
    from dieuhanh.core.notifications import unread_count

    return unread_count(request.user)
