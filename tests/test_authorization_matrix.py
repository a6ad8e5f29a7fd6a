"""Who may reach what: every page and API operation, for every role, in and out of scope.

The rule tables below must name every URL pattern and every API operation; a new endpoint
without a rule fails ``test_every_endpoint_declares_a_rule``, so nothing can be added
without deciding who may call it.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dieuhanh.accounts.models import Role, User
from dieuhanh.api import api
from dieuhanh.catalog import services as catalog
from dieuhanh.catalog.models import Category, Disaggregation, Indicator, ReportingRegime
from dieuhanh.core.models import AuditRecord
from dieuhanh.core.querysets import permits
from dieuhanh.dashboards.models import BoundaryMap, Dashboard
from dieuhanh.datavalues.models import DataValue, ImportJob, Submission
from dieuhanh.directives import services as directives
from dieuhanh.directives.models import Document, ExtensionRequest, ProgressReport, Task
from dieuhanh.orgunits.models import OrgUnit, Succession
from dieuhanh.quality.models import FollowUp, RuleViolation, ValidationRule, ValueBound
from dieuhanh.targets import services as targets
from dieuhanh.targets.models import PlanTarget, Project
from tests.accounts.conftest import org  # noqa: F401 - the fixture

PUBLIC = "public"
SIGNED_IN = "signed in"

PAGE_RULES = {
    "healthz": PUBLIC,
    "set_language": PUBLIC,
    "accounts:login": PUBLIC,
    "accounts:sso_start": PUBLIC,
    "accounts:sso_callback": PUBLIC,
    "accounts:logout": SIGNED_IN,
    "accounts:two_factor_setup": SIGNED_IN,
    "accounts:password_change": SIGNED_IN,
    "accounts:user_list": (User, "view"),
    "accounts:user_new": (User, "add"),
    "accounts:user_detail": (User, "view"),
    "accounts:user_reset_password": (User, "change"),
    "accounts:two_factor_verify": SIGNED_IN,
    "core:home": SIGNED_IN,
    "core:audit_log": (AuditRecord, "view"),
    "core:notifications": SIGNED_IN,
    "orgunits:browse": SIGNED_IN,
    "orgunits:detail": SIGNED_IN,
    "orgunits:children": SIGNED_IN,
    "orgunits:edit": (OrgUnit, "change"),
    "orgunits:add_child": (OrgUnit, "add"),
    "orgunits:end": (OrgUnit, "change"),
    "orgunits:move": (OrgUnit, "change"),
    "orgunits:add_succession": (Succession, "add"),
    "catalog:browse": SIGNED_IN,
    "catalog:indicator": SIGNED_IN,
    "catalog:indicator_new": (Indicator, "add"),
    "catalog:indicator_edit": (Indicator, "change"),
    "catalog:indicator_retire": (Indicator, "change"),
    "catalog:regimes": SIGNED_IN,
    "catalog:regime": SIGNED_IN,
    "catalog:regime_new": (ReportingRegime, "add"),
    "catalog:regime_edit": (ReportingRegime, "change"),
    "catalog:regime_content": (ReportingRegime, "change"),
    "datavalues:choose": SIGNED_IN,
    "datavalues:entry": (DataValue, "view"),
    "datavalues:save": (DataValue, "add"),
    "datavalues:narrative": (DataValue, "add"),
    "datavalues:submit": (DataValue, "add"),
    "datavalues:imports": (ImportJob, "view"),
    "datavalues:import_job": (ImportJob, "view"),
    "datavalues:import_confirm": (ImportJob, "view"),
    "quality:home": (Submission, "view"),
    "quality:reports": (Submission, "view"),
    "quality:report": (Submission, "view"),
    "quality:report_step": (Submission, "view"),
    "quality:followups": (FollowUp, "view"),
    "quality:followup_step": (FollowUp, "view"),
    "quality:outliers": (DataValue, "view"),
    "analytics:pivot": (DataValue, "view"),
    "dashboards:list": (Dashboard, "view"),
    "dashboards:new": (Dashboard, "add"),
    "dashboards:wall": (Dashboard, "view"),
    "dashboards:adhoc_item": (Dashboard, "view"),
    "dashboards:item": (Dashboard, "view"),
    "dashboards:group": (Dashboard, "view"),
    "dashboards:indicator": (Dashboard, "view"),
    "dashboards:unit": (Dashboard, "view"),
    "dashboards:unit_figures": (Dashboard, "view"),
    "dashboards:unit_history": (Dashboard, "view"),
    "dashboards:unit_record": (Dashboard, "view"),
    "dashboards:boundaries": (BoundaryMap, "add"),
    "dashboards:boundary_file": SIGNED_IN,  # the map every signed-in user draws
    "dashboards:detail": (Dashboard, "view"),
    "dashboards:edit": (Dashboard, "change"),
    "dashboards:delete": (Dashboard, "delete"),
    "dashboards:pin": (Dashboard, "view"),
    "dashboards:item_new": (Dashboard, "change"),
    "dashboards:item_edit": (Dashboard, "change"),
    "dashboards:item_action": (Dashboard, "change"),
    "quality:violations": (RuleViolation, "view"),
    "quality:consistency": (DataValue, "view"),
    "directives:home": (Task, "view"),
    "directives:tasks": (Task, "view"),
    "directives:task": (Task, "view"),
    "directives:task_step": (Task, "view"),  # each step checks its own permission
    "directives:task_edit": (Task, "change"),
    "directives:task_new": (Task, "add"),
    "directives:documents": (Document, "view"),
    "directives:document": (Document, "view"),
    "directives:document_new": (Document, "add"),
    "directives:document_edit": (Document, "change"),
    "directives:attachment": SIGNED_IN,  # whoever may read what the file is attached to
    "directives:review": (ProgressReport, "review"),
    "directives:import": (Task, "add"),
    "directives:import_template": (Task, "add"),
    "directives:summary": (Task, "view"),
    "targets:projects": (Project, "view"),
    "targets:project": (Project, "view"),
    "targets:project_new": (Project, "add"),
    "targets:project_edit": (Project, "change"),
    "targets:project_delete": (Project, "delete"),
    "targets:plan": (PlanTarget, "view"),
    "targets:plan_target": (PlanTarget, "view"),
    "targets:plan_new": (PlanTarget, "add"),
    "targets:plan_import": (PlanTarget, "add"),
    "targets:plan_import_template": (PlanTarget, "add"),
    "targets:plan_edit": (PlanTarget, "change"),
    "targets:plan_delete": (PlanTarget, "delete"),
}

API_RULES = {
    "system_me": SIGNED_IN,
    "system_audit": (AuditRecord, "view"),
    "orgunits_list": PUBLIC,
    "orgunits_export": PUBLIC,
    "orgunits_map": PUBLIC,
    "orgunits_groups": PUBLIC,
    "orgunits_get": PUBLIC,
    "orgunits_ancestors": PUBLIC,
    "orgunits_predecessors": PUBLIC,
    "orgunits_successors": PUBLIC,
    "orgunits_history": SIGNED_IN,
    "orgunits_create": (OrgUnit, "add"),
    "orgunits_update": (OrgUnit, "change"),
    "orgunits_end": (OrgUnit, "change"),
    "orgunits_link": (OrgUnit, "change"),
    "orgunits_move": (OrgUnit, "change"),
    "orgunits_succession": (Succession, "add"),
    "orgunits_reform": (OrgUnit, "add"),
    "accounts_users": SIGNED_IN,  # the list itself is restricted to the caller's scope
    "accounts_user": (User, "view"),
    "accounts_user_update": (User, "change"),
    "accounts_tokens": SIGNED_IN,
    "accounts_token_create": SIGNED_IN,
    "accounts_token_revoke": SIGNED_IN,
    "indicators_list": PUBLIC,
    "indicators_groups": PUBLIC,
    "indicators_export": PUBLIC,
    "indicators_import": (Indicator, "change"),
    "indicators_get": PUBLIC,
    "indicators_create": (Indicator, "add"),
    "indicators_update": (Indicator, "change"),
    "indicators_retire": (Indicator, "change"),
    "disaggregations_list": PUBLIC,
    "disaggregations_categories": PUBLIC,
    "disaggregations_save_category": (Category, "add"),
    "disaggregations_get": PUBLIC,
    "disaggregations_create": (Disaggregation, "add"),
    "disaggregations_update": (Disaggregation, "change"),
    "regimes_list": PUBLIC,
    "regimes_get": PUBLIC,
    "regimes_schedule": PUBLIC,
    "regimes_reporters": PUBLIC,
    "regimes_create": (ReportingRegime, "add"),
    "regimes_update": (ReportingRegime, "change"),
    "regimes_retire": (ReportingRegime, "change"),
    "metadata_export": PUBLIC,
    "metadata_import": (Indicator, "change"),
    "datavalues_list": SIGNED_IN,  # rows through restrict(): none without the permission
    "datavalues_post": (DataValue, "add"),
    "datavalues_audit": SIGNED_IN,
    "datavalues_template": SIGNED_IN,  # the form of a report in the caller's view scope
    "imports_list": SIGNED_IN,
    "imports_create": (DataValue, "add"),
    "imports_get": SIGNED_IN,
    "imports_errors": SIGNED_IN,
    "quality_completeness": (Submission, "view"),
    "analytics_query": (DataValue, "view"),
    "quality_reports": (Submission, "view"),
    "quality_report": (Submission, "view"),
    "quality_report_submit": (DataValue, "add"),
    "quality_report_approve": (Submission, "approve"),
    "quality_report_accept": (Submission, "accept"),
    "quality_report_return": (Submission, "view"),  # the step checks approve or accept
    "quality_report_unlock": (Submission, "unlock"),
    "quality_outliers": (DataValue, "view"),
    "quality_followups": (FollowUp, "view"),
    "quality_followup_open": (FollowUp, "add"),
    "quality_followup_explain": (FollowUp, "change"),
    "quality_followup_correct": (FollowUp, "change"),
    "quality_followup_close": (FollowUp, "close"),
    "quality_bounds": (ValueBound, "view"),
    "quality_bound_set": (ValueBound, "change"),
    "quality_bounds_generate": (ValueBound, "add"),
    "quality_rules": PUBLIC,
    "quality_rule_save": (ValidationRule, "add"),
    "quality_rules_run": (RuleViolation, "run"),
    "quality_violations": (RuleViolation, "view"),
    "quality_scorecard": (Submission, "view"),
    "quality_consistency": (DataValue, "view"),
    "directives_documents": (Document, "view"),
    "directives_document_create": (Document, "add"),
    "directives_document": (Document, "view"),
    "directives_tasks": (Task, "view"),
    "directives_task_create": (Task, "add"),
    "directives_task": (Task, "view"),
    "directives_task_update": (Task, "change"),
    "directives_task_complete": (Task, "change"),
    "directives_task_reopen": (Task, "change"),
    "directives_task_withdraw": (Task, "change"),
    "directives_report_create": (ProgressReport, "add"),
    "directives_report_files": (ProgressReport, "add"),
    "directives_report_review": (ProgressReport, "review"),
    "directives_extension_create": (ExtensionRequest, "add"),
    "directives_extension_decide": (ExtensionRequest, "decide"),
    "directives_statistics": (Task, "view"),
    "targets_projects": (Project, "view"),
    "targets_project_create": (Project, "add"),
    "targets_project": (Project, "view"),
    "targets_project_update": (Project, "change"),
    "targets_project_delete": (Project, "delete"),
    "targets_plan": (PlanTarget, "view"),
    "targets_plan_create": (PlanTarget, "add"),
    "targets_plan_target": (PlanTarget, "view"),
    "targets_plan_update": (PlanTarget, "change"),
    "targets_plan_delete": (PlanTarget, "delete"),
}

# The DHIS2-compatible endpoints (/api/dataValueSets ...): they answer 401 in DHIS2's shape
# to anonymous callers, never a login redirect; writes need the data-value permissions.
DHIS2_RULES = {
    "dhis2:datavaluesets": (DataValue, "add"),
    "dhis2:task": SIGNED_IN,
    "dhis2:task_summary": SIGNED_IN,
}

# The catalog objects the parameterised URLs name (``{code}``).
CODE = "MATRIX"


@pytest.fixture
def catalog_objects(db):
    unit = catalog.save_unit_of_measure(None, "PERSONS", name="người", name_en="persons")
    indicator = catalog.create_indicator(
        None,
        code=CODE,
        name="Chỉ tiêu kiểm thử",
        unit=unit,
        period_type="monthly",
        aggregation="sum",
        time_aggregation="sum",
    )
    catalog.save_regime(
        None,
        CODE,
        name="Chế độ báo cáo kiểm thử",
        period_type="monthly",
        deadline_rule="day_of_next_month",
        deadline_value=5,
        sections=[catalog.SectionSpec("A", "A", [(indicator, None, True)])],
    )
    return indicator


@pytest.fixture
def directive_objects(org):  # noqa: F811
    """A document and a task led by the first province, so that the operations on one task
    reach a real row for every role allowed to see it."""
    document, _created = directives.create_document(
        None,
        directives.DocumentInput(
            number="1/NQ-CP", doc_type="resolution", issued_on="2026-01-08", excerpt="Kiểm thử"
        ),
    )
    # The programme the ``{code}`` of /projects/ names; the task names it, so that a delete
    # allowed by the rules answers 409 (in use) and the programme stays for the other calls.
    targets.create_project(
        None, targets.ProjectInput(code=CODE, name="Dự án kiểm thử", kind="other", start_year=2026)
    )
    task = directives.create_task(
        None,
        document,
        directives.TaskInput(content="Nhiệm vụ kiểm thử", lead=org["alpha"], projects=[CODE]),
    )

    def plan_target() -> str:
        """A target of the first province: made again after an allowed delete, so each
        call finds one."""
        made, _created = targets.create_plan_target(
            None,
            targets.PlanTargetInput(
                year=2026, indicator=CODE, orgunit=org["alpha"], comparison="at_least", value=1
            ),
        )
        return str(made.pk)

    return {"document_id": str(document.pk), "task_id": str(task.pk), "target_id": plan_target}


ROLE_CODES = [
    "center_admin",
    "center_analyst",
    "leader",
    "agency_admin",
    "agency_data_officer",
    "agency_approver",
    "data_consumer",
]


def page_patterns(resolver=None, namespace=""):
    """(name, pattern) of every page outside the admin and the API."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in {"admin", "api-v1", "dhis2"}:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from page_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def api_operations():
    spec = api.get_openapi_schema()
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield operation["operationId"], method.upper(), path


def test_every_endpoint_declares_a_rule():
    pages = {name for name, _pattern in page_patterns()}
    assert pages - set(PAGE_RULES) == set(), "add the new pages to PAGE_RULES"
    assert set(PAGE_RULES) - pages == set(), "remove rules of pages that are gone"
    dhis2 = {f"dhis2:{p.name}" for p in get_resolver().namespace_dict["dhis2"][1].url_patterns}
    assert dhis2 == set(DHIS2_RULES), "DHIS2_RULES must name every DHIS2-compatible endpoint"
    operations = {operation for operation, _m, _p in api_operations()}
    assert operations - set(API_RULES) == set(), "add the new operations to API_RULES"
    assert set(API_RULES) - operations == set(), "remove rules of operations that are gone"


def page_url(name, unit, username="commune_officer") -> str:
    route = str(dict(page_patterns())[name].pattern)
    kwargs = {"uid": unit.uid} if "<str:uid>" in route else {}
    if "<str:code>" in route:
        kwargs["code"] = CODE
    if "<int:pk>" in route:
        kwargs["pk"] = 0
    if "<str:username>" in route:
        kwargs["username"] = username
    if "<str:regime>" in route:
        kwargs["regime"] = CODE
    if "<str:unit>" in route:
        kwargs["unit"] = unit.uid
    if "<str:period>" in route:
        kwargs["period"] = (
            datetime.date.today().replace(day=1) - datetime.timedelta(days=1)
        ).strftime("%Y%m")
    return reverse(name, kwargs=kwargs)


def api_url(path: str, unit, username: str, objects: dict | None = None) -> str:
    """``path`` with its parameters filled; an object given as a function is made (again)
    when a call needs it."""
    values = {
        "uid": unit.uid,
        "username": username,
        "prefix": "dh_missing00",
        "code": CODE,
        "followup_id": "0",
        "report_id": "0",
        "extension_id": "0",
        **(objects or {"document_id": "0", "task_id": "0", "target_id": "0"}),
    }

    def value(match) -> str:
        found = values[match.group(1)]
        return found() if callable(found) else found

    return re.sub(r"\{(\w+)\}", value, path)


def call(client, method, url):
    if method == "GET":
        return client.get(url, {"units": ""} if url.endswith("/map") else None)
    return client.generic(method, url, "{}", content_type="application/json")


@pytest.mark.django_db
def test_anonymous_visitors_reach_only_public_endpoints(org, catalog_objects):  # noqa: F811
    client = Client()
    for name, rule in PAGE_RULES.items():
        response = client.get(page_url(name, org["alpha"]))
        redirected_to_login = (
            response.status_code == 302 and "/accounts/login/" in response["Location"]
        )
        assert redirected_to_login == (rule != PUBLIC), name
    for operation, method, path in api_operations():
        response = call(client, method, api_url(path, org["alpha"], "alpha_officer"))
        assert (response.status_code == 401) == (API_RULES[operation] != PUBLIC), operation


DHIS2_URLS = {
    "dhis2:datavaluesets": "/api/dataValueSets?dataElement=X&period=202501&orgUnit=X",
    "dhis2:task": "/api/system/tasks/DATAVALUE_IMPORT/missing0000",
    "dhis2:task_summary": "/api/system/taskSummaries/DATAVALUE_IMPORT/missing0000",
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, *ROLE_CODES])
def test_dhis2_endpoints(org, role):  # noqa: F811
    client = Client()
    if role:
        client.force_login(user_with_role(org, role))
    for name in DHIS2_RULES:
        status = client.get(DHIS2_URLS[name]).status_code
        assert status == 401 if role is None else status in (200, 404), (name, role, status)
    # Writes never ride on the browser session (no CSRF token): a token or Basic is needed.
    status = client.post("/api/dataValueSets", "{}", content_type="application/json").status_code
    assert status == 401, (role, status)


def user_with_role(org, code):  # noqa: F811
    user = User.objects.create_user(
        username=f"role_{code}", password="Mat-khau-2026!", orgunit=org["alpha"]
    )
    user.roles.add(Role.objects.get(code=code))
    return User.objects.get(pk=user.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLE_CODES)
def test_each_role_is_allowed_or_refused_as_its_permissions_say(
    org,  # noqa: F811
    catalog_objects,
    directive_objects,
    role,
):
    user = user_with_role(org, role)
    client = Client()
    client.force_login(user)
    for name, rule in PAGE_RULES.items():
        if name == "accounts:logout":
            continue  # signing out would end the session for the rest of the loop
        status = client.get(page_url(name, org["alpha"])).status_code
        allowed = rule in (PUBLIC, SIGNED_IN) or permits(user, *rule)
        assert (status == 403) == (not allowed), (name, status)
        assert status < 500, name
    for operation, method, path in api_operations():
        rule = API_RULES[operation]
        for username, inside in (("commune_officer", True), ("beta_officer", False)):
            response = call(
                client, method, api_url(path, org["alpha"], username, directive_objects)
            )
            status = response.status_code
            assert status < 500, (operation, status)
            if rule in (PUBLIC, SIGNED_IN):
                assert status not in (401, 403), (operation, status)
                continue
            model, action = rule
            if not permits(user, model, action):
                # Refused; a user the caller may not even see answers 404.
                assert status in (403, 404) and (status == 403 or model is User), (
                    operation,
                    status,
                )
            elif model is User and not inside and not user.roles.filter(country_wide=True):
                assert status == 404, (operation, username, status)  # outside the scope
            else:
                assert status not in (401, 403, 404), (operation, username, status)
