from celery import shared_task


@shared_task(ignore_result=True)
def send_task_reminders() -> dict:
    """Scheduled, hourly: reminders before task deadlines, on the day, weekly while
    overdue, and escalation of overdue key tasks (each notice once)."""
    from dieuhanh.core.audit import audit_channel
    from dieuhanh.directives import reminders

    with audit_channel("system"):
        return reminders.send_reminders()
