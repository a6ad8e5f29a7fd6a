"""A leader sees the year's growth target on the home page's key figure, opens the plan's
targets (the worst first), narrows them to those at risk and reads one target's figures of
the year, in Chromium."""

import datetime

import pytest

from dieuhanh.catalog.loader import load_reference_catalog
from dieuhanh.orgunits.models import OrgUnit
from dieuhanh.targets.demo import load_demo_targets
from tests.analytics.conftest import store
from tests.browser.session import sign_in
from tests.catalog.conftest import user_with_role
from tests.reference import load_reference_orgunits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_the_home_page_to_the_year_s_targets(page, live_server, screenshot_dir):
    load_reference_orgunits()
    load_reference_catalog()
    year = datetime.date.today().year
    country = OrgUnit.objects.get(kind="government")
    quarters = range(1, max(2, (datetime.date.today().month - 1) // 3 + 1))  # those ended
    store([("GDP_GROWTH", country, f"{year}Q{n}", str(6.5 + n / 2)) for n in quarters])
    load_demo_targets(year)
    user_with_role("leader", "lanhdao")

    sign_in(page, live_server, "lanhdao")
    target = page.get_by_test_id("kpi-plan-target")
    target.wait_for()
    assert "≥ 10 %" in target.inner_text()  # the key figure reads the plan of its year
    page.wait_for_load_state("networkidle")

    page.get_by_role("link", name="Chỉ tiêu kế hoạch").first.click()
    rows = page.get_by_test_id("targets").locator("tbody tr")
    rows.first.wait_for()
    assert rows.count() == 6 and rows.first.get_attribute("data-status") == "at_risk"
    page.screenshot(path=screenshot_dir / "plan-targets.png", full_page=True)
    page.get_by_test_id("target-counts").get_by_text("Có nguy cơ không đạt: 1").click()
    page.wait_for_url("**status=at_risk**")
    assert page.get_by_test_id("targets").locator("tbody tr").count() == 1

    page.get_by_role("link", name="Tốc độ tăng tổng sản phẩm trong nước (GDP)").click()
    page.get_by_test_id("target-progress").wait_for()
    assert "Có nguy cơ không đạt" in page.get_by_test_id("target-progress").inner_text()
    history = page.get_by_test_id("target-history").inner_text()
    assert f"Quý I/{year}" in history and "7,00" in history
    page.screenshot(path=screenshot_dir / "plan-target.png", full_page=True)
    assert page.console_errors == [] and page.failed_requests == []
    assert page.foreign_requests == []
