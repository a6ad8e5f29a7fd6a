"""Pages: browse the hierarchy as of a date, a unit's page and history, edits."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.core.paging import page_of
from dieuhanh.core.querysets import permits
from dieuhanh.orgunits import services
from dieuhanh.orgunits.filters import UnitFilter, with_parent_on
from dieuhanh.orgunits.forms import (
    BrowseForm,
    ChildUnitForm,
    EndForm,
    MoveForm,
    SuccessionForm,
    UnitForm,
)
from dieuhanh.orgunits.models import OrgUnit, OrgUnitKind, Succession

TOP_LEVEL_ORDER = [
    OrgUnitKind.MINISTRY,
    OrgUnitKind.MINISTRY_LEVEL,
    OrgUnitKind.GOVERNMENT_AGENCY,
    OrgUnitKind.PROVINCE,
]


def _day(request):
    form = BrowseForm(request.GET or None)
    day = timezone.localdate()
    if form.is_bound and form.is_valid() and form.cleaned_data.get("as_of"):
        day = form.cleaned_data["as_of"]
    return form, day


@login_required
def browse(request):
    form, day = _day(request)
    context = {"form": form, "day": day}
    q = form.cleaned_data.get("q") if form.is_bound and form.is_valid() else ""
    kind = form.cleaned_data.get("kind") if form.is_bound and form.is_valid() else ""
    units = OrgUnit.objects.restrict(request.user, "view")
    if q or kind:
        results = UnitFilter(as_of=day, q=q or None, kind=kind or None).apply(units)
        page, query = page_of(request, results, 100)
        context.update(results=page, query=query, searching=True)
    else:
        root = services.root_unit(day)
        sections = []
        if root is not None:
            top = with_parent_on(services.children_on(root, day), day)
            by_kind = {}
            context["counts"] = services.child_counts(top, day)
            for unit in top.order_by("code"):
                by_kind.setdefault(unit.kind, []).append(unit)
            for unit_kind in TOP_LEVEL_ORDER:
                if by_kind.get(unit_kind):
                    sections.append((OrgUnitKind(unit_kind).label, by_kind[unit_kind]))
        context.update(root=root, sections=sections, searching=False)
    return render(request, "orgunits/browse.html", context)


@login_required
def children(request, uid):
    """The units directly under one unit on a day (loaded into the tree by HTMX)."""
    unit = get_object_or_404(OrgUnit.objects.restrict(request.user, "view"), uid=uid)
    _form, day = _day(request)
    rows = services.children_on(unit, day).order_by("kind", "code")
    counts = services.child_counts(rows, day)
    return render(
        request,
        "orgunits/_children.html",
        {"unit": unit, "children": rows, "day": day, "counts": counts},
    )


@login_required
def detail(request, uid):
    unit = get_object_or_404(OrgUnit.objects.restrict(request.user, "view"), uid=uid)
    form, day = _day(request)
    if not unit.is_valid_on(day) and not request.GET.get("as_of"):
        day = unit.valid_to or unit.valid_from or day
    children_qs = services.children_on(unit, day).order_by("kind", "code")
    context = {
        "unit": unit,
        "day": day,
        "form": form,
        "ancestors": services.ancestors(unit, day),
        "children": children_qs[:300],
        "children_count": children_qs.count(),
        "parent_links": services.parent_links(unit),
        "story": services.history_sentences(unit),
        "predecessors": services.predecessors(unit),
        "successors": services.successors(unit),
        "groups": unit.groups.select_related("group_set"),
        "can_change": permits(request.user, OrgUnit, "change"),
        "can_add": permits(request.user, OrgUnit, "add"),
    }
    if request.user.is_staff:
        context["changes"] = services.change_records(unit)[:50]
    return render(request, "orgunits/detail.html", context)


def _edit_page(request, unit, form, title, on_valid):
    """Show ``form``; when valid, run ``on_valid`` (a service call) and go back to the unit.
    A broken rule is shown on the form with the service's message."""
    if request.method == "POST" and form.is_valid():
        try:
            result = on_valid(form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Saved."))
            target = result if isinstance(result, OrgUnit) else unit
            return redirect("orgunits:detail", uid=target.uid)
    return render(request, "orgunits/edit.html", {"unit": unit, "form": form, "title": title})


def _editable_unit(request, uid, action="change"):
    if not permits(request.user, OrgUnit, action):
        raise PermissionDenied
    return get_object_or_404(OrgUnit.objects.restrict(request.user, action), uid=uid)


@login_required
def edit(request, uid):
    unit = _editable_unit(request, uid)
    form = UnitForm(request.POST or None, instance=OrgUnit.objects.get(pk=unit.pk))
    return _edit_page(
        request,
        unit,
        form,
        _("Edit %(unit)s") % {"unit": unit},
        lambda data: services.update_unit(request.user, unit, **data),
    )


@login_required
def add_child(request, uid):
    parent = _editable_unit(request, uid, "add")
    form = ChildUnitForm(request.POST or None)
    return _edit_page(
        request,
        parent,
        form,
        _("New unit under %(unit)s") % {"unit": parent},
        lambda data: services.create_unit(request.user, parent=parent, **data),
    )


@login_required
def end(request, uid):
    unit = _editable_unit(request, uid)
    form = EndForm(request.POST or None)
    return _edit_page(
        request,
        unit,
        form,
        _("End %(unit)s") % {"unit": unit},
        lambda data: services.end_unit(request.user, unit, data["last_day"]),
    )


@login_required
def move(request, uid):
    unit = _editable_unit(request, uid)
    form = MoveForm(request.POST or None)
    return _edit_page(
        request,
        unit,
        form,
        _("Move %(unit)s") % {"unit": unit},
        lambda data: services.move_unit(request.user, unit, data["parent"], data["from_day"]),
    )


@login_required
def add_succession(request, uid):
    unit = _editable_unit(request, uid)
    if not permits(request.user, Succession, "add"):
        raise PermissionDenied
    form = SuccessionForm(request.POST or None)
    return _edit_page(
        request,
        unit,
        form,
        _("Record what became of %(unit)s") % {"unit": unit},
        lambda data: services.record_succession(
            request.user,
            unit,
            data["successor"],
            data["effective_date"],
            data["kind"],
            data["share"],
            data["approximate"],
            data["notes"],
        ),
    )
