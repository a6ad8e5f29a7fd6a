"""Validation rules: the reference set loads once, definitions are checked against the
catalog, a run finds violations with the values used and replaces them when data is fixed,
missing-value strategies and pairs behave, and access follows the roles and scopes."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from dieuhanh.core.models import AuditRecord
from dieuhanh.datavalues.entry import CellInput, find_report, save_cells
from dieuhanh.datavalues.models import ImportJob
from dieuhanh.quality import rules
from dieuhanh.quality.models import RuleViolation, ValidationRule, ValidationRuleGroup
from tests.catalog.conftest import user_with_role
from tests.quality.test_completeness import REGIME, months_ago, province

BASE = "/api/v1/quality"


@pytest.fixture
def reference(catalog, db):
    return rules.load_reference_rules()


@pytest.fixture
def people(reference):
    return {
        "analyst": user_with_role("center_analyst", "chuyen_vien"),
        "officer": user_with_role("agency_data_officer", "can_bo_ha_noi", orgunit=province("01")),
        "outsider": user_with_role(
            "agency_data_officer", "can_bo_hai_phong", orgunit=province("31")
        ),
    }


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(user, path, body):
    return client_for(user).post(
        f"{BASE}{path}", json.dumps(body, default=str), content_type="application/json"
    )


def enter(user, unit, period, cells):
    report = find_report(user, REGIME, unit.uid, period.code)
    result = save_cells(user, *report, [CellInput(code, None, value) for code, value in cells])
    assert result.conflicts == [], result.conflicts


def test_the_reference_rules_load_once(reference):
    assert reference["rules"] == ValidationRule.objects.count() >= 25
    assert reference["groups"] == ValidationRuleGroup.objects.count() == 3
    assert rules.load_reference_rules() == {"groups": 0, "rules": 0}
    created = AuditRecord.objects.filter(content_type__model="validationrule", action="create")
    assert created.count() == reference["rules"]
    every = rules.compile_rules(ValidationRule.objects.all())
    assert all(rule.codes for rule in every)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"left": "#{NO_SUCH}", "operator": ">=", "right": "0"}, "formula_unknown_reference"),
        ({"left": "previous(#{EXPORTS})", "operator": ">=", "right": "0"}, "formula_offset"),
        ({"left": "#{EXPORTS} >", "operator": ">=", "right": "0"}, "formula_unexpected_end"),
        ({"left": "#{EXPORTS}", "operator": "≈", "right": "0"}, "invalid_operator"),
        ({"left": "#{GRDP_CURRENT}", "operator": ">", "right": "0"}, "period_type_mismatch"),
    ],
)
def test_a_rule_is_checked_against_the_catalog(reference, fields, code):
    with pytest.raises(ValidationError) as refused:
        rules.save_rule(None, "BAD", name="Sai", period_type="monthly", **fields)
    assert refused.value.code == code, refused.value


def test_a_run_finds_violations_with_the_values_used_and_forgets_them_once_fixed(people):
    analyst, officer = people["analyst"], people["officer"]
    hanoi, period = province("01"), months_ago(2)
    enter(
        officer,
        hanoi,
        period,
        [("EXPORTS", "-5"), ("COMPLAINTS_RECEIVED", "5"), ("COMPLAINTS_RESOLVED", "9")],
    )
    window = {"start": period.start, "end": period.start}
    assert post(officer, "/rules/run", window).status_code == 403
    ran = post(analyst, "/rules/run", window)
    assert ran.status_code == 200, ran.content
    body = ran.json()
    assert body["queued"] is False and body["reports"] >= 1
    assert body["by_rule"] == {
        "EXPORTS_NONNEG": 1,
        "TRADE_PAIR": 1,
        "COMPLAINTS_RESOLVED_LE_RECEIVED": 1,
    }
    listed = client_for(officer).get(f"{BASE}/violations", {"period": period.code}).json()
    found = {row["rule"]: row for row in listed["results"]}
    assert set(found) == set(body["by_rule"])
    resolved = found["COMPLAINTS_RESOLVED_LE_RECEIVED"]
    assert (resolved["left_value"], resolved["right_value"]) == (9.0, 5.0)
    assert resolved["values"] == {"#{COMPLAINTS_RESOLVED}": 9.0, "#{COMPLAINTS_RECEIVED}": 5.0}
    assert "giải trình" in resolved["instruction"] and resolved["orgunit_code"] == "01"
    assert client_for(people["outsider"]).get(f"{BASE}/violations").json()["count"] == 0

    enter(
        officer, hanoi, period, [("EXPORTS", "5"), ("IMPORTS", "3"), ("COMPLAINTS_RESOLVED", "4")]
    )
    again = post(analyst, "/rules/run", window).json()
    assert again["violations"] == 0
    assert RuleViolation.objects.count() == 0
    assert AuditRecord.objects.filter(action="validation_run").count() == 2


def test_missing_value_strategies_and_pairs():
    rule = rules.CompiledRule(
        id=1,
        code="R",
        name="R",
        instruction="",
        importance="high",
        period_type="monthly",
        operator="<=",
        left=rules.formulas.parse("#{A} + #{B}"),
        right=rules.formulas.parse("#{C}"),
        left_missing="skip_if_any_missing",
        right_missing="skip_if_any_missing",
        kinds=None,
    )

    fields = {k: v for k, v in rule.__dict__.items() if not k.endswith("_fn")}

    def cells(**values):
        found = rules.Cells()
        for code, number in values.items():
            found.add(code, (), number)
        return found

    assert rules.judge(rule, cells(A=5, C=1)) is None  # B missing: skipped
    assert rules.judge(rule, cells(A=5, B=1, C=1))[:2] == (6, 1)
    never = rules.CompiledRule(**{**fields, "left_missing": "never_skip"})
    assert never and rules.judge(never, cells(A=5, C=1))[:2] == (5, 1)  # B counts as 0
    all_missing = rules.CompiledRule(**{**fields, "left_missing": "skip_if_all_missing"})
    assert rules.judge(all_missing, cells(C=1)) is None
    assert rules.judge(all_missing, cells(A=2, C=1)) is None  # B None makes the sum None
    pair = rules.CompiledRule(**{**fields, "operator": "compulsory_pair"})
    assert rules.judge(pair, cells(A=1, B=1)) is not None
    assert rules.judge(pair, cells(A=1, C=2)) is None
    assert rules.judge(pair, cells()) is None
    exclusive = rules.CompiledRule(**{**fields, "operator": "exclusive_pair"})
    assert rules.judge(exclusive, cells(A=1, C=2)) is not None
    assert rules.judge(exclusive, cells(A=1)) is None
    equal = rules.CompiledRule(**{**fields, "operator": "=="})
    assert rules.judge(equal, cells(A=0.1, B=0.2, C=0.3)) is None  # rounding is allowed


def test_rules_are_read_by_all_and_written_by_the_center(people):
    listed = Client().get(f"{BASE}/rules", {"group": "PAIRS"}).json()
    assert {row["code"] for row in listed["results"]} == {"TRADE_PAIR", "COMPLAINTS_PAIR"}
    body = {
        "code": "EXPORTS_CAP",
        "name": "Xuất khẩu tháng dưới 100 tỷ USD",
        "period_type": "monthly",
        "left": "#{EXPORTS}",
        "operator": "<",
        "right": "100000",
        "groups": ["VALUE_RANGES"],
    }
    assert post(people["officer"], "/rules", body).status_code == 403
    created = post(people["analyst"], "/rules", body)
    assert created.status_code == 200, created.content
    assert created.json()["groups"] == ["VALUE_RANGES"]
    changed = post(people["analyst"], "/rules", {"code": "EXPORTS_CAP", "importance": "low"})
    assert changed.json()["importance"] == "low" and changed.json()["right"] == "100000"
    wrong = post(people["analyst"], "/rules", {"code": "EXPORTS_CAP", "right": "#{NOPE}"})
    assert (wrong.status_code, wrong.json()["code"]) == (422, "formula_unknown_reference")
    records = AuditRecord.objects.filter(
        content_type__model="validationrule",
        object_id=str(ValidationRule.objects.get(code="EXPORTS_CAP").pk),
    )
    assert [r.action for r in records.order_by("id")] == ["create", "update"]


def test_a_run_over_everything_is_queued_for_the_worker(
    people, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(
        "dieuhanh.quality.tasks.run_rules_for.delay", lambda *args: queued.append(args)
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = post(people["analyst"], "/rules/run", {"group": "PAIRS"})
    assert response.json()["queued"] is True
    [(user_id, rule_ids)] = queued
    assert user_id == people["analyst"].pk and len(rule_ids) == 2
    from dieuhanh.quality.tasks import run_rules_for

    assert run_rules_for(user_id, rule_ids) == 0
    unknown = post(
        people["analyst"], "/rules/run", {"rules": ["NOPE"], "start": datetime.date.today()}
    )
    assert (unknown.status_code, unknown.json()["code"]) == (422, "unknown_rule")


def test_the_entry_form_shows_the_rules_its_values_break(people):
    officer, hanoi, period = people["officer"], province("01"), months_ago(1)
    client = client_for(officer)
    url = f"/data/entry/{REGIME}/{hanoi.uid}/{period.code}/"
    saved = client.post(
        f"{url}save/",
        json.dumps({"cells": [{"indicator": "EXPORTS", "value": "-5"}]}),
        content_type="application/json",
    ).json()
    assert saved["ok"] is True  # a warning never stops saving
    assert {w["rule"] for w in saved["warnings"]} == {"EXPORTS_NONNEG", "TRADE_PAIR"}
    pair = next(w for w in saved["warnings"] if w["rule"] == "TRADE_PAIR")
    assert pair["indicators"] == ["EXPORTS", "IMPORTS"]
    html = client.get(url).content.decode()
    panel = html[html.index('data-testid="rule-warnings"') :]
    assert "Kim ngạch xuất khẩu không được là số âm." in panel[: panel.index("</div>\n  </div>")]
    row = html[html.index('data-row="IMPORTS"') :]
    assert "đề nghị báo cáo đủ cả hai" in row[: row.index("</th>")]
    fixed = client.post(
        f"{url}save/",
        json.dumps(
            {
                "cells": [
                    {"indicator": "EXPORTS", "value": "5"},
                    {"indicator": "IMPORTS", "value": "4"},
                ]
            }
        ),
        content_type="application/json",
    ).json()
    assert fixed["warnings"] == []
    assert 'data-testid="rule-warnings" hidden' in client.get(url).content.decode()


def test_an_import_is_checked_against_the_rules_and_its_page_says_so(people):
    officer = people["officer"]
    period = months_ago(1).code
    client = client_for(officer)
    values = [{"indicator": "EXPORTS", "orgunit": "01", "period": period, "value": "-3"}]
    dry = client.post(
        "/api/v1/datavalues/?dry_run=true", json.dumps(values), content_type="application/json"
    ).json()
    assert ImportJob.objects.get(uid=dry["job"]).checked == {}  # nothing written, nothing checked
    done = client.post("/api/v1/datavalues/", json.dumps(values), content_type="application/json")
    job = ImportJob.objects.get(uid=done.json()["job"])
    assert job.checked["violations"] == 2 and job.checked["periods"] == [period]
    assert job.checked["units"] == [province("01").pk]
    page = client.get(f"/data/imports/{job.uid}/").content.decode()
    panel = page[page.index('data-testid="job-rules"') :]
    assert 'data-count="2"' in panel[:200]
    assert "Kim ngạch xuất khẩu không được là số âm." in panel
