from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dieuhanh.core.health import health_report, worker_status


@require_GET
@never_cache
def healthz(request):
    report, healthy = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


@login_required
def home(request):
    return render(request, "core/home.html", {"worker": worker_status()})
