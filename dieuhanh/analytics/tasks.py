from celery import shared_task

from dieuhanh.analytics import maintenance


@shared_task(ignore_result=True)
def refresh_rollups() -> int:
    """Scheduled every few seconds: bring the rollups up to date with the changes committed
    since the last refresh (queries refresh too; this keeps them from finding work left)."""
    return maintenance.refresh().cells
