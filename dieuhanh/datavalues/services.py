"""Imports and the other writes of data values. Views and API handlers call these; the
hot path itself is ``ingest.ingest``."""

from __future__ import annotations

import datetime
import logging
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.core.audit import audit_channel, record_change, snapshot
from dieuhanh.core.middleware import current_request_id
from dieuhanh.core.querysets import denied, permits
from dieuhanh.datavalues import sources
from dieuhanh.datavalues.ingest import (
    ImportOptions,
    ImportResult,
    Strategy,
    ingest,
    store_issues,
)
from dieuhanh.datavalues.models import (
    Channel,
    DataValue,
    ImportFormat,
    ImportJob,
    JobStatus,
    PeriodLock,
)
from dieuhanh.datavalues.signals import values_imported

logger = logging.getLogger(__name__)

# A running job that has not committed a chunk for this long is taken as dead.
STALE_AFTER = datetime.timedelta(minutes=10)
# How long the file of a finished job is kept: a dry run's, for the import that follows it;
# a failed job's, for a look at what went wrong.
FILES_KEPT_FOR = datetime.timedelta(days=2)


def check_may_import(user, options: ImportOptions) -> None:
    """The model permissions an import needs before anything is read."""
    needed = ["add"]
    if options.strategy in (Strategy.UPDATE, Strategy.CREATE_AND_UPDATE):
        needed.append("change")
    if options.strategy == Strategy.DELETE:
        needed = ["delete"]
    for action in needed:
        if not permits(user, DataValue, action):
            raise denied(DataValue, action)


def read_source(data: bytes, fmt: str, *, encoding: str | None = None) -> sources.Source:
    if fmt == ImportFormat.DHIS2_JSON:
        return sources.dhis2_json(data)
    if fmt == ImportFormat.JSON:
        return sources.native_json(data)
    if fmt in (ImportFormat.CSV, ImportFormat.DHIS2_CSV):
        return sources.csv_table(data, dhis2=fmt == ImportFormat.DHIS2_CSV, encoding=encoding)
    if fmt in (ImportFormat.XLSX, ImportFormat.TEMPLATE):
        from dieuhanh.datavalues import template

        if fmt == ImportFormat.TEMPLATE or template.is_template(data):
            return template.read_template(data)
        return sources.xlsx_table(data)
    raise sources.SourceError("unknown_format", _("Unknown import format “%s”.") % fmt)


def guess_format(filename: str, content_type: str = "") -> str:
    name = (filename or "").lower()
    if name.endswith((".xlsx", ".xlsm")):
        return ImportFormat.XLSX
    if name.endswith(".json") or "json" in content_type:
        return ImportFormat.JSON
    return ImportFormat.CSV


def _apply_defaults(options: ImportOptions, defaults: dict) -> None:
    for key in ("regime", "period", "orgunit", "attribute"):
        if defaults.get(key) and not getattr(options, key):
            setattr(options, key, defaults[key])


def _new_job(user, fmt: str, options: ImportOptions, *, filename="", size=0, status=None):
    request_id = current_request_id.get()
    return ImportJob.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        channel=Channel.current(),
        format=fmt,
        filename=(filename or "")[:255],
        size=size,
        options=options.as_dict(),
        dry_run=options.dry_run,
        status=status or JobStatus.QUEUED,
        request_id="" if request_id == "-" else request_id,
    )


def import_data(
    user,
    data: bytes,
    fmt: str,
    options: ImportOptions,
    *,
    filename: str = "",
    encoding: str | None = None,
) -> tuple[ImportJob, ImportResult]:
    """Import a payload now, in this request, as a job of its own."""
    check_may_import(user, options)
    job = _new_job(user, fmt, options, filename=filename, size=len(data), status=JobStatus.RUNNING)
    job.started_at = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(started_at=job.started_at)
    try:
        source = read_source(data, fmt, encoding=encoding)
        _apply_defaults(options, source.defaults)
        result = ingest(source.rows, user, options, job=job)
    except sources.SourceError as error:
        _finish(job, JobStatus.FAILED, str(error), encoding="")
        raise
    except Exception as error:
        _finish(job, JobStatus.FAILED, _("The import failed: %s") % error.__class__.__name__)
        raise
    _finish(job, JobStatus.DONE, result_message(result), encoding=source.encoding, result=result)
    job.refresh_from_db()
    return job, result


def result_message(result: ImportResult) -> str:
    if result.rolled_back:
        return _(
            "Nothing was imported: %(n)d rows were refused and the import was all or nothing."
        ) % {"n": len(result.conflicts)}
    if result.dry_run:
        return _("Dry run: nothing was written.")
    return ""


def _finish(job: ImportJob, status: str, message: str = "", *, encoding=None, result=None):
    """Close a job. A dry run or an all-or-nothing import that was rolled back wrote no
    chunk counters, so the result's counts are written here."""
    fields = {"status": status, "finished_at": timezone.now(), "message": message[:2000]}
    if encoding is not None:
        fields["encoding"] = encoding
    if result is not None and (result.dry_run or result.rolled_back):
        fields.update(
            total=result.total,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged + result.skipped,
            deleted=result.deleted,
            refused=len(result.conflicts),
            chunks=result.chunks,
        )
        if result.rolled_back or result.dry_run:
            store_issues(job, result.conflicts)
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(**fields)
        job.refresh_from_db()
        record_change(
            "create",
            job,
            before=None,
            after=snapshot(job, exclude=("stored_file",)),
            actor=job.user,
        )
    if (
        status == JobStatus.DONE
        and result is not None
        and result.reports
        and not (result.dry_run or result.rolled_back)
    ):
        values_imported.send(sender=ImportJob, job=job, reports=result.reports)


# --- asynchronous imports ------------------------------------------------------------------
def import_dir() -> Path:
    path = Path(settings.DIEUHANH_IMPORT_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def queue_upload(
    user,
    data: bytes,
    filename: str,
    options: ImportOptions,
    *,
    fmt: str = "",
    content_type: str = "",
    encoding=None,
    channel: str | None = None,
) -> ImportJob:
    """An uploaded file (the API's or the imports page's) queued as a job: refused when it
    is too large or of an unknown format; the format is guessed from the file's name when
    not given. ``channel`` names how it came (default: the request's)."""
    if len(data) > sources.MAX_UPLOAD_BYTES:
        raise sources.SourceError("file_too_large", _("The file is too large."))
    fmt = fmt or guess_format(filename, content_type)
    if fmt not in ImportFormat.values:
        raise sources.SourceError("unknown_format", _("Unknown import format “%s”.") % fmt)
    with audit_channel(channel or Channel.current()):
        return queue_import(user, data, fmt, options, filename=filename, encoding=encoding or None)


def queue_import(
    user,
    data: bytes,
    fmt: str,
    options: ImportOptions,
    *,
    filename: str = "",
    encoding=None,
    confirms: str = "",
) -> ImportJob:
    """Keep the payload in the import directory and let a worker run it."""
    from dieuhanh.datavalues.tasks import run_import

    check_may_import(user, options)
    if fmt == ImportFormat.XLSX:
        sources.check_xlsx(data)
    job = _new_job(user, fmt, options, filename=filename, size=len(data))
    path = import_dir() / f"{job.uid}.payload"
    path.write_bytes(data)
    options_data = {**options.as_dict(), "encoding": encoding}
    if confirms:
        options_data["confirms"] = confirms
    ImportJob.objects.filter(pk=job.pk).update(stored_file=str(path), options=options_data)
    job.refresh_from_db()
    transaction.on_commit(lambda: run_import.delay(job.pk))
    return job


def options_from_job(job: ImportJob) -> ImportOptions:
    stored = dict(job.options or {})
    known = ImportOptions.__dataclass_fields__
    return ImportOptions(**{k: v for k, v in stored.items() if k in known and k != "trusted"})


def run_job(job_id: int, *, on_chunk=None) -> ImportJob:
    """Run a queued job (in a worker). Chunks commit as they go; a failure leaves the job
    failed with the counters of what was committed."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return job  # already run, or running elsewhere: a redelivered task does nothing
    claimed = ImportJob.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), heartbeat_at=timezone.now()
    )
    if not claimed:
        return job
    options = options_from_job(job)
    encoding = (job.options or {}).get("encoding")
    with audit_channel(job.channel):
        token = current_request_id.set(job.request_id or "-")
        try:
            data = Path(job.stored_file).read_bytes()
            source = read_source(data, job.format, encoding=encoding)
            _apply_defaults(options, source.defaults)
            result = ingest(source.rows, job.user, options, job=job, on_chunk=on_chunk)
        except sources.SourceError as error:
            _finish(job, JobStatus.FAILED, str(error), encoding="")
            return job
        except Exception as error:
            logger.exception("import job %s failed", job.uid)
            _finish(job, JobStatus.FAILED, _("The import failed: %s") % error.__class__.__name__)
            return job
        finally:
            current_request_id.reset(token)
        _finish(
            job, JobStatus.DONE, result_message(result), encoding=source.encoding, result=result
        )
    if not job.dry_run:  # a dry run's file waits for the import that may follow
        Path(job.stored_file).unlink(missing_ok=True)
        ImportJob.objects.filter(pk=job.pk).update(stored_file="")
    job.refresh_from_db()
    return job


def confirm_import(user, job: ImportJob) -> ImportJob:
    """Import for real the file that a finished dry run checked, with the same options: a
    new job. Only the user who sent the dry run may, and only once."""
    if not job.dry_run or job.status != JobStatus.DONE:
        raise ValidationError(
            _("Only a finished dry run can be imported."), code="not_a_finished_dry_run"
        )
    if job.user_id != getattr(user, "pk", None):
        raise PermissionDenied(_("Only the user who sent the dry run may import its file."))
    path = Path(job.stored_file) if job.stored_file else None
    if path is None or not path.exists():
        raise ValidationError(
            _("This dry run has already been imported, or its file is no longer kept."),
            code="file_gone",
        )
    options = options_from_job(job)
    options.dry_run = False
    with transaction.atomic():
        # Two clicks, two tabs: the first to take the file imports it, the other is told.
        taken = ImportJob.objects.filter(pk=job.pk, stored_file=job.stored_file).update(
            stored_file=""
        )
        if not taken:
            raise ValidationError(
                _("This dry run has already been imported, or its file is no longer kept."),
                code="file_gone",
            )
        with audit_channel(job.channel):  # the file came the way its dry run came
            confirmed = queue_import(
                user,
                path.read_bytes(),
                job.format,
                options,
                filename=job.filename,
                encoding=(job.options or {}).get("encoding"),
                confirms=job.uid,
            )
        record_change(
            "update",
            job,
            before={"stored_file": str(path)},
            after={"stored_file": "", "imported_as": confirmed.uid},
            actor=user,
        )
    # The new job has its own copy; should this request still fail, the dry run's page
    # says that its file is gone, and the file is sent again.
    path.unlink(missing_ok=True)
    return confirmed


def confirmation_of(user, job: ImportJob) -> ImportJob | None:
    """The job that imported a dry run's file, if any and if the user may see it."""
    return ImportJob.objects.restrict(user, "view").filter(options__confirms=job.uid).first()


def remove_old_files(now: datetime.datetime | None = None) -> int:
    """Delete the kept files of jobs finished more than FILES_KEPT_FOR ago."""
    now = now or timezone.now()
    old = ImportJob.objects.filter(
        status__in=(JobStatus.DONE, JobStatus.FAILED),
        finished_at__lt=now - FILES_KEPT_FOR,
    ).exclude(stored_file="")
    removed = 0
    for job in old:
        Path(job.stored_file).unlink(missing_ok=True)
        with transaction.atomic():
            taken = ImportJob.objects.filter(pk=job.pk, stored_file=job.stored_file).update(
                stored_file=""
            )
            if taken:
                record_change(
                    "update",
                    job,
                    before={"stored_file": job.stored_file},
                    after={"stored_file": ""},
                    actor=None,
                )
        removed += taken
    return removed


def fail_stale_jobs(now: datetime.datetime | None = None) -> int:
    """Mark as failed the running jobs whose worker stopped committing (killed, lost): what
    they committed stays, and the job says so."""
    now = now or timezone.now()
    stale = list(
        ImportJob.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    )
    for job in stale:
        _finish(
            job,
            JobStatus.FAILED,
            _(
                "The worker stopped during the import. %(chunks)d chunks were committed "
                "(%(rows)d rows read); run the file again to import the rest."
            )
            % {"chunks": job.chunks, "rows": job.total},
        )
    return len(stale)


# --- locks -----------------------------------------------------------------------------------
def lock_period(user, *, period: str, regime=None, orgunit=None, reason: str = "") -> PeriodLock:
    from dieuhanh.core import periods

    if not permits(user, PeriodLock, "add"):
        raise denied(PeriodLock, "add")
    try:
        periods.parse(period)
    except periods.PeriodError as error:
        raise ValidationError(str(error), code="invalid_period") from error
    with transaction.atomic():
        lock, created = PeriodLock.objects.get_or_create(
            regime=regime,
            orgunit=orgunit,
            period=period.strip(),
            defaults={"reason": reason, "locked_by": user},
        )
        if created:
            record_change("create", lock, before=None, after=snapshot(lock), actor=user)
    return lock


def unlock_period(user, lock: PeriodLock) -> None:
    if not permits(user, PeriodLock, "delete"):
        raise denied(PeriodLock, "delete")
    with transaction.atomic():
        record_change("delete", lock, before=snapshot(lock), after=None, actor=user)
        lock.delete()


# Re-exported for the API layer.
__all__ = [
    "ImportOptions",
    "Strategy",
    "check_may_import",
    "confirm_import",
    "fail_stale_jobs",
    "import_data",
    "queue_import",
    "queue_upload",
    "remove_old_files",
    "run_job",
]
