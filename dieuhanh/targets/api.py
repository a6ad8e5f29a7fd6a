"""The register of programmes and projects and the plan's targets through the API: every
caller signed in reads them; the center's systems add and correct entries. Tasks name
programmes by code (``/api/v1/directives/tasks``: ``projects``); a target comes with how far
it is met on the figures the caller may read (``targets.progress``)."""

from __future__ import annotations

from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status

from dieuhanh.core.api_auth import permitted
from dieuhanh.core.api_errors import refusals as api_refusals
from dieuhanh.core.api_pagination import paginate
from dieuhanh.core.idempotency import run_once
from dieuhanh.targets import progress, services
from dieuhanh.targets.models import PlanTarget, Project

router = Router(tags=["targets"])


class ProjectIn(Schema):
    code: str = Field(description="A short code without spaces, e.g. CTMTQG-NTM")
    name: str
    kind: str = Field(description="target_programme, national_project, key_project or other")
    start_year: int
    end_year: int | None = None
    short_name: str = ""
    owner: str | None = Field(None, description="The agency in charge: uid or code")
    legal_basis: str = Field("", description="The resolution or decision that approved it")
    investment: Decimal | None = Field(None, description="Total investment, billion VND")
    locations: list[str] = Field([], description="Provinces where it is: uids or codes")
    description: str = ""


class ProjectOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    kind_label: str
    owner: str | None
    owner_name: str
    start_year: int
    end_year: int | None
    legal_basis: str
    investment: Decimal | None
    locations: list[str]
    description: str


class ProjectPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[ProjectOut]


def project_out(project: Project) -> dict:
    return {
        "code": project.code,
        "name": project.name,
        "short_name": project.short_name,
        "kind": project.kind,
        "kind_label": str(project.get_kind_display()),
        "owner": project.owner.uid if project.owner_id else None,
        "owner_name": project.owner.name if project.owner_id else "",
        "start_year": project.start_year,
        "end_year": project.end_year,
        "legal_basis": project.legal_basis,
        "investment": project.investment,
        "locations": [unit.uid for unit in project.locations.all()],
        "description": project.description,
    }


def _input(body: ProjectIn) -> services.ProjectInput:
    return services.ProjectInput(**body.dict())


def refusals():
    """A refusal of the register's services as the API's: an unknown code 404, an entry still
    named by tasks 409, bad input 422."""
    return api_refusals(
        Project.DoesNotExist,
        PlanTarget.DoesNotExist,
        conflicts={"project_in_use", "duplicate_target"},
    )


@router.get(
    "/projects",
    response=ProjectPage,
    auth=permitted(Project, "view"),
    operation_id="targets_projects",
)
def project_list(
    request,
    q: str = "",
    kind: str = "",
    owner: str = Query("", description="uid of the agency in charge"),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
):
    """The national target programmes, key national projects and other projects."""
    queryset = services.search(services.projects(request.auth), q)
    if kind:
        queryset = queryset.filter(kind=kind)
    if owner:
        queryset = queryset.filter(owner__uid=owner)
    return paginate(request, queryset.prefetch_related("locations"), limit, offset, project_out)


@router.post(
    "/projects",
    response={200: ProjectOut, 201: ProjectOut},
    auth=permitted(Project, "add"),
    operation_id="targets_project_create",
)
def project_create(request, body: ProjectIn):
    """A programme or project; sent again with the same code, it changes nothing and answers
    200 with what the register holds."""

    def handler():
        with refusals():
            project, created = services.create_project(request.auth, _input(body))
        return (201 if created else 200), project_out(project)

    return run_once(request, request.auth, request.body, handler)


@router.get(
    "/projects/{code}",
    response=ProjectOut,
    auth=permitted(Project, "view"),
    operation_id="targets_project",
)
def project_detail(request, code: str):
    with refusals():
        return project_out(services.get_project(request.auth, code))


@router.put(
    "/projects/{code}",
    response=ProjectOut,
    auth=permitted(Project, "change"),
    operation_id="targets_project_update",
)
def project_update(request, code: str, body: ProjectIn):
    """The center corrects an entry (its code too); the change is audited."""
    with refusals():
        project = services.get_project(request.auth, code)
        return project_out(services.update_project(request.auth, project, _input(body)))


@router.delete(
    "/projects/{code}",
    response={204: None},
    auth=permitted(Project, "delete"),
    operation_id="targets_project_delete",
)
def project_delete(request, code: str):
    """Remove an entry recorded by mistake; 409 ``project_in_use`` while tasks name it."""
    with refusals():
        services.delete_project(request.auth, services.get_project(request.auth, code))
    return Status(204, None)


# --- plan targets ---------------------------------------------------------------------------
class PlanTargetIn(Schema):
    year: int
    indicator: str = Field(description="The indicator's code")
    orgunit: str = Field(description="The unit the target is for: uid or code (the country too)")
    comparison: str = Field(description="at_least, at_most, about or between")
    value: Decimal
    upper: Decimal | None = Field(None, description="The upper bound of a `between` target")
    wording: str = Field("", description="The target as the resolution words it")
    legal_basis: str = Field("", description="The resolution or decision that set it")
    owner: str | None = Field(None, description="The agency that follows it: uid or code")
    note: str = ""


class ProgressOut(Schema):
    status: str
    status_label: str
    figure: float | None
    period: str | None
    final: bool
    elapsed: float | None = Field(None, description="The part of the year the figure covers")
    expected: float | None = Field(None, description="A flow's target on that pace")
    share: float | None = Field(None, description="Percent of the way to the target")


class PlanTargetOut(Schema):
    id: int
    year: int
    indicator: str
    indicator_name: str
    measurement_unit: str
    orgunit: str
    orgunit_name: str
    comparison: str
    value: Decimal
    upper: Decimal | None
    wording: str
    legal_basis: str
    owner: str | None
    owner_name: str
    note: str
    progress: ProgressOut


class PlanTargetPage(Schema):
    count: int
    next: str | None
    previous: str | None
    results: list[PlanTargetOut]


def plan_target_out(item: progress.Progress) -> dict:
    target = item.target
    indicator = target.indicator
    return {
        "id": target.pk,
        "year": target.year,
        "indicator": indicator.code,
        "indicator_name": indicator.name,
        "measurement_unit": indicator.unit_label,
        "orgunit": target.orgunit.uid,
        "orgunit_name": target.orgunit.name,
        "comparison": target.comparison,
        "value": target.value,
        "upper": target.upper,
        "wording": target.wording,
        "legal_basis": target.legal_basis,
        "owner": target.owner.uid if target.owner_id else None,
        "owner_name": target.owner.name if target.owner_id else "",
        "note": target.note,
        "progress": {
            "status": item.status,
            "status_label": str(item.status_label),
            "figure": item.figure,
            "period": item.period.code if item.period else None,
            "final": item.final,
            "elapsed": item.elapsed,
            "expected": item.expected,
            "share": item.share,
        },
    }


def _one(user, target: PlanTarget) -> dict:
    return plan_target_out(progress.progress(user, [target])[0])


def _target_input(body: PlanTargetIn) -> services.PlanTargetInput:
    return services.PlanTargetInput(**body.dict())


@router.get(
    "/plan",
    response=PlanTargetPage,
    auth=permitted(PlanTarget, "view"),
    operation_id="targets_plan",
)
def plan_list(
    request,
    year: int | None = None,
    indicator: str = Query("", description="The indicator's code"),
    orgunit: str = Query("", description="uid of the unit the targets are for"),
    q: str = Query("", description="Words of the wording or of the resolution that set it"),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
):
    """The plan's targets, each with how far it is met on the figures the caller may read."""
    user = request.auth
    queryset = services.search_targets(services.plan_targets(user), q)
    if year is not None:
        queryset = queryset.filter(year=year)
    if indicator:
        queryset = queryset.filter(indicator__code=indicator)
    if orgunit:
        queryset = queryset.filter(orgunit__uid=orgunit)
    return paginate(
        request,
        queryset,
        limit,
        offset,
        plan_target_out,
        prepare=lambda rows: progress.progress(user, rows),
    )


@router.post(
    "/plan",
    response={200: PlanTargetOut, 201: PlanTargetOut},
    auth=permitted(PlanTarget, "add"),
    operation_id="targets_plan_create",
)
def plan_create(request, body: PlanTargetIn):
    """A target; sent again for the same year, indicator and unit, it changes nothing and
    answers 200 with what the plan holds (correct it with PUT)."""

    def handler():
        with refusals():
            target, created = services.create_plan_target(request.auth, _target_input(body))
        return (201 if created else 200), _one(request.auth, target)

    return run_once(request, request.auth, request.body, handler)


@router.get(
    "/plan/{target_id}",
    response=PlanTargetOut,
    auth=permitted(PlanTarget, "view"),
    operation_id="targets_plan_target",
)
def plan_detail(request, target_id: int):
    with refusals():
        return _one(request.auth, services.get_plan_target(request.auth, target_id))


@router.put(
    "/plan/{target_id}",
    response=PlanTargetOut,
    auth=permitted(PlanTarget, "change"),
    operation_id="targets_plan_update",
)
def plan_update(request, target_id: int, body: PlanTargetIn):
    """Correct a target; the change is audited."""
    with refusals():
        target = services.get_plan_target(request.auth, target_id)
        target = services.update_plan_target(request.auth, target, _target_input(body))
        return _one(request.auth, target)


@router.delete(
    "/plan/{target_id}",
    response={204: None},
    auth=permitted(PlanTarget, "delete"),
    operation_id="targets_plan_delete",
)
def plan_delete(request, target_id: int):
    with refusals():
        target = services.get_plan_target(request.auth, target_id)
        services.delete_plan_target(request.auth, target)
    return Status(204, None)
