from celery import shared_task

from dieuhanh.quality import approval


@shared_task(ignore_result=True)
def relock_expired_unlocks() -> int:
    """Scheduled: reports whose unlock ran out lock again in the status they had."""
    return approval.relock_expired()


@shared_task(ignore_result=True)
def run_validation_rules() -> int:
    """Scheduled, nightly: every active rule over all data; the violations found replace
    the stored ones."""
    from dieuhanh.core.audit import audit_channel
    from dieuhanh.quality import rules

    with audit_channel("system"):
        return rules.run(None).violations


@shared_task(ignore_result=True)
def run_rules_for(user_id: int, rule_ids: list[int]) -> int:
    """A run over the whole store asked for through the API, in the asker's view scope."""
    from dieuhanh.accounts.models import User
    from dieuhanh.core.audit import audit_channel
    from dieuhanh.quality import rules
    from dieuhanh.quality.models import ValidationRule

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    with audit_channel("api"):
        return rules.run(user, rules=ValidationRule.objects.filter(pk__in=rule_ids)).violations


@shared_task(ignore_result=True)
def send_reminders() -> dict:
    """Scheduled, hourly: reminders before deadlines and overdue notices (each once)."""
    from dieuhanh.quality import reminders

    return reminders.send_reminders()
