"""The operations center in a real browser: a leader opens the home page at laptop, wall
and phone sizes; key figures, the tile map of the 34 provinces and the hot issues fill in;
a click on a province opens its profile, with its history across 2025; no console error,
no request leaves this server."""

import datetime

import pytest

from dieuhanh.catalog.loader import load_reference_catalog
from dieuhanh.core import periods
from dieuhanh.orgunits.models import OrgUnit
from tests.analytics.conftest import store
from tests.browser.session import sign_in
from tests.catalog.conftest import user_with_role
from tests.reference import load_reference_orgunits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def province(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code, kind="province", valid_to__isnull=True)


def load_figures() -> None:
    load_reference_orgunits()
    load_reference_catalog()
    month = periods.for_date("monthly", datetime.date.today()).shift(-1)
    country = OrgUnit.objects.get(kind="government")
    provinces = OrgUnit.objects.filter(kind="province", valid_to__isnull=True).order_by("code")
    rows = [
        ("RETAIL_SALES", unit, month.code, str(5000 + 1000 * n)) for n, unit in enumerate(provinces)
    ]
    rows += [
        ("RETAIL_SALES", province("01"), month.shift(-12).code, "28000"),
        ("EXPORTS", country, month.code, "42559.7"),
        ("EXPORTS", country, month.shift(-12).code, "39400"),
    ]
    store(rows)


def wait_for_home(page) -> None:
    page.get_by_test_id("kpi").first.wait_for()
    page.locator('[data-testid="province-map"][data-tiles]').wait_for()
    page.get_by_test_id("hot-issues").wait_for()
    page.wait_for_load_state("networkidle")


def choose_on_map(page, code: str) -> None:
    """Pick the map's indicator and wait until the new map is drawn.

    The map drawn before is marked first: the select holds the new value at once and the
    response arrives before HTMX swaps it in, so only a map that is not the old one counts
    (a click on the old one would land on an element about to leave the page)."""
    page.evaluate(
        """() => document.querySelectorAll('[data-testid="province-map"]')
            .forEach((holder) => { holder.dataset.replaced = "1"; })"""
    )
    with page.expect_response(lambda r: "/dashboards/items/" in r.url and code in r.url):
        page.get_by_test_id("map-item").get_by_test_id("indicator-choice").select_option(code)
    page.wait_for_function(
        """(code) => {
            const holder = document.querySelector('[data-testid="province-map"]');
            const source = holder && holder.querySelector('script');
            return holder && !holder.dataset.replaced && holder.dataset.ready === "1"
                && holder.dataset.tiles && JSON.parse(source.textContent).tiles.length
                && document.querySelector('[data-testid="map-item"] select').value === code;
        }""",
        arg=code,
    )


def click_tile(page, code: str) -> None:
    """Click a province's tile where ECharts drew it (in view: a click never scrolls)."""
    page.get_by_test_id("province-map").scroll_into_view_if_needed()
    point = page.evaluate(
        """(code) => {
            const holder = document.querySelector('[data-testid="province-map"]');
            const data = JSON.parse(holder.querySelector('script').textContent);
            const tile = data.tiles.find((t) => t.code === code);
            const canvas = holder.querySelector('.dh-chart-canvas');
            const chart = echarts.getInstanceByDom(canvas);
            const [x, y] = chart.convertToPixel({ gridIndex: 0 }, [tile.column, tile.row]);
            const box = canvas.getBoundingClientRect();
            return { x: box.left + x, y: box.top + y };
        }""",
        code,
    )
    page.mouse.click(point["x"], point["y"])


def test_a_leader_reads_the_country_and_drills_into_a_province(page, live_server, screenshot_dir):
    load_figures()
    user_with_role("leader", "lanhdao")
    sign_in(page, live_server, "lanhdao", "/")
    wait_for_home(page)
    assert page.get_by_test_id("kpi").count() == 12
    exports = page.locator('[data-testid="kpi"][data-indicator="EXPORTS"]')
    assert "42.559,7" in exports.inner_text() and "+8,0%" in exports.inner_text()
    assert page.locator('[data-testid="province-map"]').get_attribute("data-tiles") == "34"
    assert page.locator('[data-testid="ranking-item"] canvas').count() == 1
    page.screenshot(path=screenshot_dir / "dashboards-home.png", full_page=True)

    # The map switches indicator on its own, without reloading the page.
    choose_on_map(page, "EXPORTS")
    assert (
        "Kim ngạch xuất khẩu hàng hóa (triệu USD)" in page.get_by_test_id("map-item").inner_text()
    )
    choose_on_map(page, "RETAIL_SALES")
    click_tile(page, "37")
    page.wait_for_url(f"**/dashboards/units/{province('37').uid}/**")
    assert "Tỉnh Ninh Bình" in page.get_by_test_id("unit-name").inner_text()
    successions = page.get_by_test_id("unit-successions").inner_text()
    assert "Tỉnh Hà Nam" in successions and "Tỉnh Nam Định" in successions
    page.get_by_test_id("unit-figures").wait_for()
    page.get_by_test_id("unit-history").wait_for()
    page.get_by_test_id("unit-record").wait_for()
    page.wait_for_load_state("networkidle")
    assert "Chính phủ" in page.get_by_test_id("breadcrumbs").inner_text()
    page.screenshot(path=screenshot_dir / "dashboards-province.png", full_page=True)
    assert page.console_errors == [] and page.foreign_requests == []


def test_the_wall_screens_and_the_phone(browser, live_server, screenshot_dir):
    """One load of the reference data for the three screens (each costs seconds)."""
    load_figures()
    user_with_role("leader", "lanhdao")
    for name, width, height in (("wall-hd", 1920, 1080), ("wall-4k", 3840, 2160)):
        page, errors, foreign = open_page(browser, live_server, width, height)
        sign_in(page, live_server, "lanhdao", "/dashboards/wall/")
        wait_for_home(page)
        assert page.locator("body.dh-wall").count() == 1
        assert page.locator(".dh-header").is_hidden()  # no navigation on a wall
        figure = page.locator(".dh-kpi-value").first
        assert float(figure.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 36
        page.screenshot(path=screenshot_dir / f"dashboards-{name}.png")
        page.context.close()
        assert errors == [] and foreign == [], name

    page, errors, foreign = open_page(browser, live_server, 390, 844)
    sign_in(page, live_server, "lanhdao", "/")
    wait_for_home(page)
    first_kpi = page.get_by_test_id("kpi").first.bounding_box()
    last_kpi = page.get_by_test_id("kpi").last.bounding_box()
    issues = page.get_by_test_id("hot-issues").bounding_box()
    the_map = page.get_by_test_id("map-item").bounding_box()
    assert first_kpi["width"] > 300  # one column
    assert last_kpi["y"] < issues["y"] < the_map["y"]  # figures, then issues, then the map
    page.screenshot(path=screenshot_dir / "dashboards-phone.png", full_page=True)
    page.context.close()
    assert errors == [] and foreign == []


def open_page(browser, live_server, width: int, height: int):
    """A page of its own size that records console errors and requests leaving the server."""
    context = browser.new_context(locale="vi-VN", viewport={"width": width, "height": height})
    page = context.new_page()
    errors, foreign = [], []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request",
        lambda r: r.url.startswith((live_server.url, "data:", "blob:")) or foreign.append(r.url),
    )
    return page, errors, foreign
