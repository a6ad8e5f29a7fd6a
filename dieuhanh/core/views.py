from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dieuhanh.core.exports import audit_export, csv_response
from dieuhanh.core.filters import AuditFilter, AuditFilterForm
from dieuhanh.core.health import health_report, worker_status
from dieuhanh.core.models import AuditRecord
from dieuhanh.core.navigation import local_target
from dieuhanh.core.paging import page_of
from dieuhanh.core.querysets import permits

AUDIT_COLUMNS = (
    "time",
    "action",
    "user_name",
    "channel",
    "ip",
    "request_id",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "detail",
)


@require_GET
@never_cache
def healthz(request):
    report, healthy = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


@login_required
def home(request):
    return render(request, "core/home.html", {"worker": worker_status()})


def audit_log(request):
    """Search the audit log by user, unit, action, object and time; export what is found."""
    if not permits(request.user, AuditRecord, "view"):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    records = AuditRecord.objects.restrict(request.user, "view")
    filters = AuditFilter()
    if form.is_bound and form.is_valid():
        filters = AuditFilter(**form.cleaned_data)
    records = filters.apply(records)
    if request.GET.get("format") == "csv":
        audit_export(request.user, "audit log", dict(request.GET.items()))
        rows = (
            (
                r.time,
                r.action,
                r.user_name,
                r.channel,
                r.ip,
                r.request_id,
                r.content_type.model if r.content_type_id else "",
                r.object_id,
                r.object_repr,
                r.before,
                r.after,
                r.detail,
            )
            for r in records.iterator(2000)
        )
        return csv_response("audit-log.csv", AUDIT_COLUMNS, rows)
    page, query = page_of(request, records, 50)
    return render(request, "core/audit_log.html", {"form": form, "page": page, "query": query})


@login_required
def notifications(request):
    """The user's inbox; POST marks notices read (one, or all)."""
    from django.shortcuts import redirect

    from dieuhanh.core import notifications as inbox

    if request.method == "POST":
        one = request.POST.get("id")
        inbox.mark_read(request.user, [one] if one and one.isdigit() else None)
        target = local_target(request, request.POST.get("open"))
        if target:
            return redirect(target)
        return redirect("core:notifications")
    page, query = page_of(request, inbox.inbox(request.user), 30)
    return render(request, "core/notifications.html", {"page": page, "query": query})
