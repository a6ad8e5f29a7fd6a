from celery import shared_task

from dieuhanh.datavalues import services


@shared_task(ignore_result=True, acks_late=True)
def run_import(job_id: int) -> None:
    """Run a queued import. Acknowledged late: a worker lost mid-import lets the broker
    redeliver, and ``run_job`` does nothing for a job that is no longer queued."""
    services.run_job(job_id)


@shared_task(ignore_result=True)
def fail_stale_imports() -> int:
    """Scheduled: imports whose worker died are marked failed with what they committed."""
    return services.fail_stale_jobs()


@shared_task(ignore_result=True)
def remove_old_import_files() -> int:
    """Scheduled: the kept files of dry runs and failed jobs go after two days."""
    return services.remove_old_files()
