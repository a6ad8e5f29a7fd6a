"""The demo's dashboards (make run): thresholds, a budget dashboard shared with the leaders
and pinned by the demo leader; loading twice changes nothing."""

from django.core.management import call_command

from dieuhanh.dashboards.demo import BUDGET_TITLE, THRESHOLDS
from dieuhanh.dashboards.models import AlertThreshold, Dashboard, Favourite
from tests.catalog.conftest import user_with_role
from tests.dashboards.conftest import client_for


def test_the_demo_dashboards_load_once(catalog, db, settings):
    settings.DIEUHANH_DEMO = True
    user_with_role("center_analyst", "chuyenvien")
    leader = user_with_role("leader", "lanhdao")
    for _ in range(2):
        call_command("load_demo_dashboards")
    assert AlertThreshold.objects.count() == len(THRESHOLDS)
    budget = Dashboard.objects.get(title=BUDGET_TITLE)
    assert budget.items.count() == 7 and budget.owner.username == "chuyenvien"
    assert Favourite.objects.filter(user=leader, dashboard=budget).count() == 1
    assert client_for(leader).get(f"/dashboards/{budget.uid}/").status_code == 200
    assert Dashboard.objects.filter(is_home=True).count() == 1


def test_no_demo_outside_demo_mode(catalog, db, settings):
    import pytest
    from django.core.management import CommandError

    settings.DIEUHANH_DEMO = False
    with pytest.raises(CommandError):
        call_command("load_demo_dashboards")
