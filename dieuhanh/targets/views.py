"""The register's pages: the list with its tasks counted, a programme or project with the
tasks that concern it and their four counts, and the center's form. Thin: the rules are in
``services``; the tasks come through ``directives`` (the user's own view of them)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from dieuhanh.core.paging import page_of
from dieuhanh.core.querysets import denied, permits
from dieuhanh.directives import services as task_services
from dieuhanh.directives import stats
from dieuhanh.directives.filters import TaskFilter
from dieuhanh.directives.models import Task
from dieuhanh.directives.status import status_of
from dieuhanh.orgunits.services import AGENCY_KINDS, unit_choices
from dieuhanh.targets import services
from dieuhanh.targets.forms import ProjectForm
from dieuhanh.targets.models import Project, ProjectKind

PER_PAGE = 50
TASKS_SHOWN = 100


def _require(user, action: str = "view") -> None:
    if not permits(user, Project, action):
        raise denied(Project, action)


def _found(user, code: str) -> Project:
    try:
        return services.get_project(user, code)
    except Project.DoesNotExist as error:
        raise Http404(str(error)) from error


@login_required
def project_list(request):
    user = request.user
    _require(user)
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    queryset = services.search(services.projects(user), q)
    if kind in ProjectKind.values:
        queryset = queryset.filter(kind=kind)
    page, query = page_of(request, queryset, PER_PAGE)
    counts = {}
    if permits(user, Task, "view"):
        counts = dict(
            task_services.tasks(user)
            .filter(projects__in=[project.pk for project in page.object_list])
            .values_list("projects")
            .annotate(n=Count("pk"))
        )
    return render(
        request,
        "targets/projects.html",
        {
            "rows": [(project, counts.get(project.pk, 0)) for project in page.object_list],
            "page": page,
            "query": query,
            "q": q,
            "kind": kind,
            "kinds": ProjectKind.choices,
            "may_add": permits(user, Project, "add"),
            "shows_tasks": permits(user, Task, "view"),
        },
    )


@login_required
def project_detail(request, code: str):
    user = request.user
    _require(user)
    project = _found(user, code)
    context = {
        "project": project,
        "locations": project.locations.order_by("name"),
        "may_change": permits(user, Project, "change"),
        "shows_tasks": permits(user, Task, "view"),
    }
    if context["shows_tasks"]:
        today = timezone.localdate()
        filters = TaskFilter(project=project.code)
        tasks = filters.apply(task_services.tasks(user)).order_by("deadline", "id")
        context.update(
            total=stats.statistics(user, by="kind", filters=filters).total,
            items=[(task, status_of(task, today)) for task in tasks[:TASKS_SHOWN]],
            more=tasks.count() > TASKS_SHOWN,
            tasks_url=reverse("directives:tasks") + "?" + urlencode({"project": project.code}),
        )
    return render(request, "targets/project.html", context)


def _form(request, data=None, initial=None) -> ProjectForm:
    return ProjectForm(
        data,
        initial=initial,
        agencies=unit_choices(request.user, AGENCY_KINDS),
        provinces=unit_choices(request.user, ("province",)),
    )


def _input(data: dict) -> services.ProjectInput:
    return services.ProjectInput(
        code=data["code"],
        name=data["name"],
        kind=data["kind"],
        start_year=data["start_year"],
        end_year=data.get("end_year"),
        short_name=data.get("short_name", ""),
        owner=data.get("owner") or None,
        legal_basis=data.get("legal_basis", ""),
        investment=data.get("investment"),
        locations=data.get("locations") or [],
        description=data.get("description", ""),
    )


@login_required
def project_new(request):
    user = request.user
    _require(user, "add")
    form = _form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project, created = services.create_project(user, _input(form.cleaned_data))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if created:
                messages.success(request, _("The programme or project is in the register."))
            else:
                messages.info(request, _("The register holds this code already."))
            return redirect("targets:project", code=project.code)
    return render(request, "targets/project_form.html", {"form": form, "project": None})


@login_required
def project_edit(request, code: str):
    user = request.user
    _require(user, "change")
    project = _found(user, code)
    initial = {
        "code": project.code,
        "name": project.name,
        "short_name": project.short_name,
        "kind": project.kind,
        "owner": project.owner.uid if project.owner_id else "",
        "start_year": project.start_year,
        "end_year": project.end_year,
        "legal_basis": project.legal_basis,
        "investment": project.investment,
        "locations": list(project.locations.values_list("uid", flat=True)),
        "description": project.description,
    }
    form = _form(request, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.update_project(user, project, _input(form.cleaned_data))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("targets:project", code=project.code)
    return render(
        request,
        "targets/project_form.html",
        {"form": form, "project": project, "may_delete": permits(user, Project, "delete")},
    )


@login_required
def project_delete(request, code: str):
    user = request.user
    _require(user, "delete")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    project = _found(user, code)
    try:
        services.delete_project(user, project)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("targets:project", code=project.code)
    messages.success(request, _("%(code)s is removed from the register.") % {"code": code})
    return redirect("targets:projects")
