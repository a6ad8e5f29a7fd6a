"""The operations center's pages through the browser's door: the home page and its items,
profiles, indicator and group pages, wall mode; the refusals."""

import json
import re

import pytest

from dieuhanh.dashboards.models import Dashboard, DashboardItem, ItemKind
from dieuhanh.dashboards.services import HOME_ITEMS, home_dashboard
from dieuhanh.orgunits.models import OrgUnit
from tests.catalog.conftest import user_with_role
from tests.dashboards.conftest import client_for, country, months_ago, province, store


def payload(html: str) -> dict:
    found = re.search(r'<script type="application/json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def item_of(kind: str) -> DashboardItem:
    return home_dashboard().items.filter(kind=kind).first()


def test_the_home_page_is_the_country_at_a_glance(leader):
    page = client_for(leader).get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Toàn cảnh đất nước" in html
    items = re.findall(r'data-kind="(\w+)"', html)
    assert items.count("kpi") == 12 and len(items) == len(HOME_ITEMS)
    assert {"map", "ranking", "hot_issues"} <= set(items)
    # Each item is fetched on its own, with the period and structure carried along.
    addresses = re.findall(
        r'hx-get="([^"]+)"', client_for(leader).get("/?period=2025").content.decode()
    )
    assert len(addresses) == len(HOME_ITEMS)
    assert all(a.startswith("/dashboards/items/") and "period=2025" in a for a in addresses)


def test_an_account_that_reads_no_figures_gets_the_welcome_page(catalog, db):
    admin = user_with_role("center_admin", "quan_tri_vien")
    html = client_for(admin).get("/").content.decode()
    assert 'data-testid="system-status"' in html and "dashboard-grid" not in html


def test_a_bad_period_is_refused_with_its_reason(leader):
    page = client_for(leader).get("/", {"period": "2025Q7"})
    assert page.status_code == 400 and "2025Q7" in page.content.decode()


def test_a_key_figure_item_in_vietnamese(leader):
    month = months_ago(1)
    store(
        [
            ("EXPORTS", country(), month.shift(-12).code, "40000"),
            ("EXPORTS", country(), month.code, "42559.7"),
        ]
    )
    item = home_dashboard().items.get(kind=ItemKind.KPI, indicators=["EXPORTS"])
    html = client_for(leader).get(f"/dashboards/items/{item.pk}/").content.decode()
    assert 'data-testid="kpi"' in html and 'data-indicator="EXPORTS"' in html
    assert "42.559,7" in html and "+6,4%" in html and month.label() in html
    assert 'href="/dashboards/indicators/EXPORTS/"' in html
    spark = payload(html)
    assert spark["kind"] == "spark" and spark["values"][-1] is None  # this month: not yet


def test_the_map_item_draws_34_provinces_and_switches_indicator(leader):
    month = months_ago(1)
    store([("RETAIL_SALES", province("37"), month.code, "17631.2")])
    item = item_of(ItemKind.MAP)
    client = client_for(leader)
    html = client.get(f"/dashboards/items/{item.pk}/").content.decode()
    data = payload(html)
    assert data["kind"] == "tilemap" and len(data["tiles"]) == 34
    ninh_binh = next(tile for tile in data["tiles"] if tile["code"] == "37")
    assert ninh_binh["value"] == 17631.2 and ninh_binh["rank"] == 1
    assert ninh_binh["url"] == f"/dashboards/units/{province('37').uid}/?indicator=RETAIL_SALES"
    assert [island["name"] for island in data["islands"]] == [
        "Quần đảo Hoàng Sa",
        "Quần đảo Trường Sa",
    ]
    switched = payload(
        client.get(f"/dashboards/items/{item.pk}/?indicator=EXPORTS").content.decode()
    )
    assert switched["indicator"].startswith("Kim ngạch xuất khẩu")
    # An indicator the item does not offer falls back to its first.
    other = payload(
        client.get(f"/dashboards/items/{item.pk}/?indicator=GDP_GROWTH").content.decode()
    )
    assert other["indicator"] == data["indicator"]


def test_the_ranking_item_orders_by_direction_and_links_each_province(leader):
    month = months_ago(1)
    store(
        [
            ("RETAIL_SALES", province("01"), month.code, "80545"),
            ("RETAIL_SALES", province("79"), month.code, "159044.9"),
        ]
    )
    html = (
        client_for(leader)
        .get(f"/dashboards/items/{item_of(ItemKind.RANKING).pk}/")
        .content.decode()
    )
    data = payload(html)
    assert data["names"][:2] == ["Hồ Chí Minh", "Hà Nội"]
    assert data["urls"][0].startswith(f"/dashboards/units/{province('79').uid}/")
    assert "format=csv" in html  # its figures as CSV through the analytics API


def test_chart_table_and_text_items(analyst):
    month = months_ago(1)
    store([("EXPORTS", country(), month.code, "100"), ("IMPORTS", country(), month.code, "90")])
    board = Dashboard.objects.create(title="Thương mại", owner=analyst)
    chart = DashboardItem.objects.create(
        dashboard=board, kind=ItemKind.CHART, indicators=["EXPORTS", "IMPORTS"],
        chart_type="combined", target=95, target_label="Kế hoạch",
    )  # fmt: skip
    table = DashboardItem.objects.create(
        dashboard=board, kind=ItemKind.TABLE, indicators=["EXPORTS"], orgunits="KIND-province"
    )
    text = DashboardItem.objects.create(dashboard=board, kind=ItemKind.TEXT, text="Dòng 1\nDòng 2")
    client = client_for(analyst)
    drawn = payload(client.get(f"/dashboards/items/{chart.pk}/").content.decode())
    assert drawn["type"] == "combined" and [s["name"] for s in drawn["series"]] == [
        "Kim ngạch xuất khẩu hàng hóa",
        "Kim ngạch nhập khẩu hàng hóa",
    ]
    assert drawn["series"][0]["values"][-2] == 100.0 and drawn["target"] == 95.0
    assert len(drawn["categories"]) == 24
    html = client.get(f"/dashboards/items/{table.pk}/").content.decode()
    assert html.count('href="/dashboards/units/') == 34 and "format=xlsx" in html
    assert "Dòng 1<br>Dòng 2" in client.get(f"/dashboards/items/{text.pk}/").content.decode()


def test_an_item_that_cannot_be_computed_says_why(analyst):
    board = Dashboard.objects.create(title="Lỗi", owner=analyst)
    broken = DashboardItem.objects.create(
        dashboard=board, kind=ItemKind.CHART, indicators=["EXPORTS"], orgunits="KIND-planet"
    )
    html = client_for(analyst).get(f"/dashboards/items/{broken.pk}/").content.decode()
    assert 'data-testid="item-error"' in html and "planet" in html


def test_items_of_a_dashboard_not_shared_are_refused(analyst, leader):
    private = Dashboard.objects.create(title="Riêng", owner=analyst)
    item = DashboardItem.objects.create(dashboard=private, kind=ItemKind.TEXT, text="Bí mật")
    client = client_for(leader)
    assert client.get(f"/dashboards/items/{item.pk}/").status_code == 403
    assert client.get(f"/dashboards/{private.uid}/").status_code == 403
    assert client.get("/dashboards/items/999999/").status_code == 404
    assert client.get("/dashboards/items/render/", {"kind": "bogus"}).status_code == 400
    assert client.get("/dashboards/items/render/", {"kind": "kpi"}).status_code == 400


def test_a_province_profile_shows_its_history_across_2025(leader):
    ninh_binh = province("37")
    client = client_for(leader)
    html = client.get(f"/dashboards/units/{ninh_binh.uid}/").content.decode()
    successions = re.search(r'data-testid="unit-successions".*?</section>', html, re.S).group(0)
    for former in ("Tỉnh Hà Nam", "Tỉnh Nam Định", "Tỉnh Ninh Bình"):
        assert former in successions
    assert "01/07/2025" in successions
    assert 'data-testid="breadcrumbs"' in html and "Đồng bằng sông Hồng" in html
    former = OrgUnit.objects.get(code="35", kind="province")  # Hà Nam, until 30/06/2025
    store(
        [
            ("RETAIL_SALES", former, "202406", "46278"),
            ("RETAIL_SALES", province("36", former.valid_to), "202406", "102281.4"),
            ("RETAIL_SALES", province("37", former.valid_to), "202406", "38684.6"),
        ]
    )
    history = payload(client.get(f"/dashboards/units/{ninh_binh.uid}/history/").content.decode())
    year = history["categories"].index("Năm 2024")
    assert history["total"][year] == pytest.approx(187244.0)  # the three, mapped onto today's
    assert {part["name"].split(" (")[0] for part in history["parts"]} == {
        "Hà Nam", "Nam Định", "Ninh Bình"
    }  # fmt: skip
    assert sum(part["values"][year] for part in history["parts"]) == pytest.approx(187244.0)


def test_a_province_profile_ranks_it_against_the_country_and_its_region(leader):
    month = months_ago(1)
    store(
        [
            ("EXPORTS", province("37"), month.code, "1218.7"),
            ("EXPORTS", province("01"), month.code, "4142.2"),
            ("EXPORTS", province("79"), month.code, "10227.9"),
        ]
    )
    page = client_for(leader).get(f"/dashboards/units/{province('37').uid}/figures/")
    result = page.context["result"]
    row = next(r for r in result.rows if r.indicator.code == "EXPORTS")
    assert (row.value, row.rank, row.peers) == (1218.7, 3, 3)
    assert (row.region_rank, row.region_peers) == (2, 2)  # after Hà Nội in the Red River Delta
    assert row.parent_value == pytest.approx(1218.7 + 4142.2 + 10227.9)
    assert "1.218,7" in page.content.decode()


def test_a_province_officer_sees_no_other_province_profile(catalog, db):
    hanoi = province("01")
    officer = user_with_role("agency_data_officer", "can_bo_ha_noi", orgunit=hanoi)
    client = client_for(officer)
    assert client.get(f"/dashboards/units/{hanoi.uid}/").status_code == 200
    assert client.get(f"/dashboards/units/{province('79').uid}/").status_code == 403
    assert client.get(f"/dashboards/units/{province('79').uid}/figures/").status_code == 403


def test_a_province_drills_down_to_its_communes(leader):
    page = client_for(leader).get(f"/dashboards/units/{province('37').uid}/")
    ranking = page.context["items"][0]
    assert ranking.kind == ItemKind.RANKING
    assert f"orgunits=CHILDREN-{province('37').uid}" in ranking.url


def test_a_ministry_profile_lists_the_indicators_it_answers_for(leader):
    ministry = OrgUnit.objects.get(code="BTC", kind="ministry")
    page = client_for(leader).get(f"/dashboards/units/{ministry.uid}/")
    assert page.status_code == 200
    codes = {i.code for i in page.context["owned"]}
    assert "BUDGET_REVENUE" in codes or "GDP_GROWTH" in codes
    assert page.context["items"][-1].kind == ItemKind.TABLE


def test_the_indicator_page(leader):
    client = client_for(leader)
    page = client.get("/dashboards/indicators/EXPORTS/")
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="indicator-metadata"' in html
    assert [item.kind for item in page.context["items"]] == [
        "kpi",
        "chart",
        "map",
        "ranking",
        "table",
    ]
    assert (
        "/api/v1/analytics?" in page.context["xlsx_url"]
        and "format=xlsx" in page.context["xlsx_url"]
    )
    assert client.get("/dashboards/indicators/NO_SUCH_THING/").status_code == 404


def test_a_group_page_holds_a_key_figure_per_indicator(leader):
    page = client_for(leader).get("/dashboards/groups/D1498_1/")
    assert page.status_code == 200
    assert len(page.context["items"]) >= 10
    assert all(item.kind == ItemKind.KPI for item in page.context["items"])
    assert client_for(leader).get("/dashboards/groups/NOPE/").status_code == 404


def test_wall_mode_rotates_the_home_page_and_the_pinned_dashboards(analyst, leader):
    from dieuhanh.dashboards import services

    shared = services.save_dashboard(analyst, None, title="Ngân sách", shared_with_all=True)
    services.pin(leader, shared)
    client = client_for(leader)
    page = client.get("/dashboards/wall/", {"seconds": "5"})
    assert [p.title for p in page.context["pages"]] == ["Toàn cảnh đất nước", "Ngân sách"]
    assert page.context["seconds"] == 15  # at least 15 seconds a screen
    html = page.content.decode()
    assert "dh-wall" in html and 'hx-trigger="load, every 300s"' in html
    only = client.get("/dashboards/wall/", {"dashboards": shared.uid})
    assert [p.title for p in only.context["pages"]] == ["Ngân sách"]


def test_the_home_page_leads_to_the_seven_groups(leader):
    html = client_for(leader).get("/").content.decode()
    nav = re.search(r'data-testid="group-nav".*?</nav>', html, re.S).group(0)
    assert nav.count('href="/dashboards/groups/D1498_') == 7


def test_the_map_offers_only_indicators_within_the_clearance(catalog, db):
    from dieuhanh.catalog.models import Indicator

    Indicator.objects.filter(code="EXPORTS").update(sensitivity="secret")
    reader = user_with_role("leader", "lanh_dao_cong_khai", clearance="public")
    html = client_for(reader).get(f"/dashboards/items/{item_of(ItemKind.MAP).pk}/").content.decode()
    assert 'value="RETAIL_SALES"' in html and 'value="EXPORTS"' not in html
