"""System endpoints: who am I, what is this server."""

from django.conf import settings
from django.utils import translation
from ninja import Router, Schema

router = Router(tags=["system"])


class MeOut(Schema):
    username: str
    full_name: str
    is_staff: bool
    language: str
    time_zone: str
    version: str


@router.get("/me", response=MeOut, operation_id="system_me", summary="The calling user")
def me(request):
    user = request.auth
    return MeOut(
        username=user.get_username(),
        full_name=user.get_full_name(),
        is_staff=user.is_staff,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        time_zone=settings.TIME_ZONE,
        version=settings.DIEUHANH_VERSION,
    )
