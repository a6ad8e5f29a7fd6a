"""Pages of imports: upload a file (a dry run first, by default), follow its job as a worker
runs it, read what was created, updated, unchanged and refused, download the refused rows,
and import for real what a dry run checked. Thin: the work is in ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from dieuhanh.core.paging import page_of
from dieuhanh.core.querysets import denied, permits
from dieuhanh.datavalues import services, sources
from dieuhanh.datavalues.forms import ImportUploadForm, JobFilterForm
from dieuhanh.datavalues.models import Channel, DataValue, ImportIssue, ImportJob, JobStatus

ISSUES_SHOWN = 200  # the rest are in the CSV and Excel downloads


def job_badge(job: ImportJob) -> dict:
    """The status badge of a job: queued, running, done (with refusals), failed."""
    if job.status == JobStatus.FAILED:
        return {"label": job.get_status_display(), "css": "text-bg-danger"}
    if job.status == JobStatus.RUNNING:
        return {"label": job.get_status_display(), "css": "text-bg-info"}
    if job.status == JobStatus.QUEUED:
        return {"label": job.get_status_display(), "css": "text-bg-secondary"}
    if job.refused:
        return {"label": _("Done, with refused rows"), "css": "text-bg-warning"}
    return {"label": job.get_status_display(), "css": "text-bg-success"}


def _visible_jobs(user):
    if not permits(user, ImportJob, "view"):
        raise denied(ImportJob, "view")
    return ImportJob.objects.restrict(user, "view").select_related("user")


@login_required
def imports(request):
    user = request.user
    jobs = _visible_jobs(user)
    can_import = permits(user, DataValue, "add")
    form = None
    if request.method == "POST":
        if not can_import:
            raise denied(DataValue, "add")
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = services.queue_upload(
                    user,
                    upload.read(),
                    upload.name,
                    form.options(),
                    fmt=form.cleaned_data["format"],
                    content_type=upload.content_type or "",
                    encoding=form.cleaned_data["encoding"],
                    channel=Channel.FILE,
                )
            except sources.SourceError as error:
                form.add_error("file", str(error))
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                return redirect("datavalues:import_job", uid=job.uid)
    elif can_import:
        form = ImportUploadForm()
    filters = JobFilterForm(request.GET or None)
    if filters.is_valid():
        if filters.cleaned_data["status"]:
            jobs = jobs.filter(status=filters.cleaned_data["status"])
        if filters.cleaned_data["mine"]:
            jobs = jobs.filter(user=user)
    page, query = page_of(request, jobs, 25)
    for job in page:
        job.badge = job_badge(job)
    return render(
        request,
        "datavalues/imports.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "query": query,
        },
        status=400 if form is not None and form.is_bound and form.errors else 200,
    )


def _job_context(user, job: ImportJob) -> dict:
    issues = ImportIssue.objects.restrict(user, "view").filter(job=job)
    confirms = (job.options or {}).get("confirms")
    return {
        "job": job,
        "badge": job_badge(job),
        "running": job.status in (JobStatus.QUEUED, JobStatus.RUNNING),
        "issues": list(issues[:ISSUES_SHOWN]),
        "issue_count": job.refused,
        "issues_cut": job.refused > ISSUES_SHOWN,
        "confirmation": services.confirmation_of(user, job) if job.dry_run else None,
        "dry_run_of": (
            ImportJob.objects.restrict(user, "view").filter(uid=confirms).first()
            if confirms
            else None
        ),
        "can_confirm": (
            job.dry_run
            and job.status == JobStatus.DONE
            and job.user_id == user.pk
            and bool(job.stored_file)
            and permits(user, DataValue, "add")
        ),
        "status_url": reverse("datavalues:import_job", args=[job.uid]),
        "errors_url": reverse("api-v1:imports_errors", args=[job.uid]),
        "rule_check": _rule_check(user, job),
    }


def _rule_check(user, job: ImportJob) -> dict | None:
    """The validation rules broken in the reports the import wrote to (checked once it
    was done), for the job's page."""
    from dieuhanh.quality.rules import job_violations

    found = job_violations(user, job)
    if found is None:
        return None
    count, shown = found
    return {"count": count, "violations": shown, "cut": count > len(shown)}


@login_required
def import_job(request, uid):
    job = get_object_or_404(_visible_jobs(request.user), uid=uid)
    context = _job_context(request.user, job)
    if request.headers.get("HX-Request"):
        # The job's panel alone, which the page asks for every few seconds while it runs.
        return render(request, "datavalues/_import_job.html", context)
    return render(request, "datavalues/import_job.html", context)


@login_required
def confirm_import(request, uid):
    jobs = _visible_jobs(request.user)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    job = get_object_or_404(jobs, uid=uid)
    try:
        confirmed = services.confirm_import(request.user, job)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("datavalues:import_job", uid=job.uid)
    messages.success(request, _("The file is being imported."))
    return redirect("datavalues:import_job", uid=confirmed.uid)
