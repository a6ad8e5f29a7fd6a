"""The demo's documents and tasks fill every count of the statistics page, once."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dieuhanh.accounts.models import Role, User
from dieuhanh.directives import demo, services, stats
from dieuhanh.directives.models import Document, Task

pytestmark = pytest.mark.django_db


def test_the_demo_fills_every_count_and_loads_once(gov, settings):
    for username, role, unit in (
        ("chuyenvien", "center_analyst", "root"),
        ("lanhdao", "leader", "root"),
        ("botaichinh", "agency_data_officer", "btc"),
    ):
        user = User.objects.create_user(username, password="x" * 12, orgunit=gov[unit])
        user.roles.add(Role.objects.get(code=role))
    made = demo.load_demo()
    assert made["documents"] == 8 and made["tasks"] == Task.objects.count() > 40
    total = stats.statistics(User.objects.get(username="lanhdao")).total
    assert min(total.done_on_time, total.done_late, total.in_progress, total.overdue) > 0
    assert total.key_overdue > 0
    analyst = User.objects.get(username="chuyenvien")
    assert services.waiting_reports(analyst).count() >= 2
    assert services.waiting_extensions(analyst).count() == 1
    assert Task.objects.filter(recurrence="monthly").count() == 1
    assert demo.load_demo() == {"documents": 0, "tasks": 0}
    assert Document.objects.count() == 8
    settings.DIEUHANH_DEMO = False
    with pytest.raises(CommandError):
        call_command("load_demo_directives")


@pytest.mark.parametrize("clock", ["00:01", "16:29", "23:59"])
def test_the_demo_loads_at_any_hour_of_the_day(gov, monkeypatch, clock):
    """A demo loaded just after midnight completed tasks "today at 16:30", in the future,
    and the services refused it (make run failed between 00:00 and 16:30)."""
    hour, minute = map(int, clock.split(":"))
    moment = timezone.make_aware(
        datetime.datetime.combine(timezone.localdate(), datetime.time(hour, minute))
    )
    monkeypatch.setattr(timezone, "now", lambda: moment)
    user = User.objects.create_user("chuyenvien", password="x" * 12, orgunit=gov["root"])
    user.roles.add(Role.objects.get(code="center_analyst"))
    assert demo.load_demo()["tasks"] > 40
    done = Task.objects.filter(completed_at__isnull=False)
    assert done.exists() and not done.filter(completed_at__gt=moment).exists()
