from celery import shared_task

from dieuhanh.quality import approval


@shared_task(ignore_result=True)
def relock_expired_unlocks() -> int:
    """Scheduled: reports whose unlock ran out lock again in the status they had."""
    return approval.relock_expired()
