"""The register's pages: the list with its tasks counted, a programme or project with the
tasks that concern it and their four counts, and the center's form; the plan's targets of a
year with how far each is met, a target with its figures, and their form. Thin: the rules
are in ``services`` and ``progress``; the tasks come through ``directives`` (the user's own
view of them), the figures through the analytics engine."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from dieuhanh.analytics.exports import XLSX, xlsx_file
from dieuhanh.core.exports import audit_export
from dieuhanh.core.paging import page_of
from dieuhanh.core.querysets import denied, permits
from dieuhanh.directives import services as task_services
from dieuhanh.directives import stats
from dieuhanh.directives.filters import TaskFilter
from dieuhanh.directives.models import Task
from dieuhanh.directives.status import status_of
from dieuhanh.orgunits.models import OrgUnitKind
from dieuhanh.orgunits.services import AGENCY_KINDS, unit_choices
from dieuhanh.targets import imports, progress, services
from dieuhanh.targets.forms import PlanImportForm, PlanTargetForm, ProjectForm
from dieuhanh.targets.models import PlanTarget, Project, ProjectKind

PER_PAGE = 50
TARGETS_PER_PAGE = 50  # the counts and the Excel cover every target, the page these
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


# --- plan targets ---------------------------------------------------------------------------
def _require_target(user, action: str = "view") -> None:
    if not permits(user, PlanTarget, action):
        raise denied(PlanTarget, action)


def _found_target(user, pk: int) -> PlanTarget:
    try:
        return services.get_plan_target(user, pk)
    except PlanTarget.DoesNotExist as error:
        raise Http404(str(error)) from error


def _chosen_year(request, years: list[int]) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = None
    if year in years:
        return year
    this_year = timezone.localdate().year
    return this_year if this_year in years or not years else years[0]


@login_required
def plan_list(request):
    """The year's targets, the worst first, with the count of each status on top."""
    user = request.user
    _require_target(user)
    years = services.target_years(user)
    year = _chosen_year(request, years)
    q = request.GET.get("q", "").strip()
    unit = request.GET.get("orgunit", "")
    status = request.GET.get("status", "")
    queryset = services.plan_targets(user).filter(year=year)
    units = services.units_with_targets(queryset)
    queryset = services.search_targets(queryset, q)
    if unit:
        queryset = queryset.filter(orgunit__uid=unit)
    items = progress.progress(user, queryset.order_by("orgunit__code", "indicator__code"))
    tally = progress.counts(items)
    if status in tally:
        items = [item for item in items if item.status == status]
    order = {value: n for n, value in enumerate(progress.STATUS_ORDER)}
    items.sort(key=lambda item: order[item.status])
    if request.GET.get("format") == "xlsx":
        return _targets_workbook(user, year, items)  # every one, not a page
    page, query = page_of(request, items, TARGETS_PER_PAGE)
    return render(
        request,
        "targets/plan.html",
        {
            "year": year,
            "years": years or [year],
            "items": page.object_list,
            "page": page,
            "query": query,
            "tally": [
                (progress.TargetStatus(value), n, progress.TONE[value])
                for value, n in tally.items()
            ],
            "total": sum(tally.values()),
            "q": q,
            "unit": unit,
            "units": units,
            "status": status,
            "may_add": permits(user, PlanTarget, "add"),
            "download": _with(request.GET, format="xlsx", year=year),
        },
    )


def _with(params, **changes) -> str:
    """The query string of ``params`` with ``changes``."""
    params = params.copy()
    for name, value in changes.items():
        params[name] = value
    return params.urlencode()


def _targets_workbook(user, year: int, items) -> FileResponse:
    """The list as shown, for the Excel the Government Office's report is written in."""
    columns = [
        _("Indicator"),
        _("For"),
        _("Comparison"),
        _("Target"),
        _("Up to"),
        _("Unit of measure"),
        _("Figure"),
        _("Period"),
        _("On the pace of the year"),
        _("Towards the target (%)"),
        _("Status"),
        _("Wording"),
        _("Set by"),
    ]

    def number(value, decimals):
        return None if value is None else round(value, decimals)

    rows = []
    for item in items:
        target = item.target
        indicator = target.indicator
        rows.append(
            [
                indicator.name,
                target.place,
                str(target.get_comparison_display()),
                target.bounds[0],
                target.bounds[1],
                indicator.unit_label,
                number(item.figure, indicator.decimals),
                item.period.label() if item.period else "",
                number(item.expected, indicator.decimals),
                number(item.share, 1),
                str(item.status_label),
                target.wording,
                target.legal_basis,
            ]
        )
    audit_export(user, "targets.plan", {"year": year, "rows": len(rows)})
    name = f"chi-tieu-ke-hoach-{year}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    return FileResponse(
        xlsx_file(columns, rows), as_attachment=True, filename=name, content_type=XLSX
    )


@login_required
def plan_detail(request, pk: int):
    user = request.user
    _require_target(user)
    target = _found_target(user, pk)
    item = progress.progress(user, [target])[0]
    return render(
        request,
        "targets/plan_target.html",
        {
            "target": target,
            "item": item,
            "may_change": permits(user, PlanTarget, "change"),
            "may_delete": permits(user, PlanTarget, "delete"),
        },
    )


def _target_form(request, data=None, initial=None) -> PlanTargetForm:
    user = request.user
    indicators = services.indicators_for_targets(user)
    return PlanTargetForm(
        data,
        initial=initial,
        indicators=[(i.code, f"{i.code} - {i.name}") for i in indicators],
        units=unit_choices(user, (OrgUnitKind.GOVERNMENT, OrgUnitKind.PROVINCE)),
        agencies=unit_choices(user, AGENCY_KINDS),
    )


def _target_input(data: dict) -> services.PlanTargetInput:
    return services.PlanTargetInput(
        year=data["year"],
        indicator=data["indicator"],
        orgunit=data["orgunit"],
        comparison=data["comparison"],
        value=data["value"],
        upper=data.get("upper"),
        wording=data.get("wording", ""),
        legal_basis=data.get("legal_basis", ""),
        owner=data.get("owner") or None,
        note=data.get("note", ""),
    )


@login_required
def plan_new(request):
    user = request.user
    _require_target(user, "add")
    initial = {"year": timezone.localdate().year, "comparison": "at_least"}
    form = _target_form(request, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            target, created = services.create_plan_target(user, _target_input(form.cleaned_data))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if created:
                messages.success(request, _("The target is in the plan."))
            else:
                messages.info(
                    request,
                    _("The plan has a target of this year for this indicator and unit already."),
                )
            return redirect("targets:plan_target", pk=target.pk)
    return render(request, "targets/plan_form.html", {"form": form, "target": None})


@login_required
def plan_edit(request, pk: int):
    user = request.user
    _require_target(user, "change")
    target = _found_target(user, pk)
    initial = {
        "year": target.year,
        "indicator": target.indicator.code,
        "orgunit": target.orgunit.uid,
        "comparison": target.comparison,
        "value": target.bounds[0],
        "upper": target.bounds[1],
        "wording": target.wording,
        "legal_basis": target.legal_basis,
        "owner": target.owner.uid if target.owner_id else "",
        "note": target.note,
    }
    form = _target_form(request, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            target = services.update_plan_target(user, target, _target_input(form.cleaned_data))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("targets:plan_target", pk=target.pk)
    return render(
        request,
        "targets/plan_form.html",
        {"form": form, "target": target, "may_delete": permits(user, PlanTarget, "delete")},
    )


@login_required
def plan_delete(request, pk: int):
    user = request.user
    _require_target(user, "delete")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    target = _found_target(user, pk)
    year = target.year
    services.delete_plan_target(user, target)
    messages.success(request, _("The target is removed from the plan."))
    return redirect(reverse("targets:plan") + "?" + urlencode({"year": year}))


@login_required
def plan_import(request):
    user = request.user
    _require_target(user, "add")
    form = PlanImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = imports.import_targets(
            user, form.cleaned_data["file"], commit=form.cleaned_data["commit"]
        )
        if result.committed:
            messages.success(
                request,
                _("%(created)d targets added, %(updated)d corrected, %(skipped)d unchanged.")
                % {"created": result.created, "updated": result.updated, "skipped": result.skipped},
            )
    return render(request, "targets/plan_import.html", {"form": form, "result": result})


@login_required
def plan_import_template(request):
    _require_target(request.user, "add")
    return FileResponse(
        imports.template(), as_attachment=True, filename="mau-nhap-chi-tieu.xlsx", content_type=XLSX
    )
