"""Writing the catalog through the API: rules, versions, audit and permissions."""

import json

import pytest
from django.test import Client

from dieuhanh.catalog.models import Indicator
from dieuhanh.core.models import AuditRecord

pytestmark = pytest.mark.usefixtures("catalog")

NEW_INDICATOR = {
    "code": "EXPORTS_RICE",
    "name": "Kim ngạch xuất khẩu gạo",
    "name_en": "Rice exports",
    "unit": "MILLION_USD",
    "value_type": "number",
    "decimals": 1,
    "direction": "up",
    "period_type": "monthly",
    "aggregation": "sum",
    "time_aggregation": "sum",
    "levels": ["national", "province"],
    "groups": ["D1498_2", "PLAN_OPS"],
    "owner": "BCT",
}


def post(client, url, payload):
    return client.post(url, json.dumps(payload), content_type="application/json")


def patch(client, url, payload):
    return client.patch(url, json.dumps(payload), content_type="application/json")


def test_analyst_creates_an_indicator_and_it_is_audited(analyst_client, analyst):
    response = post(analyst_client, "/api/v1/indicators/", NEW_INDICATOR)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"]["code"] == "BCT"
    assert body["groups"] == ["D1498_2", "PLAN_OPS"]
    assert body["disaggregation"] == "default"
    record = AuditRecord.objects.get(action="create", object_repr="Kim ngạch xuất khẩu gạo")
    assert record.user == analyst and record.channel == "api"
    assert record.after["groups"] == ["D1498_2", "PLAN_OPS"]
    again = post(analyst_client, "/api/v1/indicators/", NEW_INDICATOR)
    assert again.status_code == 422 and again.json()["code"] == "duplicate_code"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"unit": "FURLONGS"}, "unknown_unit_of_measure"),
        ({"period_type": "fortnightly"}, "unknown_period_type"),
        ({"value_type": "percent", "unit": "PERCENT"}, "aggregation_not_meaningful"),
        ({"aggregation": "weighted_average"}, "aggregation_not_meaningful"),
        ({"levels": ["galaxy"]}, "unknown_level"),
        ({"groups": ["NO_SUCH_GROUP"]}, "unknown_indicator_group"),
        ({"owner": "NOWHERE"}, "unknown_orgunit"),
        ({"formula": "#{EXPORTS} - "}, "formula_unexpected_end"),
        ({"formula": "#{EXPORTS} - #{NOT_AN_INDICATOR}"}, "formula_unknown_reference"),
        ({"formula": "#{EXPORTS_RICE} * 2"}, "formula_self_reference"),
        ({"formula": "#{FDI_REGISTERED.NOPE}"}, "formula_unknown_reference"),
        ({"valid_from": "2025-05-01", "valid_to": "2025-01-01"}, "invalid_interval"),
        ({"direction": "sideways"}, "unknown_direction"),
        ({"sensitivity": "top_secret"}, "unknown_sensitivity"),
    ],
)
def test_bad_indicators_are_refused_with_a_specific_message(analyst_client, change, code):
    response = post(analyst_client, "/api/v1/indicators/", {**NEW_INDICATOR, **change})
    assert response.status_code == 422
    assert response.json()["code"] == code, response.json()
    assert not Indicator.objects.filter(code="EXPORTS_RICE").exists()


def test_a_formula_error_names_its_position(analyst_client):
    response = post(
        analyst_client, "/api/v1/indicators/", {**NEW_INDICATOR, "formula": "#{EXPORTS} + * 2"}
    )
    detail = " ".join(response.json()["detail"])
    assert "vị trí 14" in detail  # the column of "*", counted from 1


def test_a_cycle_between_formulas_is_refused(analyst_client):
    first = {**NEW_INDICATOR, "code": "CYCLE_A", "formula": "#{TRADE_BALANCE} + 1"}
    assert post(analyst_client, "/api/v1/indicators/", first).status_code == 201
    second = {**NEW_INDICATOR, "code": "CYCLE_B", "formula": "#{CYCLE_A} * 2"}
    assert post(analyst_client, "/api/v1/indicators/", second).status_code == 201
    response = patch(analyst_client, "/api/v1/indicators/CYCLE_A/", {"formula": "#{CYCLE_B} - 1"})
    assert response.status_code == 422
    assert response.json()["code"] == "formula_cycle"
    assert "CYCLE_A" in response.json()["detail"][0] and "CYCLE_B" in response.json()["detail"][0]


def test_weighted_average_by_labour_force(analyst_client):
    body = analyst_client.get("/api/v1/indicators/UNEMPLOYMENT_RATE/").json()
    assert (body["aggregation"], body["weight"]) == ("weighted_average", "LABOUR_FORCE")
    response = patch(
        analyst_client, "/api/v1/indicators/UNEMPLOYMENT_RATE/", {"aggregation": "sum"}
    )
    assert response.status_code == 422 and response.json()["code"] == "aggregation_not_meaningful"


def test_a_change_of_method_is_a_new_version_not_an_overwrite(analyst_client):
    url = "/api/v1/indicators/CPI_YOY/"
    response = patch(
        analyst_client,
        url,
        {
            "method": "Rổ hàng hóa năm gốc 2024",
            "reason": "Đổi năm gốc",
            "effective_from": "2026-01-01",
        },
    )
    assert response.status_code == 200, response.json()
    versions = response.json()["versions"]
    assert [v["number"] for v in versions] == [1, 2]
    assert versions[0]["definition"]["method"] == ""
    assert versions[1]["definition"]["method"] == "Rổ hàng hóa năm gốc 2024"
    assert versions[1]["reason"] == "Đổi năm gốc" and versions[1]["valid_from"] == "2026-01-01"
    # A change of name is not a change of definition.
    renamed = patch(analyst_client, url, {"short_name": "CPI so cùng kỳ"}).json()
    assert len(renamed["versions"]) == 2
    # Repeating a request changes nothing and records nothing.
    records = AuditRecord.objects.count()
    patch(analyst_client, url, {"short_name": "CPI so cùng kỳ"})
    assert AuditRecord.objects.count() == records


def test_retire_keeps_the_indicator_and_refuses_when_a_formula_uses_it(analyst_client):
    refused = post(analyst_client, "/api/v1/indicators/EXPORTS/retire", {})
    assert refused.status_code == 422 and refused.json()["code"] == "indicator_in_use"
    assert "TRADE_BALANCE" in refused.json()["detail"][0]
    retired = post(
        analyst_client, "/api/v1/indicators/CORE_INFLATION/retire", {"last_day": "2026-12-31"}
    )
    assert retired.status_code == 200
    assert (retired.json()["status"], retired.json()["valid_to"]) == ("retired", "2026-12-31")
    listed = analyst_client.get("/api/v1/indicators/?status=retired").json()
    assert [r["code"] for r in listed["results"]] == ["CORE_INFLATION"]


def test_who_may_write(officer_client):
    anonymous = Client()
    assert post(anonymous, "/api/v1/indicators/", NEW_INDICATOR).status_code == 401
    response = post(officer_client, "/api/v1/indicators/", NEW_INDICATOR)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert patch(officer_client, "/api/v1/indicators/EXPORTS/", {"name": "x"}).status_code == 403
    assert officer_client.get("/api/v1/indicators/EXPORTS/").status_code == 200


def test_clearance_hides_sensitive_indicators(catalog, db):
    from tests.catalog.conftest import user_with_role

    public_only = user_with_role("leader", "public_reader", clearance="public")
    client = Client()
    client.force_login(public_only)
    assert client.get("/api/v1/indicators/SOE_REVENUE/").status_code == 404
    internal = user_with_role("leader", "internal_reader", clearance="internal")
    client.force_login(internal)
    assert client.get("/api/v1/indicators/SOE_REVENUE/").status_code == 200


def test_disaggregations_categories_and_combinations(analyst_client):
    category = {
        "code": "AGE_GROUP",
        "name": "Nhóm tuổi",
        "options": [
            {"code": "A15_24", "name": "15-24"},
            {"code": "A25_PLUS", "name": "25 trở lên"},
        ],
    }
    assert post(analyst_client, "/api/v1/disaggregations/categories/", category).status_code == 201
    created = post(
        analyst_client,
        "/api/v1/disaggregations/",
        {"code": "AREA_AGE", "name": "Theo khu vực và tuổi", "categories": ["AREA", "AGE_GROUP"]},
    )
    assert created.status_code == 201, created.json()
    codes = [c["code"] for c in created.json()["combinations"]]
    assert codes == ["URBAN_A15_24", "URBAN_A25_PLUS", "RURAL_A15_24", "RURAL_A25_PLUS"]
    # A new option adds combinations and keeps the old ones' identifiers.
    uids = {c["code"]: c["uid"] for c in created.json()["combinations"]}
    category["options"].append({"code": "A65_PLUS", "name": "65 trở lên"})
    post(analyst_client, "/api/v1/disaggregations/categories/", category)
    after = analyst_client.get("/api/v1/disaggregations/AREA_AGE/").json()
    assert len(after["combinations"]) == 6
    assert all(uids[c["code"]] == c["uid"] for c in after["combinations"] if c["code"] in uids)
    # Options are never removed.
    category["options"] = category["options"][:1]
    removed = post(analyst_client, "/api/v1/disaggregations/categories/", category)
    assert removed.status_code == 422 and removed.json()["code"] == "option_in_use"
    # The categories of a disaggregation in use do not change.
    changed = analyst_client.put(
        "/api/v1/disaggregations/AREA/",
        json.dumps({"code": "AREA", "name": "x", "categories": ["SEX"]}),
        content_type="application/json",
    )
    assert changed.status_code == 422 and changed.json()["code"] == "disaggregation_in_use"
    unknown = post(
        analyst_client,
        "/api/v1/disaggregations/",
        {"code": "BAD", "name": "x", "categories": ["NOPE"]},
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_category"


REGIME = {
    "code": "DENGUE_TUAN",
    "name": "Báo cáo sốt xuất huyết hằng tuần",
    "issuer": "BYT",
    "receiver": "BYT",
    "reporter_kinds": ["province"],
    "period_type": "weekly",
    "deadline_rule": "days_after_end",
    "deadline_value": 2,
    "sections": [{"code": "A", "name": "Số ca", "items": [{"indicator": "DENGUE_CASES"}]}],
    "narrative": [{"number": "I", "title": "Tình hình dịch"}],
}


def test_regimes_are_created_checked_and_retired(analyst_client):
    created = post(analyst_client, "/api/v1/reporting-regimes/", REGIME)
    assert created.status_code == 201, created.json()
    assert created.json()["sections"][0]["items"][0]["indicator"] == "DENGUE_CASES"
    schedule = analyst_client.get("/api/v1/reporting-regimes/DENGUE_TUAN/schedule?year=2026").json()
    assert len(schedule["periods"]) == 53  # 2026 has an ISO week 53
    duplicate = post(analyst_client, "/api/v1/reporting-regimes/", REGIME)
    assert duplicate.status_code == 422 and duplicate.json()["code"] == "duplicate_code"
    retired = post(analyst_client, "/api/v1/reporting-regimes/DENGUE_TUAN/retire", {})
    assert retired.json()["status"] == "retired"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            {
                "period_type": "monthly",
                "cutoff_rule": "decree09",
                "deadline_rule": "day_of_last_month",
                "deadline_value": 10,
                "sections": [],
            },
            "deadline_before_cutoff",
        ),
        (
            {"deadline_rule": "day_of_last_month", "deadline_value": 20},
            "deadline_rule_not_applicable",
        ),
        (
            {"period_type": "monthly", "deadline_rule": "day_of_next_month", "deadline_value": 5},
            "period_type_mismatch",
        ),
        ({"reporter_kinds": ["planet"]}, "unknown_kind"),
        ({"cutoff_rule": "lunar"}, "unknown_cutoff_rule"),
        ({"issuer": "NOWHERE"}, "unknown_orgunit"),
        ({"frequency": "sometimes"}, "unknown_frequency"),
        (
            {"sections": [{"code": "A", "name": "x", "items": [{"indicator": "NOPE"}]}]},
            "unknown_indicator",
        ),
    ],
)
def test_bad_regimes_are_refused(analyst_client, change, code):
    response = post(analyst_client, "/api/v1/reporting-regimes/", {**REGIME, **change})
    assert response.status_code == 422
    assert response.json()["code"] == code, response.json()


def test_regime_patch_and_its_audit(analyst_client):
    response = patch(
        analyst_client,
        "/api/v1/reporting-regimes/KTXH_TINH_THANG/",
        {"deadline_value": 18, "narrative": [{"number": "I", "title": "Tình hình chung"}]},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["deadline_value"] == 18
    assert response.json()["narrative"] == [
        {"number": "I", "title": "Tình hình chung", "guidance": ""}
    ]
    assert len(response.json()["sections"]) == 4  # untouched
    record = AuditRecord.objects.filter(object_repr__startswith="Báo cáo tình hình kinh tế").latest(
        "id"
    )
    assert record.before["deadline_value"] == 20 and record.after["deadline_value"] == 18
    too_early = patch(
        analyst_client, "/api/v1/reporting-regimes/KTXH_TINH_THANG/", {"deadline_value": 10}
    )
    assert too_early.status_code == 422 and too_early.json()["code"] == "deadline_before_cutoff"


def test_one_token_scope_covers_the_catalog_endpoints(analyst):
    from dieuhanh.accounts.services import create_token, parse_scopes

    assert parse_scopes("catalog:read,catalog:write") == ["catalog:read", "catalog:write"]
    with pytest.raises(Exception, match="indicators:read"):
        parse_scopes("indicators:read")
    _token, reader = create_token(None, analyst, "đọc danh mục", parse_scopes("catalog:read"))
    _token, other = create_token(None, analyst, "đơn vị", parse_scopes("orgunits:read"))
    client = Client()
    for url in ("/api/v1/indicators/", "/api/v1/reporting-regimes/", "/api/v1/metadata/export"):
        assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {reader}").status_code == 200
        assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 403
    write = client.patch(
        "/api/v1/indicators/EXPORTS/",
        json.dumps({"short_name": "XK"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"ApiToken {reader}",
    )
    assert write.status_code == 403
