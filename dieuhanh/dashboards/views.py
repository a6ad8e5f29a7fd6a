"""The operations center's pages. A page sends its frame at once; each item (a key figure,
a chart, the map, a table, the hot issues) is fetched on its own (HTMX), so a slow item
never holds up the others. Every figure is read through the analytics engine."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dieuhanh.accounts.models import Role
from dieuhanh.analytics import pivot
from dieuhanh.analytics import services as analytics
from dieuhanh.catalog.models import Indicator, IndicatorGroup, Status
from dieuhanh.core.navigation import local_target
from dieuhanh.core.querysets import denied, permits
from dieuhanh.dashboards import figures, issues, profiles, services, tilegrid
from dieuhanh.dashboards.forms import BoundaryForm, DashboardForm, ItemForm
from dieuhanh.dashboards.models import (
    BoundaryMap,
    ChartType,
    Dashboard,
    DashboardItem,
    Height,
    ItemKind,
)
from dieuhanh.datavalues.models import DataValue
from dieuhanh.orgunits.models import OrgUnit

GROUP_SET = "D1498"  # the seven groups of Decision 1498/QĐ-TTg
HOT_ISSUES_SHOWN = 12
RANKING_ALL_SHOWN = 40  # up to this many units, those without figures are listed last
WALL_SECONDS = (30, 60, 120, 300)


def _view(request) -> figures.View:
    try:
        return figures.View.from_params(request.GET)
    except figures.ViewError as error:
        raise ValidationError(str(error)) from error


def _can_read(user) -> bool:
    return permits(user, DataValue, "view") and permits(user, Dashboard, "view")


def _page_context(request, view: figures.View) -> dict:
    today = timezone.localdate()
    return {
        "view": view,
        "view_query": view.query(),
        "period_choices": _period_choices(today),
        "today": today,
    }


def _period_choices(today: datetime.date) -> list[tuple[str, str]]:
    from dieuhanh.core import periods

    choices = [("", _("Latest figures"))]
    month = periods.for_date(periods.PeriodType.MONTHLY, today)
    for n in range(1, 4):
        choices.append((month.shift(-n).code, month.shift(-n).label()))
    quarter = periods.for_date(periods.PeriodType.QUARTERLY, today)
    for n in range(1, 3):
        choices.append((quarter.shift(-n).code, quarter.shift(-n).label()))
    year = periods.for_date(periods.PeriodType.YEARLY, today)
    for n in range(0, 4):
        choices.append((year.shift(-n).code, year.shift(-n).label()))
    return choices


# --- pages ----------------------------------------------------------------------------------
@login_required
def home(request):
    """The home page: the country at a glance (the home dashboard), or, for an account that
    reads no figures, the welcome page."""
    if not _can_read(request.user):
        from dieuhanh.core.health import worker_status

        return render(request, "core/home.html", {"worker": worker_status()})
    return _dashboard_page(request, services.home_dashboard(), home=True)


@login_required
def dashboard(request, uid: str):
    if not _can_read(request.user):
        raise denied(Dashboard, "view")
    found = _viewable(request.user, uid)
    return _dashboard_page(request, found, home=found.is_home)


def _viewable(user, uid: str) -> Dashboard:
    try:
        return services.viewable(user, uid)
    except Dashboard.DoesNotExist as missing:
        raise Http404 from missing


def _dashboard_page(request, found: Dashboard, *, home: bool):
    try:
        view = _view(request)
    except ValidationError as error:
        return HttpResponseBadRequest(error.messages[0])
    user = request.user
    items = list(found.items.all())
    pinned = services.Favourite.objects.restrict(user).filter(dashboard=found).exists()
    context = {
        **_page_context(request, view),
        "dashboard": found,
        "items": _ordered(items, view),
        "home": home,
        "pinned": pinned,
        "editable": found.editable_by(user),
        "boundaries": permits(user, BoundaryMap, "add"),
        "worker": _worker_if_staff(user),
        "groups": _catalog_groups() if home else [],
    }
    return render(request, "dashboards/dashboard.html", context)


def _catalog_groups():
    return IndicatorGroup.objects.filter(group_set__code=GROUP_SET).order_by("sort_order")


def _ordered(items: list[DashboardItem], view: figures.View) -> list[DashboardItem]:
    """Reading order; on a phone the key figures come first (CSS order from ``phone``)."""
    for item in items:
        item.phone = _phone_order(item.kind)
        item.url = reverse("dashboards:item", args=[item.pk]) + view.query()
    return items


def _phone_order(kind: str) -> int:
    return {ItemKind.KPI: 0, ItemKind.TASKS: 0, ItemKind.HOT_ISSUES: 1}.get(kind, 2)


def _worker_if_staff(user):
    if not user.is_staff:
        return None
    from dieuhanh.core.health import worker_status

    return worker_status()


@login_required
def dashboard_list(request):
    user = request.user
    if not permits(user, Dashboard, "view"):
        raise denied(Dashboard, "view")
    return render(
        request,
        "dashboards/list.html",
        {
            "dashboards": services.dashboards_for(user),
            "can_add": permits(user, Dashboard, "add"),
            "groups": IndicatorGroup.objects.filter(group_set__code="D1498").order_by("sort_order"),
        },
    )


@login_required
def group(request, code: str):
    """A group of the catalog: a key figure for each of its indicators."""
    if not _can_read(request.user):
        raise denied(Dashboard, "view")
    found = get_object_or_404(IndicatorGroup, code=code)
    try:
        view = _view(request)
    except ValidationError as error:
        return HttpResponseBadRequest(error.messages[0])
    indicators = list(
        Indicator.objects.restrict(request.user, "view")
        .filter(groups=found, status=Status.ACTIVE)
        .exclude(value_type__in=["text", "boolean"])
        .order_by("code")
    )
    items = [_adhoc(view, ItemKind.KPI, [i.code], width=3, height=Height.SMALL) for i in indicators]
    siblings = IndicatorGroup.objects.filter(group_set=found.group_set).order_by("sort_order")
    return render(
        request,
        "dashboards/group.html",
        {
            **_page_context(request, view),
            "group": found,
            "siblings": siblings,
            "items": items,
        },
    )


@login_required
def indicator(request, code: str):
    """An indicator's page: trend, map, ranking, table, metadata and downloads."""
    user = request.user
    if not _can_read(user):
        raise denied(Dashboard, "view")
    try:
        view = _view(request)
        found = analytics.read_indicators(user, [code])[0]
    except ValidationError as error:
        return HttpResponseBadRequest(error.messages[0])
    except analytics.AnalyticsError as error:
        raise Http404(error.message) from error
    provincial = "province" in (found.levels or []) or found.formula
    items = [
        _adhoc(view, ItemKind.KPI, [code], width=3, height=Height.SMALL),
        _adhoc(view, ItemKind.CHART, [code], width=9, height=Height.MEDIUM, title=_("Trend")),
    ]
    if provincial:
        items += [
            _adhoc(view, ItemKind.MAP, [code], width=5, height=Height.LARGE, title=_("Map")),
            _adhoc(
                view, ItemKind.RANKING, [code], width=7, height=Height.LARGE, title=_("Ranking")
            ),
            _adhoc(
                view,
                ItemKind.TABLE,
                [code],
                width=12,
                height=Height.LARGE,
                title=_("Provinces and cities"),
                orgunits="KIND-province",
            ),
        ]
    period_list = figures.series_periods(found, view, timezone.localdate())
    ask = analytics.AnalyticsRequest(
        indicators=[code],
        orgunits=["KIND-province"] if provincial else [],
        periods=[p.code for p in period_list],
        structure=view.structure,
        measures=["yoy"],
    )
    return render(
        request,
        "dashboards/indicator.html",
        {
            **_page_context(request, view),
            "indicator": found,
            "items": items,
            "csv_url": figures.analytics_link(ask, "csv"),
            "xlsx_url": figures.analytics_link(ask, "xlsx"),
            "groups": found.groups.all(),
        },
    )


@login_required
def unit(request, uid: str):
    """A unit's profile: a province against the country and its region, its history
    across the 2025 merger and its reporting record; a ministry's indicators and record;
    the units below it to drill into."""
    user = request.user
    if not _can_read(user):
        raise denied(Dashboard, "view")
    try:
        view = _view(request)
    except ValidationError as error:
        return HttpResponseBadRequest(error.messages[0])
    found = get_object_or_404(OrgUnit, uid=uid)
    profile = profiles.profile(user, found, view)
    items = []
    if profile["child_indicators"]:
        codes = profile["child_indicators"]
        wanted = request.GET.get("indicator")
        if wanted in codes:
            codes = [wanted] + [c for c in codes if c != wanted]
        items.append(
            _adhoc(
                view,
                ItemKind.RANKING,
                codes,
                width=12,
                height=Height.LARGE,
                title=_("Units below"),
                orgunits=f"CHILDREN-{found.uid}",
            )
        )
    if profile["owned"]:
        items.append(
            _adhoc(
                view,
                ItemKind.TABLE,
                [i.code for i in profile["owned"]][:20],
                width=12,
                height=Height.LARGE,
                title=_("Indicators this agency is responsible for (national figures)"),
            )
        )
    return render(
        request,
        "dashboards/unit.html",
        {**_page_context(request, view), **profile, "items": items},
    )


# --- items ----------------------------------------------------------------------------------
def _adhoc(
    view, kind, indicators, *, width=4, height=Height.MEDIUM, title="", orgunits="", **extra
):
    item = DashboardItem(
        kind=kind,
        indicators=list(indicators),
        width=width,
        height=height,
        title=title,
        orgunits=orgunits,
        **extra,
    )
    item.phone = _phone_order(kind)
    item.url = reverse("dashboards:adhoc_item") + view.query(
        kind=kind,
        indicators=",".join(indicators),
        orgunits=orgunits,
        height=height,
        title=title,
        **extra,
    )
    return item


@login_required
def item(request, pk: int):
    if not _can_read(request.user):
        raise denied(Dashboard, "view")
    found = DashboardItem.objects.select_related("dashboard").filter(pk=pk).first()
    if found is None:
        raise Http404
    _viewable(request.user, found.dashboard.uid)
    return _render_item(request, found)


@login_required
def adhoc_item(request):
    """An item defined by the address itself (the indicator, unit and group pages)."""
    if not _can_read(request.user):
        raise denied(Dashboard, "view")
    params = request.GET
    kind = params.get("kind")
    if kind not in ItemKind.values or kind == ItemKind.TEXT:
        return HttpResponseBadRequest(_("Unknown kind of item."))
    found = DashboardItem(
        kind=kind,
        indicators=[c for c in (params.get("indicators") or "").split(",") if c],
        orgunits=params.get("orgunits") or "",
        periods=params.get("periods") or "",
        period_type=params.get("period_type") or "",
        chart_type=params.get("chart_type") or ChartType.LINE,
        height=params.get("height") or Height.MEDIUM,
        title=params.get("title") or "",
    )
    if found.kind in services.NEEDS_INDICATORS and not found.indicators:
        return HttpResponseBadRequest(_("Choose at least one indicator."))
    return _render_item(request, found)


def _render_item(request, found: DashboardItem):
    user = request.user
    if not _can_read(user):
        return render(
            request,
            "dashboards/items/error.html",
            {"item": found, "message": str(denied(DataValue, "view"))},
        )
    try:
        view = _view(request)
        context = RENDERERS[found.kind](request, found, view)
    except ValidationError as error:
        context = {"template": "error", "message": error.messages[0]}
    except analytics.AnalyticsError as error:
        context = {"template": "error", "message": error.message}
    except PermissionDenied as error:
        context = {"template": "error", "message": str(error) or _("Not permitted.")}
    template = context.pop("template")
    kept = request.GET.copy()
    kept.pop("indicator", None)
    return render(
        request,
        f"dashboards/items/{template}.html",
        {"item": found, "self_url": f"{request.path}?{kept.urlencode()}", **context},
    )


def _units(found: DashboardItem) -> list[str] | None:
    text = (found.orgunits or "").strip()
    if not text:
        return None
    return analytics.AnalyticsRequest.from_text(indicators=[], orgunits=text).orgunits


def _kpi(request, found, view):
    tile = figures.key_figure(
        request.user,
        found.indicators[0],
        view,
        orgunits=_units(found),
        target=float(found.target) if found.target is not None else None,
        target_label=found.target_label,
    )
    spark = {
        "kind": "spark",
        "values": [value for _label, value in tile.history],
        "labels": [label for label, _value in tile.history],
        "decimals": tile.indicator.decimals,
        "tone": tile.tone,
    }
    link = reverse("dashboards:indicator", args=[tile.indicator.code]) + view.query()
    return {"template": "kpi", "tile": tile, "spark": spark, "link": link}


def _chosen(request, found) -> str:
    wanted = request.GET.get("indicator")
    return wanted if wanted in found.indicators else found.indicators[0]


def _province_map(request, found, view):
    code = _chosen(request, found)
    result = figures.unit_figures(request.user, code, view, structure=view.map_structure)
    indicator_obj = result.indicator
    lowest, highest = result.bounds
    tiles = []
    for row in result.rows:
        place = tilegrid.TILES.get(row.unit.code)
        if place is None:
            continue
        tiles.append(
            {
                "code": row.unit.code,
                "name": row.unit.short_name,
                "row": place[0],
                "column": place[1],
                "value": row.value,
                "rank": row.rank,
                "approximate": row.approximate,
                "url": reverse("dashboards:unit", args=[row.unit.uid]) + view.query(indicator=code),
            }
        )
    boundary = services.active_boundaries()
    payload = {
        "kind": "geomap" if boundary else "tilemap",
        "geojson": reverse("dashboards:boundary_file", args=[boundary.pk]) if boundary else "",
        "indicator": indicator_obj.short_name or indicator_obj.name,
        "unit": figures.unit_label(indicator_obj),
        "decimals": indicator_obj.decimals,
        "direction": indicator_obj.direction,
        "period": result.period.label() if result.period else "",
        "min": lowest,
        "max": highest,
        "classes": tilegrid.classes([r.value for r in result.rows if r.value is not None]),
        "rows": tilegrid.ROWS,
        "columns": tilegrid.COLUMNS,
        "tiles": tiles,
        "islands": [
            {"name": island.name, "row": island.row, "column": island.column}
            for island in tilegrid.ARCHIPELAGOS
        ],
        "labels": {"rank": _("Rank"), "none": _("No data"), "approximate": _("approximate")},
    }
    return {
        "template": "map",
        "payload": payload,
        "result": result,
        "choices": _choices(request.user, found),
        "chosen": code,
        "csv_url": _figures_link(result, view, "csv"),
    }


def _choices(user, found) -> list[tuple[str, str]]:
    """The item's indicators the user may see (clearance), by their short names."""
    names = {
        code: short or name
        for code, short, name in Indicator.objects.restrict(user, "view")
        .filter(code__in=found.indicators)
        .values_list("code", "short_name", "name")
    }
    return [(code, names[code]) for code in found.indicators if code in names]


def _figures_link(result: figures.Figures, view, file_format: str) -> str:
    ask = analytics.AnalyticsRequest(
        indicators=[result.indicator.code],
        orgunits=["KIND-province"],
        periods=[result.period.code] if result.period else [],
        structure=result.structure,
        measures=["yoy", "rank"],
    )
    return figures.analytics_link(ask, file_format)


def _ranking(request, found, view):
    code = _chosen(request, found)
    parent = None
    if found.orgunits.upper().startswith("CHILDREN-"):
        parent = OrgUnit.objects.filter(uid=found.orgunits[9:]).first()
    result = figures.unit_figures(
        request.user, code, view, parent=parent, structure=view.map_structure
    )
    ranked = result.ranked
    without = [row for row in ranked if row.value is None]
    if len(ranked) > RANKING_ALL_SHOWN:  # the communes of a province: those with figures
        ranked = [row for row in ranked if row.value is not None]
    indicator_obj = result.indicator
    payload = {
        "kind": "ranking",
        "indicator": indicator_obj.short_name or indicator_obj.name,
        "unit": figures.unit_label(indicator_obj),
        "decimals": indicator_obj.decimals,
        "direction": indicator_obj.direction,
        "period": result.period.label() if result.period else "",
        "names": [row.unit.short_name for row in ranked],
        "values": [row.value for row in ranked],
        "urls": [
            reverse("dashboards:unit", args=[row.unit.uid]) + view.query(indicator=code)
            for row in ranked
        ],
        "reference": result.parent.value if result.parent else None,
        "reference_label": result.parent.unit.short_name if result.parent else "",
    }
    return {
        "template": "ranking",
        "payload": payload,
        "has_values": len(without) < len(result.rows),
        "without": len(without) if len(result.rows) > RANKING_ALL_SHOWN else 0,
        "result": result,
        "choices": _choices(request.user, found),
        "chosen": code,
        "csv_url": _figures_link(result, view, "csv"),
    }


def _chart(request, found, view):
    units = _units(found)
    by_unit = any(
        token.upper().startswith(("KIND-", "CHILDREN-", "LEVEL-", "GROUP-"))
        for token in units or []
    )
    drawn = figures.chart(
        request.user,
        found.indicators,
        view,
        orgunits=units,
        period_text=found.periods,
        period_type=found.period_type,
        by_unit=by_unit,
    )
    first = drawn.series[0].indicator if drawn.series else None
    payload = {
        "kind": "chart",
        "type": found.chart_type,
        "categories": drawn.categories,
        "series": [{"name": s.name, "values": s.values, "unit": s.unit} for s in drawn.series],
        "decimals": first.decimals if first else 1,
        "target": float(found.target) if found.target is not None else None,
        "target_label": found.target_label or _("Target"),
        "forecast": drawn.forecast,
    }
    return {
        "template": "chart",
        "payload": payload,
        "csv_url": figures.analytics_link(drawn.request, "csv"),
        "xlsx_url": figures.analytics_link(drawn.request, "xlsx"),
    }


def _table(request, found, view):
    user = request.user
    indicator_obj = analytics.read_indicators(user, found.indicators[:1])[0]
    if found.periods:
        period_codes = analytics.AnalyticsRequest.from_text(
            indicators=[], periods=found.periods
        ).periods
    else:
        period_codes = [
            p.code for p in figures.series_periods(indicator_obj, view, timezone.localdate(), 4)
        ]
    ask = analytics.AnalyticsRequest(
        indicators=found.indicators,
        orgunits=_units(found) or [],
        periods=period_codes,
        period_type=found.period_type or None,
        structure=view.structure,
    )
    answer = analytics.query(user, ask)
    table = pivot.build(answer, ["indicator", "orgunit"], ["period"])
    if len(found.indicators) == 1:  # one indicator: its name is the card's, not a column
        for row in table.rows:
            del row.labels[0]
        table.row_dimensions = table.row_dimensions[1:]
    uids = answer.metadata["dimensions"]["orgunits"]
    links = {
        answer.metadata["orgunits"][uid]["name"]: reverse("dashboards:unit", args=[uid])
        + view.query()
        for uid in uids
    }
    return {
        "template": "table",
        "table": table,
        "links": links,
        "unit_of_measure": figures.unit_label(indicator_obj) if len(found.indicators) == 1 else "",
        "csv_url": figures.analytics_link(ask, "csv"),
        "xlsx_url": figures.analytics_link(ask, "xlsx"),
    }


def _text(request, found, view):
    return {"template": "text"}


def _hot_issues(request, found, view):
    found_issues = issues.hot_issues(request.user)
    return {
        "template": "hot_issues",
        "issues": found_issues[:HOT_ISSUES_SHOWN],
        "more": max(0, len(found_issues) - HOT_ISSUES_SHOWN),
    }


def _tasks(request, found, view):
    """The tasks the Government and the Prime Minister assigned: the on-time rate and the
    four counts (the task-tracking module's statistics)."""
    from dieuhanh.directives import stats
    from dieuhanh.directives.models import Task

    if not permits(request.user, Task, "view"):
        raise denied(Task, "view")
    total = stats.on_time_rate(request.user)
    return {"template": "tasks", "total": total, "url": reverse("directives:home")}


RENDERERS = {
    ItemKind.KPI: _kpi,
    ItemKind.MAP: _province_map,
    ItemKind.RANKING: _ranking,
    ItemKind.CHART: _chart,
    ItemKind.TABLE: _table,
    ItemKind.TEXT: _text,
    ItemKind.HOT_ISSUES: _hot_issues,
    ItemKind.TASKS: _tasks,
}


# --- wall mode ------------------------------------------------------------------------------
@login_required
def wall(request):
    """Wall screens: large type, high contrast; the dashboards chosen (or the user's pinned
    ones after the home page) rotate; figures refresh without a reload."""
    user = request.user
    if not _can_read(user):
        raise denied(Dashboard, "view")
    try:
        view = _view(request)
    except ValidationError as error:
        return HttpResponseBadRequest(error.messages[0])
    wanted = [uid for uid in (request.GET.get("dashboards") or "").split(",") if uid]
    available = {d.uid: d for d in services.dashboards_for(user)}
    if wanted:
        pages = [available[uid] for uid in wanted if uid in available]
    else:
        home_page = services.home_dashboard()
        pages = [home_page] + [d for d in available.values() if d.pinned and d.pk != home_page.pk]
    if not pages:
        raise denied(Dashboard, "view")
    try:
        seconds = int(request.GET.get("seconds") or 60)
    except ValueError:
        seconds = 60
    seconds = min(max(seconds, 15), 3600)
    for page in pages:
        page.ordered_items = _ordered(list(page.items.all()), view)
    return render(
        request,
        "dashboards/wall.html",
        {
            **_page_context(request, view),
            "pages": pages,
            "seconds": seconds,
            "wall_seconds": WALL_SECONDS,
        },
    )


# --- the builder ----------------------------------------------------------------------------
def _role_and_user_choices(user):
    from django.contrib.auth import get_user_model

    return (
        Role.objects.order_by("name"),
        get_user_model().objects.restrict(user, "view").filter(is_active=True).order_by("username")
        if permits(user, get_user_model(), "view")
        else get_user_model().objects.none(),
    )


@login_required
def dashboard_edit(request, uid: str | None = None):
    user = request.user
    found = None
    action = "add" if uid is None else "change"
    if not permits(user, Dashboard, action):
        raise denied(Dashboard, action)
    if uid is not None:
        found = _viewable(user, uid)
        if not found.editable_by(user):
            raise denied(Dashboard, "change", found)
    roles, users = _role_and_user_choices(user)
    form = DashboardForm(request.POST or None, instance=found, roles=roles, users=users)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.save_dashboard(
                user,
                found,
                title=data["title"],
                description=data["description"],
                shared_with_all=data["shared_with_all"],
                shared_roles=data["shared_roles"],
                shared_users=data["shared_users"],
                refresh_seconds=data["refresh_seconds"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Dashboard saved."))
            return redirect("dashboards:edit", uid=saved.uid)
    items = list(found.items.all()) if found else []
    return render(
        request,
        "dashboards/edit.html",
        {
            "dashboard": found,
            "form": form,
            "items": items,
            "item_form": ItemForm(user=user),
        },
    )


@login_required
def item_edit(request, uid: str, pk: int | None = None):
    user = request.user
    if not permits(user, Dashboard, "change"):
        raise denied(Dashboard, "change")
    found = _viewable(user, uid)
    if not found.editable_by(user):
        raise denied(Dashboard, "change", found)
    existing = get_object_or_404(DashboardItem, pk=pk, dashboard=found) if pk else None
    form = ItemForm(request.POST or None, instance=existing, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_item(user, found, existing, form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Item saved."))
            return redirect("dashboards:edit", uid=found.uid)
    return render(
        request, "dashboards/item_form.html", {"dashboard": found, "form": form, "item": existing}
    )


@login_required
def item_action(request, uid: str, pk: int):
    user = request.user
    if not permits(user, Dashboard, "change"):
        raise denied(Dashboard, "change")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    found = _viewable(user, uid)
    existing = get_object_or_404(DashboardItem, pk=pk, dashboard=found)
    action = request.POST.get("action")
    if action == "delete":
        services.delete_item(user, existing)
        messages.success(request, _("Item removed."))
    elif action in ("up", "down"):
        services.move_item(user, existing, -1 if action == "up" else 1)
    else:
        return HttpResponseBadRequest(_("Unknown action."))
    return redirect("dashboards:edit", uid=found.uid)


@login_required
def dashboard_delete(request, uid: str):
    if not permits(request.user, Dashboard, "delete"):
        raise denied(Dashboard, "delete")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    found = _viewable(request.user, uid)
    try:
        services.delete_dashboard(request.user, found)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("dashboards:edit", uid=found.uid)
    messages.success(request, _("Dashboard deleted."))
    return redirect("dashboards:list")


@login_required
def dashboard_pin(request, uid: str):
    if not permits(request.user, Dashboard, "view"):
        raise denied(Dashboard, "view")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    found = _viewable(request.user, uid)
    services.pin(request.user, found, pinned=request.POST.get("pinned") != "0")
    target = local_target(request, request.POST.get("next"))
    if target:
        return redirect(target)
    return redirect("dashboards:list")


# --- the official boundary file -------------------------------------------------------------
@login_required
def boundaries(request):
    user = request.user
    if not permits(user, BoundaryMap, "add"):
        raise denied(BoundaryMap, "add")
    form = BoundaryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and request.POST.get("retire"):
        found = get_object_or_404(BoundaryMap, pk=request.POST["retire"])
        services.retire_boundaries(user, found)
        messages.success(request, _("The maps draw tiles again."))
        return redirect("dashboards:boundaries")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
            boundary, unmatched = services.upload_boundaries(
                user,
                name=form.cleaned_data["name"],
                source=form.cleaned_data["source"],
                text=text,
            )
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text."))
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(
                request,
                _("%(n)s provinces loaded; maps draw this file from now on.")
                % {"n": len(boundary.provinces)},
            )
            if unmatched:
                messages.warning(
                    request,
                    _("Features without a province of today: %(names)s")
                    % {"names": ", ".join(unmatched[:20])},
                )
            return redirect("dashboards:boundaries")
    return render(
        request,
        "dashboards/boundaries.html",
        {"form": form, "maps": BoundaryMap.objects.restrict(user, "view")},
    )


@login_required
def boundary_file(request, pk: int):
    found = get_object_or_404(BoundaryMap.objects.restrict(request.user, "view"), pk=pk)
    response = HttpResponse(found.geojson, content_type="application/geo+json")
    response["Cache-Control"] = "private, max-age=86400"
    return response


# --- a unit's profile, in parts -------------------------------------------------------------
def _profile_part(request, uid: str) -> OrgUnit:
    if not _can_read(request.user):
        raise denied(Dashboard, "view")
    found = get_object_or_404(OrgUnit, uid=uid)
    profiles.check_scope(request.user, found)
    return found


@login_required
def unit_figures(request, uid: str):
    found = _profile_part(request, uid)
    try:
        view = _view(request)
        result = profiles.comparisons(request.user, found, view)
    except (ValidationError, analytics.AnalyticsError, PermissionDenied) as error:
        return _part_error(request, error)
    return render(request, "dashboards/parts/unit_figures.html", {"result": result, "view": view})


@login_required
def unit_history(request, uid: str):
    found = _profile_part(request, uid)
    try:
        code = request.GET.get("indicator") or profiles._history_indicator(request.user, found)
        if not code:
            raise ValidationError(_("No indicator to show."))
        drawn = profiles.history(request.user, found, code)
    except (ValidationError, analytics.AnalyticsError, PermissionDenied) as error:
        return _part_error(request, error)
    payload = {
        "kind": "history",
        "categories": drawn.years,
        "total": drawn.total,
        "total_label": _("%(name)s (today's unit)") % {"name": found.short_name},
        "parts": [{"name": name, "values": values} for name, values in drawn.parts],
        "unit": figures.unit_label(drawn.indicator),
        "decimals": drawn.indicator.decimals,
    }
    return render(
        request,
        "dashboards/parts/unit_history.html",
        {
            "unit": found,
            "history": drawn,
            "payload": payload,
            "csv_url": figures.analytics_link(drawn.request, "csv"),
        },
    )


@login_required
def unit_record(request, uid: str):
    found = _profile_part(request, uid)
    try:
        rows = profiles.reporting_record(request.user, found)
    except (ValidationError, PermissionDenied) as error:
        return _part_error(request, error)
    return render(request, "dashboards/parts/unit_record.html", {"rows": rows, "unit": found})


def _part_error(request, error):
    if isinstance(error, ValidationError):
        message = error.messages[0]
    elif isinstance(error, analytics.AnalyticsError):
        message = error.message
    else:
        message = str(error) or _("Not permitted.")
    return render(request, "dashboards/items/error.html", {"message": message})
