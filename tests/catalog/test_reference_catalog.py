"""The reference catalog as the acceptance criteria of the issue check it, from outside."""

import csv
import json
from pathlib import Path

import pytest
from django.test import Client

from dieuhanh.catalog.loader import load_reference_catalog
from dieuhanh.catalog.models import Indicator, IndicatorGroup

SHARED = Path(__file__).resolve().parents[3] / "shared" / "domain" / "indicators.csv"
FIXTURE = (
    Path(__file__).resolve().parents[2] / "dieuhanh" / "catalog" / "fixtures" / "indicators.csv"
)

pytestmark = pytest.mark.usefixtures("catalog")


def rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_indicator_of_the_domain_list_is_in_the_product_fixture():
    source = rows(SHARED) if SHARED.exists() else []
    ours = {row["code"]: row for row in rows(FIXTURE)}
    for row in source:
        assert row["code"] in ours
        assert ours[row["code"]]["name"] == row["name_vi"]
        assert ours[row["code"]]["period_type"] == row["period_type"]
    assert len(ours) >= 60


def test_indicator_list_has_the_whole_catalog_for_anyone(db):
    body = Client().get("/api/v1/indicators/?limit=500").json()
    assert body["count"] >= 55
    for item in body["results"]:
        assert item["code"] and item["name"] and item["unit"] and item["period_type"]
        assert item["groups"], item["code"]
    # Internal indicators are not shown to anonymous callers.
    assert "SOE_REVENUE" not in {item["code"] for item in body["results"]}


def test_trade_balance_is_exports_minus_imports(db):
    body = Client().get("/api/v1/indicators/TRADE_BALANCE/").json()
    assert body["derived"] is True
    assert "EXPORTS" in body["formula"] and "IMPORTS" in body["formula"]
    assert body["formula_references"] == ["EXPORTS", "IMPORTS"]
    assert "Kim ngạch xuất khẩu hàng hóa" in body["formula_readable"]
    assert body["versions"][0]["number"] == 1


def test_the_derived_indicators_named_by_the_domain(db):
    expected = {
        "TRADE_BALANCE": {"EXPORTS", "IMPORTS"},
        "BUDGET_REVENUE_EXECUTION": {"BUDGET_REVENUE", "BUDGET_REVENUE_ESTIMATE"},
        "PUBLIC_INVEST_DISBURSEMENT_RATE": {"PUBLIC_INVEST_DISBURSED", "PUBLIC_INVEST_PLAN"},
        "GRDP_PER_CAPITA": {"GRDP_CURRENT", "POPULATION_AVG"},
    }
    client = Client()
    for code, components in expected.items():
        body = client.get(f"/api/v1/indicators/{code}/").json()
        assert set(body["formula_references"]) == components
        assert body["formula_after_aggregation"] is True
    rate = client.get("/api/v1/indicators/PUBLIC_INVEST_DISBURSEMENT_RATE/").json()
    assert "ytd(" in rate["formula"]


def test_every_indicator_is_in_one_of_the_7_groups_and_one_of_the_4_plan_groups(db):
    assert IndicatorGroup.objects.filter(group_set__code="D1498").count() == 7
    assert IndicatorGroup.objects.filter(group_set__code="PLAN").count() == 4
    for indicator in Indicator.objects.prefetch_related("groups__group_set"):
        sets = sorted(g.group_set.code for g in indicator.groups.all())
        assert sets == ["D1498", "PLAN"], indicator.code


def test_disaggregations_named_in_the_notes(db):
    client = Client()
    fdi = client.get("/api/v1/indicators/FDI_REGISTERED/").json()
    assert fdi["disaggregation"] == "FDI_TYPE"
    body = client.get("/api/v1/disaggregations/FDI_TYPE/").json()
    assert [c["code"] for c in body["combinations"]] == ["NEW", "ADDITIONAL", "CONTRIBUTED"]
    assert (
        client.get("/api/v1/indicators/FISHERY_OUTPUT/").json()["disaggregation"] == "FISHERY_TYPE"
    )
    assert client.get("/api/v1/indicators/UNEMPLOYMENT_RATE/").json()["disaggregation"] == "AREA"
    area_sex = client.get("/api/v1/disaggregations/AREA_SEX/").json()
    assert len(area_sex["combinations"]) == 4
    default = client.get("/api/v1/disaggregations/default/").json()
    assert [c["uid"] for c in default["combinations"]] == ["HllvX50cXC0"]  # DHIS2's default


def test_four_regimes_and_a_2025_monthly_schedule(db):
    client = Client()
    body = client.get("/api/v1/reporting-regimes/").json()
    assert body["count"] >= 4
    codes = {r["code"] for r in body["results"]}
    assert {"KTXH_TINH_THANG", "GIAI_NGAN_DTC_THANG", "GRDP_LAODONG_QUY", "THIEN_TAI_NGAY"} <= codes
    schedule = client.get("/api/v1/reporting-regimes/KTXH_TINH_THANG/schedule?year=2025").json()
    assert len(schedule["periods"]) == 12
    september = schedule["periods"][8]
    assert september["period"] == "202509"
    # Decree 09/2019: data from the 15th of the previous month to the 14th; due on the 20th.
    assert (september["cutoff_start"], september["cutoff_end"]) == ("2025-08-15", "2025-09-14")
    assert september["deadline"] == "2025-09-20"
    january = schedule["periods"][0]
    assert january["cutoff_start"] == "2024-12-15"


def test_calendar_regime_schedule_and_reporters_follow_the_reform(db):
    client = Client()
    quarterly = client.get("/api/v1/reporting-regimes/GRDP_LAODONG_QUY/schedule?year=2025").json()
    assert [p["period"] for p in quarterly["periods"]] == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"]
    q3 = quarterly["periods"][2]
    assert (q3["cutoff_start"], q3["cutoff_end"], q3["deadline"]) == (
        "2025-07-01",
        "2025-09-30",
        "2025-10-15",
    )
    before = client.get("/api/v1/reporting-regimes/KTXH_TINH_THANG/reporters?period=202506").json()
    after = client.get("/api/v1/reporting-regimes/KTXH_TINH_THANG/reporters?period=202507").json()
    assert (before["count"], after["count"]) == (63, 34)
    wrong = client.get("/api/v1/reporting-regimes/KTXH_TINH_THANG/reporters?period=2025Q3")
    assert wrong.status_code == 422 and wrong.json()["code"] == "period_type_mismatch"
    bad = client.get("/api/v1/reporting-regimes/KTXH_TINH_THANG/reporters?period=202513")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_period"


def test_filters_search_without_diacritics(db):
    client = Client()
    found = client.get("/api/v1/indicators/?q=can can thuong mai").json()
    assert [r["code"] for r in found["results"]] == ["TRADE_BALANCE"]
    monthly_btc = client.get("/api/v1/indicators/?owner=BTC&period_type=monthly&limit=500").json()
    assert monthly_btc["count"] > 5
    assert all(r["owner"]["code"] == "BTC" for r in monthly_btc["results"])
    assert all(r["period_type"] == "monthly" for r in monthly_btc["results"])
    group = client.get("/api/v1/indicators/?group=D1498_7&limit=500").json()
    assert "RESERVOIR_LEVEL" not in {r["code"] for r in group["results"]}  # internal
    assert "DISASTER_DAMAGE" in {r["code"] for r in group["results"]}
    assert client.get("/api/v1/indicators/?period_type=fortnightly").status_code == 422


def test_export_then_import_changes_nothing(analyst_client):
    exported = analyst_client.get("/api/v1/metadata/export")
    assert exported.status_code == 200
    document = json.loads(
        b"".join(exported.streaming_content) if exported.streaming else exported.content
    )
    assert len(document["indicators"]) >= 60  # the analyst sees the internal ones too
    report = analyst_client.post(
        "/api/v1/metadata/import", json.dumps(document), content_type="application/json"
    ).json()
    assert report["status"] == "imported", report["refused"]
    assert report["changes"] == 0
    assert report["unchanged"]["indicators"] == len(document["indicators"])
    assert report["unchanged"]["regimes"] == 4


def test_loading_twice_changes_nothing(db):
    report = load_reference_catalog()
    assert report.changes == 0


def test_the_stored_structure_behind_the_api(db):
    from decimal import Decimal

    from dieuhanh.catalog.models import (
        CategoryOption,
        DisaggregationCategory,
        IndicatorGroupSet,
        IndicatorVersion,
        MeasurementUnit,
        NarrativeSection,
        OptionCombination,
        RegimeIndicator,
        RegimeSection,
    )

    assert MeasurementUnit.objects.get(code="BILLION_VND").scale == Decimal(10**9)
    assert list(
        CategoryOption.objects.filter(category__code="CROP_SEASON").values_list("code", flat=True)
    ) == ["WINTER_SPRING", "SUMMER_AUTUMN", "MAIN"]
    assert list(
        DisaggregationCategory.objects.filter(disaggregation__code="AREA_SEX").values_list(
            "category__code", flat=True
        )
    ) == ["AREA", "SEX"]
    urban_female = OptionCombination.objects.get(
        disaggregation__code="AREA_SEX", code="URBAN_FEMALE"
    )
    assert sorted(urban_female.options.values_list("code", flat=True)) == ["FEMALE", "URBAN"]
    assert IndicatorGroupSet.objects.get(code="D1498").legal_basis.startswith("Quyết định số 1498")
    assert IndicatorVersion.objects.filter(number=1).count() == Indicator.objects.count()
    sections = RegimeSection.objects.filter(regime__code="KTXH_TINH_THANG")
    assert list(sections.values_list("code", flat=True)) == ["A", "B", "C", "D"]
    items = RegimeIndicator.objects.filter(section__regime__code="KTXH_TINH_THANG")
    assert items.get(indicator__code="FDI_REGISTERED").disaggregation.code == "FDI_TYPE"
    assert NarrativeSection.objects.filter(regime__code="THIEN_TAI_NGAY").first().number == "I"
