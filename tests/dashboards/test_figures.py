"""The figures the screens show, read through the analytics engine: a key figure with its
change, history, year to date and target; a figure for every province with ranks; the
period and structure a screen carries along; the tile map's places and classes."""

import csv
import datetime
from pathlib import Path

import pytest

from dieuhanh import orgunits
from dieuhanh.dashboards import figures, tilegrid
from tests.dashboards.conftest import country, province, store

TODAY = datetime.date(2026, 11, 24)


def test_a_key_figure_is_the_latest_value_with_its_change_history_and_year_to_date(leader):
    nation = country()
    store(
        [
            ("RETAIL_SALES", nation, "202509", "500"),
            ("RETAIL_SALES", nation, "202510", "600"),
            ("RETAIL_SALES", nation, "202601", "100"),
            ("RETAIL_SALES", nation, "202609", "550"),
            ("RETAIL_SALES", nation, "202610", "660"),
        ]
    )
    tile = figures.key_figure(leader, "RETAIL_SALES", figures.View(), today=TODAY)
    assert tile.period.code == "202610"  # November has no value yet
    assert tile.value == 660.0
    assert tile.change == pytest.approx(10.0)  # on October 2025
    assert tile.tone == "good"  # more retail sales is better
    assert tile.year_to_date == pytest.approx(100 + 550 + 660)
    assert len(tile.history) == 13 and tile.history[-1] == ("Tháng 11/2026", None)
    assert tile.unit == nation


def test_a_chosen_year_shows_the_year_of_a_monthly_flow(leader):
    nation = country()
    store([("RETAIL_SALES", nation, f"2025{m:02d}", "10") for m in range(1, 13)])
    tile = figures.key_figure(leader, "RETAIL_SALES", figures.View(period="2025"), today=TODAY)
    assert tile.period.code == "2025" and tile.value == 120.0
    empty = figures.key_figure(leader, "RETAIL_SALES", figures.View(period="2024"), today=TODAY)
    assert empty.value is None and empty.period is None and empty.tone == "neutral"


def test_a_target_is_met_according_to_the_direction(leader):
    store([("CPI_YOY", country(), "202610", "103.8")])
    tile = figures.key_figure(
        leader, "CPI_YOY", figures.View(), target=104.5, target_label="Quốc hội", today=TODAY
    )
    # Consumer prices: lower is better, 103.8 is within a ceiling of 104.5.
    assert tile.indicator.direction == "down"
    assert tile.target_met is True and tile.target_share == pytest.approx(100.0)
    missed = figures.key_figure(leader, "CPI_YOY", figures.View(), target=103, today=TODAY)
    assert missed.target_met is False and 0 < missed.target_share < 100


def test_every_province_with_its_rank_in_the_latest_period_half_of_them_reported(leader):
    store(
        [
            ("RETAIL_SALES", province("01"), "202609", "300"),
            ("RETAIL_SALES", province("79"), "202609", "500"),
            ("RETAIL_SALES", province("37"), "202609", "100"),
            # October: only one province so far; not yet the latest figure to show.
            ("RETAIL_SALES", province("01"), "202610", "320"),
        ]
    )
    result = figures.unit_figures(leader, "RETAIL_SALES", figures.View(), today=TODAY)
    assert len(result.rows) == 34
    reported = {row.unit.code: row for row in result.rows if row.value is not None}
    # With at most 3 of 34 provinces reporting in any month, none has half: the last one.
    assert result.period.code == "202610" and set(reported) == {"01"}
    chosen = figures.unit_figures(leader, "RETAIL_SALES", figures.View("202609"), today=TODAY)
    ranks = {row.unit.code: row.rank for row in chosen.rows if row.value is not None}
    assert ranks == {"79": 1, "01": 2, "37": 3}
    assert chosen.parent.unit == country() and chosen.parent.value == 900.0
    assert [row.unit.code for row in chosen.ranked[:3]] == ["79", "01", "37"]
    assert chosen.bounds == (100.0, 500.0)


def test_half_of_the_provinces_make_a_period_the_latest(leader):
    everyone = figures.unit_figures(leader, "EXPORTS", figures.View(), today=TODAY)
    codes = [row.unit.code for row in everyone.rows]
    store([("EXPORTS", province(code), "202609", "1") for code in codes[:17]])
    store([("EXPORTS", province(code), "202610", "1") for code in codes[:16]])
    result = figures.unit_figures(leader, "EXPORTS", figures.View(), today=TODAY)
    assert result.period.code == "202609"


def test_an_agency_sees_its_own_unit_not_the_country(catalog, db):
    from tests.catalog.conftest import user_with_role

    hanoi = province("01")
    officer = user_with_role("agency_data_officer", "can_bo_ha_noi", orgunit=hanoi)
    store([("RETAIL_SALES", hanoi, "202610", "80")])
    assert figures.default_units(officer) == ["USER_ORGUNIT"]
    tile = figures.key_figure(officer, "RETAIL_SALES", figures.View(), today=TODAY)
    assert tile.unit == hanoi and tile.value == 80.0
    result = figures.unit_figures(officer, "RETAIL_SALES", figures.View(), today=TODAY)
    assert [row.unit for row in result.rows] == [hanoi] and result.parent is None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"period": "2025M13"}, "không phải mã kỳ"),
        ({"structure": "yesterday"}, "as_reported"),
    ],
)
def test_a_bad_period_or_structure_is_refused(params, message):
    with pytest.raises(figures.ViewError, match=message):
        figures.View.from_params(params)


def test_a_view_carries_only_what_differs_from_the_defaults():
    assert figures.View().query() == ""
    view = figures.View.from_params({"period": "202610", "structure": "as_reported"})
    assert view.query(indicator="EXPORTS") == (
        "?period=202610&structure=as_reported&indicator=EXPORTS"
    )
    assert view.map_structure == "today"  # the tile map draws today's provinces


def test_the_tile_map_places_each_province_of_today_once():
    source = Path(orgunits.__file__).parent / "fixtures" / "vn_admin_2025" / "provinces_2025.csv"
    with source.open(encoding="utf-8") as handle:
        codes = {row["code"] for row in csv.DictReader(handle)}
    assert set(tilegrid.TILES) == codes and len(codes) == 34
    places = list(tilegrid.TILES.values()) + [(a.row, a.column) for a in tilegrid.ARCHIPELAGOS]
    assert len(set(places)) == len(places)
    assert all(0 <= row < tilegrid.ROWS and 0 <= col < tilegrid.COLUMNS for row, col in places)
    assert {a.province_code for a in tilegrid.ARCHIPELAGOS} == {"48", "56"}


def test_map_classes_hold_equal_numbers_of_provinces():
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1000]
    limits = tilegrid.classes(values)
    assert len(limits) == 5 and limits[0][0] == 1 and limits[-1][1] == 1000
    assert limits[-1][0] < 1000  # the largest alone does not take every other colour
    assert tilegrid.classes([]) == [] and tilegrid.classes([5, 5]) == [(5, 5)]


def test_outliers_stand_far_from_the_median():
    values = {1: 5.0, 2: 6.0, 3: 5.5, 4: 4.8, 5: 5.2, 6: 40.0}
    assert set(figures.robust_outliers(values)) == {6}
    assert figures.robust_outliers({1: 1.0, 2: 2.0}) == {}  # too few to judge
