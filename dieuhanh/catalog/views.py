"""Pages: the catalog browser, an indicator's page, the regimes and their schedules, and
the editing pages of center analysts. Thin: rules live in ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.catalog import services
from dieuhanh.catalog.filters import IndicatorFilter
from dieuhanh.catalog.forms import (
    CatalogFilterForm,
    IndicatorForm,
    RegimeContentForm,
    RegimeForm,
)
from dieuhanh.catalog.models import (
    LEVEL_UNIT_KINDS,
    Indicator,
    IndicatorGroupSet,
    ReportingLevel,
    ReportingRegime,
)
from dieuhanh.core import periods
from dieuhanh.core.models import AuditRecord
from dieuhanh.core.paging import page_of
from dieuhanh.core.querysets import permits
from dieuhanh.orgunits.models import OrgUnitKind


@login_required
def browse(request):
    form = CatalogFilterForm(request.GET or None, user=request.user)
    criteria = form.cleaned_data if form.is_valid() else {}
    indicator_filter = IndicatorFilter(**{k: v for k, v in criteria.items() if v})
    visible = Indicator.objects.restrict(request.user, "view")
    results = indicator_filter.apply(visible)
    page, query = page_of(request, results, 50)
    group_sets = IndicatorGroupSet.objects.restrict(request.user, "view").prefetch_related("groups")
    counts = dict(
        visible.values("groups__code").annotate(n=Count("id")).values_list("groups__code", "n")
    )
    return render(
        request,
        "catalog/browse.html",
        {
            "form": form,
            "page": page,
            "total": results.count(),
            "group_sets": group_sets,
            "group_counts": counts,
            "query": query,
            "can_add": permits(request.user, Indicator, "add"),
        },
    )


@login_required
def indicator_detail(request, code):
    indicator = get_object_or_404(
        Indicator.objects.restrict(request.user, "view").select_related(
            "unit", "owner", "disaggregation", "weight"
        ),
        code=code.upper(),
    )
    regimes = services.regimes_using(indicator, request.user).select_related("receiver")
    visible = Indicator.objects.restrict(request.user, "view")
    components = visible.filter(code__in=services.formula_codes(indicator))
    used_in = services.used_in_formulas(indicator, request.user)
    context = {
        "indicator": indicator,
        "groups": indicator.groups.select_related("group_set"),
        "levels": [
            ReportingLevel(level).label for level in indicator.levels if level in LEVEL_UNIT_KINDS
        ],
        "readable_formula": services.readable_formula(indicator),
        "components": components,
        "used_in": used_in,
        "regimes": regimes,
        "combinations": indicator.disaggregation.combinations.all(),
        "versions": indicator.versions.order_by("-number").select_related("recorded_by"),
        "can_change": permits(request.user, Indicator, "change"),
    }
    if permits(request.user, AuditRecord, "view"):
        context["changes"] = AuditRecord.objects.restrict(request.user, "view").filter(
            content_type__app_label="catalog",
            content_type__model="indicator",
            object_id=str(indicator.pk),
        )[:50]
    return render(request, "catalog/indicator.html", context)


def _edit_page(request, form, title, on_valid, cancel_url, regimes=False):
    if request.method == "POST" and form.is_valid():
        try:
            result = on_valid(form.service_arguments())
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Saved."))
            return redirect(result)
    if regimes:
        back = (_("Reporting regimes"), reverse("catalog:regimes"))
    else:
        back = (_("Indicator catalog"), reverse("catalog:browse"))
    context = {"form": form, "title": title, "cancel_url": cancel_url, "back": back}
    return render(request, "catalog/edit.html", context)


def _require(request, model, action):
    if not permits(request.user, model, action):
        raise PermissionDenied(_("You may not change the catalog."))


def _indicator_url(indicator) -> str:
    return reverse("catalog:indicator", args=[indicator.code])


@login_required
def indicator_new(request):
    _require(request, Indicator, "add")
    form = IndicatorForm(request.POST or None, user=request.user)

    def create(data):
        groups = data.pop("groups", [])
        return _indicator_url(services.create_indicator(request.user, groups=groups, **data))

    return _edit_page(request, form, _("New indicator"), create, reverse("catalog:browse"))


@login_required
def indicator_edit(request, code):
    _require(request, Indicator, "change")
    indicator = get_object_or_404(
        Indicator.objects.restrict(request.user, "change"), code=code.upper()
    )
    form = IndicatorForm(
        request.POST or None, instance=Indicator.objects.get(pk=indicator.pk), user=request.user
    )

    def update(data):
        groups = data.pop("groups", None)
        reason = data.pop("reason", "")
        effective_from = data.pop("effective_from", None)
        services.update_indicator(
            request.user,
            indicator,
            groups=groups,
            reason=reason,
            effective_from=effective_from,
            **data,
        )
        return _indicator_url(indicator)

    title = _("Edit %(indicator)s") % {"indicator": indicator.code}
    return _edit_page(request, form, title, update, _indicator_url(indicator))


@login_required
def indicator_retire(request, code):
    _require(request, Indicator, "change")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    indicator = get_object_or_404(
        Indicator.objects.restrict(request.user, "change"), code=code.upper()
    )
    try:
        services.retire_indicator(request.user, indicator)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("%(indicator)s is retired.") % {"indicator": indicator.code})
    return redirect("catalog:indicator", code=indicator.code)


@login_required
def regimes(request):
    rows = (
        ReportingRegime.objects.restrict(request.user, "view")
        .select_related("receiver")
        .annotate(indicator_count=Count("sections__items", distinct=True))
        .order_by("period_type", "code")
    )
    return render(
        request,
        "catalog/regimes.html",
        {"regimes": rows, "can_add": permits(request.user, ReportingRegime, "add")},
    )


@login_required
def regime_detail(request, code):
    regime = get_object_or_404(
        ReportingRegime.objects.restrict(request.user, "view").select_related("issuer", "receiver"),
        code=code.upper(),
    )
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2000), 2100)
    rows = services.schedule(regime, year)
    current = next((row for row in rows if row.window_start <= today <= row.deadline), None)
    reporting_period = periods.for_date(regime.period_type, today)
    reporters = services.reporters(regime, reporting_period)
    sections = regime.sections.prefetch_related("items__indicator__unit", "items__disaggregation")
    visible = set(Indicator.objects.restrict(request.user, "view").values_list("pk", flat=True))
    return render(
        request,
        "catalog/regime.html",
        {
            "regime": regime,
            "year": year,
            "years": range(year - 2, year + 3),
            "schedule": rows if regime.period_type != periods.PeriodType.DAILY else rows[:0],
            "schedule_count": len(rows),
            "current": current,
            "today": today,
            "sections": sections,
            "visible": visible,
            "narrative": regime.narrative_sections.all(),
            "reporter_kinds": [OrgUnitKind(k).label for k in regime.reporter_kinds],
            "reporting_period": reporting_period,
            "reporter_count": reporters.count(),
            "reporter_sample": reporters[:40],
            "listed_units": regime.reporter_units.all(),
            "can_change": permits(request.user, ReportingRegime, "change"),
        },
    )


def _regime_url(regime) -> str:
    return reverse("catalog:regime", args=[regime.code])


@login_required
def regime_new(request):
    _require(request, ReportingRegime, "add")
    form = RegimeForm(request.POST or None, user=request.user)

    def create(data):
        code = form.cleaned_data["code"]
        return _regime_url(services.save_regime(request.user, code, create_only=True, **data))

    return _edit_page(
        request, form, _("New reporting regime"), create, reverse("catalog:regimes"), regimes=True
    )


@login_required
def regime_edit(request, code):
    _require(request, ReportingRegime, "change")
    regime = get_object_or_404(
        ReportingRegime.objects.restrict(request.user, "change"), code=code.upper()
    )
    form = RegimeForm(
        request.POST or None, instance=ReportingRegime.objects.get(pk=regime.pk), user=request.user
    )

    def update(data):
        return _regime_url(services.save_regime(request.user, regime.code, **data))

    title = _("Edit %(regime)s") % {"regime": regime.code}
    return _edit_page(request, form, title, update, _regime_url(regime), regimes=True)


@login_required
def regime_content_edit(request, code):
    """The data form (sections of indicators) and the narrative outline of a regime."""
    _require(request, ReportingRegime, "change")
    regime = get_object_or_404(
        ReportingRegime.objects.restrict(request.user, "change"), code=code.upper()
    )
    form = RegimeContentForm(
        request.POST or None, initial=RegimeContentForm.initial_for(regime), user=request.user
    )

    def update(data):
        return _regime_url(services.save_regime(request.user, regime.code, **data))

    title = _("Data form and outline of %(regime)s") % {"regime": regime.code}
    return _edit_page(request, form, title, update, _regime_url(regime), regimes=True)
