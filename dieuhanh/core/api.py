"""System endpoints: who am I, what is this server, the audit log."""

import datetime

from django.conf import settings
from django.utils import translation
from ninja import Field, Query, Router, Schema

from dieuhanh.core.api_auth import permitted
from dieuhanh.core.api_pagination import paginate
from dieuhanh.core.filters import AuditFilter
from dieuhanh.core.models import AuditRecord

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


class AuditOut(Schema):
    time: datetime.datetime
    action: str
    user: str
    channel: str
    ip: str | None
    request_id: str
    object_type: str | None
    object_id: str
    object: str
    before: dict | None
    after: dict | None
    detail: dict | None


class AuditParams(Schema):
    user: str = ""
    unit: str = Field("", description="uid: actions of users of this unit and below")
    action: str = ""
    object: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0)


class AuditList(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[AuditOut]


def audit_out(record: AuditRecord) -> dict:
    return {
        "time": record.time,
        "action": record.action,
        "user": record.user_name,
        "channel": record.channel,
        "ip": record.ip,
        "request_id": record.request_id,
        "object_type": record.content_type.model if record.content_type_id else None,
        "object_id": record.object_id,
        "object": record.object_repr,
        "before": record.before,
        "after": record.after,
        "detail": record.detail,
    }


@router.get(
    "/audit/",
    response=AuditList,
    auth=permitted(AuditRecord, "view"),
    operation_id="system_audit",
    summary="Search the audit log",
)
def audit_log(request, params: Query[AuditParams]):
    filters = AuditFilter(**params.dict(exclude={"limit", "offset"}))
    records = filters.apply(AuditRecord.objects.restrict(request.auth, "view"))
    return paginate(request, records, params.limit, params.offset, audit_out)
