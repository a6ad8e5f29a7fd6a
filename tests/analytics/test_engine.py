"""The analytics engine through its service: aggregation over units and time by each
indicator's rules, derived indicators, the 2025 restructuring, freshness."""

import datetime

import pytest

from dieuhanh.analytics import maintenance, services
from dieuhanh.analytics.models import Rollup, RollupState
from dieuhanh.catalog.models import Indicator, OptionCombination
from dieuhanh.datavalues.models import ChangedCell, DataValue, ValueStatus
from dieuhanh.orgunits.models import OrgUnit, Succession
from tests.analytics.conftest import (
    DELETE,
    MAY_2024,
    communes,
    country,
    province,
    reported_by_communes,
    store,
)


def ask(user, **request):
    return services.query(user, services.AnalyticsRequest.from_text(**request))


def numbers(answer) -> dict:
    """{(indicator, unit uid, period[, option]): value}"""
    names = [h.name for h in answer.headers]
    keys = [n for n in ("indicator", "orgunit", "period", "option") if n in names]
    at = names.index("value")
    return {tuple(row[names.index(k)] for k in keys): row[at] for row in answer.rows}


def test_communes_add_up_to_their_province_and_the_country_by_month_and_year(analyst):
    reported_by_communes("RETAIL_SALES")
    hanoi = province("01")
    first, second = communes(hanoi, MAY_2024)
    store(
        [
            ("RETAIL_SALES", first, "202405", "10.5"),
            ("RETAIL_SALES", second, "202405", "20"),
            ("RETAIL_SALES", first, "202406", "5"),
        ]
    )
    answer = ask(
        analyst,
        indicators="RETAIL_SALES",
        orgunits=f"{hanoi.uid};{country().uid};{first.uid}",
        periods="202405;202406;2024;2024Q2",
        structure="as_reported",
    )
    got = numbers(answer)
    assert got[("RETAIL_SALES", hanoi.uid, "202405")] == 30.5
    assert got[("RETAIL_SALES", country().uid, "202405")] == 30.5
    assert got[("RETAIL_SALES", hanoi.uid, "2024")] == 35.5  # a flow: the sum of the months
    assert got[("RETAIL_SALES", hanoi.uid, "2024Q2")] == 35.5
    assert got[("RETAIL_SALES", first.uid, "2024")] == 15.5
    # The metadata names everything a client shows.
    assert answer.metadata["indicators"]["RETAIL_SALES"]["unit"]
    assert answer.metadata["orgunits"][hanoi.uid]["name"] == "Thành phố Hà Nội"
    assert answer.metadata["periods"]["2024Q2"]["label"] == "Quý II/2024"


def test_a_units_own_report_wins_over_the_sum_of_its_units(analyst):
    reported_by_communes("RETAIL_SALES")
    hanoi = province("01")
    first, second = communes(hanoi, MAY_2024)
    hcm = province("79", MAY_2024)
    store(
        [
            ("RETAIL_SALES", first, "202405", "10"),
            ("RETAIL_SALES", second, "202405", "20"),
            ("RETAIL_SALES", hanoi, "202405", "100"),  # the province's own figure
            ("RETAIL_SALES", hcm, "202405", "200"),
        ]
    )
    got = numbers(
        ask(
            analyst,
            indicators="RETAIL_SALES",
            orgunits=f"{hanoi.uid};{country().uid}",
            periods="202405",
            structure="as_reported",
        )
    )
    assert got[("RETAIL_SALES", hanoi.uid, "202405")] == 100
    assert got[("RETAIL_SALES", country().uid, "202405")] == 300
    # The country's own figure wins in turn; removing it falls back to the provinces.
    store([("RETAIL_SALES", country(), "202405", "290")])
    assert (
        numbers(ask(analyst, indicators="RETAIL_SALES", periods="202405"))[
            ("RETAIL_SALES", country().uid, "202405")
        ]
        == 290
    )
    store([("RETAIL_SALES", country(), "202405", DELETE)])
    assert (
        numbers(ask(analyst, indicators="RETAIL_SALES", periods="202405"))[
            ("RETAIL_SALES", country().uid, "202405")
        ]
        == 300
    )


def test_todays_ninh_binh_is_the_sum_of_the_three_provinces_it_was_formed_from(analyst):
    """The acceptance check: 2024 for today's Ninh Bình (structure today) equals the old
    Ninh Bình, Hà Nam and Nam Định as reported."""
    old = [province(code, MAY_2024) for code in ("37", "35", "36")]
    new = province("37")
    months = [f"2024{m:02d}" for m in range(1, 13)]
    store(
        [
            ("RETAIL_SALES", unit, month, str(1000 * (n + 1) + m))
            for n, unit in enumerate(old)
            for m, month in enumerate(months)
        ]
    )
    today = numbers(ask(analyst, indicators="RETAIL_SALES", orgunits=new.uid, periods="2024"))
    reported = numbers(
        ask(
            analyst,
            indicators="RETAIL_SALES",
            orgunits=";".join(u.uid for u in old),
            periods="2024",
            structure="as_reported",
        )
    )
    assert today[("RETAIL_SALES", new.uid, "2024")] == sum(reported.values()) == 72_198
    # As reported, today's Ninh Bình did not exist in 2024; a former province cannot be
    # asked for in today's structure.
    assert (
        numbers(
            ask(
                analyst,
                indicators="RETAIL_SALES",
                orgunits=new.uid,
                periods="2024",
                structure="as_reported",
            )
        )[("RETAIL_SALES", new.uid, "2024")]
        is None
    )
    with pytest.raises(services.AnalyticsError) as refused:
        ask(analyst, indicators="RETAIL_SALES", orgunits=old[1].uid, periods="2024")
    assert refused.value.code == "unit_not_in_structure"
    # The 34 provinces of today, for a month of 2024: the 63 mapped.
    provinces = ask(analyst, indicators="RETAIL_SALES", orgunits="KIND-province", periods="202403")
    assert len(provinces.metadata["orgunits"]) == 34
    assert numbers(provinces)[("RETAIL_SALES", new.uid, "202403")] == 1002 + 2002 + 3002


def test_trade_balance_is_exports_minus_imports_of_the_year(analyst):
    store(
        [("EXPORTS", country(), f"2024{m:02d}", str(30 + m)) for m in range(1, 13)]
        + [("IMPORTS", country(), f"2024{m:02d}", str(25 + 2 * m)) for m in range(1, 13)]
    )
    got = numbers(
        ask(
            analyst,
            indicators="TRADE_BALANCE;EXPORTS;IMPORTS",
            periods="2024;202403",
            measures="yoy",
        )
    )
    exports, imports = (
        got[("EXPORTS", country().uid, "2024")],
        got[("IMPORTS", country().uid, "2024")],
    )
    assert (exports, imports) == (438, 456)
    assert got[("TRADE_BALANCE", country().uid, "2024")] == exports - imports == -18
    assert got[("TRADE_BALANCE", country().uid, "202403")] == 33 - 31


def test_a_percentage_is_never_added_up(analyst):
    hanoi = province("01")
    old = [province(code, MAY_2024) for code in ("37", "35", "36")]
    store(
        [("POVERTY_RATE", hanoi, "2024", "1.5")]
        + [("POVERTY_RATE", unit, "2024", "3") for unit in old]
    )
    got = numbers(
        ask(
            analyst,
            indicators="POVERTY_RATE",
            orgunits=f"{hanoi.uid};{province('37').uid};{country().uid}",
            periods="2024",
        )
    )
    assert got[("POVERTY_RATE", hanoi.uid, "2024")] == 1.5  # the same unit: its own figure
    assert got[("POVERTY_RATE", province("37").uid, "2024")] is None  # three rates: no sum
    assert got[("POVERTY_RATE", country().uid, "2024")] is None  # nor a national one
    assert not Rollup.objects.filter(indicator_id=Indicator.objects.get(code="POVERTY_RATE").pk)


def test_a_stock_takes_its_last_value_and_a_weighted_rate_its_weights(analyst):
    hanoi, hcm = province("01"), province("79", MAY_2024)
    store(
        [
            ("SOCIAL_INSURANCE_PARTICIPANTS", hanoi, "202410", "100"),
            ("SOCIAL_INSURANCE_PARTICIPANTS", hanoi, "202411", "110"),
            ("SOCIAL_INSURANCE_PARTICIPANTS", hcm, "202411", "50"),
        ]
    )
    got = numbers(
        ask(
            analyst,
            indicators="SOCIAL_INSURANCE_PARTICIPANTS",
            orgunits=f"{hanoi.uid};{country().uid}",
            periods="2024;2024Q4",
            structure="as_reported",
        )
    )
    assert got[("SOCIAL_INSURANCE_PARTICIPANTS", hanoi.uid, "2024")] == 110
    assert got[("SOCIAL_INSURANCE_PARTICIPANTS", country().uid, "2024Q4")] == 160

    urban, rural = OptionCombination.objects.filter(disaggregation__code="AREA").order_by(
        "sort_order"
    )
    store(
        [
            ("UNEMPLOYMENT_RATE", hanoi, "2024Q2", "2", urban.uid),
            ("UNEMPLOYMENT_RATE", hanoi, "2024Q2", "4", rural.uid),
            ("LABOUR_FORCE", hanoi, "2024Q2", "300", urban.uid),
            ("LABOUR_FORCE", hanoi, "2024Q2", "100", rural.uid),
            ("UNEMPLOYMENT_RATE", hcm, "2024Q2", "6", urban.uid),
            ("LABOUR_FORCE", hcm, "2024Q2", "100", urban.uid),
        ]
    )
    by_area = numbers(
        ask(
            analyst,
            indicators="UNEMPLOYMENT_RATE",
            orgunits=f"{hanoi.uid};{country().uid}",
            periods="2024Q2",
            disaggregation="AREA",
            skip_rounding=True,
            structure="as_reported",
        )
    )
    # Urban: (2*300 + 6*100) / 400; rural: Hà Nội alone.
    assert by_area[("UNEMPLOYMENT_RATE", country().uid, "2024Q2", "URBAN")] == pytest.approx(3.0)
    assert by_area[("UNEMPLOYMENT_RATE", country().uid, "2024Q2", "RURAL")] == pytest.approx(4.0)
    total = numbers(
        ask(
            analyst,
            indicators="UNEMPLOYMENT_RATE",
            orgunits=hanoi.uid,
            periods="2024Q2",
            skip_rounding=True,
        )
    )
    assert total[("UNEMPLOYMENT_RATE", hanoi.uid, "2024Q2")] == pytest.approx((600 + 400) / 400)


def test_derived_indicators_read_year_to_date_and_coarser_components(analyst):
    store(
        [("BUDGET_REVENUE", country(), f"2024{m:02d}", "100") for m in range(1, 13)]
        + [("BUDGET_REVENUE_ESTIMATE", country(), "2024", "1000")]
    )
    got = numbers(ask(analyst, indicators="BUDGET_REVENUE_EXECUTION", periods="202403;202406;2024"))
    assert got[("BUDGET_REVENUE_EXECUTION", country().uid, "202403")] == 30
    assert got[("BUDGET_REVENUE_EXECUTION", country().uid, "202406")] == 60
    assert got[("BUDGET_REVENUE_EXECUTION", country().uid, "2024")] == 120


def test_measures_growth_year_to_date_share_rank_and_per_inhabitant(analyst):
    hanoi, hcm = province("01"), province("79", MAY_2024)
    population_cell = OptionCombination.objects.filter(
        disaggregation=Indicator.objects.get(code="POPULATION_AVG").disaggregation
    ).first()
    store(
        [
            ("RETAIL_SALES", hanoi, "202305", "80"),
            ("RETAIL_SALES", hanoi, "202404", "90"),
            ("RETAIL_SALES", hanoi, "202405", "100"),
            ("RETAIL_SALES", hcm, "202405", "300"),
            ("POPULATION_AVG", hanoi, "2024", "8500", population_cell.uid),  # thousands
        ]
    )
    answer = ask(
        analyst,
        indicators="RETAIL_SALES",
        orgunits=f"{hanoi.uid};{hcm.uid}",
        periods="202405",
        measures="yoy;previous;ytd;share;rank;per_capita",
        structure="as_reported",
    )
    names = [h.name for h in answer.headers]
    row = dict(zip(names, next(r for r in answer.rows if r[1] == hanoi.uid), strict=True))
    assert row["yoy"] == 25.0 and row["previous"] == pytest.approx(11.11)
    assert row["ytd"] == 190 and row["share"] == 25.0 and row["rank"] == 2
    # 100 billion đồng for 8.5 million people: 11,764.71 đồng each.
    assert row["per_capita"] == pytest.approx(11764.71)
    other = dict(zip(names, next(r for r in answer.rows if r[1] == hcm.uid), strict=True))
    assert other["rank"] == 1 and other["yoy"] is None and other["per_capita"] is None


def test_an_estimated_split_is_flagged_approximate(analyst):
    from dieuhanh.orgunits.services import map_to_structure

    link = (
        Succession.objects.filter(kind="split", approximate=True, predecessor__kind="commune")
        .select_related("predecessor", "successor")
        .order_by("id")
        .first()
    )
    old, new = link.predecessor, link.successor
    [target] = [t for t in map_to_structure([old], datetime.date.today())[old.pk] if t.unit == new]
    assert target.approximate and 0 < target.share < 1
    reported_by_communes("RETAIL_SALES")
    store([("RETAIL_SALES", old, "202405", "1000")])
    answer = ask(
        analyst, indicators="RETAIL_SALES", orgunits=new.uid, periods="202405", skip_rounding=True
    )
    [row] = answer.rows
    assert row[3] == pytest.approx(1000 * float(target.share))
    assert row[-1] is True  # approximate
    exact = ask(
        analyst,
        indicators="RETAIL_SALES",
        orgunits=old.uid,
        periods="202405",
        structure="as_reported",
    )
    assert exact.rows[0][3] == 1000 and exact.rows[0][-1] is False


def test_a_value_changes_the_next_answer_at_once(analyst):
    reported_by_communes("RETAIL_SALES")
    [commune] = communes(province("01"), MAY_2024, 1)
    store([("RETAIL_SALES", commune, "202405", "10")])

    def national():
        return numbers(ask(analyst, indicators="RETAIL_SALES", periods="202405"))[
            ("RETAIL_SALES", country().uid, "202405")
        ]

    assert national() == 10
    assert not ChangedCell.objects.exists()  # claimed by the query's refresh
    store([("RETAIL_SALES", commune, "202405", "12")])
    assert ChangedCell.objects.count() == 1
    assert national() == 12
    store([("RETAIL_SALES", commune, "202405", DELETE)])
    assert national() is None
    assert not Rollup.objects.filter(orgunit_id=country().pk).exists()
    # A refresh with nothing to do does nothing; a rebuild gives the same rows.
    store([("RETAIL_SALES", commune, "202405", "7"), ("RETAIL_SALES", commune, "202406", "8")])
    from dieuhanh.analytics.tasks import refresh_rollups

    assert refresh_rollups() == 2  # the beat task's refresh claims the two cells
    assert maintenance.refresh().cells == 0
    before = sorted(Rollup.objects.values_list("orgunit_id", "period", "value"))
    maintenance.refresh(force_rebuild=True)
    assert sorted(Rollup.objects.values_list("orgunit_id", "period", "value")) == before


def test_accepted_data_only(analyst):
    hanoi = province("01")
    store([("RETAIL_SALES", hanoi, "202405", "100")])
    request = {"indicators": "RETAIL_SALES", "orgunits": hanoi.uid, "periods": "202405"}
    assert numbers(ask(analyst, **request, accepted_only=True)) == {
        ("RETAIL_SALES", hanoi.uid, "202405"): None
    }
    from dieuhanh.datavalues.entry import set_report_status
    from dieuhanh.datavalues.models import Submission

    regime = Indicator.objects.get(code="RETAIL_SALES").regime_items.first().section.regime
    report = Submission(regime=regime, orgunit=hanoi, period="202405")
    assert set_report_status(report, ValueStatus.ACCEPTED) == 1
    assert (
        numbers(ask(analyst, **request, accepted_only=True))[("RETAIL_SALES", hanoi.uid, "202405")]
        == 100
    )
    assert (
        numbers(ask(analyst, **request, structure="as_reported", accepted_only=True))[
            ("RETAIL_SALES", hanoi.uid, "202405")
        ]
        == 100
    )
    assert DataValue.objects.get(orgunit=hanoi, period="202405").status == ValueStatus.ACCEPTED


def test_a_unit_moved_leaves_its_former_parent_for_its_new_one(analyst):
    from dieuhanh.orgunits.services import move_unit

    reported_by_communes("RETAIL_SALES")
    hanoi, haiphong = province("01"), province("31")
    [commune] = communes(hanoi, datetime.date.today(), 1)
    month = datetime.date.today().replace(day=1) - datetime.timedelta(days=1)
    period = f"{month:%Y%m}"
    store([("RETAIL_SALES", commune, period, "40")])
    request = {
        "indicators": "RETAIL_SALES",
        "orgunits": f"{hanoi.uid};{haiphong.uid}",
        "periods": period,
    }
    assert numbers(ask(analyst, **request))[("RETAIL_SALES", hanoi.uid, period)] == 40
    move_unit(None, commune, haiphong, month.replace(day=1))
    state = RollupState.objects.get()
    assert not state.rebuild  # the rows of the units concerned only, not a rebuild
    got = numbers(ask(analyst, **request))
    assert got[("RETAIL_SALES", hanoi.uid, period)] is None
    assert got[("RETAIL_SALES", haiphong.uid, period)] == 40


def test_relative_periods_follow_dhis2():
    today = datetime.date(2026, 11, 24)

    def codes(name):
        return [p.code for p in services.relative_periods(name, today)]

    assert codes("THIS_MONTH") == ["202611"]
    assert codes("LAST_12_MONTHS")[0] == "202511" and codes("LAST_12_MONTHS")[-1] == "202610"
    assert codes("LAST_5_YEARS") == ["2021", "2022", "2023", "2024", "2025"]
    assert codes("MONTHS_THIS_YEAR")[-1] == "202611" and len(codes("MONTHS_THIS_YEAR")) == 11
    assert codes("LAST_4_QUARTERS") == ["2025Q4", "2026Q1", "2026Q2", "2026Q3"]
    assert len(codes("LAST_120_MONTHS")) == 120
    assert services.relative_periods("LAST_0_MONTHS", today) is None
    assert services.relative_periods("NEXT_YEAR", today) is None
    months = services.read_periods(["202401..202406"], "quarterly", today)
    assert [p.code for p in months] == ["2024Q1", "2024Q2"]


@pytest.mark.parametrize(
    ("request_text", "code"),
    [
        ({"indicators": ""}, "indicators_required"),
        ({"indicators": "NO_SUCH"}, "unknown_indicator"),
        ({"indicators": "RETAIL_SALES", "periods": "2024X"}, "invalid_period"),
        ({"indicators": "RETAIL_SALES", "periods": "2024..202401"}, "invalid_period"),
        (
            {"indicators": "RETAIL_SALES", "periods": "2024", "period_type": "monthly"},
            "invalid_period_type",
        ),
        ({"indicators": "RETAIL_SALES", "structure": "yesterday"}, "invalid_structure"),
        ({"indicators": "RETAIL_SALES", "orgunits": "nowhere"}, "unknown_orgunit"),
        ({"indicators": "RETAIL_SALES", "orgunits": "KIND-galaxy"}, "unknown_kind"),
        ({"indicators": "RETAIL_SALES", "orgunits": "LEVEL-0"}, "invalid_level"),
        ({"indicators": "RETAIL_SALES", "orgunits": "GROUP-none"}, "unknown_group"),
        ({"indicators": "RETAIL_SALES", "disaggregation": "COLOUR"}, "unknown_category"),
        ({"indicators": "RETAIL_SALES", "measures": "median"}, "unknown_measure"),
        (
            {"indicators": "RETAIL_SALES", "orgunits": "LEVEL-3", "periods": "LAST_600_DAYS"},
            "too_large",
        ),
    ],
)
def test_bad_requests_are_refused_with_a_reason(analyst, request_text, code):
    with pytest.raises(services.AnalyticsError) as refused:
        ask(analyst, **request_text)
    assert refused.value.code == code
    assert refused.value.message


def test_levels_children_and_units_by_code(analyst):
    hanoi = province("01")
    store([("RETAIL_SALES", hanoi, "202405", "100")])
    level = ask(analyst, indicators="RETAIL_SALES", orgunits="LEVEL-1", periods="202405")
    assert list(level.metadata["orgunits"]) == [country().uid]
    children = ask(
        analyst, indicators="RETAIL_SALES", orgunits=f"CHILDREN-{country().uid}", periods="202405"
    )
    assert hanoi.uid in children.metadata["orgunits"]
    by_code = ask(analyst, indicators="RETAIL_SALES", orgunits="01", periods="202405")
    assert numbers(by_code) == {("RETAIL_SALES", hanoi.uid, "202405"): 100}
    mine = OrgUnit.objects.filter(kind="province", valid_to__isnull=True).count()
    assert (
        len(
            ask(
                analyst, indicators="RETAIL_SALES", orgunits="KIND-province", periods="202405"
            ).metadata["orgunits"]
        )
        == mine
        == 34
    )


def test_filters_keep_some_options_and_periods_add_up(analyst):
    hanoi = province("01")
    cells = {
        frozenset(c.options.values_list("code", flat=True)): c
        for c in OptionCombination.objects.filter(disaggregation__code="AREA_SEX")
    }
    population = {
        ("URBAN", "MALE"): 10,
        ("URBAN", "FEMALE"): 20,
        ("RURAL", "MALE"): 30,
        ("RURAL", "FEMALE"): 40,
    }
    store(
        [
            ("POPULATION_AVG", hanoi, "2024", str(n), cells[frozenset(key)].uid)
            for key, n in population.items()
        ]
        + [("RETAIL_SALES", hanoi, f"2024{m:02d}", str(m)) for m in (1, 2, 3)]
        + [("RETAIL_SALES", hanoi, f"2023{m:02d}", "1") for m in (1, 2, 3)]
    )
    base = {"orgunits": hanoi.uid, "periods": "2024"}
    urban = numbers(
        ask(analyst, indicators="POPULATION_AVG;RETAIL_SALES", filters="AREA:URBAN", **base)
    )
    assert urban[("POPULATION_AVG", hanoi.uid, "2024")] == 30
    assert urban[("RETAIL_SALES", hanoi.uid, "2024")] is None  # no such category: no value
    women = numbers(
        ask(
            analyst,
            indicators="POPULATION_AVG",
            filters="SEX:FEMALE",
            disaggregation="AREA",
            **base,
        )
    )
    assert women == {
        ("POPULATION_AVG", hanoi.uid, "2024", "URBAN"): 20,
        ("POPULATION_AVG", hanoi.uid, "2024", "RURAL"): 40,
    }

    quarter = ask(
        analyst,
        indicators="RETAIL_SALES",
        orgunits=hanoi.uid,
        periods="202401..202403",
        aggregate_periods=True,
        measures="yoy",
    )
    names = [h.name for h in quarter.headers]
    [row] = quarter.rows
    assert row[names.index("period")] == "202401..202403"
    assert row[names.index("value")] == 6 and row[names.index("yoy")] == 100.0
    label = quarter.metadata["periods"]["202401..202403"]["label"]
    assert label == "Tháng 1/2024 \u2013 Tháng 3/2024"
    for bad, code in (
        ({"periods": "202401;202403", "aggregate_periods": True}, "periods_not_contiguous"),
        ({"periods": "2024", "filters": "AREA:MOON"}, "invalid_filter"),
        ({"periods": "2024", "filters": "AREA"}, "invalid_filter"),
    ):
        with pytest.raises(services.AnalyticsError) as refused:
            ask(analyst, indicators="RETAIL_SALES", **bad)
        assert refused.value.code == code
