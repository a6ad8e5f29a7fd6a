"""Business rules for accounts."""

from __future__ import annotations

from django.db import transaction

from dieuhanh.accounts.demo import DEMO_PASSWORD, DEMO_USERS
from dieuhanh.accounts.models import User


@transaction.atomic
def ensure_demo_users(password: str = DEMO_PASSWORD) -> list[tuple[User, bool]]:
    """Create the demo users that do not exist yet; leave existing ones untouched."""
    result = []
    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=demo.username,
            defaults={
                "full_name": demo.full_name,
                "job_title": demo.job_title,
                "organisation_name": demo.organisation_name,
                "is_staff": demo.is_staff,
                "is_superuser": demo.is_superuser,
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        result.append((user, created))
    return result
