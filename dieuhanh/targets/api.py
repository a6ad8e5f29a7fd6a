"""The register of programmes and projects through the API: every caller signed in reads
it; the center's systems add and correct entries. Tasks name them by code
(``/api/v1/directives/tasks``: ``projects``)."""

from __future__ import annotations

from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status

from dieuhanh.core.api_auth import permitted
from dieuhanh.core.api_errors import refusals as api_refusals
from dieuhanh.core.api_pagination import paginate
from dieuhanh.core.idempotency import run_once
from dieuhanh.targets import services
from dieuhanh.targets.models import Project

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
    return api_refusals(Project.DoesNotExist, conflicts={"project_in_use"})


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
