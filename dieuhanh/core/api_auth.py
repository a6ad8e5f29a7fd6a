"""Authentication for the API. Issue 4 adds bearer tokens beside the session."""

from ninja.security import SessionAuth

session_auth = SessionAuth()


class PublicReadAuth(SessionAuth):
    """For reference data that is public (the administrative structure): the signed-in user,
    or an anonymous caller when ``DIEUHANH_PUBLIC_REFERENCE_DATA`` is on (the default)."""

    def authenticate(self, request, key):
        from django.conf import settings

        if request.user.is_authenticated:
            return request.user
        if getattr(settings, "DIEUHANH_PUBLIC_REFERENCE_DATA", True):
            return request.user  # AnonymousUser: querysets still go through restrict()
        return None


public_read_auth = PublicReadAuth()
